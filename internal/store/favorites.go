package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SetFavorite marks or unmarks a live pattern as one of userID's favourites.
func (s *Store) SetFavorite(ctx context.Context, tenantID, userID, patternID int64, fav bool) error {
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		live, err := livePatterns(ctx, tx, []int64{patternID})
		if err != nil {
			return err
		}
		if len(live) == 0 {
			return ErrNotFound
		}
		if fav {
			_, err = tx.Exec(ctx, `INSERT INTO favorites (user_id, pattern_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, userID, patternID)
		} else {
			_, err = tx.Exec(ctx, `DELETE FROM favorites WHERE user_id = $1 AND pattern_id = $2`, userID, patternID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: favourite %d: %w", patternID, err)
	}
	return nil
}

// RecordEvent counts a view or a download of a pattern.
func (s *Store) RecordEvent(ctx context.Context, tenantID, patternID, userID int64, kind, format string) error {
	var uid *int64
	if userID != 0 {
		uid = &userID
	}
	column := "view_count"
	if kind == "download" {
		column = "download_count"
	}
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO pattern_events (pattern_id, user_id, kind, format) VALUES ($1, $2, $3, $4)`, patternID, uid, kind, format); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE patterns SET `+column+` = `+column+` + 1 WHERE id = $1`, patternID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record %s of %d: %w", kind, patternID, err)
	}
	return nil
}
