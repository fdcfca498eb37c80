package web

import (
	"net/http"
	"strconv"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/tenant"
)

// The workspace's settings: its name, address and logo (owners only).

// settingsTab is one tab of the owner's settings pages.
type settingsTab struct{ Key, Label, Path string }

// settingsTabs are the settings pages, in the order the tabs show them
// (the Danger tab's page is the workspace deletion's, danger.go).
var settingsTabs = []settingsTab{
	{"workspace", "Workspace", "settings"},
	{"members", "Members", "members"},
	{"billing", "Billing", "settings/billing"},
	{"integrations", "Integrations", "settings/integrations"},
	{"danger", "Danger", "settings/danger"},
}

func (s *Server) workspaceSettings(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "workspace_settings", pageData{Title: "Workspace settings", Settings: "workspace"})
}

func (s *Server) saveAddress(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	f := formValues(r, "address")
	if err := s.accounts.SetAddress(r.Context(), t.ID, f["address"]); err != nil {
		s.failForm(w, r, err, "workspace_settings", pageData{Title: "Workspace settings", Settings: "workspace", Form: f})
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "settings"), "Address saved.")
}

func (s *Server) renameWorkspace(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "name", "slug")
	t, err := s.accounts.RenameWorkspace(r.Context(), tenant.FromContext(r.Context()), f["name"], f["slug"])
	if err != nil {
		s.failForm(w, r, err, "workspace_settings", pageData{Title: "Workspace settings", Settings: "workspace", Form: f})
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "settings"), "Saved. Links to the old address keep working.")
}

func (s *Server) uploadLogo(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, accounts.MaxLogoSize+64<<10)
	file, _, err := r.FormFile("logo")
	if err != nil {
		s.failForm(w, r, accounts.ErrBadLogo.Wrap(err), "workspace_settings", pageData{Title: "Workspace settings", Settings: "workspace"})
		return
	}
	defer file.Close()
	if err := s.accounts.SetLogo(r.Context(), t.ID, file); err != nil {
		s.failForm(w, r, err, "workspace_settings", pageData{Title: "Workspace settings", Settings: "workspace"})
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
