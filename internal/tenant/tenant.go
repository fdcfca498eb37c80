// Package tenant provisions tenants (quilters' workspaces), validates their
// slugs, finds the tenant a request addresses (by path /t/{slug}/... or by
// subdomain {slug}.{base domain}) and carries it in the request context.
package tenant

import (
	"context"
	"errors"
	"fmt"
	"github.com/patternvault/patternvault/internal/lazy"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// ErrBadSlug is a slug that breaks the rules; its message says which.
var ErrBadSlug = problem.Invalid("bad_slug", "That workspace address cannot be used.")

// ErrBadName is an empty or too long workspace name.
var ErrBadName = problem.Invalid("bad_workspace_name", "The workspace name must be 1 to 100 characters.")

// ErrSlugTaken is an address another workspace has (or had).
var ErrSlugTaken = problem.Conflict("slug_taken", "That address is already taken.")

var slugPattern = lazy.Regexp(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`)

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
		return ErrBadSlug.Reword(fmt.Sprintf("The address %q must be 3 to 40 characters long.", slug))
	case !slugPattern().MatchString(slug):
		return ErrBadSlug.Reword(fmt.Sprintf("The address %q may use only lower-case letters, digits and hyphens, and must not start or end with a hyphen.", slug))
	case strings.Contains(slug, "--"):
		return ErrBadSlug.Reword(fmt.Sprintf("The address %q must not contain two hyphens in a row.", slug))
	case reserved[slug]:
		return ErrBadSlug.Reword(fmt.Sprintf("The address %q is reserved, please choose another.", slug))
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
	if err := CheckName(name); err != nil {
		return nil, err
	}
	t, err := st.CreateTenant(ctx, slug, name)
	if errors.Is(err, store.ErrConflict) {
		return nil, Taken(slug).Wrap(err)
	}
	return t, err
}

// CheckName checks a workspace's display name (already trimmed).
func CheckName(name string) error {
	if name == "" || len(name) > 100 {
		return ErrBadName
	}
	return nil
}

// Taken is ErrSlugTaken naming slug.
func Taken(slug string) *problem.Error {
	return ErrSlugTaken.Reword(fmt.Sprintf("The address %q is already taken.", slug))
}

// Path is the address of a page of workspace slug: Path("acme") is
// "/t/acme/", Path("acme", "patterns", 7) is "/t/acme/patterns/7". Each
// element is a path segment (a string or an integer id); query strings
// are the caller's to add.
func Path(slug string, elems ...any) string {
	var b strings.Builder
	b.WriteString("/t/")
	b.WriteString(slug)
	b.WriteByte('/')
	for i, e := range elems {
		if i > 0 {
			b.WriteByte('/')
		}
		switch v := e.(type) {
		case string:
			b.WriteString(v)
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case int:
			b.WriteString(strconv.Itoa(v))
		default:
			panic(fmt.Sprintf("tenant.Path: element %v is a %T, not a string or an id", e, e))
		}
	}
	return b.String()
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
