package business

import (
	"context"
	"fmt"
	"time"

	"github.com/patternvault/patternvault/internal/store"
)

// TaxYear is a year's income and expenses for the accountant: each
// issued invoice of the year (by issue date) with its tax, the tax
// collected per quarter, and every expense.
type TaxYear struct {
	Year     int              `json:"year"`
	Currency string           `json:"currency"`
	Business string           `json:"business"`
	Invoices []*store.Invoice `json:"invoices"`
	Quarters []Period         `json:"quarters"`
	Expenses []*store.Expense `json:"expenses"`
	// Income is the year's invoices before tax, Tax what they carried,
	// Received what was paid on them, Spent the expenses (TaxPaid the
	// tax in them).
	Income   Cents `json:"income_cents"`
	Tax      Cents `json:"tax_cents"`
	Received Cents `json:"received_cents"`
	Spent    Cents `json:"expenses_cents"`
	TaxPaid  Cents `json:"expense_tax_cents"`
}

// TaxYear reads a year's income and expenses.
func (s *Service) TaxYear(ctx context.Context, tenantID int64, year int) (*TaxYear, error) {
	if year < MinYear || year > MaxYear {
		return nil, invalid("bad_year", fmt.Sprintf("Choose a year between %d and %d.", MinYear, MaxYear))
	}
	ty := &TaxYear{Year: year, Quarters: []Period{{Label: "Q1 (Jan–Mar)"}, {Label: "Q2 (Apr–Jun)"}, {Label: "Q3 (Jul–Sep)"}, {Label: "Q4 (Oct–Dec)"}}}
	var all []*store.Invoice
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		t, err := tx.Platform().TenantByID(ctx, tenantID)
		if err != nil {
			return err
		}
		set, err := tx.BusinessSettings(ctx)
		if err != nil {
			return err
		}
		ty.Currency, ty.Business = set.Currency, workspaceName(t, set)
		if all, err = tx.Invoices(ctx, store.InvoiceQuery{Year: year}); err != nil {
			return err
		}
		ty.Expenses, err = tx.Expenses(ctx, year, 0)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("business: tax year %d: %w", year, err)
	}
	ty.Invoices = []*store.Invoice{}
	for i := len(all) - 1; i >= 0; i-- { // oldest first
		v := all[i]
		if v.Status != "issued" || v.IssuedOn == nil {
			continue
		}
		ty.Invoices = append(ty.Invoices, v)
		q := &ty.Quarters[(int(v.IssuedOn.Month())-1)/3]
		q.Revenue += Cents(v.SubtotalCents)
		q.Tax += Cents(v.TaxCents)
		q.Received += Cents(v.PaidCents)
		q.Invoices++
		ty.Income += Cents(v.SubtotalCents)
		ty.Tax += Cents(v.TaxCents)
		ty.Received += Cents(v.PaidCents)
	}
	for _, e := range ty.Expenses {
		ty.Spent += Cents(e.AmountCents)
		ty.TaxPaid += Cents(e.TaxCents)
		q := &ty.Quarters[(int(e.SpentOn.Month())-1)/3]
		q.Costs += Cents(e.AmountCents)
	}
	for i := range ty.Quarters {
		ty.Quarters[i].Margin = ty.Quarters[i].Revenue - ty.Quarters[i].Costs
	}
	return ty, nil
}

// The tax-time CSVs.
const (
	TaxIncome   = "income"
	TaxExpenses = "expenses"
)

// CSV writes the year's income (one row per invoice, then a total row
// per quarter) or its expenses.
func (ty *TaxYear) CSV(kind string) ([]byte, error) {
	var rows [][]string
	switch kind {
	case TaxIncome:
		rows = append(rows, []string{"invoice", "issued", "quarter", "customer", "net", "tax rate %", "tax", "total", "paid", "currency"})
		for _, v := range ty.Invoices {
			rows = append(rows, []string{*v.Number, v.IssuedOn.Format(time.DateOnly), fmt.Sprintf("Q%d", (int(v.IssuedOn.Month())+2)/3),
				v.CustomerName, Cents(v.SubtotalCents).Plain(), PPM(v.TaxRatePPM).Percent(), Cents(v.TaxCents).Plain(),
				Cents(v.TotalCents).Plain(), Cents(v.PaidCents).Plain(), v.Currency})
		}
		for i, q := range ty.Quarters {
			rows = append(rows, []string{fmt.Sprintf("Q%d total", i+1), "", fmt.Sprintf("Q%d", i+1), "", q.Revenue.Plain(), "", q.Tax.Plain(),
				(q.Revenue + q.Tax).Plain(), q.Received.Plain(), ty.Currency})
		}
		rows = append(rows, []string{fmt.Sprintf("%d total", ty.Year), "", "", "", ty.Income.Plain(), "", ty.Tax.Plain(),
			(ty.Income + ty.Tax).Plain(), ty.Received.Plain(), ty.Currency})
	case TaxExpenses:
		rows = append(rows, []string{"date", "category", "description", "amount", "tax included", "job", "currency"})
		for i := len(ty.Expenses) - 1; i >= 0; i-- {
			e := ty.Expenses[i]
			job := ""
			if e.JobID != nil {
				job = fmt.Sprint(*e.JobID)
			}
			rows = append(rows, []string{e.SpentOn.Format(time.DateOnly), e.Category, e.Description, Cents(e.AmountCents).Plain(),
				Cents(e.TaxCents).Plain(), job, ty.Currency})
		}
		rows = append(rows, []string{fmt.Sprintf("%d total", ty.Year), "", "", ty.Spent.Plain(), ty.TaxPaid.Plain(), "", ty.Currency})
	default:
		return nil, invalid("bad_table", "The tax export is “income” or “expenses”.")
	}
	return writeCSV(rows)
}
