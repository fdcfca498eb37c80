package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// The workspace's integrations (owners): the owner's API tokens for it;
// pattern store connections come here later.

func (s *Server) integrations(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	all, err := s.store.UserAPITokens(r.Context(), currentUser(r).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var tokens []*store.APIToken
	for _, tk := range all {
		if tk.TenantID == t.ID {
			tokens = append(tokens, tk)
		}
	}
	s.render(w, r, http.StatusOK, "integrations", pageData{Title: "Integrations", Settings: "integrations", Data: tokens})
}
