package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/tenant"
)

// home is the front page of the service.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "home", pageData{Title: "Your quilting designs, safe and easy to find"})
}

// tenantHome is the start page of a workspace.
func (s *Server) tenantHome(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	n, err := s.store.CountPatterns(r.Context(), t.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "tenant_home", pageData{Title: t.Name, Tenant: t, Data: n})
}
