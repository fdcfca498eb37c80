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

// SaveSearch stores ss (its name, words, filters and pin) as one of
// userID's saved searches and fills in its id and time.
func (t *TenantTx) SaveSearch(ctx context.Context, userID int64, ss *SavedSearch) error {
	ss.Name, ss.Query = strings.TrimSpace(ss.Name), strings.TrimSpace(ss.Query)
	err := t.tx.QueryRow(ctx, `INSERT INTO saved_searches (user_id, name, query, filters, pinned) VALUES ($1, $2, $3, $4, $5)
		RETURNING id, created_at`, userID, ss.Name, ss.Query, ss.Filters, ss.Pinned).Scan(&ss.ID, &ss.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: save search %q: %w", ss.Name, err)
	}
	return nil
}

// SavedSearches lists userID's saved searches, pinned first.
func (t *TenantTx) SavedSearches(ctx context.Context, userID int64) ([]*SavedSearch, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, name, query, filters, pinned, created_at FROM saved_searches
		WHERE user_id = $1 ORDER BY pinned DESC, lower(name), id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: saved searches: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*SavedSearch, error) {
		ss := &SavedSearch{}
		return ss, r.Scan(&ss.ID, &ss.Name, &ss.Query, &ss.Filters, &ss.Pinned, &ss.CreatedAt)
	})
	if err != nil {
		return nil, fmt.Errorf("store: saved searches: %w", err)
	}
	return out, nil
}

// DeleteSavedSearch removes one of userID's saved searches.
func (t *TenantTx) DeleteSavedSearch(ctx context.Context, userID, id int64) error {
	tag, err := t.tx.Exec(ctx, `DELETE FROM saved_searches WHERE id = $1 AND user_id = $2`, id, userID)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: delete saved search %d: %w", id, err)
	}
	return nil
}
