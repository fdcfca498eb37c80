package web

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
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
	Why        map[int64][]string
	// Suggest are the library's most used keywords, offered when a
	// search finds nothing.
	Suggest []string
	// Related are the designs shown when a search has no close matches:
	// they hold some of the words, or are near by vector.
	Related []*store.Pattern
}

// searchPage runs the plain-words search and returns one page of it.
func (s *Server) searchPage(r *http.Request, t *store.Tenant, q store.PatternQuery) (*store.PatternPage, *search.Result, error) {
	res, err := s.search.Search(r.Context(), t.ID, q.UserID, q.Text, store.SearchFilter{Type: q.Type, Format: q.Format,
		Keyword: q.Keyword, Favorites: q.Favorites})
	if err != nil {
		return nil, nil, err
	}
	hits, next := res.Page(q.Cursor, q.Limit)
	ids := search.IDs(hits)
	byID, err := s.store.PatternsByIDs(r.Context(), t.ID, ids)
	if err != nil {
		return nil, nil, err
	}
	page := &store.PatternPage{NextCursor: next}
	for _, id := range ids {
		if p := byID[id]; p != nil {
			page.Patterns = append(page.Patterns, p)
		}
	}
	return page, res, nil
}

type chip struct {
	Label, RemoveURL string
}

// libraryGrid is the start page of a workspace: its designs as pictures.
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
	query.GroupID, _ = strconv.ParseInt(q.Get("group"), 10, 64)
	preview := q.Get("preview")
	switch preview {
	case "yes":
		yes := true
		query.HasPreview = &yes
	case "no":
		no := false
		query.HasPreview = &no
	}
	var page *store.PatternPage
	var err error
	var found *search.Result
	if text := strings.TrimSpace(query.Text); text != "" && s.search != nil {
		sr := r
		if partial { // words still being typed: not a search to remember
			sr = r.WithContext(search.Unlogged(r.Context()))
		}
		page, found, err = s.searchPage(sr, t, query)
	} else {
		page, err = s.store.Patterns(r.Context(), t.ID, query)
		if s.search != nil {
			s.search.Warm(t.ID) // the search box is next
		}
	}
	if errors.Is(err, store.ErrBadCursor) {
		http.Redirect(w, r, "/t/"+t.Slug+"/", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	total, err := s.store.CountPatterns(r.Context(), t.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := gridPage{Page: page, Query: query, Total: total, Types: designtype.Codes, Formats: library.WritableAndKnown(),
		CanEdit: store.RoleAtLeast(roleFrom(r.Context()), store.RoleEditor), BaseURL: "/t/" + t.Slug + "/", Preview: preview}
	data.Undo, _ = strconv.ParseInt(q.Get("undo"), 10, 64)
	if found != nil {
		data.Found, data.DidYouMean, data.Why = len(found.Hits), found.DidYouMean, map[int64][]string{}
		for _, h := range found.Hits {
			data.Why[h.ID] = h.Why
		}
		data.Searching = true
		if len(found.Hits) == 0 && len(found.Related) > 0 {
			byID, err := s.store.PatternsByIDs(r.Context(), t.ID, search.IDs(found.Related))
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			for _, h := range found.Related {
				if p := byID[h.ID]; p != nil {
					data.Related = append(data.Related, p)
					data.Why[h.ID] = h.Why
				}
			}
		}
		if len(found.Hits) == 0 && len(data.Related) == 0 {
			data.Suggest = s.popularKeywords(r, t.ID, 8)
		}
	}
	// The partial answer leaves out what only the form and the header show.
	if total > 0 && !partial {
		if data.Keywords, err = s.store.KeywordNames(r.Context(), t.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
		if data.Groups, err = s.store.KeywordGroups(r.Context(), t.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	data.Chips = filterChips(q, data.BaseURL)
	if total > 0 && query.Text == "" && !partial {
		data.Recent, _ = s.store.RecentSearches(r.Context(), t.ID, u.ID, 6)
	}
	if total > 0 && !partial {
		data.Saved, _ = s.store.SavedSearches(r.Context(), t.ID, u.ID)
		data.Pinned, _ = s.store.PinnedKeywords(r.Context(), t.ID, u.ID)
	}
	if page.NextCursor != "" {
		next := url.Values{}
		for k, vs := range q {
			next[k] = vs
		}
		next.Set("cursor", page.NextCursor)
		next.Del("undo")
		data.NextURL = data.BaseURL + "?" + next.Encode()
	}
	if partial {
		s.renderResults(w, r, t, data)
		return
	}
	s.render(w, r, http.StatusOK, "grid", pageData{Title: t.Name, Data: data})
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

// bulk applies one action to the designs ticked on the grid.
func (s *Server) bulk(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	u := currentUser(r)
	if err := r.ParseForm(); err != nil {
		s.renderStatus(w, r, http.StatusBadRequest, "That did not work", "The form could not be read. Please try again.")
		return
	}
	ids := parseIDs(r.PostForm["ids"])
	back := "/t/" + t.Slug + "/"
	if ret := r.PostFormValue("return"); strings.HasPrefix(ret, back) {
		back = ret
	}
	if len(ids) == 0 {
		s.redirectWith(w, r, back, "Tick one or more designs first.")
		return
	}
	words := splitKeywords(r.PostFormValue("keywords"))
	var err error
	switch r.PostFormValue("action") {
	case "add_keywords":
		if len(words) == 0 {
			s.redirectWith(w, r, back, "Type the keywords to add, separated by commas.")
			return
		}
		if err = s.store.AddKeywords(r.Context(), t.ID, ids, words); err == nil {
			s.redirectWith(w, r, back, fmt.Sprintf("Added %s to %d designs.", strings.Join(words, ", "), len(ids)))
		}
	case "remove_keywords":
		if err = s.store.RemoveKeywords(r.Context(), t.ID, ids, words); err == nil {
			s.redirectWith(w, r, back, fmt.Sprintf("Removed %s from %d designs.", strings.Join(words, ", "), len(ids)))
		}
	case "delete":
		var n int
		var act int64
		n, act, err = s.store.DeletePatterns(r.Context(), t.ID, u.ID, ids)
		if err == nil {
			s.redirectWith(w, r, "/t/"+t.Slug+"/?undo="+strconv.FormatInt(act, 10), fmt.Sprintf("Deleted %d design%s.", n, plural(n)))
		}
	case "share":
		v := url.Values{}
		for _, id := range ids {
			v.Add("ids", strconv.FormatInt(id, 10))
		}
		http.Redirect(w, r, "/t/"+t.Slug+"/shares/new?"+v.Encode(), http.StatusSeeOther)
		return
	case "export":
		s.exportZIP(w, r, t, ids)
		return
	default:
		s.redirectWith(w, r, back, "Choose what to do with the ticked designs.")
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		s.redirectWith(w, r, back, "Those designs are no longer in the library.")
	} else if err != nil {
		s.serverError(w, r, err)
	}
}

// undo reverses a change from the activity log.
func (s *Server) undo(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	back := "/t/" + t.Slug + "/"
	if ret := r.PostFormValue("return"); strings.HasPrefix(ret, back) {
		back = ret
	}
	summary, err := s.store.Undo(r.Context(), t.ID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, store.ErrAlreadyUndone):
		s.redirectWith(w, r, back, "That was already undone.")
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.redirectWith(w, r, back, "Undone: "+summary+".")
	}
}

// exportZIP streams the original files of the designs as one ZIP, a
// folder per design.
func (s *Server) exportZIP(w http.ResponseWriter, r *http.Request, t *store.Tenant, ids []int64) {
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": t.Slug + "-designs.zip"}))
	zw := zip.NewWriter(w)
	defer zw.Close()
	used := map[string]bool{} // two designs of one name get two folders
	for _, id := range ids {
		p, err := s.store.Pattern(r.Context(), t.ID, id)
		if err != nil {
			continue
		}
		files, err := s.store.Files(r.Context(), t.ID, id)
		if err != nil {
			s.log.Error("export", "id", RequestID(r.Context()), "err", err)
			return
		}
		folder := strings.TrimSuffix(library.FileName(p.Name, "x"), ".x")
		if used[folder] {
			folder += " (" + strconv.FormatInt(p.ID, 10) + ")"
		}
		used[folder] = true
		for _, f := range files {
			dl, err := s.library.OpenFile(r.Context(), f)
			if err != nil {
				s.log.Error("export", "id", RequestID(r.Context()), "file", f.FileName, "err", err)
				return
			}
			fw, err := zw.Create(folder + "/" + f.FileName)
			if err == nil {
				_, err = io.Copy(fw, dl.Body)
			}
			dl.Body.Close()
			if err != nil {
				return
			}
		}
	}
}

// splitKeywords splits "feather, swirl" into keywords.
func splitKeywords(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		if k = store.NormalizeKeyword(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// saveSearch names the current search so it can be run again in one tap.
func (s *Server) saveSearch(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	f := formValues(r, "name", "q", "type", "format", "keyword")
	ss := &store.SavedSearch{Name: f["name"], Query: f["q"], Pinned: r.PostFormValue("pin") == "on",
		Filters: store.SavedFilters{Type: f["type"], Format: f["format"], Keyword: f["keyword"], Favorites: r.PostFormValue("favorites") == "1"}}
	if ss.Name == "" {
		ss.Name = strings.Join(strings.Fields(ss.Query+" "+ss.Filters.Keyword+" "+strings.ToLower(designtype.Word(ss.Filters.Type))+" "+ss.Filters.Format), " ")
	}
	if len(ss.Name) > 100 {
		ss.Name = strings.ToValidUTF8(ss.Name[:100], "")
	}
	if ss.Query == "" && ss.Filters.Empty() {
		s.redirectWith(w, r, "/t/"+t.Slug+"/", "Search for something first, then save it.")
		return
	}
	if err := ss.Check(); err != nil {
		s.redirectWith(w, r, "/t/"+t.Slug+"/", "Not saved: "+err.Error()+".")
		return
	}
	if err := s.store.SaveSearch(r.Context(), t.ID, currentUser(r).ID, ss); err != nil {
		s.serverError(w, r, err)
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
	return "/t/" + slug + "/?" + v.Encode()
}

// deleteSavedSearch forgets one of the person's saved searches.
func (s *Server) deleteSavedSearch(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.store.DeleteSavedSearch(r.Context(), t.ID, currentUser(r).ID, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/t/"+t.Slug+"/", "Saved search removed.")
}

// popularKeywords returns up to n of the tenant's keywords, most used
// first (none when they cannot be read: they are only a suggestion).
func (s *Server) popularKeywords(r *http.Request, tenantID int64, n int) []string {
	kws, err := s.store.Keywords(r.Context(), tenantID)
	if err != nil {
		s.log.Warn("web: keywords for suggestions", "tenant", tenantID, "err", err)
		return nil
	}
	slices.SortStableFunc(kws, func(a, b *store.Keyword) int { return b.Count - a.Count })
	var out []string
	for _, k := range kws {
		if k.Count == 0 || len(out) == n {
			break
		}
		out = append(out, k.Name)
	}
	return out
}
