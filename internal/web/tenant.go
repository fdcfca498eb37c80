package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// withTenant resolves {slug} to a tenant and puts it in the request
// context. An unknown or deleted tenant gets the friendly 404, a suspended
// one the suspended page, a former slug a permanent redirect to the new one.
func (s *Server) withTenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slug := r.PathValue("slug")
		if tenant.ValidateSlug(slug) != nil {
			s.notFound(w, r)
			return
		}
		t, err := s.store.TenantBySlug(r.Context(), slug)
		switch {
		case errors.Is(err, store.ErrNotFound):
			s.notFound(w, r)
			return
		case err != nil:
			s.serverError(w, r, err)
			return
		}
		switch {
		case t.Status == store.TenantDeleted:
			s.notFound(w, r)
			return
		case t.Slug != slug:
			target := tenant.Path(t.Slug) + strings.TrimPrefix(r.URL.Path, tenant.Path(slug))
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		case t.Status == store.TenantSuspended && t.DeleteAfter != nil && deletionPath(r.URL.Path, slug):
			// Paused for deletion: its owner may still cancel, and
			// download the export of everything.
		case t.Status == store.TenantSuspended:
			s.render(w, r, http.StatusForbidden, "suspended", pageData{Title: t.Name + " is paused", Tenant: t})
			return
		}
		next.ServeHTTP(w, r.WithContext(tenant.NewContext(r.Context(), t)))
	})
}

// deletionPath reports whether path is one a workspace paused for
// deletion still serves: Settings → Danger (to cancel) and its exports.
func deletionPath(path, slug string) bool {
	rest := strings.TrimPrefix(path, tenant.Path(slug))
	return strings.HasPrefix(rest, "settings/danger") || strings.HasPrefix(rest, "exports/")
}
