package db

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// ScratchSchema is the name of tenant id's scratch schema, "scratch_<id>":
// a throwaway copy of its tables at the latest version, into which a
// restore check (internal/backup) restores a snapshot to compare it. It is
// made and dropped inside one transaction that never commits, so nobody
// else ever sees it.
func ScratchSchema(id int64) string { return "scratch_" + strconv.FormatInt(id, 10) }

// CreateScratchSchema makes tenant id's scratch schema inside tx, with
// every tenant migration applied, as CreateTenantSchema makes a tenant's.
func CreateScratchSchema(ctx context.Context, tx pgx.Tx, id int64, migrations []Migration) error {
	if id <= 0 {
		return fmt.Errorf("db: scratch schema of tenant %d: %w", id, ErrBadSchema)
	}
	return createSchema(ctx, tx, ScratchSchema(id), migrations)
}
