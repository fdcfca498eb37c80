package web

import (
	"io"
	"net/http"

	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// The workspace's billing settings (owners): its plan, trial or grace
// days, usage against the plan's limits, the plans to move to, the
// Stripe portal and invoices; and Stripe's webhook.

// billingPage is what the billing settings show.
type billingPage struct {
	Account *billing.Account
	Usage   *store.Usage
	Bars    []usageBar
	Plans   []planChoice
	// Stripe is set when billing runs through Stripe (else the admin sets
	// plans); Monthly when monthly billing is offered.
	Stripe, Monthly bool
	Invoices        []billing.Invoice
	// InvoicesDown is set when Stripe could not list the invoices now.
	InvoicesDown bool
	// Key makes a doubled checkout form one Checkout Session.
	Key string
}

// usageBar is one limit with what the workspace uses of it.
type usageBar struct {
	Label     string
	Used, Max int64
	// Text says it in words: "1,234 of 2,000 designs".
	Text string
	Over bool
}

// planChoice is one plan on the billing page, with why the workspace
// cannot move to it (Over) when it holds too much for it.
type planChoice struct {
	Plan    *billing.Plan
	Current bool
	Over    string
	Yearly  string
	Monthly string
	Limits  []string
}

var limitLabels = map[billing.Limit]string{billing.Designs: "Designs", billing.Storage: "Storage", billing.Members: "People",
	billing.ShareLinks: "Active share links", billing.RemoteSearches: "Image searches this month"}

func (s *Server) billingSettings(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	a, u, err := s.billing.AccountUsage(r.Context(), t.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := billingPage{Account: a, Usage: u, Stripe: s.billing.Stripe(), Monthly: s.billing.Config.Monthly, Key: billing.NewCheckoutKey()}
	for _, l := range billing.Limits {
		if l == billing.RemoteSearches && !s.billing.RemoteModel {
			continue
		}
		used, max := billing.Used(u, l), a.Plan.Limit(l)
		page.Bars = append(page.Bars, usageBar{Label: limitLabels[l], Used: used, Max: max, Text: billing.UsageText(l, used, max),
			Over: max != billing.Unlimited && used > max})
	}
	for _, p := range s.billing.Plans() {
		c := planChoice{Plan: p, Current: p.ID == a.Plan.ID, Yearly: billing.Price(p.YearlyCents), Monthly: billing.Price(p.MonthlyCents)}
		if a.Founding && p.ID == billing.Professional {
			c.Yearly = billing.Price(s.billing.Config.FoundingCents)
		}
		if over := billing.Over(p, u); len(over) > 0 && !c.Current {
			c.Over = billing.OverMessage(p, over)
		}
		for _, l := range []billing.Limit{billing.Designs, billing.Members, billing.ShareLinks, billing.Storage} {
			c.Limits = append(c.Limits, limitLabels[l]+": "+billing.Amount(l, p.Limit(l)))
		}
		page.Plans = append(page.Plans, c)
	}
	if page.Stripe {
		if page.Invoices, err = s.billing.Invoices(r.Context(), t.ID); err != nil {
			s.log.Warn("billing page: invoices", "id", RequestID(r.Context()), "err", err)
			page.InvoicesDown = true
		}
	}
	s.render(w, r, http.StatusOK, "billing", pageData{Title: "Billing", Settings: "billing", Data: page})
}

// billingCheckout sends the owner to Stripe Checkout for the plan chosen.
func (s *Server) billingCheckout(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	f := formValues(r, "plan", "interval", "key")
	url, err := s.billing.Checkout(r.Context(), t, currentUser(r), f["plan"], f["interval"], f["key"])
	if err != nil {
		s.failBack(w, r, err, tenant.Path(t.Slug, "settings", "billing"))
		return
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// billingReturn is where Checkout sends the owner back: the subscription
// is applied at once (the webhook may come later).
func (s *Server) billingReturn(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	a, err := s.billing.CompleteCheckout(r.Context(), t, r.URL.Query().Get("session_id"))
	if err != nil {
		s.failBack(w, r, err, tenant.Path(t.Slug, "settings", "billing"))
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "settings", "billing"), "Thank you: this workspace is on the "+a.Plan.Name+" plan.")
}

// billingPortal opens the Stripe Customer Portal (card, receipts, cancel).
func (s *Server) billingPortal(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	url, err := s.billing.Portal(r.Context(), t)
	if err != nil {
		s.failBack(w, r, err, tenant.Path(t.Slug, "settings", "billing"))
		return
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// billingPlan moves a subscribed workspace to another plan.
func (s *Server) billingPlan(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	f := formValues(r, "plan", "interval")
	a, err := s.billing.ChangePlan(r.Context(), t.ID, f["plan"], f["interval"])
	if err != nil {
		s.failBack(w, r, err, tenant.Path(t.Slug, "settings", "billing"))
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "settings", "billing"), "This workspace is now on the "+a.Plan.Name+" plan.")
}

// stripeWebhook takes Stripe's events: the signature is checked on the
// raw body, read up to billing.MaxWebhookBytes. A refused event is a 400
// (nothing changed), a failure for now a 5xx (Stripe sends it again).
func (s *Server) stripeWebhook(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, billing.MaxWebhookBytes)
	payload, err := io.ReadAll(r.Body)
	if err == nil {
		err = s.billing.Webhook(r.Context(), payload, r.Header.Get("Stripe-Signature"))
	}
	if err != nil {
		if p := httpx.Problem(err); p != nil && p.Status < 500 {
			s.log.Warn("stripe webhook refused", "id", RequestID(r.Context()), "err", err)
		}
		httpx.WriteError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"received": true})
}

// writableWhenReadOnly are the workspace actions a read-only workspace
// still takes: an import is held, never refused; subscribing opens the
// workspace again; personal reading aids; and taking things away, which
// makes room for a smaller plan; exporting everything, or a machine kit
// (a download), and deleting the workspace (or cancelling that).
// Everything else that writes waits for a plan.
var writableWhenReadOnly = map[string]bool{
	"POST /t/{slug}/kits":                       true,
	"POST /t/{slug}/jobs/{id}/kit":              true,
	"POST /t/{slug}/offline/changes":            true, // keywords refused inside
	"POST /t/{slug}/exports":                    true,
	"POST /t/{slug}/settings/danger/delete":     true,
	"POST /t/{slug}/settings/danger/cancel":     true,
	"POST /t/{slug}/imports":                    true,
	"POST /t/{slug}/settings/billing/checkout":  true,
	"POST /t/{slug}/settings/billing/portal":    true,
	"POST /t/{slug}/settings/billing/plan":      true,
	"POST /t/{slug}/patterns/{id}/favorite":     true,
	"POST /t/{slug}/machine":                    true,
	"POST /t/{slug}/patterns/{id}/delete":       true,
	"POST /t/{slug}/members/{id}/remove":        true,
	"POST /t/{slug}/invitations/{id}/revoke":    true,
	"POST /t/{slug}/shares/{id}/revoke":         true,
	"POST /t/{slug}/shares/{id}/delete":         true,
	"POST /t/{slug}/saved-searches/{id}/delete": true,
	"POST /t/{slug}/activity/{id}/undo":         false, // an undo can bring designs back
}

// writable refuses a write to a read-only workspace (billing.ErrReadOnly,
// answered with the plans); reads always pass.
func (s *Server) writable(r *http.Request, tenantID int64) error {
	if s.billing == nil || r.Method == http.MethodGet || r.Method == http.MethodHead || writableWhenReadOnly[r.Pattern] {
		return nil
	}
	return s.billing.Writable(r.Context(), tenantID)
}
