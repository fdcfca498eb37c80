package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// An import held over a workspace's plan (internal/billing) is a staged
// batch: status "staged", its uploads kept, its design count known and
// the reason in its error; it goes in when the plan has room.

// NoteBatchHeld marks a new batch as held (stage) with the reason, inside
// the transaction that inserts it; its job still runs, counts its designs
// and stages it.
func NoteBatchHeld(ctx context.Context, tx pgx.Tx, id int64, reason string) error {
	if _, err := tx.Exec(ctx, `UPDATE import_batches SET stage = true, error = $2 WHERE id = $1`, id, reason); err != nil {
		return fmt.Errorf("store: hold import batch %d: %w", id, err)
	}
	return nil
}

// StageBatch keeps a counted batch of total designs staged with the reason.
func (s *Store) StageBatch(ctx context.Context, tenantID, id int64, total int, reason string) error {
	return s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE import_batches SET status = 'staged', stage = true, designs_total = $2, designs_done = 0,
			created = 0, merged = 0, duplicates = 0, error = $3 WHERE id = $1`, id, total, reason)
		if err != nil {
			return fmt.Errorf("store: stage import batch %d: %w", id, err)
		}
		return nil
	})
}

// UnholdBatch clears the hold of a batch that goes in after all.
func (s *Store) UnholdBatch(ctx context.Context, tenantID, id int64) error {
	return s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE import_batches SET stage = false, error = '' WHERE id = $1`, id); err != nil {
			return fmt.Errorf("store: unhold import batch %d: %w", id, err)
		}
		return nil
	})
}

// ReleaseStaged sets every staged batch of the transaction's tenant to be
// processed again (queued, no hold) and returns their ids, so that their
// jobs can be queued in the same transaction.
func ReleaseStaged(ctx context.Context, tx pgx.Tx) ([]int64, error) {
	rows, err := tx.Query(ctx, `UPDATE import_batches SET status = 'queued', stage = false, error = '', designs_done = 0
		WHERE status = 'staged' RETURNING id`)
	if err != nil {
		return nil, fmt.Errorf("store: release staged imports: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: release staged imports: %w", err)
	}
	return ids, nil
}
