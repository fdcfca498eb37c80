package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SetPatternType sets the type of the live patterns ids to typ (a type
// code, or "" for none) with full confidence (a person chose it) and
// refreshes their search columns. It returns how many patterns it
// changed, or ErrNotFound when none of ids is live.
func (t *TenantTx) SetPatternType(ctx context.Context, ids []int64, typ string) (int, error) {
	n, err := func() (int, error) {
		rows, err := t.tx.Query(ctx, `UPDATE patterns SET type = $2, type_confidence = 1, updated_at = now()
			WHERE id = ANY($1) AND deleted_at IS NULL RETURNING id`, ids, typ)
		if err != nil {
			return 0, err
		}
		changed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return 0, err
		}
		if len(changed) == 0 {
			return 0, ErrNotFound
		}
		return len(changed), RefreshSearch(ctx, t.tx, changed)
	}()
	if err != nil {
		return 0, fmt.Errorf("store: set type %q of %d patterns: %w", typ, len(ids), err)
	}
	return n, nil
}
