package web

import (
	"net/http"
	"strconv"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/tenant"
)

// The workspace's settings: its name, address and logo (owners only).

func (s *Server) workspaceSettings(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "workspace_settings", pageData{Title: "Workspace settings"})
}

func (s *Server) renameWorkspace(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "name", "slug")
	t, err := s.accounts.RenameWorkspace(r.Context(), tenant.FromContext(r.Context()), f["name"], f["slug"])
	if err != nil {
		s.failForm(w, r, err, "workspace_settings", pageData{Title: "Workspace settings", Form: f})
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "settings"), "Saved. Links to the old address keep working.")
}

func (s *Server) uploadLogo(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, accounts.MaxLogoSize+64<<10)
	file, _, err := r.FormFile("logo")
	if err != nil {
		s.failForm(w, r, accounts.ErrBadLogo.Wrap(err), "workspace_settings", pageData{Title: "Workspace settings"})
		return
	}
	defer file.Close()
	if err := s.accounts.SetLogo(r.Context(), t.ID, file); err != nil {
		s.failForm(w, r, err, "workspace_settings", pageData{Title: "Workspace settings"})
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "settings"), "Logo saved.")
}

// logo serves the workspace's logo to its members.
func (s *Server) logo(w http.ResponseWriter, r *http.Request) {
	s.serveLogo(w, r, tenant.FromContext(r.Context()).ID, 5*60)
}

// serveLogo sends tenantID's logo, cacheable for maxAge seconds.
func (s *Server) serveLogo(w http.ResponseWriter, r *http.Request, tenantID int64, maxAge int) {
	b, ctype, err := s.store.TenantLogo(r.Context(), tenantID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, max-age="+strconv.Itoa(maxAge))
	w.Write(b)
}
