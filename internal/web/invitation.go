package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// invitationPage asks the invited person to join a workspace.
type invitationPage struct {
	Invitation *store.Invitation
	Workspace  *store.Tenant
	Token      string
}

func (s *Server) acceptInvitationPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	inv, t, err := s.accounts.Invitation(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "invitation", pageData{Title: "Join " + t.Name, Data: invitationPage{inv, t, token}})
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	t, err := s.accounts.AcceptInvitation(r.Context(), r.PostFormValue("token"), currentUser(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug), "Welcome to "+t.Name+".")
}
