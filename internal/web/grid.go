package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/designtype"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/search"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// gridPage is the library's thumbnail grid.
type gridPage struct {
	Page     *store.PatternPage
	Query    store.PatternQuery
	Total    int64
	Keywords []string
	Groups   []*store.KeywordGroup
	Formats  []string
	Types    []string
	// Chips are the active filters, each with a link that removes it.
	Chips []chip
	// NextURL is the next page's address, "" on the last page.
	NextURL string
	// Preview is the picture filter: "", "yes" or "no".
	Preview string
	// Undo is the activity a bulk delete just made, for its Undo button.
	Undo     int64
	CanEdit  bool
	BaseURL  string
	Selected map[int64]bool
	// Recent are the person's last searches.
	Recent []string
	// Saved are the person's saved searches, pinned first.
	Saved []*store.SavedSearch
	// Pinned are the keywords the person pinned.
	Pinned []string
	// Search results: how many, a suggestion, and why each matched.
	Searching  bool
	Found      int
	DidYouMean string
	// SearchNote says why the search used words only (the plan).
	SearchNote string
	Why        map[int64][]string
	// Suggest are the library's most used keywords, offered when a
	// search finds nothing.
	Suggest []string
	// Related are the designs shown when a search has no close matches:
	// they hold some of the words, or are near by vector.
	Related []*store.Pattern
	// Kit fills the "Machine kit" fields of the selection bar.
	Kit kitForm

	nextCursor string
}

type chip struct {
	Label, RemoveURL string
}

// libraryGrid is the start page of a workspace: its designs as pictures.
// Its reads share one transaction (the search, when there are words, runs
// its own first).
func (s *Server) libraryGrid(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	u := currentUser(r)
	q := r.URL.Query()
	// partial=1 asks for the results region only (instant search); the
	// parameter never leaks into the links the page builds.
	partial := q.Get("partial") == "1"
	q.Del("partial")
	query := store.PatternQuery{Sort: q.Get("sort"), Keyword: q.Get("keyword"), Type: q.Get("type"), Format: q.Get("format"),
		Favorites: q.Get("favorites") == "1", UserID: u.ID, Cursor: q.Get("cursor"), Text: q.Get("q"), Limit: 60}
	query.GroupID, _ = strconv.ParseInt(q.Get("group"), 10, 64) // not a number: no group filter
	preview := q.Get("preview")
	switch preview {
	case "yes":
		yes := true
		query.HasPreview = &yes
	case "no":
		no := false
		query.HasPreview = &no
	}
	data := gridPage{Query: query, Types: designtype.Codes, Formats: library.WritableAndKnown(),
		CanEdit: store.RoleAtLeast(roleFrom(r.Context()), store.RoleEditor), BaseURL: tenant.Path(t.Slug), Preview: preview,
		Kit: newKitForm(r)}
	data.Undo, _ = strconv.ParseInt(q.Get("undo"), 10, 64) // not a number: no undo button
	var found *search.Result
	var hits []int64
	if text := strings.TrimSpace(query.Text); text != "" && s.search != nil {
		ctx := r.Context()
		if partial { // words still being typed: not a search to remember
			ctx = search.Unlogged(ctx)
		}
		var err error
		found, err = s.search.Search(ctx, t.ID, u.ID, query.Text, store.SearchFilter{Type: query.Type, Format: query.Format,
			Keyword: query.Keyword, Favorites: query.Favorites})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var ranked []search.Hit
		ranked, data.nextCursor = found.Page(query.Cursor, query.Limit)
		hits = search.IDs(ranked)
		data.Found, data.DidYouMean, data.Why = len(found.Hits), found.DidYouMean, map[int64][]string{}
		data.SearchNote = found.Note
		for _, h := range found.Hits {
			data.Why[h.ID] = h.Why
		}
		data.Searching = true
	} else if s.search != nil {
		s.search.Warm(t.ID) // the search box is next
	}
	err := s.store.ReadTenant(r.Context(), t.ID, func(tx *store.TenantTx) error {
		return s.gridReads(r, tx, &data, found, hits, partial)
	})
	if errors.Is(err, store.ErrBadCursor) {
		http.Redirect(w, r, tenant.Path(t.Slug), http.StatusSeeOther)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if data.Total > 0 && query.Text == "" && !partial {
		if data.Recent, err = s.store.RecentSearches(r.Context(), t.ID, u.ID, 6); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	data.Chips = filterChips(q, data.BaseURL)
	if data.Page.NextCursor != "" {
		next := url.Values{}
		for k, vs := range q {
			next[k] = vs
		}
		next.Set("cursor", data.Page.NextCursor)
		next.Del("undo")
		data.NextURL = data.BaseURL + "?" + next.Encode()
	}
	if partial {
		s.renderResults(w, r, t, data)
		return
	}
	pd := pageData{Title: t.Name, Data: data}
	if data.Undo > 0 {
		pd.UndoURL = tenant.Path(t.Slug, "activity", data.Undo, "undo")
	}
	s.render(w, r, http.StatusOK, "grid", pd)
}

// gridReads fills the grid page from one transaction: the designs of the
// page (the search's hits of this page, in their order, when found is a
// search), the count, and unless partial the menus and the person's saved
// searches and pins.
func (s *Server) gridReads(r *http.Request, tx *store.TenantTx, data *gridPage, found *search.Result, hits []int64, partial bool) error {
	ctx, u := r.Context(), currentUser(r)
	var err error
	if found != nil {
		data.Page = &store.PatternPage{NextCursor: data.nextCursor}
		byID, err := tx.PatternsByIDs(ctx, hits)
		if err != nil {
			return err
		}
		for _, id := range hits {
			if p := byID[id]; p != nil {
				data.Page.Patterns = append(data.Page.Patterns, p)
			}
		}
	} else if data.Page, err = tx.Patterns(ctx, data.Query); err != nil {
		return err
	}
	if data.Total, err = tx.CountPatterns(ctx); err != nil {
		return err
	}
	if found != nil && len(found.Hits) == 0 && len(found.Related) > 0 {
		byID, err := tx.PatternsByIDs(ctx, search.IDs(found.Related))
		if err != nil {
			return err
		}
		for _, h := range found.Related {
			if p := byID[h.ID]; p != nil {
				data.Related = append(data.Related, p)
				data.Why[h.ID] = h.Why
			}
		}
	}
	if found != nil && len(found.Hits) == 0 && len(data.Related) == 0 {
		if data.Suggest, err = popularKeywords(ctx, tx, 8); err != nil {
			return err
		}
	}
	// The partial answer leaves out what only the form and the header show.
	if data.Total == 0 || partial {
		return nil
	}
	if data.Keywords, err = tx.KeywordNames(ctx); err != nil {
		return err
	}
	if data.Groups, err = tx.KeywordGroups(ctx); err != nil {
		return err
	}
	if data.Saved, err = tx.SavedSearches(ctx, u.ID); err != nil {
		return err
	}
	data.Pinned, err = tx.PinnedKeywords(ctx, u.ID)
	return err
}

// renderResults writes only the grid page's "results" block: the count,
// "did you mean", the active filters and the designs. Instant search
// swaps it into the page; the full page renders the same block.
func (s *Server) renderResults(w http.ResponseWriter, r *http.Request, t *store.Tenant, data gridPage) {
	tmpl, ok := s.pages["grid"]
	if !ok {
		s.serverError(w, r, fmt.Errorf("web: no template %q", "grid"))
		return
	}
	pd := pageData{Title: t.Name, Tenant: t, Data: data, RequestID: RequestID(r.Context()), Role: roleFrom(r.Context())}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "results", pd); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// filterChips lists the active filters with links that remove each.
func filterChips(q url.Values, base string) []chip {
	labels := map[string]string{"q": "words", "keyword": "keyword", "type": "type", "format": "format", "favorites": "favourites",
		"preview": "preview", "group": "group"}
	var chips []chip
	for _, k := range []string{"q", "keyword", "group", "type", "format", "favorites", "preview"} {
		v := q.Get(k)
		if v == "" {
			continue
		}
		rest := url.Values{}
		for k2, vs := range q {
			if k2 != k && k2 != "cursor" && k2 != "undo" {
				rest[k2] = vs
			}
		}
		label := labels[k] + ": " + v
		switch {
		case k == "type":
			label = "type: " + designtype.Word(v)
		case k == "favorites":
			label = "my favourites"
		case k == "preview" && v == "yes":
			label = "has a picture"
		case k == "preview":
			label = "no picture"
		}
		chips = append(chips, chip{Label: label, RemoveURL: base + "?" + rest.Encode()})
	}
	return chips
}

// popularKeywords returns up to n of the tenant's keywords, most used
// first: suggestions when a search finds nothing.
func popularKeywords(ctx context.Context, tx *store.TenantTx, n int) ([]string, error) {
	return tx.PopularKeywords(ctx, n)
}
