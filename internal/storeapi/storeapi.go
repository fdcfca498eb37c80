// Package storeapi is "Send to Pattern Manager": pattern stores that
// deliver purchased designs into a quilter's library.
//
// The platform admin creates a store (name, website, contact, allowed file
// hosts, consent redirect URIs) and gives it API keys: "pvs_" and 256
// random bits, shown once, kept as SHA-256, rotatable with an overlap
// period, revocable, each with its own rate limit.
//
// A store links a purchase to a quilter in one of three ways, never by
// guessing from an email address alone:
//
//  1. Connected store: the store sends her to the consent page once (OAuth
//     2.0 authorization code with PKCE, S256 only; client_id "store_<id>",
//     client secret a live key of that store). She picks a workspace and
//     whether deliveries land at once or wait in her Inbox. The store gets
//     a grant token ("pvg_", one hour, refreshable) scoped to that store,
//     person and workspace; she can revoke it at any time.
//  2. Claim link: an import call with a store key and no user_email is
//     answered with a one-time claim URL; whoever opens it signs in (or
//     signs up) and chooses the workspace.
//  3. By email: an import call with user_email lands only in the Inbox of
//     the account with that verified address, for her to accept. The
//     answer also carries a claim URL and the same "waiting" status
//     whether or not such an account exists, so the store cannot use the
//     API to find out who has an account.
//
// POST /api/v1/patterns/import records a delivery (idempotent per store by
// the Idempotency-Key header, else by order_id and sku) and queues its
// fetch job; the store gets 202 and the delivery id at once. The fetch
// job downloads file_url, files[] and thumbnail_url through the Fetcher
// (see fetch.go: https only, connect-time address checks, size and time
// limits), checks within the import's limits that the files hold at least
// one design, and keeps them as one bundle under
// "stores/{store}/deliveries/{id}/". Landing hands the bundle to
// library.StartImport, the same pipeline as an upload (grouping, formats,
// thumbnails, duplicates), then records a purchase (store, order, SKU,
// date, licence) on every design it holds, and the delivery is metered.
// A signed callback (HMAC-SHA256 over timestamp and body, see Sign) tells
// the store how it ended.
//
// Rules live here; internal/api and internal/web only translate HTTP.
package storeapi

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
)

// Token prefixes, so leaked secrets are easy to recognise.
const (
	KeyPrefix     = "pvs_"  // a store's API key
	GrantPrefix   = "pvg_"  // a grant's access token
	RefreshPrefix = "pvgr_" // a grant's refresh token
	SecretPrefix  = "pvsig_"
	codePrefix    = "pvc_"
	claimPrefix   = "pvcl_"
)

// Lifetimes.
const (
	// AccessTTL is how long a grant's access token works before the store
	// refreshes it.
	AccessTTL = time.Hour
	// CodeTTL is how long an authorization code may be exchanged.
	CodeTTL = 5 * time.Minute
	// ClaimTTL is how long a claim link works.
	ClaimTTL = 90 * 24 * time.Hour
	// DefaultRotateOverlap is how long a rotated key keeps working.
	DefaultRotateOverlap = 7 * 24 * time.Hour
	// DefaultKeyRate is a new key's requests per minute.
	DefaultKeyRate = 120
	// GrantRate is the requests per minute of one grant.
	GrantRate = 120
)

// Entitlements is the plan check at the write point: may tenantID take
// designs more designs? The billing package provides it; nil allows all.
type Entitlements func(ctx context.Context, tenantID int64, designs int) error

// Service runs the stores.
type Service struct {
	Store   *store.Store
	Library *library.Service
	Blobs   blob.Store
	Queue   *jobs.Queue
	Fetcher *Fetcher
	Log     *slog.Logger
	// BaseURL is the public address, for claim links.
	BaseURL string
	// FeeCents is what a store pays per delivered design, for the meter.
	FeeCents int64
	// Currency names FeeCents' currency in the CSV ("USD").
	Currency string
	// Entitlements, when set, is asked before a delivery lands.
	Entitlements Entitlements
	// RetryDelays are the waits between fetch attempts after a temporary
	// failure (a 5xx from the store); the delivery fails after the last.
	RetryDelays []time.Duration
	// LandPoll is how often landing looks whether the import finished.
	LandPoll time.Duration

	mu       sync.Mutex
	limiters map[string]*auth.Limiter
}

// DefaultRetryDelays are the production waits between fetch attempts.
var DefaultRetryDelays = []time.Duration{15 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Service) retryDelays() []time.Duration {
	if s.RetryDelays == nil {
		return DefaultRetryDelays
	}
	return s.RetryDelays
}

func (s *Service) landPoll() time.Duration {
	if s.LandPoll <= 0 {
		return 2 * time.Second
	}
	return s.LandPoll
}

// allow takes one request of key from its per-minute budget.
func (s *Service) allow(key string, perMinute int) (bool, time.Duration) {
	s.mu.Lock()
	if s.limiters == nil {
		s.limiters = map[string]*auth.Limiter{}
	}
	l := s.limiters[key]
	if l == nil || l.Max != perMinute {
		l = auth.NewLimiter(perMinute, time.Minute)
		s.limiters[key] = l
	}
	s.mu.Unlock()
	return l.Allow(key)
}
