package web

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/designtype"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
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
	case "set_type":
		var n int
		typ := r.PostFormValue("type")
		if n, err = s.library.SetType(r.Context(), t.ID, ids, typ); err == nil {
			word := "no type"
			if code, _ := designtype.Parse(typ); code != "" {
				word = "“" + designtype.Word(code) + "”"
			}
			s.redirectWith(w, r, back, fmt.Sprintf("%s %s now %s.", countWord(n, "design"), isAre(n), word))
		}
	case "delete":
		if len(ids) == 0 {
			err = library.ErrNothingTaken
			break
		}
		if r.PostFormValue("confirm") != "yes" {
			s.confirmDelete(w, r, ids, back)
			return
		}
		var n int
		var act int64
		if n, act, err = s.library.Delete(r.Context(), t.ID, currentUser(r).ID, ids); err == nil {
			s.redirectWith(w, r, tenant.Path(t.Slug)+"?undo="+strconv.FormatInt(act, 10), fmt.Sprintf("Deleted %s.", countWord(n, "design")))
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

// export streams the designs as one ZIP, a folder per design: their
// original files, and each converted for the workspace's machine when it
// has no original the machine takes.
func (s *Server) export(w http.ResponseWriter, r *http.Request, ids []int64) {
	t := tenant.FromContext(r.Context())
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": t.Slug + "-designs.zip"}))
	if err := s.library.Export(r.Context(), t.ID, ids, library.MachineOf(t), w); err != nil {
		// Part of the ZIP is sent: the browser shows a failed download.
		s.log.Error("export", "id", RequestID(r.Context()), "tenant", t.ID, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// countWord writes a count with its word: "1 design", "3 designs".
func countWord(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// isAre is the verb for n things.
func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// deletePage asks before designs are deleted.
type deletePage struct {
	Patterns []*store.Pattern
	Back     string
}

// confirmDelete asks whether to delete the designs ids (a page of its
// own, so it works without JavaScript); the answer posts the bulk form
// again with confirm=yes.
func (s *Server) confirmDelete(w http.ResponseWriter, r *http.Request, ids []int64, back string) {
	t := tenant.FromContext(r.Context())
	var page deletePage
	err := s.store.ReadTenant(r.Context(), t.ID, func(tx *store.TenantTx) error {
		byID, err := tx.PatternsByIDs(r.Context(), ids)
		for _, id := range ids {
			if p := byID[id]; p != nil {
				page.Patterns = append(page.Patterns, p)
			}
		}
		return err
	})
	if err == nil && len(page.Patterns) == 0 {
		err = library.ErrNothingTaken
	}
	if err != nil {
		s.failBack(w, r, err, back)
		return
	}
	page.Back = back
	s.render(w, r, http.StatusOK, "delete_confirm", pageData{Title: "Delete " + countWord(len(page.Patterns), "design") + "?", Data: page})
}

// plural is the "s" of a count's word ("" for one).
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
