// Package api serves PatternVault's JSON API under /api/v1. Every request
// carries a personal API token (Authorization: Bearer pv_...) and acts as
// that token's user, in that token's workspace, with that user's role.
//
// How to add an endpoint:
//
//  1. Add its route to the routes function of its area (libraryRoutes,
//     shareRoutes, ...): method, path and the least role it needs, as
//     h.authed(role, handler). The route lines are the API's sitemap.
//  2. The handler only translates: it reads the path (httpx.PathID), the
//     query and the body (httpx.DecodeJSON with an example of what to
//     send), makes ONE service call (library, share, accounts...) that
//     checks the rules and owns its transaction, and writes the answer
//     with writeJSON. Reads without a rule may use h.store.ReadTenant.
//  3. Errors go to h.failed (httpx.WriteError), the one JSON mapper: a
//     problem (internal/problem) from the service becomes its status and
//     {"error": {"code", "message"}}; anything else is logged and a 500.
//     Never write an error's text yourself.
//  4. Test it in internal/web's API tests, against the real server.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/kit"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/search"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/storeapi"
)

// Prefix is where the API lives. A workspace's own address works too:
// /t/{slug}/api/v1/... (and {slug}.{domain}/api/v1/...), which must then
// match the token's workspace.
const Prefix = "/api/v1"

// Handler serves the API.
type Handler struct {
	store   *store.Store
	library *library.Service
	shares  *share.Service
	search  *search.Service
	kits    *kit.Service
	backup  *backup.Service
	// business is set by SetBusiness.
	business *business.Service
	log      *slog.Logger
	mux      *routeMux
	// accounts and stores serve the workspace and store endpoints (set
	// with SetServices).
	accounts *accounts.Service
	stores   *storeapi.Service
	// searches limits searches per user.
	searches *auth.Limiter
	// Billing holds the plans: GET /billing, and read-only workspaces
	// (writes refused, imports held) through it.
	Billing *billing.Service
}

// New returns the API handler.
func New(st *store.Store, lib *library.Service, shares *share.Service, srch *search.Service, bk *backup.Service, log *slog.Logger) *Handler {
	h := &Handler{store: st, library: lib, shares: shares, search: srch, kits: kit.New(lib), backup: bk, log: log, mux: newRouteMux(),
		searches: auth.NewLimiter(300, time.Minute)}
	h.routes()
	return h
}

// routes is the sitemap of the API.
func (h *Handler) routes() {
	h.mux.HandleFunc("GET "+Prefix+"/me", h.authed(store.RoleViewer, h.me))
	h.libraryRoutes()
	h.shareRoutes()
	h.savedRoutes()
	h.businessRoutes()
	h.kitRoutes()
	h.backupRoutes()
	h.billingRoutes()
	h.storeRoutes()
	h.workspaceRoutes()
	h.mux.HandleFunc("GET "+Prefix+"/openapi.json", serveOpenAPI)
	h.mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such API endpoint")
	})
}

// SetSearchLimit changes how many searches a user may make a minute
// (benchmarks, which search far faster than a person, raise it).
func (h *Handler) SetSearchLimit(perMinute int) { h.searches = auth.NewLimiter(perMinute, time.Minute) }

// ServeHTTP serves /api/v1/... and /t/{slug}/api/v1/....
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	slug := ""
	if rest, ok := strings.CutPrefix(r.URL.Path, "/t/"); ok {
		var path string
		slug, path, _ = strings.Cut(rest, "/")
		r = r.Clone(r.Context())
		r.URL.Path = "/" + path
		r.URL.RawPath = ""
	}
	r = r.WithContext(context.WithValue(r.Context(), slugKey{}, slug))
	h.mux.ServeHTTP(w, r)
	httpx.NoteRoute(r) // the API's own route, for the latency metrics
}

type slugKey struct{}

// Caller is who a request acts as.
type Caller struct {
	User   *store.User
	Tenant *store.Tenant
	Role   string
	Token  *store.APIToken
}

type callerKey struct{}

// CallerFrom returns the authenticated caller of an API request.
func CallerFrom(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	return c
}

// authed checks the bearer token and the caller's role (at least min).
func (h *Handler) authed(min string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !auth.LooksLikeAPIToken(strings.TrimSpace(token)) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="patternvault"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "send a personal API token: Authorization: Bearer pv_...")
			return
		}
		c, err := h.caller(r.Context(), strings.TrimSpace(token))
		if errors.Is(err, store.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="patternvault", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "this token is not valid (revoked, or its access was removed)")
			return
		}
		if err != nil {
			h.log.ErrorContext(r.Context(), "api: authenticate", "path", r.URL.Path, "err", err)
			writeError(w, http.StatusInternalServerError, "internal", "something went wrong on our side")
			return
		}
		if slug, _ := r.Context().Value(slugKey{}).(string); slug != "" && slug != c.Tenant.Slug {
			writeError(w, http.StatusForbidden, "wrong_workspace", "this token belongs to another workspace")
			return
		}
		if c.Tenant.Status != store.TenantActive {
			writeError(w, http.StatusForbidden, "workspace_suspended", "this workspace is paused")
			return
		}
		if !store.RoleAtLeast(c.Role, min) {
			writeError(w, http.StatusForbidden, "forbidden", "your role ("+c.Role+") does not allow this")
			return
		}
		if err := h.writable(r, c.Tenant.ID); err != nil {
			httpx.WriteError(w, r, h.log, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	}
}

func (h *Handler) caller(ctx context.Context, token string) (*Caller, error) {
	c, err := h.store.APICallerByHash(ctx, auth.HashToken(token))
	if err != nil {
		return nil, err
	}
	return &Caller{User: c.User, Tenant: c.Tenant, Role: c.Role, Token: c.Token}, nil
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{
		"id": c.User.ID, "email": c.User.Email, "name": c.User.DisplayName,
		"tenant": map[string]any{"id": c.Tenant.ID, "slug": c.Tenant.Slug, "name": c.Tenant.Name},
		"slug":   c.Tenant.Slug, "role": c.Role,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) { httpx.WriteJSON(w, status, v) }

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, httpx.ErrorBody{Error: httpx.ErrorDetail{Code: code, Message: message}})
}
