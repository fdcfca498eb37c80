package web

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/tenant"
)

// bulk applies one action to the designs ticked on the grid.
func (s *Server) bulk(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadForm.Wrap(err))
		return
	}
	ids := parseIDs(r.PostForm["ids"])
	back := s.back(r, tenant.Path(t.Slug))
	words := library.SplitKeywords(r.PostFormValue("keywords"))
	var err error
	switch r.PostFormValue("action") {
	case "add_keywords":
		if err = s.library.AddKeywords(r.Context(), t.ID, ids, words); err == nil {
			s.redirectWith(w, r, back, fmt.Sprintf("Added %s to %d designs.", strings.Join(words, ", "), len(ids)))
		}
	case "remove_keywords":
		if err = s.library.RemoveKeywords(r.Context(), t.ID, ids, words); err == nil {
			s.redirectWith(w, r, back, fmt.Sprintf("Removed %s from %d designs.", strings.Join(words, ", "), len(ids)))
		}
	case "delete":
		var n int
		var act int64
		if n, act, err = s.library.Delete(r.Context(), t.ID, currentUser(r).ID, ids); err == nil {
			s.redirectWith(w, r, tenant.Path(t.Slug)+"?undo="+strconv.FormatInt(act, 10), fmt.Sprintf("Deleted %d design%s.", n, plural(n)))
		}
	case "share":
		if len(ids) == 0 {
			err = library.ErrNothingTaken
			break
		}
		v := url.Values{}
		for _, id := range ids {
			v.Add("ids", strconv.FormatInt(id, 10))
		}
		http.Redirect(w, r, tenant.Path(t.Slug, "shares", "new")+"?"+v.Encode(), http.StatusSeeOther)
	case "export":
		if len(ids) == 0 {
			err = library.ErrNothingTaken
			break
		}
		s.export(w, r, ids)
	default:
		s.redirectWith(w, r, back, "Choose what to do with the ticked designs.")
	}
	if err != nil {
		s.failBack(w, r, err, back)
	}
}

// export streams the original files of the designs as one ZIP, a folder
// per design.
func (s *Server) export(w http.ResponseWriter, r *http.Request, ids []int64) {
	t := tenant.FromContext(r.Context())
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": t.Slug + "-designs.zip"}))
	if err := s.library.Export(r.Context(), t.ID, ids, w); err != nil {
		// Part of the ZIP is sent: the browser shows a failed download.
		s.log.Error("export", "id", RequestID(r.Context()), "tenant", t.ID, "err", err)
		panic(http.ErrAbortHandler)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
