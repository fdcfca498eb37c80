package web

import (
	"net/http"
	"strings"

	"github.com/patternvault/patternvault/internal/tenant"
)

func (s *Server) newWorkspaceForm(w http.ResponseWriter, r *http.Request) {
	if !currentUser(r).Verified() {
		http.Redirect(w, r, "/verify/sent", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "workspace_new", pageData{Title: "Create your workspace", Form: map[string]string{"next": safeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) newWorkspace(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "name", "slug", "address", "next")
	f["slug"] = strings.ToLower(f["slug"])
	t, err := s.accounts.CreateWorkspace(r.Context(), currentUser(r), f["slug"], f["name"], f["address"])
	if err != nil {
		s.failForm(w, r, err, "workspace_new", pageData{Title: "Create your workspace", Form: f})
		return
	}
	// Sent here by a page she means to go back to (a store's claim link),
	// she goes back there rather than through the welcome steps.
	if next := safeNext(f["next"]); next != "" {
		s.redirectWith(w, r, next, "Your workspace "+t.Name+" is ready.")
		return
	}
	http.Redirect(w, r, tenant.Path(t.Slug, "welcome", "team"), http.StatusSeeOther)
}

// slugCheck answers the live availability check of the workspace form.
func (s *Server) slugCheck(w http.ResponseWriter, r *http.Request) {
	ok, msg := s.accounts.SlugAvailable(r.Context(), strings.ToLower(strings.TrimSpace(r.URL.Query().Get("slug"))))
	writeJSON(w, http.StatusOK, map[string]any{"available": ok, "message": msg})
}
