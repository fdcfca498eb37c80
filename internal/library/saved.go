package library

import (
	"context"
	"strings"

	"github.com/patternvault/patternvault/internal/designtype"
	"github.com/patternvault/patternvault/internal/limits"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// ErrNothingToSave is a saved search with neither words nor filters.
var ErrNothingToSave = problem.Invalid("nothing_to_save", "Search for something first, then save it.")

// SaveSearch stores ss as one of userID's saved searches and fills in its
// id. It needs a name of up to 100 characters and words or filters of
// sensible length.
func (s *Service) SaveSearch(ctx context.Context, tenantID, userID int64, ss *store.SavedSearch) error {
	ss.ID = 0
	ss.Name, ss.Query = strings.TrimSpace(ss.Name), strings.TrimSpace(ss.Query)
	if ss.Query == "" && ss.Filters.Empty() {
		return ErrNothingToSave
	}
	f := ss.Filters
	switch {
	case ss.Name == "" || len(ss.Name) > 100:
		return problem.Invalid("invalid", "A saved search needs a name of up to 100 characters.")
	case len(ss.Query) > 500 || len(f.Type) > 50 || len(f.Format) > 20 || len(f.Keyword) > 100:
		return problem.Invalid("invalid", "A saved search's words are up to 500 characters, its keyword up to 100.")
	}
	set, err := s.limitsOf(ctx, tenantID)
	if err != nil {
		return err
	}
	return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		if s.Quotas != nil {
			if err := s.Quotas.CheckTx(ctx, tx, set, limits.SavedSearches, 1); err != nil {
				return err
			}
		}
		return tx.SaveSearch(ctx, userID, ss)
	})
}

// SearchName names a search after its words and filters (at most 100
// bytes), for a search saved without a name.
func SearchName(ss *store.SavedSearch) string {
	name := strings.Join(strings.Fields(ss.Query+" "+ss.Filters.Keyword+" "+strings.ToLower(designtype.Word(ss.Filters.Type))+" "+ss.Filters.Format), " ")
	if len(name) > 100 {
		name = strings.ToValidUTF8(name[:100], "")
	}
	return name
}

// DeleteSavedSearch forgets one of userID's saved searches.
func (s *Service) DeleteSavedSearch(ctx context.Context, tenantID, userID, id int64) error {
	return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.DeleteSavedSearch(ctx, userID, id) })
}
