package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// undoRecipe says how to reverse an activity.
type undoRecipe struct {
	Restore []int64 `json:"restore,omitempty"` // deleted patterns to bring back
	// Merge reversal: keyword Into is split again into Name on Patterns.
	Name     string  `json:"name,omitempty"`
	Patterns []int64 `json:"patterns,omitempty"`
	Into     int64   `json:"into,omitempty"`
}

func logActivity(ctx context.Context, tx pgx.Tx, userID int64, action, summary string, undo any) (int64, error) {
	var uid *int64
	if userID != 0 {
		uid = &userID
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO activity (user_id, action, summary, undo) VALUES ($1, $2, $3, $4) RETURNING id`,
		uid, action, summary, undo).Scan(&id)
	return id, err
}

// ErrAlreadyUndone is returned when undoing twice.
var ErrAlreadyUndone = errors.New("already undone")

// Undo reverses an activity once and returns its summary.
func (t *TenantTx) Undo(ctx context.Context, activityID int64) (string, error) {
	var summary string
	err := func() error {
		var r undoRecipe
		var undone *time.Time
		err := t.tx.QueryRow(ctx, `SELECT summary, coalesce(undo, '{}'), undone_at FROM activity WHERE id = $1 FOR UPDATE`, activityID).Scan(&summary, &r, &undone)
		if err != nil {
			return notFound(err)
		}
		if undone != nil {
			return ErrAlreadyUndone
		}
		if len(r.Restore) > 0 {
			if _, err := t.tx.Exec(ctx, `UPDATE patterns SET deleted_at = NULL WHERE id = ANY($1)`, r.Restore); err != nil {
				return err
			}
		}
		if r.Name != "" {
			if err := unmergeKeyword(ctx, t.tx, r); err != nil {
				return err
			}
		}
		_, err = t.tx.Exec(ctx, `UPDATE activity SET undone_at = now() WHERE id = $1`, activityID)
		return err
	}()
	if err != nil {
		return "", fmt.Errorf("store: undo %d: %w", activityID, err)
	}
	return summary, nil
}
