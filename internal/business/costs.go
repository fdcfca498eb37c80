package business

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// ExpenseCategories are the kinds of money spent.
var ExpenseCategories = []string{"batting", "thread", "backing", "supplies", "equipment", "other"}

// ExpenseInput is money spent: materials bought (batting rolls, thread
// cones) or a cost of one job (JobID).
type ExpenseInput struct {
	On          time.Time // zero: today
	Category    string
	Description string
	Amount      Cents
	// Tax is the sales tax included in Amount, if she wants it apart.
	Tax   Cents
	JobID int64
}

// AddExpense records an expense.
func (s *Service) AddExpense(ctx context.Context, tenantID int64, in ExpenseInput) (*store.Expense, error) {
	if err := s.require(ctx, tenantID, FeatureJobs); err != nil {
		return nil, err
	}
	in.Description = strings.Join(strings.Fields(in.Description), " ")
	known := false
	for _, c := range ExpenseCategories {
		known = known || c == in.Category
	}
	switch {
	case !known:
		return nil, invalid("bad_category", "Choose what it was for: batting, thread, backing, supplies, equipment or other.")
	case in.Description == "" || utf8.RuneCountInString(in.Description) > 200:
		return nil, invalid("bad_description", "Say what it was, in up to 200 characters.")
	case in.Amount <= 0 || in.Amount > 100_000_000:
		return nil, invalid("bad_amount", "The amount must be more than zero.")
	case in.Tax < 0 || in.Tax > in.Amount:
		return nil, invalid("bad_tax", "The tax in it cannot be more than the amount.")
	}
	if in.On.IsZero() {
		in.On = s.today()
	}
	e := &store.Expense{SpentOn: in.On, Category: in.Category, Description: in.Description, AmountCents: int64(in.Amount), TaxCents: int64(in.Tax)}
	if in.JobID != 0 {
		e.JobID = &in.JobID
	}
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		if in.JobID != 0 {
			if _, err := tx.Job(ctx, in.JobID); err != nil {
				return notFoundAs(err, ErrNoJob)
			}
		}
		return tx.AddExpense(ctx, e)
	})
	if err != nil {
		return nil, fmt.Errorf("business: add expense: %w", err)
	}
	return e, nil
}

// DeleteExpense removes an expense.
func (s *Service) DeleteExpense(ctx context.Context, tenantID, id int64) error {
	if err := s.require(ctx, tenantID, FeatureJobs); err != nil {
		return err
	}
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.DeleteExpense(ctx, id) })
	return notFoundAs(err, problem.NotFound("no_such_expense", "That expense does not exist."))
}

// Costs is a year's expenses and the margin of its finished jobs.
type Costs struct {
	Year     int
	Expenses []*store.Expense
	Total    Cents
	Jobs     []JobMargin
}

// JobMargin is one job's revenue less its own costs, and per hour.
type JobMargin struct {
	store.JobMoney
	Margin Cents `json:"margin_cents"`
	// PerHour is the margin per hour spent (0 without hours).
	PerHour Cents `json:"margin_per_hour_cents"`
}

// Margin computes a job's margin from its money.
func Margin(m store.JobMoney) JobMargin {
	jm := JobMargin{JobMoney: m, Margin: Cents(m.Revenue - m.Costs)}
	if m.Hours > 0 {
		jm.PerHour = Cents(mulDivRound(int64(jm.Margin), 100, m.Hours))
	}
	return jm
}

// Costs reads a year's expenses and its finished jobs' margins.
func (s *Service) Costs(ctx context.Context, tenantID int64, year int) (*Costs, error) {
	c := &Costs{Year: year}
	var money []store.JobMoney
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if c.Expenses, err = tx.Expenses(ctx, year, 0); err != nil {
			return err
		}
		money, err = tx.JobsMoney(ctx, nil, year)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("business: costs %d: %w", year, err)
	}
	for _, e := range c.Expenses {
		c.Total += Cents(e.AmountCents)
	}
	for _, m := range money {
		c.Jobs = append(c.Jobs, Margin(m))
	}
	return c, nil
}
