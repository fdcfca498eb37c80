package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// SavedSearch is a search a person named, to run again in one tap.
type SavedSearch struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Query     string    `json:"query"`
	Pinned    bool      `json:"pinned"`
	CreatedAt time.Time `json:"created_at"`
}

// SaveSearch stores a named search of userID.
func (s *Store) SaveSearch(ctx context.Context, tenantID, userID int64, name, query string, pinned bool) (*SavedSearch, error) {
	out := &SavedSearch{Name: strings.TrimSpace(name), Query: strings.TrimSpace(query), Pinned: pinned}
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO saved_searches (user_id, name, query, pinned) VALUES ($1, $2, $3, $4)
			RETURNING id, created_at`, userID, out.Name, out.Query, pinned).Scan(&out.ID, &out.CreatedAt)
	})
	if err != nil {
		return nil, fmt.Errorf("store: save search %q: %w", name, err)
	}
	return out, nil
}

// SavedSearches lists userID's saved searches, pinned first.
func (s *Store) SavedSearches(ctx context.Context, tenantID, userID int64) ([]*SavedSearch, error) {
	var out []*SavedSearch
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, name, query, pinned, created_at FROM saved_searches
			WHERE user_id = $1 ORDER BY pinned DESC, lower(name), id`, userID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*SavedSearch, error) {
			ss := &SavedSearch{}
			return ss, r.Scan(&ss.ID, &ss.Name, &ss.Query, &ss.Pinned, &ss.CreatedAt)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: saved searches: %w", err)
	}
	return out, nil
}

// DeleteSavedSearch removes one of userID's saved searches.
func (s *Store) DeleteSavedSearch(ctx context.Context, tenantID, userID, id int64) error {
	return s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM saved_searches WHERE id = $1 AND user_id = $2`, id, userID)
		if err == nil && tag.RowsAffected() == 0 {
			err = ErrNotFound
		}
		return err
	})
}
