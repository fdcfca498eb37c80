// Package billing is PatternVault's plans, entitlements, usage and
// payments (DESIGN decision 11), after Plausible's Feature and Quota.
//
// The plan table (plans.go) is the one place that says what each plan
// includes: its counted limits (designs, storage, members, active share
// links, remote searches a month) and its features (image search,
// portfolio, the business tools). Prices, storage and remote searches
// are configuration (internal/config, PV_PRICE_*, PV_STORAGE_GB_*,
// PV_REMOTE_SEARCHES_*). A founding member's price is an override on one
// subscription, not a plan.
//
// Every write point asks this package, in one of two shapes:
//
//	err := bill.Check(ctx, tenantID, billing.Members, 1)   // invite, share, import, keywords, ...
//	err := bill.Feature(ctx, tenantID, billing.Invoices)   // a paid feature
//
// Check is the one check point of every counted limit: the plan's, an
// operator's override for one workspace, and the platform's caps of
// internal/limits (imports an hour, keywords, saved searches, a ceiling
// on designs and bytes) for what the plans do not set.
//
// The answer is nil or a problem written one way: the limit, where the
// workspace stands, and how to upgrade. A counted limit has a 10 % margin:
// a write that starts under the limit may end up to 10 % over it; one
// that starts at or over it waits. Nothing is ever taken away: reading,
// downloading and exporting a library work in every state, an import
// over the limit is kept as a staged batch (library) and added after an
// upgrade, a downgrade is refused while the workspace holds more than the
// smaller plan allows, and a workspace that stops paying becomes
// read-only, never deleted.
//
// # States
//
// A new workspace starts a Professional trial of PV_TRIAL_DAYS (14) with
// no card. It subscribes through Stripe Checkout, or, without Stripe keys
// (manual mode, the embedded default), the platform admin sets its plan,
// extends its trial or comps it. A failed payment starts a grace period
// of PV_GRACE_DAYS (14) with banners and mail; after it, and after a trial
// or subscription ends, the workspace is read-only until it pays again.
//
// # Stripe
//
// Stripe is the billing engine: the Customer is made at the first
// checkout and mapped to the workspace; Checkout Sessions (subscription
// mode, the remaining trial, an idempotency key, client_reference_id =
// the workspace) subscribe; Customer Portal sessions change the card,
// cancel and show receipts. Every subscription or invoice event (webhook
// POST /billing/webhook, signature checked on the size-limited raw body,
// each event id handled once) makes billing fetch the subscription from
// Stripe again and apply that state, so events arriving out of order can
// never bring a cancelled workspace back nor lock out a paying one.
package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/limits"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// Service runs billing.
type Service struct {
	Store   *store.Store
	Mail    mail.Sender
	Config  config.Billing
	BaseURL string
	Log     *slog.Logger
	// Now is the clock (tests move it).
	Now func() time.Time
	// Staged, when set, adds a workspace's staged imports once its plan
	// has room for them (library.Service).
	Staged StagedImports
	// RemoteModel says whether search has a remote model at all (pages
	// show the image-search allowance only then).
	RemoteModel bool

	plans  []*Plan
	stripe *stripeClient
	// caps checks the platform's caps (internal/limits) with this
	// service's Limits and the plans' margin.
	caps *limits.Checker
}

// StagedImports adds the imports held over a workspace's plan once it
// has room (library.Service.ReleaseStaged).
type StagedImports interface {
	ReleaseStaged(ctx context.Context, tenantID int64) (int, error)
}

// New returns the billing service; with cfg.StripeSecretKey set it talks
// to Stripe (at cfg.StripeAPIURL when set), else it runs in manual mode.
func New(st *store.Store, m mail.Sender, cfg config.Billing, baseURL string, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.TrialDays <= 0 {
		cfg.TrialDays = 14
	}
	if cfg.GraceDays <= 0 {
		cfg.GraceDays = 14
	}
	s := &Service{Store: st, Mail: m, Config: cfg, BaseURL: strings.TrimRight(baseURL, "/"), Log: log, Now: time.Now, plans: Plans(cfg)}
	if cfg.Stripe() {
		s.stripe = newStripeClient(cfg)
	}
	s.caps = &limits.Checker{Store: st, For: s.Limits, Margin: Margin / 100.0}
	return s
}

// Stripe reports whether billing runs through Stripe (else manual mode).
func (s *Service) Stripe() bool { return s.stripe != nil }

// Account is a workspace's billing state as people see it.
type Account struct {
	TenantID int64
	Plan     *Plan
	// Status is the subscription's status (store.Sub*); a trial past its
	// end reads store.SubExpired.
	Status   string
	Interval string
	// AmountCents is what one interval costs this workspace.
	AmountCents       int64
	Founding          bool
	TrialEndsAt       *time.Time
	CurrentPeriodEnd  *time.Time
	GraceEndsAt       *time.Time
	CancelAtPeriodEnd bool
	HasPaymentMethod  bool
	// Customer reports whether the workspace has a Stripe customer (so
	// the portal can open).
	Customer bool
	// Subscribed reports whether a Stripe subscription is live.
	Subscribed bool
	// ReadOnly is set when the workspace may read, download and export
	// but not add or change; Reason says why, for people.
	ReadOnly bool
	Reason   string

	sub *store.Subscription
	now time.Time
}

// TrialEnd is when the workspace's trial ends or ended, for a workspace
// trialing or whose trial expired; nil once it is on a plan (the end of
// a trial before it stays in the subscription, but is no longer news).
func (a *Account) TrialEnd() *time.Time {
	if a.Status != store.SubTrialing && a.Status != store.SubExpired {
		return nil
	}
	return a.TrialEndsAt
}

// TrialDaysLeft is the whole days left of a trial (0 when not trialing).
func (a *Account) TrialDaysLeft() int {
	if a.Status != store.SubTrialing || a.TrialEndsAt == nil {
		return 0
	}
	return daysUntil(a.now, *a.TrialEndsAt)
}

// GraceDaysLeft is the whole days left of a grace period after a failed
// payment (0 when there is none).
func (a *Account) GraceDaysLeft() int {
	if a.Status != store.SubPastDue || a.GraceEndsAt == nil || a.ReadOnly {
		return 0
	}
	return daysUntil(a.now, *a.GraceEndsAt)
}

// Paying reports whether the workspace pays (active or past due).
func (a *Account) Paying() bool {
	return a.Status == store.SubActive || a.Status == store.SubPastDue
}

func daysUntil(now, t time.Time) int {
	d := t.Sub(now)
	if d <= 0 {
		return 0
	}
	return int((d + 24*time.Hour - 1) / (24 * time.Hour))
}

// live reports whether a stored status is one that keeps a Stripe
// subscription going.
func live(status string) bool {
	return status == store.SubTrialing || status == store.SubActive || status == store.SubPastDue
}

// Account returns workspace tenantID's billing state.
func (s *Service) Account(ctx context.Context, tenantID int64) (*Account, error) {
	sub, err := s.subscription(ctx, s.Store, tenantID, false)
	if err != nil {
		return nil, err
	}
	return s.account(sub), nil
}

// subscription reads (lock: locks) the workspace's subscription, or makes
// the default one of its first trial when it has no row.
func (s *Service) subscription(ctx context.Context, st *store.Store, tenantID int64, lock bool) (*store.Subscription, error) {
	read := st.Subscription
	if lock {
		read = st.LockSubscription
	}
	sub, err := read(ctx, tenantID)
	if errors.Is(err, store.ErrNotFound) {
		t, terr := st.TenantByID(ctx, tenantID)
		if terr != nil {
			return nil, terr
		}
		return s.firstTrial(t), nil
	}
	if err != nil {
		return nil, fmt.Errorf("billing: %w", err)
	}
	return sub, nil
}

// firstTrial is the subscription of a workspace billing has not touched:
// the Professional trial, from the day it was made.
func (s *Service) firstTrial(t *store.Tenant) *store.Subscription {
	end := t.CreatedAt.Add(time.Duration(s.Config.TrialDays) * 24 * time.Hour)
	return &store.Subscription{TenantID: t.ID, Plan: Professional, Status: store.SubTrialing, Interval: "year",
		Currency: "usd", TrialEndsAt: &end, CreatedAt: t.CreatedAt}
}

// account derives the state people see from a subscription row.
func (s *Service) account(sub *store.Subscription) *Account {
	now := s.Now()
	p := s.Plan(sub.Plan)
	if p == nil {
		p = s.Plan(Professional)
	}
	a := &Account{TenantID: sub.TenantID, Plan: p, Status: sub.Status, Interval: sub.Interval, AmountCents: sub.AmountCents,
		Founding: sub.Founding, TrialEndsAt: sub.TrialEndsAt, CurrentPeriodEnd: sub.CurrentPeriodEnd, GraceEndsAt: sub.GraceEndsAt,
		CancelAtPeriodEnd: sub.CancelAtPeriodEnd, HasPaymentMethod: sub.HasPaymentMethod, Customer: sub.StripeCustomerID != "",
		Subscribed: sub.StripeSubscriptionID != "" && live(sub.Status), sub: sub, now: now}
	switch sub.Status {
	case store.SubTrialing:
		// A Stripe trial ends by Stripe's word (the card is charged, or
		// not); a trial without a subscription ends by the clock.
		if sub.StripeSubscriptionID == "" && sub.TrialEndsAt != nil && !now.Before(*sub.TrialEndsAt) {
			a.Status = store.SubExpired
			a.ReadOnly, a.Reason = true, "Your trial ended on "+day(*sub.TrialEndsAt)+"."
		}
	case store.SubPastDue:
		if sub.GraceEndsAt != nil && !now.Before(*sub.GraceEndsAt) {
			a.ReadOnly, a.Reason = true, "The payment for this workspace failed and its grace period ended on "+day(*sub.GraceEndsAt)+"."
		}
	case store.SubCanceled:
		a.ReadOnly, a.Reason = true, "This workspace's subscription has ended."
	case store.SubExpired:
		a.ReadOnly, a.Reason = true, "This workspace's trial has ended."
		if sub.TrialEndsAt != nil {
			a.Reason = "Your trial ended on " + day(*sub.TrialEndsAt) + "."
		}
	}
	return a
}

// day writes a date for people: "5 June 2026".
func day(t time.Time) string { return t.Format("2 January 2006") }

// count writes a whole number with thousands separators: "2,000".
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// billingPage is the workspace's billing settings page, for links in mail.
func (s *Service) billingPage(slug string) string {
	return s.BaseURL + tenant.Path(slug, "settings", "billing")
}
