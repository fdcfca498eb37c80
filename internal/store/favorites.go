package store

import (
	"context"
	"fmt"
	"time"
)

// SetFavorite marks or unmarks a live pattern as one of userID's favourites.
func (t *TenantTx) SetFavorite(ctx context.Context, userID, patternID int64, fav bool) error {
	live, err := livePatterns(ctx, t.tx, []int64{patternID})
	if err == nil && len(live) == 0 {
		err = ErrNotFound
	}
	if err == nil && fav {
		_, err = t.tx.Exec(ctx, `INSERT INTO favorites (user_id, pattern_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, userID, patternID)
	} else if err == nil {
		_, err = t.tx.Exec(ctx, `DELETE FROM favorites WHERE user_id = $1 AND pattern_id = $2`, userID, patternID)
	}
	if err == nil {
		err = t.SetChangedAt(ctx, []int64{patternID}, userID, ChangeFavorite, time.Time{})
	}
	if err != nil {
		return fmt.Errorf("store: favourite %d: %w", patternID, err)
	}
	return nil
}

// Pattern events.
const (
	EventView     = "view"
	EventDownload = "download"
)

// RecordEvent counts a view or a download (EventView, EventDownload) of a
// pattern, by userID (0 for a guest), in format for a download.
func (t *TenantTx) RecordEvent(ctx context.Context, patternID, userID int64, kind, format string) error {
	var uid *int64
	if userID != 0 {
		uid = &userID
	}
	column := "view_count"
	if kind == EventDownload {
		column = "download_count"
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO pattern_events (pattern_id, user_id, kind, format) VALUES ($1, $2, $3, $4)`, patternID, uid, kind, format)
	if err == nil {
		_, err = t.tx.Exec(ctx, `UPDATE patterns SET `+column+` = `+column+` + 1 WHERE id = $1`, patternID)
	}
	if err != nil {
		return fmt.Errorf("store: record %s of %d: %w", kind, patternID, err)
	}
	return nil
}
