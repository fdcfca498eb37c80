package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// SavedSearch is a search a person named, to run again in one tap.
type SavedSearch struct {
	ID        int64        `json:"id"`
	Name      string       `json:"name"`
	Query     string       `json:"query"`
	Filters   SavedFilters `json:"filters"`
	Pinned    bool         `json:"pinned"`
	CreatedAt time.Time    `json:"created_at"`
}

// SavedFilters are the filters a saved search keeps beside its words.
type SavedFilters struct {
	Type      string `json:"type,omitempty"`
	Format    string `json:"format,omitempty"`
	Keyword   string `json:"keyword,omitempty"`
	Favorites bool   `json:"favorites,omitempty"`
}

// Empty reports whether no filter is set.
func (f SavedFilters) Empty() bool { return f == SavedFilters{} }

// Check returns a sentence for a person when ss cannot be saved: it
// needs a name of up to 100 characters and words or filters of sensible
// length.
func (ss *SavedSearch) Check() error {
	f := ss.Filters
	switch {
	case strings.TrimSpace(ss.Name) == "" || len(ss.Name) > 100:
		return errors.New("a saved search needs a name of up to 100 characters")
	case strings.TrimSpace(ss.Query) == "" && f.Empty():
		return errors.New("a saved search needs words to search for or filters")
	case len(ss.Query) > 500 || len(f.Type) > 50 || len(f.Format) > 20 || len(f.Keyword) > 100:
		return errors.New("a saved search's words are up to 500 characters, its keyword up to 100")
	}
	return nil
}

// SaveSearch stores ss (its name, words, filters and pin) as one of
// userID's saved searches and fills in its id and time.
func (s *Store) SaveSearch(ctx context.Context, tenantID, userID int64, ss *SavedSearch) error {
	ss.Name, ss.Query = strings.TrimSpace(ss.Name), strings.TrimSpace(ss.Query)
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO saved_searches (user_id, name, query, filters, pinned) VALUES ($1, $2, $3, $4, $5)
			RETURNING id, created_at`, userID, ss.Name, ss.Query, ss.Filters, ss.Pinned).Scan(&ss.ID, &ss.CreatedAt)
	})
	if err != nil {
		return fmt.Errorf("store: save search %q: %w", ss.Name, err)
	}
	return nil
}

// SavedSearches lists userID's saved searches, pinned first.
func (s *Store) SavedSearches(ctx context.Context, tenantID, userID int64) ([]*SavedSearch, error) {
	var out []*SavedSearch
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, name, query, filters, pinned, created_at FROM saved_searches
			WHERE user_id = $1 ORDER BY pinned DESC, lower(name), id`, userID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*SavedSearch, error) {
			ss := &SavedSearch{}
			return ss, r.Scan(&ss.ID, &ss.Name, &ss.Query, &ss.Filters, &ss.Pinned, &ss.CreatedAt)
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
