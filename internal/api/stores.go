package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/storeapi"
)

// SetServices gives the handler the services of the store and workspace
// endpoints (the routes exist from New on; without the services they
// answer 503).
func (h *Handler) SetServices(acc *accounts.Service, stores *storeapi.Service) {
	h.accounts, h.stores = acc, stores
}

// storeRoutes adds what pattern stores call (a store key or a grant
// token), and the quilter's Inbox.
func (h *Handler) storeRoutes() {
	editor := store.RoleEditor
	h.mux.HandleFunc("POST "+Prefix+"/patterns/import", h.storeAuthed(h.importPattern))
	h.mux.HandleFunc("GET "+Prefix+"/deliveries/{id}", h.storeAuthed(h.getDelivery))
	h.mux.HandleFunc("GET "+Prefix+"/store/owned", h.storeAuthed(h.owned))
	h.mux.HandleFunc("POST "+Prefix+"/oauth/token", h.oauthToken)
	h.mux.HandleFunc("GET "+Prefix+"/inbox", h.authed(editor, h.inbox))
	h.mux.HandleFunc("POST "+Prefix+"/inbox/{id}/accept", h.authed(editor, h.acceptDelivery))
	h.mux.HandleFunc("POST "+Prefix+"/inbox/{id}/decline", h.authed(editor, h.declineDelivery))
}

type storeCallerKey struct{}

func storeCallerFrom(ctx context.Context) *storeapi.Caller {
	c, _ := ctx.Value(storeCallerKey{}).(*storeapi.Caller)
	return c
}

var errNotWired = problem.Unavailable("unavailable", "This part of the API is not available on this server.")

// storeAuthed lets a store in with one of its keys or a grant token.
func (h *Handler) storeAuthed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.stores == nil {
			h.failed(w, r, errNotWired)
			return
		}
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		c, err := h.stores.Authenticate(r.Context(), token)
		if err != nil {
			if problem.Status(err) == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="patternvault", error="invalid_token"`)
			}
			h.failed(w, r, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), storeCallerKey{}, c)))
	}
}

// deliveryJSON is a delivery as a store sees it.
func deliveryJSON(d *store.Delivery, claimURL string) map[string]any {
	out := map[string]any{
		"id": d.ID, "status": storeapi.PublicStatus(d.Status), "link": d.Link, "idempotency_key": d.IdempotencyKey,
		"reason_code": d.ReasonCode, "reason": d.Reason, "designs": d.Designs,
		"created_at": d.CreatedAt, "updated_at": d.UpdatedAt, "landed_at": d.LandedAt,
	}
	if claimURL != "" {
		out["claim_url"] = claimURL
	}
	return out
}

const importHint = `Send JSON such as {"pattern_name": "Feather Border", "file_url": "https://cdn.example.com/feather.zip", "user_email": "pam@example.com", "order_id": "1001", "sku": "FB-1"}.`

// importPattern records a delivery: 202 with its id (the same id for a
// retry with the same Idempotency-Key).
func (h *Handler) importPattern(w http.ResponseWriter, r *http.Request) {
	var req storeapi.ImportRequest
	if h.failed(w, r, decodeStrict(r, 256<<10, &req, importHint)) {
		return
	}
	a, err := h.stores.Import(r.Context(), storeCallerFrom(r.Context()), req, r.Header.Get("Idempotency-Key"))
	if h.failed(w, r, err) {
		return
	}
	if a.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", Prefix+"/deliveries/"+itoa(a.Delivery.ID))
	writeJSON(w, http.StatusAccepted, deliveryJSON(a.Delivery, a.ClaimURL))
}

func (h *Handler) getDelivery(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var d *store.Delivery
	if err == nil {
		d, err = h.stores.Delivery(r.Context(), storeCallerFrom(r.Context()), id)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, deliveryJSON(d, ""))
}

// owned answers "you already own this" for a connected store.
func (h *Handler) owned(w http.ResponseWriter, r *http.Request) {
	sku := r.URL.Query().Get("sku")
	owned, err := h.stores.Owned(r.Context(), storeCallerFrom(r.Context()), sku)
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sku": sku, "owned": owned})
}

// oauthToken is the token endpoint of the store connection (RFC 6749):
// form-encoded in, JSON out, errors as {"error", "error_description"}.
func (h *Handler) oauthToken(w http.ResponseWriter, r *http.Request) {
	if h.stores == nil {
		h.failed(w, r, errNotWired)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, &storeapi.OAuthError{Code: "invalid_request", Description: "send the request as application/x-www-form-urlencoded"})
		return
	}
	req := storeapi.TokenRequest{GrantType: r.PostForm.Get("grant_type"), Code: r.PostForm.Get("code"), RedirectURI: r.PostForm.Get("redirect_uri"),
		CodeVerifier: r.PostForm.Get("code_verifier"), RefreshToken: r.PostForm.Get("refresh_token"),
		ClientID: r.PostForm.Get("client_id"), ClientSecret: r.PostForm.Get("client_secret")}
	if id, secret, ok := r.BasicAuth(); ok {
		req.ClientID, req.ClientSecret = id, secret
	}
	tok, err := h.stores.Token(r.Context(), req)
	var oe *storeapi.OAuthError
	if errors.As(err, &oe) {
		if oe.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="patternvault"`)
		}
		writeJSON(w, oe.Status, oe)
		return
	}
	if h.failed(w, r, err) {
		return
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, tok)
}

// inboxJSON is a waiting delivery as the quilter sees it.
func inboxJSON(d *store.Delivery) map[string]any {
	var req storeapi.ImportRequest
	_ = jsonUnmarshal(d.Request, &req)
	return map[string]any{"id": d.ID, "store": d.StoreName, "pattern_name": req.PatternName, "designs": d.DesignNames,
		"order_id": req.OrderID, "sku": req.SKU, "purchase_date": req.PurchaseDate, "created_at": d.CreatedAt}
}

func (h *Handler) inbox(w http.ResponseWriter, r *http.Request) {
	if h.stores == nil {
		h.failed(w, r, errNotWired)
		return
	}
	ds, err := h.stores.Inbox(r.Context(), CallerFrom(r.Context()).User.ID)
	if h.failed(w, r, err) {
		return
	}
	out := make([]map[string]any, len(ds))
	for i, d := range ds {
		out[i] = inboxJSON(d)
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": out})
}

// acceptDelivery lands an Inbox delivery in the token's workspace.
func (h *Handler) acceptDelivery(w http.ResponseWriter, r *http.Request) {
	if h.stores == nil {
		h.failed(w, r, errNotWired)
		return
	}
	c := CallerFrom(r.Context())
	id, err := httpx.PathID(r, "id")
	var d *store.Delivery
	if err == nil {
		d, err = h.stores.Accept(r.Context(), c.User.ID, id, c.Tenant.ID)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": d.ID, "status": d.Status, "tenant": c.Tenant.Slug})
}

func (h *Handler) declineDelivery(w http.ResponseWriter, r *http.Request) {
	if h.stores == nil {
		h.failed(w, r, errNotWired)
		return
	}
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = h.stores.Decline(r.Context(), CallerFrom(r.Context()).User.ID, id)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "status": store.DeliveryDeclined})
}

// since is the start of the month n months before now (UTC).
func since(n int) time.Time {
	now := time.Now().UTC()
	return time.Date(now.Year(), now.Month()-time.Month(n), 1, 0, 0, 0, 0, time.UTC)
}
