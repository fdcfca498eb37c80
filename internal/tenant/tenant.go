// Package tenant provisions tenants (quilters' workspaces), validates their
// slugs, finds the tenant a request addresses (by path /t/{slug}/... or by
// subdomain {slug}.{base domain}) and carries it in the request context.
package tenant

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/patternvault/patternvault/internal/store"
)

// ErrBadSlug is returned (wrapped) for a slug that breaks the rules.
var ErrBadSlug = errors.New("invalid workspace address")

// ErrBadName is returned (wrapped) for an empty or too long workspace name.
var ErrBadName = errors.New("invalid workspace name")

var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`)

// reserved are slugs that would clash with the service's own paths and
// host names.
var reserved = map[string]bool{
	"admin": true, "api": true, "www": true, "static": true, "s": true, "t": true,
	"app": true, "assets": true, "auth": true, "login": true, "logout": true,
	"signin": true, "signup": true, "settings": true, "help": true, "support": true,
	"mail": true, "smtp": true, "ftp": true, "status": true, "metrics": true,
	"healthz": true, "readyz": true, "billing": true, "docs": true, "blog": true,
	"patternvault": true, "root": true, "system": true, "platform": true, "share": true,
}

// ValidateSlug checks a workspace slug: 3 to 40 lower-case letters, digits
// and inner hyphens, not a reserved word. The error says what to change.
func ValidateSlug(slug string) error {
	switch {
	case len(slug) < 3 || len(slug) > 40:
		return fmt.Errorf("%w: %q must be 3 to 40 characters long", ErrBadSlug, slug)
	case !slugPattern.MatchString(slug):
		return fmt.Errorf("%w: %q may use only lower-case letters, digits and hyphens, and must not start or end with a hyphen", ErrBadSlug, slug)
	case strings.Contains(slug, "--"):
		return fmt.Errorf("%w: %q must not contain two hyphens in a row", ErrBadSlug, slug)
	case reserved[slug]:
		return fmt.Errorf("%w: %q is reserved, please choose another", ErrBadSlug, slug)
	}
	return nil
}

// Create validates the slug and name and provisions the tenant with its
// schema in one transaction.
func Create(ctx context.Context, st *store.Store, slug, name string) (*store.Tenant, error) {
	slug = strings.TrimSpace(slug)
	name = strings.TrimSpace(name)
	if err := ValidateSlug(slug); err != nil {
		return nil, err
	}
	if name == "" || len(name) > 100 {
		return nil, fmt.Errorf("%w: the workspace name must be 1 to 100 characters", ErrBadName)
	}
	t, err := st.CreateTenant(ctx, slug, name)
	if errors.Is(err, store.ErrConflict) {
		return nil, fmt.Errorf("%w: the address %q is already taken", ErrBadSlug, slug)
	}
	return t, err
}

type ctxKey struct{}

// NewContext returns ctx carrying tenant t.
func NewContext(ctx context.Context, t *store.Tenant) context.Context {
	return context.WithValue(ctx, ctxKey{}, t)
}

// FromContext returns the tenant in ctx, or nil.
func FromContext(ctx context.Context) *store.Tenant {
	t, _ := ctx.Value(ctxKey{}).(*store.Tenant)
	return t
}

// SlugFromHost returns the tenant slug addressed by a host name under
// baseDomain ("acme.patterns.example" with base "patterns.example" gives
// "acme"), or "" when the host is not a tenant subdomain.
func SlugFromHost(host, baseDomain string) string {
	if baseDomain == "" {
		return ""
	}
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	sub, ok := strings.CutSuffix(host, "."+baseDomain)
	if !ok || sub == "" || strings.Contains(sub, ".") {
		return ""
	}
	return sub
}
