package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// The keywords page: the keywords a page at a time (with a search box),
// each with its count, groups and pin, and the changes an editor can make.
// Its size does not grow with the number of keywords: one page holds
// keywordsPerPage rows, and merging names its target in a text box rather
// than offering every keyword on every row.

// keywordsPerPage is how many keywords one page lists.
const keywordsPerPage = 100

// tagsPage manages keywords and their groups.
type tagsPage struct {
	*store.KeywordPage
	Groups []*store.KeywordGroup
	// GroupName names each group by id, for the groups a row shows.
	GroupName map[int64]string
	Undo      int64
	// Pinned are the keywords this person pinned to the library page.
	Pinned map[string]bool
	// Filter is the search box's text; After where this page starts.
	Filter, After string
}

func (s *Server) keywords(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	q := r.URL.Query()
	page := tagsPage{Pinned: map[string]bool{}, GroupName: map[int64]string{}, Filter: strings.TrimSpace(q.Get("q")), After: q.Get("after")}
	if len(page.Filter) > 60 || len(page.After) > 60 {
		page.Filter, page.After = "", "" // longer than any keyword: nothing to find
	}
	err := s.store.ReadTenant(r.Context(), t.ID, func(tx *store.TenantTx) error {
		var err error
		if page.KeywordPage, err = tx.KeywordsPage(r.Context(), page.Filter, page.After, keywordsPerPage); err != nil {
			return err
		}
		if page.Groups, err = tx.KeywordGroups(r.Context()); err != nil {
			return err
		}
		for _, g := range page.Groups {
			page.GroupName[g.ID] = g.Name
		}
		pinned, err := tx.PinnedKeywords(r.Context(), currentUser(r).ID)
		for _, name := range pinned {
			page.Pinned[name] = true
		}
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Undo, _ = strconv.ParseInt(q.Get("undo"), 10, 64) // not a number: no undo button
	s.render(w, r, http.StatusOK, "tags", pageData{Title: "Keywords", Data: page})
}

// keywordID reads {id}; keywordDone answers a change of a keyword: back to
// the keywords page with done (and an Undo button for act), or with the
// problem.
func (s *Server) keywordDone(w http.ResponseWriter, r *http.Request, err error, act int64, done string) {
	back := tenant.Path(tenant.FromContext(r.Context()).Slug, "keywords")
	switch {
	case err != nil:
		s.failBack(w, r, err, back)
	case act != 0:
		s.redirectWith(w, r, back+"?undo="+strconv.FormatInt(act, 10), done)
	default:
		s.redirectWith(w, r, back, done)
	}
}

// pinKeyword pins a keyword to the person's library page (or unpins it):
// personal, so viewers may too.
func (s *Server) pinKeyword(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	pin := r.PostFormValue("pin") == "1"
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.library.PinKeyword(r.Context(), t.ID, currentUser(r).ID, id, pin)
	}
	done := "Unpinned."
	if pin {
		done = "Pinned: it shows above your library."
	}
	s.keywordDone(w, r, err, 0, done)
}

func (s *Server) renameKeyword(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var name string
	var act int64
	if err == nil {
		name, act, err = s.library.RenameKeyword(r.Context(), t.ID, currentUser(r).ID, id, r.PostFormValue("name"))
	}
	s.keywordDone(w, r, err, act, "Renamed to “"+name+"”.")
}

// mergeKeyword folds a keyword into the one whose name was typed.
func (s *Server) mergeKeyword(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var act int64
	var into string
	if err == nil {
		act, into, err = s.library.MergeKeywordInto(r.Context(), t.ID, currentUser(r).ID, id, r.PostFormValue("into"))
	}
	s.keywordDone(w, r, err, act, "Merged into “"+into+"”.")
}

func (s *Server) deleteKeyword(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.library.DeleteKeyword(r.Context(), t.ID, id)
	}
	s.keywordDone(w, r, err, 0, "Keyword deleted from every design.")
}

// groupKeyword files a keyword in a group, takes it out of one
// (remove=1), or out of every group it is in ("no group": group 0, with
// its current groups sent as current=).
func (s *Server) groupKeyword(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadForm.Wrap(err))
		return
	}
	// The row names the group in a text box (with the groups offered
	// once for the whole page), not a menu of every group on every row.
	if name := strings.TrimSpace(r.PostFormValue("group_name")); name != "" {
		err = s.library.GroupKeywordByName(r.Context(), t.ID, id, name)
		s.keywordDone(w, r, err, 0, "Saved.")
		return
	}
	gid, _ := strconv.ParseInt(r.PostFormValue("group"), 10, 64) // not a number or no name: "no group"
	if gid == 0 {
		err = s.library.GroupKeyword(r.Context(), t.ID, id, false, parseIDs(r.PostForm["current"])...)
	} else {
		err = s.library.GroupKeyword(r.Context(), t.ID, id, r.PostFormValue("remove") == "", gid)
	}
	s.keywordDone(w, r, err, 0, "Saved.")
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) {
	g, err := s.library.CreateGroup(r.Context(), tenant.FromContext(r.Context()).ID, formValues(r, "name")["name"])
	done := ""
	if err == nil {
		done = "Group “" + g.Name + "” made."
	}
	s.keywordDone(w, r, err, 0, done)
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.library.DeleteGroup(r.Context(), t.ID, id)
	}
	s.keywordDone(w, r, err, 0, "Group removed; its keywords stay.")
}
