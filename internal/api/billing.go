package api

import (
	"net/http"
	"time"

	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
)

// billingRoutes adds the billing endpoints: the plan, status and usage
// against limits, and the Stripe pages to subscribe and to manage.
func (h *Handler) billingRoutes() {
	viewer, owner := store.RoleViewer, store.RoleOwner
	h.mux.HandleFunc("GET "+Prefix+"/billing", h.authed(viewer, h.getBilling))
	h.mux.HandleFunc("POST "+Prefix+"/billing/checkout", h.authed(owner, h.billingCheckout))
	h.mux.HandleFunc("POST "+Prefix+"/billing/portal", h.authed(owner, h.billingPortal))
}

// usageJSON is one counted limit: what is used, and the limit (null for
// none).
type usageJSON struct {
	Used  int64  `json:"used"`
	Limit *int64 `json:"limit"`
}

// billingJSON is the answer of GET /api/v1/billing.
type billingJSON struct {
	Plan          string               `json:"plan"`
	PlanName      string               `json:"plan_name"`
	Status        string               `json:"status"`
	Mode          string               `json:"mode"`
	Interval      string               `json:"interval"`
	AmountCents   int64                `json:"amount_cents"`
	Founding      bool                 `json:"founding"`
	TrialEndsAt   *time.Time           `json:"trial_ends_at"`
	TrialDaysLeft int                  `json:"trial_days_left"`
	GraceEndsAt   *time.Time           `json:"grace_ends_at"`
	ReadOnly      bool                 `json:"read_only"`
	Reason        string               `json:"reason,omitempty"`
	Usage         map[string]usageJSON `json:"usage"`
	Staged        map[string]int64     `json:"staged"`
	Features      map[string]bool      `json:"features"`
}

func (h *Handler) getBilling(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	a, u, err := h.Billing.AccountUsage(r.Context(), c.Tenant.ID)
	if h.failed(w, r, err) {
		return
	}
	out := billingJSON{Plan: a.Plan.ID, PlanName: a.Plan.Name, Status: a.Status, Mode: "manual", Interval: a.Interval,
		AmountCents: a.AmountCents, Founding: a.Founding, TrialEndsAt: a.TrialEnd(), TrialDaysLeft: a.TrialDaysLeft(),
		GraceEndsAt: a.GraceEndsAt, ReadOnly: a.ReadOnly, Reason: a.Reason, Usage: map[string]usageJSON{},
		Staged: map[string]int64{"imports": u.StagedImports, "designs": u.StagedDesigns}, Features: map[string]bool{}}
	if h.Billing.Stripe() {
		out.Mode = "stripe"
	}
	for _, l := range billing.Limits {
		uj := usageJSON{Used: billing.Used(u, l)}
		if max := a.Plan.Limit(l); max != billing.Unlimited {
			uj.Limit = &max
		}
		out.Usage[string(l)] = uj
	}
	for _, f := range []billing.Feature{billing.RemoteSearch, billing.Portfolio, billing.Customers, billing.Jobs,
		billing.Invoices, billing.Analytics, billing.TaxExport, billing.PrioritySupport} {
		out.Features[string(f)] = a.Plan.Has(f)
	}
	writeJSON(w, http.StatusOK, out)
}

// billingCheckout answers the Stripe Checkout page that subscribes the
// workspace: {"plan": "professional", "interval": "year"}. An
// Idempotency-Key header makes a repeated request the same session.
func (h *Handler) billingCheckout(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	var in struct {
		Plan     string `json:"plan"`
		Interval string `json:"interval"`
	}
	err := httpx.DecodeJSON(r, 4<<10, &in, `send {"plan": "starter", "professional" or "business", "interval": "year" or "month"}`)
	var url string
	if err == nil {
		url, err = h.Billing.Checkout(r.Context(), c.Tenant, c.User, in.Plan, in.Interval, r.Header.Get("Idempotency-Key"))
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": url})
}

// billingPortal answers a new Stripe Customer Portal page.
func (h *Handler) billingPortal(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	url, err := h.Billing.Portal(r.Context(), c.Tenant)
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": url})
}

// writableWhenReadOnly are the writes a read-only workspace still takes,
// as on the pages (internal/web's list): an import (an upload, or a
// store's delivery accepted from the Inbox) is held, never refused;
// subscribing opens it again; taking things away (a design, a member, a
// share link, a saved search) brings it under a smaller plan; declining
// a delivery, joining another workspace, a platform admin's suspension
// and a machine kit (a download) change nothing in it; an export of
// everything is never refused.
var writableWhenReadOnly = map[string]bool{
	"DELETE " + Prefix + "/patterns/{id}":               true,
	"POST " + Prefix + "/shares/{id}/revoke":            true,
	"DELETE " + Prefix + "/saved-searches/{id}":         true,
	"POST " + Prefix + "/exports":                       true,
	"DELETE " + Prefix + "/tenants/{slug}":              true,
	"POST " + Prefix + "/imports":                       true,
	"POST " + Prefix + "/kits":                          true,
	"POST " + Prefix + "/billing/checkout":              true,
	"POST " + Prefix + "/billing/portal":                true,
	"POST " + Prefix + "/inbox/{id}/accept":             true,
	"POST " + Prefix + "/inbox/{id}/decline":            true,
	"DELETE " + Prefix + "/tenants/{slug}/members/{id}": true,
	"POST " + Prefix + "/invitations/{token}/accept":    true,
	"POST " + Prefix + "/admin/tenants/{slug}/suspend":  true,
}

// writable refuses a write to a read-only workspace (billing.ErrReadOnly);
// reads always pass.
func (h *Handler) writable(r *http.Request, tenantID int64) error {
	if h.Billing == nil || r.Method == http.MethodGet || r.Method == http.MethodHead || writableWhenReadOnly[r.Pattern] {
		return nil
	}
	return h.Billing.Writable(r.Context(), tenantID)
}
