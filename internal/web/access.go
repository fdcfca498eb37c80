package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

type roleKey struct{}

type workspacesKey struct{}

// workspaces returns the signed-in person's workspaces (read once per
// request: the member check already has them).
func (s *Server) workspaces(r *http.Request) ([]store.Membership, error) {
	if ws, ok := r.Context().Value(workspacesKey{}).([]store.Membership); ok {
		return ws, nil
	}
	v := visitorFrom(r.Context())
	if v == nil {
		return nil, nil
	}
	ws, err := s.store.UserTenants(r.Context(), v.User.ID)
	if err != nil || v.Impersonator == nil {
		return ws, err
	}
	// A support view reaches the one workspace the admin chose.
	var one []store.Membership
	for _, m := range ws {
		if v.Session.TenantID != nil && m.Tenant.ID == *v.Session.TenantID {
			one = append(one, m)
		}
	}
	return one, nil
}

// roleFrom returns the visitor's role in the request's tenant.
func roleFrom(ctx context.Context) string {
	r, _ := ctx.Value(roleKey{}).(string)
	return r
}

// supportWrites are the changes of the person's own pages (outside any
// workspace) that a platform admin may make in a support view; every
// other one (tokens, passwords, new workspaces...) is refused, and each
// allowed one is audited.
var supportWrites = map[string]bool{"/impersonation/stop": true, "/account/name": true}

// signedIn lets only signed-in visitors through; others are sent to the
// sign-in page and brought back afterwards.
func (s *Server) signedIn(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := visitorFrom(r.Context())
		if v == nil {
			s.needSignIn(w, r)
			return
		}
		if v.Impersonator != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !supportWrites[r.URL.Path] {
				s.fail(w, r, accounts.ErrSupportView)
				return
			}
			if err := s.accounts.Audit(r.Context(), v, "impersonated "+r.Method+" "+r.URL.Path, 0, nil, clientIP(r)); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		next(w, r)
	})
}

func (s *Server) needSignIn(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.renderStatus(w, r, http.StatusUnauthorized, "Please sign in", "Your session has ended. Please sign in again; nothing was changed.")
		return
	}
	http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

// member serves a tenant page to members whose role is at least min.
// Whoever is not a member — signed in or not — gets the same 404 as for a
// workspace that does not exist (or is paused, or was renamed), with the
// same work done, so workspaces cannot be discovered; an anonymous
// visitor's 404 offers to sign in. A member with too small a role gets
// 403; a paused workspace shows its members the paused page. Everything
// done while a platform admin impersonates is audited.
func (s *Server) member(min string, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := visitorFrom(r.Context())
		if v == nil {
			s.notFound(w, r)
			return
		}
		t := s.lookupTenant(w, r)
		if t == nil {
			return
		}
		// One query gives the role here and the workspace menu of the page.
		ws, err := s.workspaces(r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), workspacesKey{}, ws))
		role := ""
		for _, m := range ws {
			if m.Tenant.ID == t.ID {
				role = m.Role
			}
		}
		if role == "" {
			// Not a word of the workspace on the page: as if it did not
			// exist (workspaces leaves out all but a support view's one).
			s.notFound(w, r)
			return
		}
		if renamed(w, r, t) {
			return
		}
		r = r.WithContext(tenant.NewContext(r.Context(), t))
		// A workspace paused for deletion still serves its owner
		// Settings → Danger (to cancel) and the export of everything.
		if t.Status == store.TenantSuspended && (t.DeleteAfter == nil || !deletionPath(r.URL.Path, t.Slug)) {
			s.render(w, r, http.StatusForbidden, "suspended", pageData{Title: t.Name + " is paused", Tenant: t})
			return
		}
		if !store.RoleAtLeast(role, min) {
			s.renderStatus(w, r, http.StatusForbidden, "Not allowed", "Your role in this workspace ("+role+") does not allow this. Ask the owner if you need it.")
			return
		}
		if v.Impersonator != nil {
			err := s.accounts.Audit(r.Context(), v, "impersonated "+r.Method+" "+r.URL.Path, t.ID, map[string]any{"role": role}, clientIP(r))
			if err != nil { // nothing unaudited is done while impersonating
				s.serverError(w, r, err)
				return
			}
		}
		if err := s.writable(r, t.ID); err != nil {
			s.fail(w, r.WithContext(context.WithValue(r.Context(), roleKey{}, role)), err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), roleKey{}, role)))
	})
}

// platformAdmin lets only platform admins (not while impersonating) in.
func (s *Server) platformAdmin(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := visitorFrom(r.Context())
		switch {
		case v == nil:
			s.needSignIn(w, r)
		case v.Impersonator != nil:
			s.renderStatus(w, r, http.StatusForbidden, "Stop support view first", "You are acting as a workspace member. Stop the support view to return to the admin area.")
		case !v.User.IsPlatformAdmin:
			s.notFound(w, r)
		default:
			next(w, r)
		}
	})
}
