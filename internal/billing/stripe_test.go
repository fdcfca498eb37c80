package billing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/billing/stripetest"
	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testrig"
)

const webhookSecret = "whsec_test_patternvault"

// stripeRig is a rig whose billing talks to Stripe at apiURL, with the
// test prices configured, and a workspace acme owned by pam.
func stripeRig(t *testing.T, apiURL string, prices map[string]string) (*testrig.Rig, *store.Tenant, *store.User) {
	t.Helper()
	r := testrig.New(t, testrig.Options{Billing: func(b *config.Billing) {
		b.StripeSecretKey, b.StripeWebhookSecret, b.StripeAPIURL, b.Monthly = "sk_test_123", webhookSecret, apiURL, true
		b.StripePrices = prices
	}})
	acme := r.Tenant(t, "acme")
	ctx := context.Background()
	pam, err := r.Accounts.SignUp(ctx, "pam@example.com", "Pam", "a quilt of many colours", "192.0.2.1", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Store.AddMember(ctx, acme.ID, pam.ID, store.RoleOwner); err != nil {
		t.Fatal(err)
	}
	return r, acme, pam
}

// TestStripeRequestShapes sends every request billing makes to
// stripe-mock, which checks each against Stripe's API document: the
// customer and the Checkout Session of a first checkout (trial,
// idempotency key, client_reference_id), a portal session, looking
// prices up by lookup key, fetching a subscription with its customer,
// switching its price, listing invoices and reading a Checkout Session.
func TestStripeRequestShapes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mock := stripetest.Mock(t)
	r, acme, pam := stripeRig(t, mock, nil)

	// No price configured: they are looked up by lookup key, which
	// stripe-mock answers with prices of no such key: a clear problem.
	_, err := r.Billing.Checkout(ctx, acme, pam, billing.Professional, "year", "k1")
	if !errors.Is(err, billing.ErrPricesMissing) {
		t.Fatalf("checkout without prices = %v, want ErrPricesMissing", err)
	}
	r2, acme2, pam2 := stripeRig(t, mock, stripetest.Prices)
	url, err := r2.Billing.Checkout(ctx, acme2, pam2, billing.Professional, "year", "k1")
	if err != nil || !strings.HasPrefix(url, "https://checkout.stripe.com/") {
		t.Fatalf("checkout = %q, %v", url, err)
	}
	a, err := r2.Billing.Account(ctx, acme2.ID)
	if err != nil || !a.Customer {
		t.Fatalf("after the first checkout the customer is not mapped: %+v %v", a, err)
	}
	if url, err := r2.Billing.Checkout(ctx, acme2, pam2, billing.Professional, "month", "k2"); err != nil || url == "" {
		t.Fatalf("monthly checkout = %q, %v", url, err)
	}
	if url, err := r2.Billing.Portal(ctx, acme2); err != nil || url == "" {
		t.Fatalf("portal = %q, %v", url, err)
	}
	invoices, err := r2.Billing.Invoices(ctx, acme2.ID)
	if err != nil || len(invoices) == 0 {
		t.Fatalf("invoices = %v, %v", invoices, err)
	}
	// stripe-mock's session is nobody's: refused, after a well-formed read.
	if _, err := r2.Billing.CompleteCheckout(ctx, acme2, "cs_test_123"); !errors.Is(err, billing.ErrNoSuchCheckout) {
		t.Fatalf("stripe-mock's session = %v, want ErrNoSuchCheckout", err)
	}
	// A signed event makes billing fetch the subscription (with its
	// customer) from stripe-mock.
	ev := stripetest.Event("evt_shape", "customer.subscription.updated",
		stripetest.SubObject(stripetest.Sub{ID: "sub_123", Customer: "cus_mock", Status: stripe.SubscriptionStatusActive, TenantID: acme2.ID}), time.Now(), "")
	if err := r2.Billing.Webhook(ctx, ev, stripetest.Sign(ev, webhookSecret, time.Now())); err != nil {
		t.Fatalf("webhook against stripe-mock: %v", err)
	}
	if a, _ := r2.Billing.Account(ctx, acme2.ID); !a.Subscribed {
		t.Errorf("the subscription stripe-mock answered was not applied: %+v", a)
	}
}

// fakeRig is a rig talking to a Fake Stripe, with acme subscribed to
// Professional through sub_1.
func fakeRig(t *testing.T) (*testrig.Rig, *stripetest.Fake, *store.Tenant, stripetest.Sub) {
	t.Helper()
	ctx := context.Background()
	f := stripetest.NewFake(t)
	r, acme, pam := stripeRig(t, f.URL, stripetest.Prices)
	url, err := r.Billing.Checkout(ctx, acme, pam, billing.Professional, "year", "first")
	if err != nil {
		t.Fatal(err)
	}
	id := url[strings.LastIndex(url, "/")+1:]
	sub := stripetest.Sub{ID: "sub_1", Customer: "cus_fake1", Status: stripe.SubscriptionStatusActive, Price: "price_professional_yearly",
		Card: true, TenantID: acme.ID}
	f.Set(sub)
	f.SessionDone(id, "sub_1")
	a, err := r.Billing.CompleteCheckout(ctx, acme, id)
	if err != nil || a.Plan.ID != billing.Professional || a.Status != store.SubActive || a.AmountCents != 59900 {
		t.Fatalf("after checkout: %+v, %v", a, err)
	}
	return r, f, acme, sub
}

func send(t *testing.T, r *testrig.Rig, id, typ string, object any, created time.Time) error {
	t.Helper()
	ev := stripetest.Event(id, typ, object, created, "")
	return r.Billing.Webhook(context.Background(), ev, stripetest.Sign(ev, webhookSecret, time.Now()))
}

func account(t *testing.T, r *testrig.Rig, tn *store.Tenant) *billing.Account {
	t.Helper()
	a, err := r.Billing.Account(context.Background(), tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func ledger(t *testing.T, r *testrig.Rig) int {
	t.Helper()
	n, err := r.Store.CountStripeEvents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWebhookSignatureAndLedger: a good event applies; the same event
// again is a no-op (even when Stripe's state moved on); a wrong secret, a
// stale signature and another API version are refused and change
// nothing; an unknown type is noted and answered with success.
func TestWebhookSignatureAndLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, f, acme, sub := fakeRig(t)

	sub.Price = stripetest.Prices["business_yearly"]
	f.Set(sub)
	obj := stripetest.SubObject(sub)
	if err := send(t, r, "evt_good", "customer.subscription.updated", obj, time.Now()); err != nil {
		t.Fatalf("good event: %v", err)
	}
	if a := account(t, r, acme); a.Plan.ID != billing.Business || a.AmountCents != 99900 {
		t.Fatalf("after the good event: %s %d", a.Plan.ID, a.AmountCents)
	}
	n := ledger(t, r)
	fetches := f.Count("GET /v1/subscriptions")

	// The same event again: nothing, not even a fetch.
	sub.Status = stripe.SubscriptionStatusCanceled
	f.Set(sub)
	if err := send(t, r, "evt_good", "customer.subscription.updated", obj, time.Now()); err != nil {
		t.Fatalf("repeat: %v", err)
	}
	if a := account(t, r, acme); a.Status != store.SubActive || ledger(t, r) != n || f.Count("GET /v1/subscriptions") != fetches {
		t.Fatalf("a repeated event changed things: %s, ledger %d→%d", a.Status, n, ledger(t, r))
	}

	bad := []struct {
		name    string
		payload []byte
		sig     string
		want    error
	}{
		{"wrong secret", stripetest.Event("evt_a", "customer.subscription.deleted", obj, time.Now(), ""), "whsec_other", billing.ErrBadSignature},
		{"stale timestamp", stripetest.Event("evt_b", "customer.subscription.deleted", obj, time.Now(), ""), "stale", billing.ErrStaleSignature},
		{"wrong API train", stripetest.Event("evt_c", "customer.subscription.deleted", obj, time.Now(), "2025-03-31.basil"), webhookSecret, billing.ErrWrongAPI},
		{"no signature", stripetest.Event("evt_d", "customer.subscription.deleted", obj, time.Now(), ""), "", billing.ErrBadSignature},
	}
	for _, c := range bad {
		sig := ""
		switch c.sig {
		case "stale":
			sig = stripetest.Sign(c.payload, webhookSecret, time.Now().Add(-10*time.Minute))
		case "":
		default:
			sig = stripetest.Sign(c.payload, c.sig, time.Now())
		}
		err := r.Billing.Webhook(ctx, c.payload, sig)
		if !errors.Is(err, c.want) || problem.Status(err) != 400 {
			t.Errorf("%s: %v (status %d), want %v 400", c.name, err, problem.Status(err), c.want)
		}
	}
	if a := account(t, r, acme); a.Status != store.SubActive || ledger(t, r) != n {
		t.Fatalf("refused events changed things: %s, ledger %d→%d", a.Status, n, ledger(t, r))
	}

	// A type billing does not use: 200, noted once.
	if err := send(t, r, "evt_other", "customer.created", map[string]any{"id": "cus_x", "object": "customer"}, time.Now()); err != nil {
		t.Fatalf("unknown type: %v", err)
	}
	if ledger(t, r) != n+1 {
		t.Errorf("unknown type not noted")
	}
}

// TestWebhookOutOfOrderNeverReactivates: the subscription is deleted, and
// then a stale updated{active} event arrives: billing fetches the
// subscription again and it stays cancelled (read-only, designs kept).
// And a late payment_failed after a payment went through does not lock
// a paying workspace out.
func TestWebhookOutOfOrderNeverReactivates(t *testing.T) {
	t.Parallel()
	r, f, acme, sub := fakeRig(t)
	stale := stripetest.SubObject(sub) // active, as it was
	earlier := time.Now().Add(-time.Hour)

	sub.Status = stripe.SubscriptionStatusCanceled
	f.Set(sub)
	if err := send(t, r, "evt_deleted", "customer.subscription.deleted", stripetest.SubObject(sub), time.Now()); err != nil {
		t.Fatal(err)
	}
	if a := account(t, r, acme); a.Status != store.SubCanceled || !a.ReadOnly {
		t.Fatalf("after deleted: %s read-only %v", a.Status, a.ReadOnly)
	}
	if err := send(t, r, "evt_stale_update", "customer.subscription.updated", stale, earlier); err != nil {
		t.Fatal(err)
	}
	if a := account(t, r, acme); a.Status != store.SubCanceled || !a.ReadOnly {
		t.Fatalf("a stale updated{active} reactivated the workspace: %s", a.Status)
	}

	// A second workspace pays; a payment_failed event delivered after
	// the payment went through leaves it paying.
	r2, _, acme2, sub2 := fakeRig(t)
	if err := send(t, r2, "evt_late_fail", "invoice.payment_failed", stripetest.Invoice("in_1", sub2, 59900, false), earlier); err != nil {
		t.Fatal(err)
	}
	if a := account(t, r2, acme2); a.Status != store.SubActive || a.GraceEndsAt != nil {
		t.Fatalf("a late payment_failed locked a paying workspace: %s grace %v", a.Status, a.GraceEndsAt)
	}
}

// TestWebhookTrialEndingFailedRecoveredAndPortalPlanChange: a trial about
// to end with no card mails the owner; a failed payment starts the grace
// period with a dunning mail and a banner state; a recovered payment ends
// it with a receipt; a plan changed in the portal applies with a mail.
// A transient failure answers an error so Stripe retries, and the retry
// applies.
func TestWebhookTrialEndingFailedRecoveredAndPortalPlanChange(t *testing.T) {
	t.Parallel()
	r, f, acme, sub := fakeRig(t)

	// Trial ending, no card.
	trialSub := sub
	trialSub.Status, trialSub.TrialEnd, trialSub.Card = stripe.SubscriptionStatusTrialing, time.Now().Add(3*24*time.Hour), false
	f.Set(trialSub)
	if err := send(t, r, "evt_trial", "customer.subscription.trial_will_end", stripetest.SubObject(trialSub), time.Now()); err != nil {
		t.Fatal(err)
	}
	m := r.Mail.Last(t, mail.KindTrialEnding, "pam@example.com")
	if d := m.Data.(mail.TrialEndingData); d.HasCard || d.DaysLeft != 3 || !strings.Contains(m.Message.Text, "choose a plan") {
		t.Errorf("trial ending mail: %+v\n%s", d, m.Message.Text)
	}
	if a := account(t, r, acme); a.Status != store.SubTrialing || a.HasPaymentMethod {
		t.Errorf("trialing without card: %s card %v", a.Status, a.HasPaymentMethod)
	}

	// Failed payment: past due, grace of 14 days, dunning mail.
	sub.Status = stripe.SubscriptionStatusPastDue
	f.Set(sub)
	if err := send(t, r, "evt_failed", "invoice.payment_failed", stripetest.Invoice("in_2", sub, 59900, false), time.Now()); err != nil {
		t.Fatal(err)
	}
	a := account(t, r, acme)
	if a.Status != store.SubPastDue || a.ReadOnly || a.GraceDaysLeft() != 14 {
		t.Fatalf("after a failed payment: %s read-only %v, %d grace days", a.Status, a.ReadOnly, a.GraceDaysLeft())
	}
	d := r.Mail.Last(t, mail.KindPaymentFailed, "pam@example.com").Data.(mail.PaymentFailedData)
	if d.Amount != "$599" || d.GraceEnds == "" || d.InvoiceLink != "https://invoice.stripe.com/i/in_2" {
		t.Errorf("dunning mail: %+v", d)
	}
	// The grace period runs out: read-only, never deleted.
	r.Billing.Now = func() time.Time { return time.Now().Add(15 * 24 * time.Hour) }
	if a := account(t, r, acme); !a.ReadOnly {
		t.Fatalf("after the grace period: not read-only")
	}
	r.Billing.Now = time.Now

	// Recovered: active again, receipt.
	sub.Status = stripe.SubscriptionStatusActive
	f.Set(sub)
	if err := send(t, r, "evt_paid", "invoice.paid", stripetest.Invoice("in_2", sub, 59900, true), time.Now()); err != nil {
		t.Fatal(err)
	}
	if a := account(t, r, acme); a.Status != store.SubActive || a.GraceEndsAt != nil || a.ReadOnly {
		t.Fatalf("after the payment went through: %s grace %v", a.Status, a.GraceEndsAt)
	}
	rc := r.Mail.Last(t, mail.KindReceipt, "pam@example.com").Data.(mail.ReceiptData)
	if rc.Amount != "$599" || rc.InvoiceLink == "" {
		t.Errorf("receipt: %+v", rc)
	}

	// A transient failure: an error, nothing noted; the retry applies.
	sub.Price = stripetest.Prices["business_yearly"]
	f.Set(sub)
	f.SetDown(true)
	err := send(t, r, "evt_portal", "customer.subscription.updated", stripetest.SubObject(sub), time.Now())
	if err == nil || problem.Status(err) < 500 {
		t.Fatalf("Stripe down = %v (status %d), want a 5xx so Stripe retries", err, problem.Status(err))
	}
	if a := account(t, r, acme); a.Plan.ID != billing.Professional {
		t.Fatalf("a failed delivery changed the plan to %s", a.Plan.ID)
	}
	f.SetDown(false)
	// The plan changed in the portal: the retried event applies it.
	if err := send(t, r, "evt_portal", "customer.subscription.updated", stripetest.SubObject(sub), time.Now()); err != nil {
		t.Fatal(err)
	}
	if a := account(t, r, acme); a.Plan.ID != billing.Business {
		t.Fatalf("after the portal's plan change: %s", a.Plan.ID)
	}
	pc := r.Mail.Last(t, mail.KindPlanChanged, "pam@example.com").Data.(mail.PlanChangedData)
	if pc.From != "Professional" || pc.To != "Business" {
		t.Errorf("plan mail: %+v", pc)
	}
}

// TestOwnerPlanChangeThroughStripe: a subscribed owner switches plan on
// the billing page: Stripe's subscription gets the new price (prorated)
// and billing applies what Stripe answers; a downgrade below what the
// workspace holds is refused before Stripe is asked.
func TestOwnerPlanChangeThroughStripe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, f, acme, _ := fakeRig(t)
	a, err := r.Billing.ChangePlan(ctx, acme.ID, billing.Business, "year")
	if err != nil || a.Plan.ID != billing.Business || f.Count("POST /v1/subscriptions/sub_1") != 1 {
		t.Fatalf("switch to Business: %+v %v (%d updates)", a, err, f.Count("POST /v1/subscriptions/sub_1"))
	}
	seedPatterns(t, r, acme, 2100)
	_, err = r.Billing.ChangePlan(ctx, acme.ID, billing.Starter, "year")
	if !errors.Is(err, billing.ErrOverTarget) || f.Count("POST /v1/subscriptions/sub_1") != 1 {
		t.Fatalf("downgrade while over = %v", err)
	}
	if _, err := r.Billing.Checkout(ctx, acme, nil, billing.Business, "year", ""); !errors.Is(err, billing.ErrAlreadySubscribed) {
		t.Fatalf("second checkout = %v, want ErrAlreadySubscribed", err)
	}
}

// TestWebhookWithoutSecret: in manual mode (no Stripe keys) the webhook
// refuses every event with a 400, as it refuses a bad signature.
func TestWebhookWithoutSecret(t *testing.T) {
	s := billing.New(nil, nil, config.Billing{}, "http://pv.example", nil)
	ev := stripetest.Event("evt_off", "customer.subscription.deleted", map[string]any{"id": "sub_1", "object": "subscription"}, time.Now(), "")
	err := s.Webhook(context.Background(), ev, stripetest.Sign(ev, "whsec_any", time.Now()))
	p, ok := problem.As(err)
	if !errors.Is(err, billing.ErrWebhookOff) || !ok || p.Status != 400 {
		t.Fatalf("webhook without a secret = %v, want the 400 %v", err, billing.ErrWebhookOff)
	}
}
