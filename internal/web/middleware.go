package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/tenant"
)

// RequestID returns the id of the request carried by ctx (see
// httpx.RequestIDs).
func RequestID(ctx context.Context) string { return httpx.RequestID(ctx) }

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// routeOf wraps the mux so that the outer middleware learns which route
// pattern served the request (for metrics; inner layers copy the request).
func routeOf(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		httpx.NoteRoute(r)
	})
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		r, route := httpx.TrackRoute(r)
		next.ServeHTTP(rec, r)
		if s.metrics != nil {
			pattern := *route
			if pattern == "" {
				pattern = "other"
			}
			s.metrics.HTTP.WithLabelValues(r.Method, pattern, strconv.Itoa(rec.status/100)+"xx").Observe(time.Since(t0).Seconds())
		}
		if r.URL.Path == "/healthz" || strings.HasPrefix(r.URL.Path, "/static/") {
			return
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("id", RequestID(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", httpx.LogPath(r)),
			slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes),
			slog.Duration("took", time.Since(t0)))
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "id", RequestID(r.Context()), "path", httpx.LogPath(r), "panic", v)
				s.serverError(w, r, nil)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// contentPolicy allows only the site's own scripts, styles and pictures,
// forms that post to the site itself, no <base> and no framing.
const contentPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"

// securityHeaders sets the headers every answer carries; under https,
// HSTS keeps browsers on https for a year.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	hsts := s.secureCookies()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", contentPolicy)
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

func cacheForever(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		next.ServeHTTP(w, r)
	})
}

// subdomains serves {slug}.{base domain}/path as /t/{slug}/path, so both
// addresses of a tenant reach the same handlers. The pages that belong to
// no workspace (signing in and out, the account, share links, health,
// static files...) are served as they are on a workspace's subdomain too.
func (s *Server) subdomains(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slug := tenant.SlugFromHost(r.Host, s.cfg.BaseDomain)
		if slug != "" && !strings.HasPrefix(r.URL.Path, tenant.Path(slug)) && !platformPath(r.URL.Path) {
			r2 := r.Clone(r.Context())
			r2.URL.Path = tenant.Path(slug) + strings.TrimPrefix(r.URL.Path, "/")
			r2.URL.RawPath = ""
			next.ServeHTTP(w, r2)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// platformPaths are the first segments of the pages that are no
// workspace's (see routes.go).
var platformPaths = map[string]bool{
	"static": true, "healthz": true, "readyz": true, "signin": true, "signout": true, "signup": true, "verify": true,
	"forgot": true, "reset": true, "account": true, "s": true, "invitations": true, "impersonation": true,
	"workspaces": true, "auth": true, "admin": true,
}

// platformPath reports whether path is a page that belongs to no
// workspace.
func platformPath(path string) bool {
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return platformPaths[first]
}
