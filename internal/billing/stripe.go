package billing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Problems of the Stripe side.
var (
	// ErrStripeDown is Stripe not answering (or answering an error that is
	// not the person's): try again; nothing changed.
	ErrStripeDown = problem.Unavailable("billing_unavailable", "We could not reach our payment provider just now; nothing was changed. Please try again in a minute.")
	// ErrPricesMissing is a plan without a Stripe price (configuration).
	ErrPricesMissing = problem.Unavailable("billing_unconfigured", "Subscribing to that plan is not set up yet; nothing was changed. Please write to us.")
	// ErrAlreadySubscribed is a checkout for a workspace that pays already.
	ErrAlreadySubscribed = problem.Conflict("already_subscribed", "This workspace has a subscription already: change its plan instead, or open the billing portal.")
	// ErrNoCustomer is a portal for a workspace that never subscribed.
	ErrNoCustomer = problem.Conflict("no_customer", "This workspace has no billing account yet: choose a plan to subscribe first.")
)

// stripeClient is PatternVault's side of Stripe: the API calls it makes
// and the plan of each price.
type stripeClient struct {
	api stripeAPI
	cfg config.Billing

	mu     sync.Mutex
	prices map[string]string // "starter_yearly" → price id
	keys   map[string]string // price id → "starter_yearly"
}

// stripeAPI is the part of Stripe's API PatternVault calls, as method
// values of Stripe's client. It holds no *stripe.Client on purpose: the
// templates look methods up by name, so the linker keeps every exported
// method of every type reachable from an interface value, and a struct
// holding the client reached all of Stripe's services — about 870
// interface tables the runtime set up at every start of every command.
type stripeAPI struct {
	listPrices              func(context.Context, *stripe.PriceListParams) *stripe.V1List[*stripe.Price]
	createCheckoutSession   func(context.Context, *stripe.CheckoutSessionCreateParams) (*stripe.CheckoutSession, error)
	retrieveCheckoutSession func(context.Context, string, *stripe.CheckoutSessionRetrieveParams) (*stripe.CheckoutSession, error)
	createCustomer          func(context.Context, *stripe.CustomerCreateParams) (*stripe.Customer, error)
	createPortalSession     func(context.Context, *stripe.BillingPortalSessionCreateParams) (*stripe.BillingPortalSession, error)
	retrieveSubscription    func(context.Context, string, *stripe.SubscriptionRetrieveParams) (*stripe.Subscription, error)
	updateSubscription      func(context.Context, string, *stripe.SubscriptionUpdateParams) (*stripe.Subscription, error)
	listInvoices            func(context.Context, *stripe.InvoiceListParams) *stripe.V1List[*stripe.Invoice]
}

// newStripeAPI returns the calls of a Stripe client with key over b.
func newStripeAPI(key string, b *stripe.Backends) stripeAPI {
	c := stripe.NewClient(key, stripe.WithBackends(b))
	return stripeAPI{
		listPrices:              c.V1Prices.List,
		createCheckoutSession:   c.V1CheckoutSessions.Create,
		retrieveCheckoutSession: c.V1CheckoutSessions.Retrieve,
		createCustomer:          c.V1Customers.Create,
		createPortalSession:     c.V1BillingPortalSessions.Create,
		retrieveSubscription:    c.V1Subscriptions.Retrieve,
		updateSubscription:      c.V1Subscriptions.Update,
		listInvoices:            c.V1Invoices.List,
	}
}

func newStripeClient(cfg config.Billing) *stripeClient {
	bc := &stripe.BackendConfig{
		HTTPClient:        &http.Client{Timeout: 20 * time.Second},
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
		MaxNetworkRetries: stripe.Int64(2),
	}
	if cfg.StripeAPIURL != "" {
		bc.URL = stripe.String(cfg.StripeAPIURL)
	}
	c := &stripeClient{api: newStripeAPI(cfg.StripeSecretKey, stripe.NewBackendsWithConfig(bc)),
		cfg: cfg, prices: map[string]string{}, keys: map[string]string{}}
	for k, id := range cfg.StripePrices {
		c.prices[k], c.keys[id] = id, k
	}
	return c
}

// priceKeys are the prices PatternVault sells, by key.
func priceKeys() []string {
	keys := []string{"founding_yearly"}
	for _, p := range config.PlanNames {
		keys = append(keys, p+"_yearly", p+"_monthly")
	}
	return keys
}

// priceKey names the price of plan at interval ("starter_yearly"); a
// founding member's Professional, yearly, is "founding_yearly".
func priceKey(plan, interval string, founding bool) string {
	if founding && plan == Professional && interval == "year" {
		return "founding_yearly"
	}
	if interval == "month" {
		return plan + "_monthly"
	}
	return plan + "_yearly"
}

// lookupKey is the Stripe lookup key of price key k.
func lookupKey(k string) string { return "patternvault_" + k }

// price returns the Stripe price id of key, looking the configured-less
// ones up by their lookup keys once.
func (c *stripeClient) price(ctx context.Context, key string) (string, error) {
	c.mu.Lock()
	id, ok := c.prices[key]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	if err := c.lookUpPrices(ctx); err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if id, ok := c.prices[key]; ok {
		return id, nil
	}
	return "", ErrPricesMissing.Wrap(fmt.Errorf("no Stripe price with lookup key %s and no PV_STRIPE_PRICE_ for it", lookupKey(key)))
}

// lookUpPrices finds the prices not configured by their lookup keys.
func (c *stripeClient) lookUpPrices(ctx context.Context) error {
	params := &stripe.PriceListParams{Active: stripe.Bool(true)}
	c.mu.Lock()
	for _, k := range priceKeys() {
		if _, ok := c.prices[k]; !ok {
			params.LookupKeys = append(params.LookupKeys, stripe.String(lookupKey(k)))
		}
	}
	c.mu.Unlock()
	if len(params.LookupKeys) == 0 {
		return nil
	}
	for p, err := range c.api.listPrices(ctx, params).All(ctx) {
		if err != nil {
			return stripeFailed("look up prices", err)
		}
		if k, ok := strings.CutPrefix(p.LookupKey, "patternvault_"); ok {
			c.mu.Lock()
			c.prices[k], c.keys[p.ID] = p.ID, k
			c.mu.Unlock()
		}
	}
	return nil
}

// planOfPrice says which plan, interval and founding price a Stripe price
// is: by its configured id, its lookup key, or its metadata "plan".
func (c *stripeClient) planOfPrice(ctx context.Context, p *stripe.Price) (plan, interval string, founding, ok bool) {
	if p == nil {
		return "", "", false, false
	}
	c.mu.Lock()
	key, known := c.keys[p.ID]
	c.mu.Unlock()
	if !known {
		if k, found := strings.CutPrefix(p.LookupKey, "patternvault_"); found {
			key, known = k, true
		}
	}
	if !known && c.lookUpPrices(ctx) == nil {
		c.mu.Lock()
		key, known = c.keys[p.ID]
		c.mu.Unlock()
	}
	interval = "year"
	if p.Recurring != nil && p.Recurring.Interval == stripe.PriceRecurringIntervalMonth {
		interval = "month"
	}
	if known {
		name, _, _ := strings.Cut(key, "_")
		if name == "founding" {
			return Professional, interval, true, true
		}
		return name, interval, false, true
	}
	if name := p.Metadata["plan"]; name != "" {
		return name, interval, p.Metadata["founding"] == "true", true
	}
	return "", interval, false, false
}

// stripeFailed turns a Stripe error into ErrStripeDown (logged cause).
func stripeFailed(what string, err error) error {
	return ErrStripeDown.Wrap(fmt.Errorf("stripe: %s: %w", what, err))
}

// newKey returns a random idempotency key part.
func newKey() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// NewCheckoutKey returns a key for a checkout form: sending the form
// twice (a double click, a reload) makes one Checkout Session, not two.
func NewCheckoutKey() string { return newKey() }

// Checkout starts a Stripe Checkout Session that subscribes workspace t to
// plan at interval, for owner u; it returns the page to send her to. The
// workspace's Stripe customer is made on its first checkout. A trial
// still running goes on in Stripe until its end. key (from
// NewCheckoutKey) makes a repeated request return the same session.
func (s *Service) Checkout(ctx context.Context, t *store.Tenant, u *store.User, plan, interval, key string) (string, error) {
	if s.stripe == nil {
		return "", ErrManual
	}
	if s.Plan(plan) == nil {
		return "", ErrBadPlan
	}
	if interval == "" {
		interval = "year"
	}
	if err := s.checkInterval(interval); err != nil {
		return "", err
	}
	a, err := s.Account(ctx, t.ID)
	if err != nil {
		return "", err
	}
	if a.Subscribed {
		return "", ErrAlreadySubscribed
	}
	if err := s.refuseOver(ctx, t.ID, plan); err != nil {
		return "", err
	}
	customer, err := s.customer(ctx, t, u)
	if err != nil {
		return "", err
	}
	price, err := s.stripe.price(ctx, priceKey(plan, interval, a.Founding))
	if err != nil {
		return "", err
	}
	tid := strconv.FormatInt(t.ID, 10)
	page := s.billingPage(t.Slug)
	params := &stripe.CheckoutSessionCreateParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		Customer:          stripe.String(customer),
		ClientReferenceID: stripe.String(tid),
		LineItems:         []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price), Quantity: stripe.Int64(1)}},
		SuccessURL:        stripe.String(page + "/return?session_id={CHECKOUT_SESSION_ID}"),
		CancelURL:         stripe.String(page),
		SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{
			Metadata: map[string]string{"tenant_id": tid, "workspace": t.Slug},
		},
		Metadata: map[string]string{"tenant_id": tid},
	}
	// Stripe wants a trial to end at least two days ahead.
	if a.Status == store.SubTrialing && a.TrialEndsAt != nil && a.TrialEndsAt.Sub(s.Now()) > 49*time.Hour {
		params.SubscriptionData.TrialEnd = stripe.Int64(a.TrialEndsAt.Unix())
	}
	if key == "" {
		key = newKey()
	}
	params.SetIdempotencyKey("pv-checkout-" + tid + "-" + plan + "-" + interval + "-" + key)
	cs, err := s.stripe.api.createCheckoutSession(ctx, params)
	if err != nil {
		return "", stripeFailed("create checkout session", err)
	}
	return cs.URL, nil
}

// customer returns workspace t's Stripe customer, making it (for owner u)
// the first time; the mapping is kept with the subscription.
func (s *Service) customer(ctx context.Context, t *store.Tenant, u *store.User) (string, error) {
	a, err := s.Account(ctx, t.ID)
	if err != nil {
		return "", err
	}
	if a.sub.StripeCustomerID != "" {
		return a.sub.StripeCustomerID, nil
	}
	tid := strconv.FormatInt(t.ID, 10)
	params := &stripe.CustomerCreateParams{
		Email:    stripe.String(u.Email),
		Name:     stripe.String(t.Name),
		Metadata: map[string]string{"tenant_id": tid, "workspace": t.Slug},
	}
	// Two first checkouts at once make one customer.
	params.SetIdempotencyKey("pv-customer-" + tid)
	c, err := s.stripe.api.createCustomer(ctx, params)
	if err != nil {
		return "", stripeFailed("create customer", err)
	}
	id := c.ID
	_, err = s.update(ctx, t.ID, sourceOwner, &u.ID, nil, nil, func(sub *store.Subscription) error {
		if sub.StripeCustomerID != "" {
			id = sub.StripeCustomerID
			return errUnchanged
		}
		sub.StripeCustomerID = id
		return nil
	})
	return id, err
}

// Portal opens a Stripe Customer Portal session for workspace t (a new
// one per click) and returns its page: change the card, see receipts,
// cancel.
func (s *Service) Portal(ctx context.Context, t *store.Tenant) (string, error) {
	if s.stripe == nil {
		return "", ErrManual
	}
	a, err := s.Account(ctx, t.ID)
	if err != nil {
		return "", err
	}
	if !a.Customer {
		return "", ErrNoCustomer
	}
	ps, err := s.stripe.api.createPortalSession(ctx, &stripe.BillingPortalSessionCreateParams{
		Customer:  stripe.String(a.sub.StripeCustomerID),
		ReturnURL: stripe.String(s.billingPage(t.Slug)),
	})
	if err != nil {
		return "", stripeFailed("create portal session", err)
	}
	return ps.URL, nil
}

// ErrNoSuchCheckout is a return from Checkout that is not this workspace's.
var ErrNoSuchCheckout = problem.NotFound("no_such_checkout", "That checkout is not one of this workspace's.")

// CompleteCheckout applies at once the subscription that Checkout session
// sessionID made for workspace t (people come back before the webhook).
func (s *Service) CompleteCheckout(ctx context.Context, t *store.Tenant, sessionID string) (*Account, error) {
	if s.stripe == nil {
		return nil, ErrManual
	}
	if !strings.HasPrefix(sessionID, "cs_") || len(sessionID) > 255 {
		return nil, ErrNoSuchCheckout
	}
	cs, err := s.stripe.api.retrieveCheckoutSession(ctx, sessionID, &stripe.CheckoutSessionRetrieveParams{})
	if err != nil {
		var se *stripe.Error
		if errors.As(err, &se) && se.HTTPStatusCode == http.StatusNotFound {
			return nil, ErrNoSuchCheckout.Wrap(err)
		}
		return nil, stripeFailed("retrieve checkout session", err)
	}
	if cs.ClientReferenceID != strconv.FormatInt(t.ID, 10) {
		return nil, ErrNoSuchCheckout.Wrap(fmt.Errorf("session %s is for %q, not tenant %d", cs.ID, cs.ClientReferenceID, t.ID))
	}
	if cs.Subscription != nil && cs.Subscription.ID != "" {
		if _, err := s.sync(ctx, t.ID, cs.Subscription.ID, nil); err != nil {
			return nil, err
		}
	}
	return s.Account(ctx, t.ID)
}

// sync fetches subscription id from Stripe and applies its state to
// workspace tenantID, entering ev in the ledger with it (when given).
func (s *Service) sync(ctx context.Context, tenantID int64, id string, ev *ledgerEntry) (*outcome, error) {
	ss, err := s.stripe.api.retrieveSubscription(ctx, id, &stripe.SubscriptionRetrieveParams{
		Expand: []*string{stripe.String("customer")},
	})
	if err != nil {
		return nil, stripeFailed("retrieve subscription "+id, err)
	}
	return s.apply(ctx, tenantID, ss, ev)
}

// apply makes workspace tenantID's subscription what Stripe says ss is.
// An older subscription of the workspace never overrides a newer one: a
// subscription other than the one on record is taken only when it is
// live and the one on record is not.
func (s *Service) apply(ctx context.Context, tenantID int64, ss *stripe.Subscription, ev *ledgerEntry) (*outcome, error) {
	var item *stripe.SubscriptionItem
	if ss.Items != nil && len(ss.Items.Data) > 0 {
		item = ss.Items.Data[0]
	}
	var price *stripe.Price
	if item != nil {
		price = item.Price
	}
	plan, interval, founding, known := s.stripe.planOfPrice(ctx, price)
	if known && s.Plan(plan) == nil {
		known = false
	}
	out, err := s.update(ctx, tenantID, sourceStripe, nil, ev, nil, func(sub *store.Subscription) error {
		if sub.StripeSubscriptionID != "" && sub.StripeSubscriptionID != ss.ID && !(stripeLive(ss.Status) && !live(sub.Status)) {
			s.Log.Warn("billing: event of another subscription ignored", "tenant", tenantID, "subscription", ss.ID, "current", sub.StripeSubscriptionID)
			return errUnchanged
		}
		if ss.Status == stripe.SubscriptionStatusIncomplete {
			return errUnchanged // checkout not paid yet; nothing to apply
		}
		now := s.Now()
		sub.StripeSubscriptionID = ss.ID
		if ss.Customer != nil && ss.Customer.ID != "" {
			sub.StripeCustomerID = ss.Customer.ID
		}
		if known {
			sub.Plan, sub.Interval, sub.Founding = plan, interval, founding
		} else {
			s.Log.Warn("billing: subscription price of no known plan; plan kept", "tenant", tenantID, "subscription", ss.ID)
		}
		if price != nil {
			sub.StripePriceID = price.ID
			q := int64(1)
			if item.Quantity > 0 {
				q = item.Quantity
			}
			sub.AmountCents = price.UnitAmount * q
			if price.Currency != "" {
				sub.Currency = string(price.Currency)
			}
		}
		if item != nil && item.CurrentPeriodEnd > 0 {
			sub.CurrentPeriodEnd = unix(item.CurrentPeriodEnd)
		}
		sub.CancelAtPeriodEnd = ss.CancelAtPeriodEnd
		sub.HasPaymentMethod = ss.DefaultPaymentMethod != nil || ss.DefaultSource != nil ||
			(ss.Customer != nil && ss.Customer.InvoiceSettings != nil && ss.Customer.InvoiceSettings.DefaultPaymentMethod != nil)
		switch ss.Status {
		case stripe.SubscriptionStatusTrialing:
			sub.Status, sub.GraceEndsAt, sub.CanceledAt = store.SubTrialing, nil, nil
			if ss.TrialEnd > 0 {
				sub.TrialEndsAt = unix(ss.TrialEnd)
			}
		case stripe.SubscriptionStatusActive:
			sub.Status, sub.GraceEndsAt, sub.GraceRemindedAt, sub.CanceledAt = store.SubActive, nil, nil, nil
			if sub.ConvertedAt == nil {
				sub.ConvertedAt = &now
			}
		case stripe.SubscriptionStatusPastDue, stripe.SubscriptionStatusUnpaid:
			if sub.Status != store.SubPastDue || sub.GraceEndsAt == nil {
				end := now.Add(time.Duration(s.Config.GraceDays) * 24 * time.Hour)
				sub.GraceEndsAt = &end
			}
			sub.Status = store.SubPastDue
			if sub.ConvertedAt == nil {
				sub.ConvertedAt = &now
			}
		case stripe.SubscriptionStatusCanceled, stripe.SubscriptionStatusIncompleteExpired:
			sub.Status, sub.GraceEndsAt = store.SubCanceled, nil
			if sub.CanceledAt == nil {
				sub.CanceledAt = &now
				if ss.CanceledAt > 0 {
					sub.CanceledAt = unix(ss.CanceledAt)
				}
			}
		case stripe.SubscriptionStatusPaused:
			sub.Status = store.SubExpired
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// stripeLive reports whether a Stripe subscription status keeps a
// workspace going.
func stripeLive(st stripe.SubscriptionStatus) bool {
	switch st {
	case stripe.SubscriptionStatusTrialing, stripe.SubscriptionStatusActive, stripe.SubscriptionStatusPastDue:
		return true
	}
	return false
}

func unix(sec int64) *time.Time {
	t := time.Unix(sec, 0).UTC()
	return &t
}

// switchStripePrice moves a's Stripe subscription to plan at interval,
// prorated, and applies the subscription Stripe answers with.
func (s *Service) switchStripePrice(ctx context.Context, a *Account, plan, interval string) error {
	price, err := s.stripe.price(ctx, priceKey(plan, interval, a.Founding))
	if err != nil {
		return err
	}
	cur, err := s.stripe.api.retrieveSubscription(ctx, a.sub.StripeSubscriptionID, nil)
	if err != nil {
		return stripeFailed("retrieve subscription", err)
	}
	if cur.Items == nil || len(cur.Items.Data) == 0 {
		return stripeFailed("change plan", fmt.Errorf("subscription %s has no item", cur.ID))
	}
	params := &stripe.SubscriptionUpdateParams{
		Items:             []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(cur.Items.Data[0].ID), Price: stripe.String(price)}},
		ProrationBehavior: stripe.String("create_prorations"),
	}
	params.AddExpand("customer")
	params.SetIdempotencyKey("pv-plan-" + cur.ID + "-" + price + "-" + strconv.FormatInt(s.Now().Unix()/60, 10))
	ss, err := s.stripe.api.updateSubscription(ctx, cur.ID, params)
	if err != nil {
		return stripeFailed("change plan", err)
	}
	out, err := s.apply(ctx, a.TenantID, ss, nil)
	if err != nil {
		return err
	}
	s.after(ctx, out)
	return nil
}

// Invoice is one of a workspace's Stripe invoices, for the billing page.
type Invoice struct {
	Date   time.Time
	Number string
	Amount string
	Status string
	// URL is Stripe's page of the invoice (receipt, PDF).
	URL string
}

// Invoices lists workspace tenantID's latest Stripe invoices (none in
// manual mode or before the first checkout).
func (s *Service) Invoices(ctx context.Context, tenantID int64) ([]Invoice, error) {
	if s.stripe == nil {
		return nil, nil
	}
	a, err := s.Account(ctx, tenantID)
	if err != nil || !a.Customer {
		return nil, err
	}
	params := &stripe.InvoiceListParams{Customer: stripe.String(a.sub.StripeCustomerID)}
	params.Limit = stripe.Int64(12)
	params.Single = true
	var out []Invoice
	for inv, err := range s.stripe.api.listInvoices(ctx, params).All(ctx) {
		if err != nil {
			return nil, stripeFailed("list invoices", err)
		}
		out = append(out, Invoice{Date: time.Unix(inv.Created, 0), Number: inv.Number, Amount: Price(inv.Total),
			Status: string(inv.Status), URL: inv.HostedInvoiceURL})
	}
	return out, nil
}
