package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/tenant"
)

// undo reverses a change from the activity log.
func (s *Server) undo(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	back := s.back(r, tenant.Path(t.Slug))
	id, err := httpx.PathID(r, "id")
	var summary string
	if err == nil {
		summary, err = s.library.Undo(r.Context(), t.ID, id)
	}
	if p := httpx.Problem(err); err != nil && (p == nil || p.Status == http.StatusNotFound) {
		s.fail(w, r, err)
		return
	}
	if err != nil {
		s.failBack(w, r, err, back)
		return
	}
	s.redirectWith(w, r, back, "Undone: "+summary+".")
}
