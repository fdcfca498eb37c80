package web

import (
	"net/http"
	"net/url"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// saveSearch names the current search so it can be run again in one tap.
func (s *Server) saveSearch(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	f := formValues(r, "name", "q", "type", "format", "keyword")
	ss := &store.SavedSearch{Name: f["name"], Query: f["q"], Pinned: r.PostFormValue("pin") == "on",
		Filters: store.SavedFilters{Type: f["type"], Format: f["format"], Keyword: f["keyword"], Favorites: r.PostFormValue("favorites") == "1"}}
	if ss.Name == "" { // the form's name is optional
		ss.Name = library.SearchName(ss)
	}
	if err := s.library.SaveSearch(r.Context(), t.ID, currentUser(r).ID, ss); err != nil {
		s.failBack(w, r, err, tenant.Path(t.Slug))
		return
	}
	s.redirectWith(w, r, savedSearchURL(t.Slug, ss), "Saved: it is now at the top of your library.")
}

// savedSearchURL is the library address that runs a saved search.
func savedSearchURL(slug string, ss *store.SavedSearch) string {
	v := url.Values{}
	for k, x := range map[string]string{"q": ss.Query, "type": ss.Filters.Type, "format": ss.Filters.Format, "keyword": ss.Filters.Keyword} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if ss.Filters.Favorites {
		v.Set("favorites", "1")
	}
	return tenant.Path(slug) + "?" + v.Encode()
}

// deleteSavedSearch forgets one of the person's saved searches (one
// already gone is fine).
func (s *Server) deleteSavedSearch(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.library.DeleteSavedSearch(r.Context(), t.ID, currentUser(r).ID, id)
	}
	if p := httpx.Problem(err); err != nil && (p == nil || p.Status != http.StatusNotFound) {
		s.fail(w, r, err)
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug), "Saved search removed.")
}
