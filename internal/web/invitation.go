package web

import (
	"net/http"
	"strings"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// invitationPage asks the invited person to join a workspace.
type invitationPage struct {
	Invitation *store.Invitation
	Workspace  *store.Tenant
	Token      string
	// OtherAccount: the person is signed in with another address than
	// the invited one, and cannot accept as she is.
	OtherAccount bool
}

func (s *Server) acceptInvitationPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	inv, t, err := s.accounts.Invitation(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u := currentUser(r)
	other := u != nil && !strings.EqualFold(u.Email, inv.Email)
	s.render(w, r, http.StatusOK, "invitation", pageData{Title: "Join " + t.Name, Data: invitationPage{inv, t, token, other}})
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	t, err := s.accounts.AcceptInvitation(r.Context(), r.PostFormValue("token"), currentUser(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug), "Welcome to "+t.Name+".")
}
