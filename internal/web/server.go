// Package web serves PatternVault's pages and health endpoints: routes on
// the standard ServeMux in routes.go, one handler file per page, templates
// embedded and parsed once at start-up.
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

	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/store"
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
	ready    *readiness
	pages    map[string]*template.Template
	handler  http.Handler
	Shutdown time.Duration
}

// New builds the server and parses every template.
func New(cfg *config.Config, log *slog.Logger, st *store.Store, mig *db.Migrator) (*Server, error) {
	s := &Server{cfg: cfg, log: log, store: st, ready: newReadiness(st.DB(), mig), Shutdown: 20 * time.Second}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.handler = s.routes()
	return s, nil
}

// Handler returns the root handler with every middleware applied.
func (s *Server) Handler() http.Handler { return s.handler }

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
