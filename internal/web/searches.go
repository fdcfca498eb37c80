package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// searchStats shows the owner what people search for, and what found
// nothing (designs to add, or keywords to give).
func (s *Server) searchStats(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	top, zero, err := s.store.SearchStats(r.Context(), t.ID, 90, 50)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "searches", pageData{Title: "What people search for", Data: struct {
		Top, Zero []store.QueryCount
	}{top, zero}})
}
