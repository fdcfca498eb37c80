package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// tagsPage manages keywords and their groups.
type tagsPage struct {
	Keywords []*store.Keyword
	Groups   []*store.KeywordGroup
	Undo     int64
	// Pinned are the keywords this person pinned to the library page.
	Pinned map[string]bool
}

func (s *Server) keywords(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	ks, err := s.store.Keywords(r.Context(), t.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	gs, err := s.store.KeywordGroups(r.Context(), t.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	pinned, err := s.store.PinnedKeywords(r.Context(), t.ID, currentUser(r).ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	page := tagsPage{Keywords: ks, Groups: gs, Pinned: map[string]bool{}}
	for _, name := range pinned {
		page.Pinned[name] = true
	}
	page.Undo, _ = strconv.ParseInt(r.URL.Query().Get("undo"), 10, 64)
	s.render(w, r, http.StatusOK, "tags", pageData{Title: "Keywords", Data: page})
}

// pinKeyword pins a keyword to the person's library page (or unpins it):
// personal, so viewers may too.
func (s *Server) pinKeyword(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	pin := r.PostFormValue("pin") == "1"
	back := "/t/" + t.Slug + "/keywords"
	err := s.store.SetKeywordPinned(r.Context(), t.ID, currentUser(r).ID, id, pin)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.redirectWith(w, r, back, "That keyword is no longer there.")
	case err != nil:
		s.serverError(w, r, err)
	case pin:
		s.redirectWith(w, r, back, "Pinned: it shows above your library.")
	default:
		s.redirectWith(w, r, back, "Unpinned.")
	}
}

// keywordAction renames, merges or deletes a keyword, or files it in a group.
func (s *Server) keywordAction(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	u := currentUser(r)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	back := "/t/" + t.Slug + "/keywords"
	var err error
	var act int64
	msg := ""
	switch r.PathValue("action") {
	case "rename":
		name := store.NormalizeKeyword(r.PostFormValue("name"))
		if name == "" {
			s.redirectWith(w, r, back, "Type the new name of the keyword.")
			return
		}
		act, err = s.store.RenameKeyword(r.Context(), t.ID, u.ID, id, name)
		msg = "Renamed to “" + name + "”."
	case "merge":
		into, _ := strconv.ParseInt(r.PostFormValue("into"), 10, 64)
		act, err = s.store.MergeKeywords(r.Context(), t.ID, u.ID, id, into)
		msg = "Merged."
	case "delete":
		err = s.store.DeleteKeyword(r.Context(), t.ID, id)
		msg = "Keyword deleted from every design."
	case "group":
		gid, _ := strconv.ParseInt(r.PostFormValue("group"), 10, 64)
		if gid == 0 {
			for _, g := range r.PostForm["current"] {
				cur, _ := strconv.ParseInt(g, 10, 64)
				if err = s.store.SetKeywordGroup(r.Context(), t.ID, id, cur, false); err != nil {
					break
				}
			}
		} else {
			err = s.store.SetKeywordGroup(r.Context(), t.ID, id, gid, r.PostFormValue("remove") == "")
		}
		msg = "Saved."
	default:
		s.notFound(w, r)
		return
	}
	switch {
	case errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict):
		s.redirectWith(w, r, back, "That keyword is no longer there.")
	case err != nil:
		s.serverError(w, r, err)
	case act != 0:
		s.redirectWith(w, r, back+"?undo="+strconv.FormatInt(act, 10), msg)
	default:
		s.redirectWith(w, r, back, msg)
	}
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	name := formValues(r, "name")["name"]
	back := "/t/" + t.Slug + "/keywords"
	if name == "" || len(name) > 60 {
		s.redirectWith(w, r, back, "Give the group a name of up to 60 letters, such as Animals or Holidays.")
		return
	}
	_, err := s.store.CreateKeywordGroup(r.Context(), t.ID, name)
	if errors.Is(err, store.ErrConflict) {
		s.redirectWith(w, r, back, "There is already a group called “"+name+"”.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, back, "Group “"+name+"” made.")
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.store.DeleteKeywordGroup(r.Context(), t.ID, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/t/"+t.Slug+"/keywords", "Group removed; its keywords stay.")
}
