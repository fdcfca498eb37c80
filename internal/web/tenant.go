package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// lookupTenant resolves {slug} for a signed-in visitor's request. It
// answers (and returns nil) when the slug is not a workspace: a deleted
// one, or one that does not exist, gets the same 404. What a member sees
// of a renamed or paused workspace is for member to decide.
func (s *Server) lookupTenant(w http.ResponseWriter, r *http.Request) *store.Tenant {
	slug := r.PathValue("slug")
	if tenant.ValidateSlug(slug) != nil {
		s.notFound(w, r)
		return nil
	}
	t, err := s.store.TenantBySlug(r.Context(), slug)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
		return nil
	case err != nil:
		s.serverError(w, r, err)
		return nil
	case t.Status == store.TenantDeleted:
		s.notFound(w, r)
		return nil
	}
	return t
}

// renamed sends a member who used a former address of t to its current
// one (permanently); it reports whether it did.
func renamed(w http.ResponseWriter, r *http.Request, t *store.Tenant) bool {
	slug := r.PathValue("slug")
	if t.Slug == slug {
		return false
	}
	target := tenant.Path(t.Slug) + strings.TrimPrefix(r.URL.Path, tenant.Path(slug))
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
	return true
}

// publicTenant serves a workspace's pages for its customers, who have no
// account: her quote and her quilt's status (each by its token) and the
// public gallery. The handler decides, by the token or by the gallery
// being open, whether there is anything to show, and answers a wrong
// token or a closed gallery with the same 404 as a slug that is no
// workspace, or a paused one, so these pages do not tell which
// workspaces exist. A former slug works as the current one: her link may
// be older than a rename.
func (s *Server) publicTenant(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := s.lookupTenant(w, r)
		if t == nil {
			return
		}
		if t.Status == store.TenantSuspended {
			s.notFound(w, r)
			return
		}
		next(w, r.WithContext(tenant.NewContext(r.Context(), t)))
	})
}

// deletionPath reports whether path is one a workspace paused for
// deletion still serves: Settings → Danger (to cancel) and its exports.
func deletionPath(path, slug string) bool {
	rest := strings.TrimPrefix(path, tenant.Path(slug))
	return strings.HasPrefix(rest, "settings/danger") || strings.HasPrefix(rest, "exports/")
}
