package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Activity is one change a person made in the library, undoable when it
// carries an undo recipe.
type Activity struct {
	ID       int64      `json:"id"`
	UserID   *int64     `json:"user_id"`
	At       time.Time  `json:"at"`
	Action   string     `json:"action"`
	Summary  string     `json:"summary"`
	Undoable bool       `json:"undoable"`
	UndoneAt *time.Time `json:"undone_at"`
}

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

// Activities lists the newest changes first.
func (s *Store) Activities(ctx context.Context, tenantID int64, limit int) ([]*Activity, error) {
	var out []*Activity
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, user_id, at, action, summary, undo IS NOT NULL, undone_at FROM activity ORDER BY at DESC, id DESC LIMIT $1`, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Activity, error) {
			a := &Activity{}
			err := r.Scan(&a.ID, &a.UserID, &a.At, &a.Action, &a.Summary, &a.Undoable, &a.UndoneAt)
			return a, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: activity: %w", err)
	}
	return out, nil
}

// ErrAlreadyUndone is returned when undoing twice.
var ErrAlreadyUndone = errors.New("already undone")

// Undo reverses an activity once.
func (s *Store) Undo(ctx context.Context, tenantID, activityID int64) (string, error) {
	var summary string
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		var r undoRecipe
		var undone *time.Time
		err := tx.QueryRow(ctx, `SELECT summary, coalesce(undo, '{}'), undone_at FROM activity WHERE id = $1 FOR UPDATE`, activityID).Scan(&summary, &r, &undone)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if undone != nil {
			return ErrAlreadyUndone
		}
		if len(r.Restore) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE patterns SET deleted_at = NULL WHERE id = ANY($1)`, r.Restore); err != nil {
				return err
			}
		}
		if r.Name != "" {
			if err := unmergeKeyword(ctx, tx, r); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE activity SET undone_at = now() WHERE id = $1`, activityID)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store: undo %d: %w", activityID, err)
	}
	return summary, nil
}
