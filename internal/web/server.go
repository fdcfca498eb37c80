// Package web serves PatternVault's pages and health endpoints: routes on
// the standard ServeMux in routes.go (the whole sitemap: one line per URL
// and method, no {action} segments), one handler file per page or group
// of actions, templates embedded and parsed once at start-up.
//
// How to add a page:
//
//  1. Add its line to routes.go, wrapped in s.member(role, ...) for a
//     workspace page (the least role that may see it) or s.signedIn(...).
//  2. Write the handler in a file named after the page. It only
//     translates HTTP: read the path with httpx.PathID, the form with
//     formValues; for a page, do its reads in ONE s.store.ReadTenant
//     transaction (or a service's read method) and call s.render with a
//     page struct; for an action, make ONE service call (s.library,
//     s.shares, s.accounts...) that checks the rules and owns its
//     transaction, then redirect with s.redirectWith and a message.
//  3. On error call the HTML mapper (errors.go): s.fail shows the problem
//     on a page of its own, s.failForm above the form that was sent,
//     s.failBack on the page the person came from. Never choose a status
//     or write an error's text in the handler: the service's problem
//     (internal/problem) carries both; anything else becomes the 500 page
//     with a reference to the log line.
//  4. Build links with tenant.Path(slug, ...), never by hand.
//  5. Add the page's template under templates/ and the page to the
//     accessibility check (axe_test.go); show only the actions the role
//     may take.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/api"
	"github.com/patternvault/patternvault/internal/auth/google"
	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/health"
	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/kit"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/metrics"
	"github.com/patternvault/patternvault/internal/search"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/storeapi"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Server is the HTTP side of PatternVault.
type Server struct {
	cfg      *config.Config
	log      *slog.Logger
	store    *store.Store
	accounts *accounts.Service
	google   *google.Provider
	library  *library.Service
	shares   *share.Service
	search   *search.Service
	business *business.Service
	kits     *kit.Service
	backup   *backup.Service
	billing  *billing.Service
	stores   *storeapi.Service
	metrics  *metrics.Metrics
	api      *api.Handler
	ready    *readiness
	health   *health.Service
	pages    map[string]*template.Template
	handler  http.Handler
	// Shutdown is how long requests in flight may take to finish.
	Shutdown time.Duration
}

// Deps are what the web server needs from the rest of the application.
type Deps struct {
	Config   *config.Config
	Log      *slog.Logger
	Store    *store.Store
	Migrator *db.Migrator
	Accounts *accounts.Service
	// Google is nil when Google sign-in is not configured.
	Google *google.Provider
	// Library imports and serves designs.
	Library *library.Service
	// Shares runs share links.
	Shares *share.Service
	// Search answers plain-words searches.
	Search *search.Service
	// Business runs customers, quotes, jobs, invoices and the portfolio.
	Business *business.Service
	// Backup runs exports, snapshots, restores, the trash and deletions.
	Backup *backup.Service
	// Billing holds the plans and talks to Stripe.
	Billing *billing.Service
	// Stores runs pattern stores' deliveries (nil: the store pages and
	// endpoints answer 503).
	Stores *storeapi.Service
	// Metrics, when set, records request latency and events.
	Metrics *metrics.Metrics
	// Checks are the dependencies /readyz probes (database, storage,
	// mail); nil checks only that the database answers.
	Checks []*health.Check
}

// New builds the server and parses every template.
func New(d Deps) (*Server, error) {
	s := &Server{cfg: d.Config, log: d.Log, store: d.Store, accounts: d.Accounts, google: d.Google, library: d.Library, shares: d.Shares, search: d.Search,
		backup: d.Backup, stores: d.Stores, business: d.Business, billing: d.Billing, metrics: d.Metrics,
		kits: kit.New(d.Library), api: api.New(d.Store, d.Library, d.Shares, d.Search, d.Backup, d.Log), ready: newReadiness(d.Store.DB(), d.Migrator, d.Checks, d.Log),
		health: health.New(d.Store.DB(), d.Config.HTTPAddr, d.Config.BlobURL), Shutdown: 20 * time.Second}
	s.api.SetServices(d.Accounts, d.Stores)
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.api.SetBusiness(d.Business)
	s.api.Billing = d.Billing
	s.handler = interactive(s.routes())
	return s, nil
}

// API returns the JSON API handler.
func (s *Server) API() *api.Handler { return s.api }

// Handler returns the root handler with every middleware applied.
func (s *Server) Handler() http.Handler { return s.handler }

// interactive marks every request in flight, so that background work
// makes way for it (jobs.Yield).
func interactive(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer jobs.Request()()
		h.ServeHTTP(w, r)
	})
}

// ListenAndServe serves on the configured address until ctx is done, then
// shuts down gracefully.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("web: listen on %s: %w", s.cfg.HTTPAddr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is done, then lets requests in flight finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("listening", "addr", ln.Addr().String(), "url", s.cfg.BaseURL)
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", s.Shutdown)
	sctx, cancel := context.WithTimeout(context.Background(), s.Shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	return nil
}
