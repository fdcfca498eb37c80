package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SetPatternType sets the type of the live patterns ids to typ (a type
// code, or "" for none) with full confidence (a person chose it) and
// refreshes their search columns, in one transaction. It returns how many
// patterns it changed, or ErrNotFound when none of ids is live.
func (s *Store) SetPatternType(ctx context.Context, tenantID int64, ids []int64, typ string) (int, error) {
	var n int
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE patterns SET type = $2, type_confidence = 1, updated_at = now()
			WHERE id = ANY($1) AND deleted_at IS NULL RETURNING id`, ids, typ)
		if err != nil {
			return err
		}
		changed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		if n = len(changed); n == 0 {
			return ErrNotFound
		}
		return RefreshSearch(ctx, tx, changed)
	})
	if err != nil {
		return 0, fmt.Errorf("store: set type %q of %d patterns: %w", typ, len(ids), err)
	}
	return n, nil
}
