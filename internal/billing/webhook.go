package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// MaxWebhookBytes bounds the body of a webhook read (Stripe's events are
// a few kilobytes).
const MaxWebhookBytes = 512 << 10

// WebhookTolerance is how old a webhook's signature may be.
const WebhookTolerance = 5 * time.Minute

// Problems of the webhook. A refused event changes nothing.
var (
	// ErrWebhookOff: without a webhook secret no signature can verify,
	// so every event is refused as a bad one would be.
	ErrWebhookOff     = problem.BadRequest("webhook_off", "This server has no Stripe webhook secret (PV_STRIPE_WEBHOOK_SECRET), so no event's signature can be checked: nothing was changed.")
	ErrBadSignature   = problem.BadRequest("bad_signature", "The Stripe-Signature header does not match this body.")
	ErrStaleSignature = problem.BadRequest("stale_signature", "The event's signature is too old.")
	ErrWrongAPI       = problem.BadRequest("wrong_api_version", "This endpoint reads events of Stripe's API version "+stripe.APIVersion+": set the webhook endpoint's API version to it.")
	ErrBadEvent       = problem.BadRequest("bad_event", "The event's object cannot be read.")
)

// Webhook handles one Stripe webhook: payload is the raw body (at most
// MaxWebhookBytes), signature its Stripe-Signature header. It returns nil
// when the event is handled or needs nothing (a repeat, a type billing
// does not use), a 400 problem when the event is refused (bad or old
// signature, another API version: nothing changes), and any other error
// when handling failed for now, so that Stripe delivers it again.
func (s *Service) Webhook(ctx context.Context, payload []byte, signature string) error {
	if s.stripe == nil || s.Config.StripeWebhookSecret == "" {
		return ErrWebhookOff
	}
	ev, err := webhook.ConstructEventWithOptions(payload, signature, s.Config.StripeWebhookSecret,
		webhook.ConstructEventOptions{Tolerance: WebhookTolerance})
	switch {
	case errors.Is(err, webhook.ErrTooOld):
		return ErrStaleSignature.Wrap(err)
	case errors.Is(err, webhook.ErrNotSigned), errors.Is(err, webhook.ErrInvalidHeader), errors.Is(err, webhook.ErrNoValidSignature):
		return ErrBadSignature.Wrap(err)
	case err != nil && strings.Contains(err.Error(), "API version"):
		return ErrWrongAPI.Wrap(err)
	case err != nil:
		return ErrBadEvent.Wrap(err)
	}
	if ev.ID == "" || ev.Data == nil {
		return ErrBadEvent.Wrap(fmt.Errorf("event without id or data"))
	}
	seen, err := s.Store.StripeEventSeen(ctx, ev.ID)
	if err != nil || seen {
		return err
	}
	entry := &ledgerEntry{ID: ev.ID, Type: string(ev.Type), Created: time.Unix(ev.Created, 0)}
	switch ev.Type {
	case stripe.EventTypeCheckoutSessionCompleted:
		var cs stripe.CheckoutSession
		if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil {
			return ErrBadEvent.Wrap(err)
		}
		return s.checkoutCompleted(ctx, &cs, entry)
	case stripe.EventTypeCustomerSubscriptionCreated, stripe.EventTypeCustomerSubscriptionUpdated,
		stripe.EventTypeCustomerSubscriptionDeleted, stripe.EventTypeCustomerSubscriptionTrialWillEnd,
		stripe.EventTypeCustomerSubscriptionPaused, stripe.EventTypeCustomerSubscriptionResumed:
		var ss stripe.Subscription
		if err := json.Unmarshal(ev.Data.Raw, &ss); err != nil {
			return ErrBadEvent.Wrap(err)
		}
		return s.subscriptionEvent(ctx, &ss, entry)
	case stripe.EventTypeInvoicePaid, stripe.EventTypeInvoicePaymentFailed, stripe.EventTypeInvoicePaymentActionRequired:
		var inv stripe.Invoice
		if err := json.Unmarshal(ev.Data.Raw, &inv); err != nil {
			return ErrBadEvent.Wrap(err)
		}
		return s.invoiceEvent(ctx, &inv, entry)
	}
	// A type billing does not use: noted, answered 200.
	_, err = s.Store.RecordStripeEvent(ctx, entry.ID, entry.Type, 0, entry.Created)
	return err
}

// checkoutCompleted maps the session's customer to its workspace
// (client_reference_id) and applies the subscription it made.
func (s *Service) checkoutCompleted(ctx context.Context, cs *stripe.CheckoutSession, ev *ledgerEntry) error {
	tenantID, _ := strconv.ParseInt(cs.ClientReferenceID, 10, 64)
	if tenantID > 0 {
		if _, err := s.Store.TenantByID(ctx, tenantID); errors.Is(err, store.ErrNotFound) {
			tenantID = 0
		} else if err != nil {
			return err
		}
	}
	if tenantID == 0 && cs.Customer != nil {
		tenantID = s.tenantOfCustomer(ctx, cs.Customer.ID, nil)
	}
	if tenantID == 0 || cs.Subscription == nil || cs.Subscription.ID == "" {
		return s.unmatched(ctx, ev, "checkout session "+cs.ID)
	}
	out, err := s.sync(ctx, tenantID, cs.Subscription.ID, ev)
	if err != nil {
		return err
	}
	s.after(ctx, out)
	return nil
}

// subscriptionEvent fetches the subscription again and applies it; a
// trial about to end also mails the owners.
func (s *Service) subscriptionEvent(ctx context.Context, ss *stripe.Subscription, ev *ledgerEntry) error {
	tenantID := s.tenantOfCustomer(ctx, customerID(ss.Customer), ss.Metadata)
	if tenantID == 0 {
		return s.unmatched(ctx, ev, "subscription "+ss.ID)
	}
	out, err := s.sync(ctx, tenantID, ss.ID, ev)
	if err != nil {
		return err
	}
	s.after(ctx, out)
	if ev.Type == string(stripe.EventTypeCustomerSubscriptionTrialWillEnd) && !out.duplicate {
		s.trialEnding(ctx, tenantID, &out.after, sourceStripe)
	}
	return nil
}

// invoiceEvent fetches the invoice's subscription again and applies it;
// a paid invoice mails its receipt, one that needs the owner mails her.
func (s *Service) invoiceEvent(ctx context.Context, inv *stripe.Invoice, ev *ledgerEntry) error {
	subID := ""
	if inv.Parent != nil && inv.Parent.SubscriptionDetails != nil && inv.Parent.SubscriptionDetails.Subscription != nil {
		subID = inv.Parent.SubscriptionDetails.Subscription.ID
	}
	var meta map[string]string
	if inv.Parent != nil && inv.Parent.SubscriptionDetails != nil {
		meta = inv.Parent.SubscriptionDetails.Metadata
	}
	tenantID := s.tenantOfCustomer(ctx, customerID(inv.Customer), meta)
	if tenantID == 0 || subID == "" {
		return s.unmatched(ctx, ev, "invoice "+inv.ID)
	}
	out, err := s.sync(ctx, tenantID, subID, ev)
	if err != nil {
		return err
	}
	out.invoiceURL, out.amountDue = inv.HostedInvoiceURL, inv.AmountDue
	s.after(ctx, out)
	if out.duplicate {
		return nil
	}
	t, err := s.Store.TenantByID(ctx, tenantID)
	if err != nil {
		s.Log.Error("billing: invoice mail", "tenant", tenantID, "err", err)
		return nil
	}
	switch ev.Type {
	case string(stripe.EventTypeInvoicePaid):
		if inv.AmountPaid > 0 {
			s.mailOwners(ctx, t, mail.ReceiptData{Workspace: t.Name, Amount: Price(inv.AmountPaid), Date: day(s.Now()),
				InvoiceLink: inv.HostedInvoiceURL, Link: s.billingPage(t.Slug)})
		}
	case string(stripe.EventTypeInvoicePaymentActionRequired):
		s.mailOwners(ctx, t, mail.PaymentFailedData{Workspace: t.Name, Amount: amountText(inv.AmountDue, 0), ActionNeeded: true,
			Link: s.billingPage(t.Slug), InvoiceLink: inv.HostedInvoiceURL})
	}
	return nil
}

// unmatched enters an event no workspace can be found for: answered 200
// (Stripe need not send it again), logged for the admin.
func (s *Service) unmatched(ctx context.Context, ev *ledgerEntry, what string) error {
	s.Log.Warn("billing: stripe event of no known workspace", "event", ev.ID, "type", ev.Type, "object", what)
	_, err := s.Store.RecordStripeEvent(ctx, ev.ID, ev.Type, 0, ev.Created)
	return err
}

// tenantOfCustomer finds the workspace of a Stripe customer: by the
// mapping made at its first checkout, else by the tenant_id metadata
// checkout puts on the subscription; 0 when none.
func (s *Service) tenantOfCustomer(ctx context.Context, customer string, meta map[string]string) int64 {
	if customer != "" {
		sub, err := s.Store.SubscriptionByCustomer(ctx, customer)
		if err == nil {
			return sub.TenantID
		}
		if !errors.Is(err, store.ErrNotFound) {
			s.Log.Error("billing: workspace of customer", "customer", customer, "err", err)
		}
	}
	if id, err := strconv.ParseInt(meta["tenant_id"], 10, 64); err == nil && id > 0 {
		if _, err := s.Store.TenantByID(ctx, id); err == nil {
			return id
		}
	}
	return 0
}

func customerID(c *stripe.Customer) string {
	if c == nil {
		return ""
	}
	return c.ID
}

// trialEnding mails the owners that the trial ends soon (with or without
// a card on file) and notes the reminder.
func (s *Service) trialEnding(ctx context.Context, tenantID int64, sub *store.Subscription, source string) {
	if sub.TrialEndsAt == nil {
		return
	}
	t, err := s.Store.TenantByID(ctx, tenantID)
	if err != nil {
		s.Log.Error("billing: trial mail", "tenant", tenantID, "err", err)
		return
	}
	s.mailOwners(ctx, t, mail.TrialEndingData{Workspace: t.Name, Ends: day(*sub.TrialEndsAt),
		DaysLeft: daysUntil(s.Now(), *sub.TrialEndsAt), HasCard: sub.HasPaymentMethod, Link: s.billingPage(t.Slug)})
	now := s.Now()
	if _, err := s.update(ctx, tenantID, source, nil, nil, nil, func(cur *store.Subscription) error {
		cur.TrialRemindedAt = &now
		return nil
	}); err != nil {
		s.Log.Error("billing: note trial reminder", "tenant", tenantID, "err", err)
	}
}
