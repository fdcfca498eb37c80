package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/tenant"
)

// The first-run steps of a new workspace: invite the team, add designs.

func (s *Server) welcomeTeam(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "welcome_team", pageData{Title: "Invite your team"})
}

func (s *Server) welcomeTeamInvite(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	f := formValues(r, "email", "role")
	if err := s.accounts.Invite(r.Context(), t, visitorFrom(r.Context()), f["email"], f["role"]); err != nil {
		s.failForm(w, r, err, "welcome_team", pageData{Title: "Invite your team", Form: f})
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "welcome", "team"), "Invitation sent to "+f["email"]+". Invite someone else, or continue.")
}

func (s *Server) welcomeImport(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "welcome_import", pageData{Title: "Add your designs"})
}
