package billing

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Problems of plan changes.
var (
	ErrBadPlan = problem.Invalid("bad_plan", "Choose a plan: starter, professional or business.")
	// ErrOverTarget refuses a downgrade while the workspace holds more
	// than the smaller plan allows; the message lists what is over.
	ErrOverTarget = problem.Conflict("over_target_plan", "This workspace holds more than that plan allows.")
	// ErrManual is a self-service billing action in manual mode.
	ErrManual = problem.Conflict("manual_billing", "Plans of this PatternVault are set by its administrator: please ask them to change yours.")
	// ErrPaysThroughStripe refuses an admin's change to a workspace whose
	// Stripe subscription decides its plan.
	ErrPaysThroughStripe = problem.Conflict("stripe_subscription", "This workspace pays through Stripe: its plan follows its Stripe subscription. Change it there, or ask the owner to change it under Settings → Billing.")
	ErrBadStatus         = problem.Invalid("bad_status", "Choose a status: active (pays by arrangement), comped (free), trialing or canceled.")
	ErrBadTrial          = problem.Invalid("bad_trial", "A trial can be extended by 1 to 365 days.")
	ErrBadInterval       = problem.Invalid("bad_interval", "Choose yearly or monthly billing.")
)

// AdminChange is what the platform admin (or `patternvault tenant plan`)
// changes about a workspace's plan; zero fields keep what is there.
type AdminChange struct {
	// Plan is the plan to put the workspace on.
	Plan string
	// Status is active (pays by arrangement), comped (free), trialing or
	// canceled (read-only); empty: active when Plan is given, else kept.
	Status string
	// TrialDays extends the trial by that many days from its end (or from
	// now when it has ended), and makes the workspace trialing.
	TrialDays int
	// Founding, when set, gives or takes the founding member's price.
	Founding *bool
	// Interval is "year" or "month" (default year).
	Interval string
}

// AdminChangePlan applies an admin's change to workspace tenantID,
// audited as done by actor (nil for the command line) from ip. A
// downgrade is refused while the workspace holds more than the new plan
// allows.
func (s *Service) AdminChangePlan(ctx context.Context, tenantID int64, c AdminChange, actor *int64, ip string) (*Account, error) {
	if c.Plan != "" && s.Plan(c.Plan) == nil {
		return nil, ErrBadPlan
	}
	switch c.Status {
	case "", store.SubActive, store.SubComped, store.SubTrialing, store.SubCanceled:
	default:
		return nil, ErrBadStatus
	}
	if c.TrialDays < 0 || c.TrialDays > 365 {
		return nil, ErrBadTrial
	}
	switch c.Interval {
	case "", "year", "month":
	default:
		return nil, ErrBadInterval
	}
	if c.Plan != "" {
		if err := s.refuseOver(ctx, tenantID, c.Plan); err != nil {
			return nil, err
		}
	}
	detail := map[string]any{}
	audit := &store.AuditEntry{ActorID: actor, Action: "plan changed", Detail: detail, IP: ip}
	out, err := s.update(ctx, tenantID, sourceAdmin, actor, nil, audit, func(sub *store.Subscription) error {
		if sub.StripeSubscriptionID != "" && live(sub.Status) {
			return ErrPaysThroughStripe
		}
		detail["from"] = sub.Plan + " " + sub.Status
		now := s.Now()
		if c.Plan != "" {
			sub.Plan = c.Plan
			if c.Status == "" && c.TrialDays == 0 {
				c.Status = store.SubActive
			}
		}
		if c.Interval != "" {
			sub.Interval = c.Interval
		}
		if c.Founding != nil {
			sub.Founding = *c.Founding
		}
		if c.TrialDays > 0 {
			from := now
			if sub.TrialEndsAt != nil && sub.TrialEndsAt.After(now) {
				from = *sub.TrialEndsAt
			}
			end := from.Add(time.Duration(c.TrialDays) * 24 * time.Hour)
			sub.TrialEndsAt, sub.TrialRemindedAt = &end, nil
			if c.Status == "" {
				c.Status = store.SubTrialing
			}
		}
		if c.Status != "" {
			sub.Status = c.Status
		}
		switch sub.Status {
		case store.SubActive:
			sub.AmountCents = s.listPrice(sub)
			sub.GraceEndsAt, sub.CanceledAt = nil, nil
			if sub.ConvertedAt == nil {
				sub.ConvertedAt = &now
			}
		case store.SubComped, store.SubTrialing:
			sub.AmountCents, sub.GraceEndsAt, sub.CanceledAt = 0, nil, nil
		case store.SubCanceled:
			if sub.CanceledAt == nil {
				sub.CanceledAt = &now
			}
		}
		detail["to"] = sub.Plan + " " + sub.Status
		audit.Action = fmt.Sprintf("plan changed: %s → %s", detail["from"], detail["to"])
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.after(ctx, out)
	return s.Account(ctx, tenantID)
}

// listPrice is what the subscription's plan costs a year or a month, at
// the founding price when it has it.
func (s *Service) listPrice(sub *store.Subscription) int64 {
	p := s.Plan(sub.Plan)
	if p == nil {
		return 0
	}
	if sub.Interval == "month" {
		return p.MonthlyCents
	}
	if sub.Founding && sub.Plan == Professional {
		return s.Config.FoundingCents
	}
	return p.YearlyCents
}

// refuseOver refuses moving workspace tenantID to plan while it holds more
// than the plan allows, listing each thing that is over.
func (s *Service) refuseOver(ctx context.Context, tenantID int64, plan string) error {
	p := s.Plan(plan)
	if p == nil {
		return ErrBadPlan
	}
	_, u, err := s.AccountUsage(ctx, tenantID)
	if err != nil {
		return err
	}
	over := Over(p, u)
	if len(over) == 0 {
		return nil
	}
	return ErrOverTarget.Reword(OverMessage(p, over))
}

// OverMessage lists what a workspace holds beyond plan p's limits.
func OverMessage(p *Plan, over []Overage) string {
	parts := make([]string, len(over))
	for i, o := range over {
		parts[i] = fmt.Sprintf("%s (the %s plan allows %s)", usedWords(o.Limit, o.Used), p.Name, Amount(o.Limit, o.Max))
	}
	return "This workspace holds more than the " + p.Name + " plan allows: " + strings.Join(parts, "; ") +
		". Make room first (nothing is deleted for you), or keep your plan."
}

func usedWords(l Limit, n int64) string {
	switch l {
	case Members:
		return plural(n, "person", "people") + " and invitations"
	}
	return Amount(l, n)
}

// ChangePlan moves the workspace to plan (an owner's choice on the billing
// page): through Stripe when it has a subscription there. Without Stripe
// the administrator sets plans (ErrManual); without a subscription the
// owner subscribes through Checkout instead.
func (s *Service) ChangePlan(ctx context.Context, tenantID int64, plan string, interval string) (*Account, error) {
	if s.stripe == nil {
		return nil, ErrManual
	}
	if s.Plan(plan) == nil {
		return nil, ErrBadPlan
	}
	if interval == "" {
		interval = "year"
	}
	if err := s.checkInterval(interval); err != nil {
		return nil, err
	}
	a, err := s.Account(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if !a.Subscribed {
		return nil, ErrNoSubscription
	}
	if a.Plan.ID == plan && a.Interval == interval {
		return a, nil
	}
	if err := s.refuseOver(ctx, tenantID, plan); err != nil {
		return nil, err
	}
	if err := s.switchStripePrice(ctx, a, plan, interval); err != nil {
		return nil, err
	}
	return s.Account(ctx, tenantID)
}

func (s *Service) checkInterval(interval string) error {
	switch {
	case interval == "year":
		return nil
	case interval == "month" && s.Config.Monthly:
		return nil
	}
	return ErrBadInterval
}

// ErrNoSubscription is a plan change for a workspace without a Stripe
// subscription: it subscribes through Checkout first.
var ErrNoSubscription = problem.New(http.StatusConflict, "no_subscription", "This workspace has no subscription yet: choose a plan and subscribe.")
