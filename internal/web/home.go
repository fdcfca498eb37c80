package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/tenant"
)

// home sends a signed-in person to their workspace (or to the picker or
// the first-run steps) and shows everyone else the front page.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	if u == nil {
		s.render(w, r, http.StatusOK, "home", pageData{Title: "Your quilting designs, safe and easy to find"})
		return
	}
	if !u.Verified() {
		http.Redirect(w, r, "/verify/sent", http.StatusSeeOther)
		return
	}
	ws, err := s.workspaces(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	switch len(ws) {
	case 0:
		http.Redirect(w, r, "/workspaces/new", http.StatusSeeOther)
	case 1:
		http.Redirect(w, r, tenant.Path(ws[0].Tenant.Slug), http.StatusSeeOther)
	default:
		s.render(w, r, http.StatusOK, "workspaces", pageData{Title: "Your workspaces"})
	}
}
