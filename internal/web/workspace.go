package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/store"
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
	ws, err := s.store.UserTenants(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	switch len(ws) {
	case 0:
		http.Redirect(w, r, "/workspaces/new", http.StatusSeeOther)
	case 1:
		http.Redirect(w, r, "/t/"+ws[0].Tenant.Slug+"/", http.StatusSeeOther)
	default:
		s.render(w, r, http.StatusOK, "workspaces", pageData{Title: "Your workspaces"})
	}
}

func (s *Server) newWorkspaceForm(w http.ResponseWriter, r *http.Request) {
	if !currentUser(r).Verified() {
		http.Redirect(w, r, "/verify/sent", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "workspace_new", pageData{Title: "Create your workspace"})
}

func (s *Server) newWorkspace(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "name", "slug")
	f["slug"] = strings.ToLower(f["slug"])
	t, err := s.accounts.CreateWorkspace(r.Context(), currentUser(r), f["slug"], f["name"])
	if err != nil {
		if !isUserError(err) {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "workspace_new", pageData{Title: "Create your workspace", Error: err.Error(), Form: f})
		return
	}
	http.Redirect(w, r, "/t/"+t.Slug+"/welcome/team", http.StatusSeeOther)
}

// slugCheck answers the live availability check of the workspace form.
func (s *Server) slugCheck(w http.ResponseWriter, r *http.Request) {
	ok, msg := s.accounts.SlugAvailable(r.Context(), strings.ToLower(strings.TrimSpace(r.URL.Query().Get("slug"))))
	writeJSON(w, http.StatusOK, map[string]any{"available": ok, "message": msg})
}

func (s *Server) welcomeTeam(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "welcome_team", pageData{Title: "Invite your team"})
}

func (s *Server) welcomeTeamInvite(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	f := formValues(r, "email", "role")
	if err := s.accounts.Invite(r.Context(), t, currentUser(r), f["email"], f["role"]); err != nil {
		if !isUserError(err) {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "welcome_team", pageData{Title: "Invite your team", Error: err.Error(), Form: f})
		return
	}
	s.redirectWith(w, r, "/t/"+t.Slug+"/welcome/team", "Invitation sent to "+f["email"]+". Invite someone else, or continue.")
}

func (s *Server) welcomeImport(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "welcome_import", pageData{Title: "Add your designs"})
}

type membersPage struct {
	Members     []store.Membership
	Invitations []*store.Invitation
}

func (s *Server) members(w http.ResponseWriter, r *http.Request) {
	s.renderMembers(w, r, http.StatusOK, "", nil)
}

func (s *Server) renderMembers(w http.ResponseWriter, r *http.Request, status int, problem string, form map[string]string) {
	t := tenant.FromContext(r.Context())
	ms, err := s.store.Members(r.Context(), t.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var invs []*store.Invitation
	if roleFrom(r.Context()) == store.RoleOwner {
		if invs, err = s.store.PendingInvitations(r.Context(), t.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, status, "members", pageData{Title: "Members", Error: problem, Form: form, Data: membersPage{ms, invs}})
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	f := formValues(r, "email", "role")
	if err := s.accounts.Invite(r.Context(), t, currentUser(r), f["email"], f["role"]); err != nil {
		if !isUserError(err) {
			s.serverError(w, r, err)
			return
		}
		s.renderMembers(w, r, http.StatusUnprocessableEntity, err.Error(), f)
		return
	}
	s.redirectWith(w, r, "/t/"+t.Slug+"/members", "Invitation sent to "+f["email"]+".")
}

func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.store.RevokeInvitation(r.Context(), t.ID, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/t/"+t.Slug+"/members", "Invitation cancelled.")
}

func (s *Server) changeRole(w http.ResponseWriter, r *http.Request) {
	s.memberChange(w, r, func(tenantID, userID int64) error {
		role := r.PostFormValue("role")
		if !store.ValidRole(role) {
			return userError("choose a role: owner, editor or viewer")
		}
		return s.store.ChangeRole(r.Context(), tenantID, userID, role)
	}, "Role changed.")
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	s.memberChange(w, r, func(tenantID, userID int64) error {
		return s.store.RemoveMember(r.Context(), tenantID, userID)
	}, "Member removed.")
}

func (s *Server) memberChange(w http.ResponseWriter, r *http.Request, change func(tenantID, userID int64) error, done string) {
	t := tenant.FromContext(r.Context())
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	err := change(t.ID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, store.ErrLastOwner):
		s.renderMembers(w, r, http.StatusConflict, "A workspace needs at least one owner: make someone else owner first.", nil)
	case err != nil && isUserError(err):
		s.renderMembers(w, r, http.StatusUnprocessableEntity, err.Error(), nil)
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.redirectWith(w, r, "/t/"+t.Slug+"/members", done)
	}
}

func (s *Server) workspaceSettings(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "workspace_settings", pageData{Title: "Workspace settings"})
}

func (s *Server) renameWorkspace(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	f := formValues(r, "name", "slug")
	f["slug"] = strings.ToLower(f["slug"])
	fail := func(err error) {
		if !isUserError(err) {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "workspace_settings", pageData{Title: "Workspace settings", Error: err.Error(), Form: f})
	}
	if f["name"] == "" || len(f["name"]) > 100 {
		fail(userError("The workspace name must be 1 to 100 characters."))
		return
	}
	if err := s.store.RenameTenant(r.Context(), t.ID, f["name"]); err != nil {
		fail(err)
		return
	}
	if f["slug"] != "" && f["slug"] != t.Slug {
		if err := tenant.ValidateSlug(f["slug"]); err != nil {
			fail(err)
			return
		}
		if err := s.store.RenameTenantSlug(r.Context(), t.ID, f["slug"]); err != nil {
			if errors.Is(err, store.ErrConflict) {
				err = userError("The address " + f["slug"] + " is already taken.")
			}
			fail(err)
			return
		}
		t.Slug = f["slug"]
	}
	s.redirectWith(w, r, "/t/"+t.Slug+"/settings", "Saved. Links to the old address keep working.")
}

// maxLogoSize bounds an uploaded workspace logo.
const maxLogoSize = 512 << 10

func (s *Server) uploadLogo(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, maxLogoSize+64<<10)
	file, _, err := r.FormFile("logo")
	if err != nil {
		s.render(w, r, http.StatusUnprocessableEntity, "workspace_settings", pageData{Title: "Workspace settings", Error: "Choose a PNG or JPEG picture of at most 512 KB."})
		return
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, maxLogoSize+1))
	ctype := http.DetectContentType(b)
	if err != nil || len(b) > maxLogoSize || (ctype != "image/png" && ctype != "image/jpeg") {
		s.render(w, r, http.StatusUnprocessableEntity, "workspace_settings", pageData{Title: "Workspace settings", Error: "Choose a PNG or JPEG picture of at most 512 KB."})
		return
	}
	if err := s.store.SetTenantLogo(r.Context(), t.ID, b, ctype); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/t/"+t.Slug+"/settings", "Logo saved.")
}

func (s *Server) logo(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	b, ctype, err := s.store.TenantLogo(r.Context(), t.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Write(b)
}

func (s *Server) acceptInvitationPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	inv, err := s.store.InvitationByHash(r.Context(), auth.HashToken(token))
	if errors.Is(err, store.ErrTokenUsed) {
		s.renderStatus(w, r, http.StatusGone, "This invitation has expired", "Invitations work once, for 7 days. Ask the workspace owner to invite you again.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	t, err := s.store.TenantByID(r.Context(), inv.TenantID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "invitation", pageData{Title: "Join " + t.Name, Data: struct {
		Invitation *store.Invitation
		Workspace  *store.Tenant
		Token      string
	}{inv, t, token}})
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	t, err := s.accounts.AcceptInvitation(r.Context(), r.PostFormValue("token"), currentUser(r))
	if errors.Is(err, store.ErrTokenUsed) {
		s.renderStatus(w, r, http.StatusGone, "This invitation has expired", "Invitations work once, for 7 days. Ask the workspace owner to invite you again.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/t/"+t.Slug+"/", "Welcome to "+t.Name+".")
}
