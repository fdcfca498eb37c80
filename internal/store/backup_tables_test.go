package store_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

// TestEveryWorkspaceTableIsDeclared holds store.WorkspaceTables to the
// database: every table of a tenant schema, every platform table with a
// tenant_id column, and every platform table whose rows hang off a copied
// platform table, is declared (copied, or left out with its reason), so a
// new table can never silently miss from exports and snapshots.
func TestEveryWorkspaceTableIsDeclared(t *testing.T) {
	t.Parallel()
	d := testdb.New(t)
	st := store.New(d)
	ctx := context.Background()
	tn, err := st.CreateTenant(ctx, "declared", "Declared")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := d.Pool.Query(ctx, `
		SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
		UNION
		SELECT 'platform.' || c.table_name FROM information_schema.columns c
		WHERE c.table_schema = 'platform' AND c.column_name = 'tenant_id'
		UNION
		SELECT 'platform.' || child.relname FROM pg_constraint f
		JOIN pg_class child ON child.oid = f.conrelid JOIN pg_class parent ON parent.oid = f.confrelid
		JOIN pg_namespace n ON n.oid = child.relnamespace
		WHERE f.contype = 'f' AND n.nspname = 'platform' AND parent.relname = 'share_links'`, "t_"+strconv.FormatInt(tn.ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 15 {
		t.Fatalf("only %d tables found: %v", len(names), names)
	}
	for _, name := range names {
		if store.WorkspaceTableByName(name) == nil {
			t.Errorf("table %s is not declared in store.WorkspaceTables: copy it, or leave it out with the reason", name)
		}
	}
}
