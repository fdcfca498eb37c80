package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Fields whose change times are kept (change_times), for last-writer-wins
// of changes made offline.
const (
	ChangeFavorite = "favorite" // per person
	ChangeKeywords = "keywords" // shared: user 0
)

// ChangedAt returns when field of pattern last changed (for userID, or 0
// for a shared field), and false when no change is recorded.
func (t *TenantTx) ChangedAt(ctx context.Context, patternID, userID int64, field string) (time.Time, bool, error) {
	var at time.Time
	err := t.tx.QueryRow(ctx, `SELECT changed_at FROM change_times WHERE pattern_id = $1 AND user_id = $2 AND field = $3`,
		patternID, userID, field).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: change time of %s of %d: %w", field, patternID, err)
	}
	return at, true, nil
}

// SetChangedAt records that field of patternIDs changed at time at (zero:
// now).
func (t *TenantTx) SetChangedAt(ctx context.Context, patternIDs []int64, userID int64, field string, at time.Time) error {
	var when *time.Time
	if !at.IsZero() {
		when = &at
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO change_times (pattern_id, user_id, field, changed_at)
		SELECT p, $2, $3, coalesce($4, now()) FROM unnest($1::bigint[]) p
		WHERE EXISTS (SELECT 1 FROM patterns WHERE id = p)
		ON CONFLICT (pattern_id, user_id, field) DO UPDATE SET changed_at = excluded.changed_at`, patternIDs, userID, field, when)
	if err != nil {
		return fmt.Errorf("store: record change of %s: %w", field, err)
	}
	return nil
}
