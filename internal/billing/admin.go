package billing

import (
	"context"
	"time"

	"github.com/patternvault/patternvault/internal/store"
)

// Overview is the platform admin's view of billing: workspaces by plan and
// status, trials and conversion, revenue and churn, and each workspace's
// usage.
type Overview struct {
	// Counts holds how many workspaces are on each plan in each status
	// (Counts[plan][status]); Statuses lists the statuses in order.
	Counts   map[string]map[string]int
	Statuses []string
	// MRRCents is the monthly revenue: every active and past-due
	// subscription's price per month (a yearly one over 12; founding
	// members at their price; trials and comps count nothing). ARRCents
	// is twelve times it.
	MRRCents, ARRCents int64
	// Trialing counts running trials; TrialsEnded the workspaces whose
	// first trial is over, Converted those of them that paid, Conversion
	// their share in percent.
	Trialing, TrialsEnded, Converted int
	Conversion                       float64
	// PayingMonthAgo counts the workspaces that paid 30 days ago, Churned
	// those of them that no longer pay, Churn their share in percent.
	PayingMonthAgo, Churned int
	Churn                   float64
	// Rows are the workspaces of this page with their state and usage.
	Rows []*OverviewRow
	// Next is the slug after which the next page starts ("" at the end).
	Next string
}

// OverviewRow is one workspace on the admin's billing page.
type OverviewRow struct {
	Tenant     *store.Tenant
	OwnerEmail string
	Account    *Account
	Usage      store.Usage
	// MonthlyCents is what it adds to the monthly revenue.
	MonthlyCents int64
}

// Overview computes the admin's billing figures over every workspace and
// the usage of up to limit workspaces after slug after.
func (s *Service) Overview(ctx context.Context, after string, limit int) (*Overview, error) {
	now := s.Now()
	rows, err := s.Store.BillingRows(ctx, now)
	if err != nil {
		return nil, err
	}
	o := &Overview{Counts: map[string]map[string]int{},
		Statuses: []string{store.SubTrialing, store.SubActive, store.SubPastDue, store.SubComped, store.SubExpired, store.SubCanceled}}
	for _, p := range s.plans {
		o.Counts[p.ID] = map[string]int{}
	}
	for _, r := range rows {
		sub := r.Subscription
		if !sub.Stored {
			sub = s.firstTrial(r.Tenant)
		}
		a := s.account(sub)
		if o.Counts[a.Plan.ID] == nil {
			o.Counts[a.Plan.ID] = map[string]int{}
		}
		o.Counts[a.Plan.ID][a.Status]++
		monthly := int64(0)
		if a.Paying() {
			monthly = a.AmountCents
			if a.Interval != "month" {
				monthly = a.AmountCents / 12
			}
		}
		o.MRRCents += monthly
		firstTrialEnd := r.Tenant.CreatedAt.Add(time.Duration(s.Config.TrialDays) * 24 * time.Hour)
		switch {
		case a.Status == store.SubTrialing:
			o.Trialing++
		case sub.ConvertedAt != nil || now.After(firstTrialEnd):
			o.TrialsEnded++
		}
		if sub.ConvertedAt != nil {
			o.Converted++
		}
		if r.Tenant.Slug > after && len(o.Rows) < limit {
			u := r.Usage
			u.Designs, u.StorageBytes, err = s.Store.TenantUsage(ctx, r.Tenant.ID)
			if err != nil {
				return nil, err
			}
			o.Rows = append(o.Rows, &OverviewRow{Tenant: r.Tenant, OwnerEmail: r.OwnerEmail, Account: a, Usage: u, MonthlyCents: monthly})
		}
	}
	o.ARRCents = 12 * o.MRRCents
	if o.TrialsEnded > 0 {
		o.Conversion = 100 * float64(o.Converted) / float64(o.TrialsEnded)
	}
	if o.PayingMonthAgo, o.Churned, err = s.Store.Churned(ctx, now.Add(-30*24*time.Hour)); err != nil {
		return nil, err
	}
	if o.PayingMonthAgo > 0 {
		o.Churn = 100 * float64(o.Churned) / float64(o.PayingMonthAgo)
	}
	if len(o.Rows) == limit {
		o.Next = o.Rows[limit-1].Tenant.Slug
	}
	return o, nil
}
