package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// The trash: deleted designs, kept backup.TrashDays days, each can be
// taken out again.

func (s *Server) trash(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	items, n, err := s.backup.Trash(r.Context(), t.ID, 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "trash", pageData{Title: "Trash", Data: struct {
		Items []store.TrashedPattern
		Total int64
		Days  int
	}{items, n, backup.TrashDays}})
}

func (s *Server) untrash(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadForm.Wrap(err))
		return
	}
	n, err := s.backup.Untrash(r.Context(), t.ID, currentUser(r).ID, parseIDs(r.PostForm["ids"]))
	if err != nil {
		s.failBack(w, r, err, tenant.Path(t.Slug, "trash"))
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "trash"), counted(n, "design")+" back in the library.")
}
