package storeapi

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Caller is a store calling the API: with one of its keys, or with a
// quilter's grant (then Grant is set).
type Caller struct {
	Store *store.PatternStore
	Key   *store.StoreKey
	Grant *store.StoreGrant
}

// Problems of store authentication: 401 for credentials that do not work
// (the store should get new ones), 403 for a store or workspace that may
// not act, 429 for too many requests.
var (
	ErrNoCredentials  = problem.Unauthorized("unauthorized", "Send a store key or a grant token: Authorization: Bearer pvs_... or pvg_...")
	ErrUnknownKey     = problem.Unauthorized("invalid_key", "This store key is not valid.")
	ErrKeyRevoked     = problem.Unauthorized("key_revoked", "This store key was revoked.")
	ErrKeyExpired     = problem.Unauthorized("key_expired", "This store key was rotated and its overlap period is over: use the new key.")
	ErrUnknownGrant   = problem.Unauthorized("invalid_grant", "This grant token is not valid.")
	ErrGrantRevoked   = problem.Unauthorized("grant_revoked", "The quilter disconnected this store (or left the workspace): ask her to connect again.")
	ErrTokenExpired   = problem.Unauthorized("token_expired", "This grant token has expired: refresh it at /api/v1/oauth/token.")
	ErrStoreDisabled  = problem.Forbidden("store_disabled", "This store is disabled on PatternVault.")
	ErrWorkspaceOff   = problem.Forbidden("workspace_suspended", "The quilter's workspace is paused; nothing can be delivered to it now.")
	ErrStoreRateLimit = problem.TooMany("rate_limited", "Too many requests for this key: slow down and try again.", 0)
	ErrGrantRequired  = problem.Forbidden("grant_required", "This needs a quilter's grant (a connected store), not a store key.")
)

// Authenticate returns the store behind a bearer token (a store key or a
// grant's access token) after its rate limit.
func (s *Service) Authenticate(ctx context.Context, token string) (*Caller, error) {
	token = strings.TrimSpace(token)
	var c *Caller
	var err error
	switch {
	case strings.HasPrefix(token, KeyPrefix) && len(token) == len(KeyPrefix)+43:
		c, err = s.byKey(ctx, token)
	case strings.HasPrefix(token, GrantPrefix) && len(token) == len(GrantPrefix)+43:
		c, err = s.byGrant(ctx, token)
	default:
		return nil, ErrNoCredentials
	}
	if err != nil {
		return nil, err
	}
	if c.Store.DisabledAt != nil {
		return nil, ErrStoreDisabled
	}
	limitKey, rate := "grant:"+strconv.FormatInt(idOf(c.Grant), 10), GrantRate
	if c.Key != nil {
		limitKey, rate = "key:"+strconv.FormatInt(c.Key.ID, 10), c.Key.RatePerMinute
	}
	if ok, wait := s.allow(limitKey, rate); !ok {
		return nil, ErrStoreRateLimit.Reword(fmt.Sprintf("Too many requests: this credential may make %d a minute. Try again in a moment.", rate)).Retry(wait)
	}
	return c, nil
}

func idOf(g *store.StoreGrant) int64 {
	if g == nil {
		return 0
	}
	return g.ID
}

func (s *Service) byKey(ctx context.Context, token string) (*Caller, error) {
	k, err := s.Store.StoreKeyByHash(ctx, auth.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnknownKey.Wrap(err)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case k.RevokedAt != nil:
		return nil, ErrKeyRevoked
	case !k.Live(time.Now()):
		return nil, ErrKeyExpired
	}
	ps, err := s.Store.PatternStoreByID(ctx, k.StoreID)
	if err != nil {
		return nil, err
	}
	return &Caller{Store: ps, Key: k}, nil
}

func (s *Service) byGrant(ctx context.Context, token string) (*Caller, error) {
	g, err := s.Store.StoreGrantByAccess(ctx, auth.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnknownGrant.Wrap(err)
	}
	if err != nil {
		return nil, err
	}
	if err := s.grantUsable(ctx, g); err != nil {
		return nil, err
	}
	if time.Now().After(g.AccessExpiresAt) {
		return nil, ErrTokenExpired
	}
	ps, err := s.Store.PatternStoreByID(ctx, g.StoreID)
	if err != nil {
		return nil, err
	}
	return &Caller{Store: ps, Grant: g}, nil
}

// grantUsable checks that a grant is not revoked, that its person may
// still add designs to its workspace, and that the workspace is active.
func (s *Service) grantUsable(ctx context.Context, g *store.StoreGrant) error {
	if g.RevokedAt != nil {
		return ErrGrantRevoked
	}
	role, err := s.Store.Role(ctx, g.TenantID, g.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !store.RoleAtLeast(role, store.RoleEditor)) {
		return ErrGrantRevoked
	}
	if err != nil {
		return err
	}
	t, err := s.Store.TenantByID(ctx, g.TenantID)
	if err != nil {
		return err
	}
	if t.Status != store.TenantActive {
		return ErrWorkspaceOff
	}
	return nil
}

func parseIP(s string) (netip.Addr, error) { return netip.ParseAddr(s) }
