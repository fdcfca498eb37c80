package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/store"
)

// Sources of a change of plan or status (subscription_history.source).
const (
	sourceTrial  = "trial"
	sourceStripe = "stripe"
	sourceAdmin  = "admin"
	sourceOwner  = "owner"
)

// ledgerEntry is a Stripe event to enter in the ledger with its effect.
type ledgerEntry struct {
	ID, Type string
	Created  time.Time
}

// outcome is what one change did.
type outcome struct {
	before, after store.Subscription
	// saved is false when the change left the subscription as it was.
	saved bool
	// duplicate is set when the event was in the ledger already.
	duplicate bool
	// invoiceURL is the invoice of the event that made the change, for mail.
	invoiceURL string
	amountDue  int64
}

// errUnchanged, returned by a change's edit, leaves the subscription as it
// is (the transaction still commits, with its ledger entry).
var errUnchanged = errors.New("billing: unchanged")

// update changes workspace tenantID's subscription in one transaction:
// it enters ev in the ledger (when given; a repeat does nothing), locks
// the subscription, lets edit change it, saves it with a line of history
// when its plan, status or price moved, and audits an admin's change.
// After the commit it sends the mail the change calls for and adds the
// staged imports a bigger plan has room for.
func (s *Service) update(ctx context.Context, tenantID int64, source string, actor *int64, ev *ledgerEntry,
	audit *store.AuditEntry, edit func(sub *store.Subscription) error) (*outcome, error) {
	out := &outcome{}
	err := s.Store.Tx(ctx, func(st *store.Store) error {
		if ev != nil {
			fresh, err := st.RecordStripeEvent(ctx, ev.ID, ev.Type, tenantID, ev.Created)
			if err != nil {
				return err
			}
			if !fresh {
				out.duplicate = true
				return nil
			}
		}
		sub, err := s.subscription(ctx, st, tenantID, true)
		if err != nil {
			return err
		}
		out.before = *sub
		err = edit(sub)
		if errors.Is(err, errUnchanged) {
			out.after = out.before
			return nil
		}
		if err != nil {
			return err
		}
		out.after = *sub
		if same(*sub, out.before) && sub.Stored {
			return nil
		}
		if err := st.SaveSubscription(ctx, sub); err != nil {
			return err
		}
		out.saved = true
		b, a := out.before, *sub
		if !b.Stored || b.Plan != a.Plan || b.Status != a.Status || b.AmountCents != a.AmountCents || b.Interval != a.Interval {
			if err := st.AddSubscriptionChange(ctx, &store.SubscriptionChange{TenantID: tenantID, Plan: a.Plan, Status: a.Status,
				AmountCents: a.AmountCents, Interval: a.Interval, Source: source, ActorID: actor}); err != nil {
				return err
			}
		}
		if audit != nil {
			audit.TenantID = &tenantID
			return st.Audit(ctx, audit)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("billing: change tenant %d: %w", tenantID, err)
	}
	return out, nil
}

// after sends the mail a saved change calls for and releases the staged
// imports when the workspace gained room. Failures are logged: the
// change itself is done.
func (s *Service) after(ctx context.Context, o *outcome) {
	if !o.saved {
		return
	}
	ctx = context.WithoutCancel(ctx)
	b, a := o.before, o.after
	t, err := s.Store.TenantByID(ctx, a.TenantID)
	if err != nil {
		s.Log.Error("billing: after change", "tenant", a.TenantID, "err", err)
		return
	}
	link := s.billingPage(t.Slug)
	if b.Plan != a.Plan {
		from, to := s.planName(b.Plan), s.planName(a.Plan)
		s.mailOwners(ctx, t, mail.PlanChangedData{Workspace: t.Name, From: from, To: to, Link: link})
	}
	if a.Status == store.SubPastDue && b.Status != store.SubPastDue && a.GraceEndsAt != nil {
		s.mailOwners(ctx, t, mail.PaymentFailedData{Workspace: t.Name, Amount: amountText(o.amountDue, a.AmountCents),
			GraceEnds: day(*a.GraceEndsAt), Link: link, InvoiceLink: o.invoiceURL})
	}
	before, after := s.account(&b), s.account(&a)
	if s.Staged != nil && !after.ReadOnly && (before.ReadOnly || after.Plan.Rank > before.Plan.Rank) {
		if n, err := s.Staged.ReleaseStaged(ctx, a.TenantID); err != nil {
			s.Log.Error("billing: release staged imports", "tenant", a.TenantID, "err", err)
		} else if n > 0 {
			s.Log.Info("billing: staged imports released", "tenant", a.TenantID, "imports", n)
		}
	}
}

func (s *Service) planName(id string) string {
	if p := s.Plan(id); p != nil {
		return p.Name
	}
	return id
}

func amountText(due, fallback int64) string {
	if due <= 0 {
		due = fallback
	}
	if due <= 0 {
		return ""
	}
	return Price(due)
}

// mailOwners sends data to every owner of t.
func (s *Service) mailOwners(ctx context.Context, t *store.Tenant, data mail.Data) {
	owners, err := s.Store.Owners(ctx, t.ID)
	if err != nil {
		s.Log.Error("billing: owners to mail", "tenant", t.ID, "err", err)
		return
	}
	for _, u := range owners {
		if err := s.Mail.Send(ctx, u.Email, data); err != nil {
			s.Log.Error("billing: mail", "kind", data.Kind(), "tenant", t.ID, "err", err)
		}
	}
}

// same reports whether two subscriptions hold the same values.
func same(a, b store.Subscription) bool {
	times := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	return a.Plan == b.Plan && a.Status == b.Status && a.Interval == b.Interval && a.AmountCents == b.AmountCents &&
		a.Currency == b.Currency && a.Founding == b.Founding && times(a.TrialEndsAt, b.TrialEndsAt) &&
		times(a.CurrentPeriodEnd, b.CurrentPeriodEnd) && times(a.GraceEndsAt, b.GraceEndsAt) &&
		a.CancelAtPeriodEnd == b.CancelAtPeriodEnd && a.HasPaymentMethod == b.HasPaymentMethod &&
		a.StripeCustomerID == b.StripeCustomerID && a.StripeSubscriptionID == b.StripeSubscriptionID &&
		a.StripePriceID == b.StripePriceID && times(a.ConvertedAt, b.ConvertedAt) && times(a.CanceledAt, b.CanceledAt) &&
		times(a.TrialRemindedAt, b.TrialRemindedAt) && times(a.GraceRemindedAt, b.GraceRemindedAt)
}
