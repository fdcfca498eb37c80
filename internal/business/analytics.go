package business

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"github.com/patternvault/patternvault/internal/store"
)

// Period is the money of a month, a quarter or the year: revenue is what
// was invoiced before tax (issued invoices, by issue date), received is
// what was paid (by payment date), costs the expenses, and margin
// revenue less costs.
type Period struct {
	Label    string `json:"label"`
	Revenue  Cents  `json:"revenue_cents"`
	Tax      Cents  `json:"tax_cents"`
	Received Cents  `json:"received_cents"`
	Costs    Cents  `json:"costs_cents"`
	Margin   Cents  `json:"margin_cents"`
	Invoices int    `json:"invoices"`
}

func (p *Period) add(f store.MonthFigures) {
	p.Revenue += Cents(f.Invoiced)
	p.Tax += Cents(f.Tax)
	p.Received += Cents(f.Received)
	p.Costs += Cents(f.Costs)
	p.Invoices += f.Invoices
	p.Margin = p.Revenue - p.Costs
}

// Analytics is a year of the business.
type Analytics struct {
	Year      int                     `json:"year"`
	Currency  string                  `json:"currency"`
	Months    []Period                `json:"months"`
	Quarters  []Period                `json:"quarters"`
	Total     Period                  `json:"year_total"`
	ByRevenue []store.DesignFigures   `json:"top_designs_by_revenue"`
	ByUse     []store.DesignFigures   `json:"top_designs_by_use"`
	Customers []store.CustomerFigures `json:"customers_by_value"`
	Queue     []store.QueuePoint      `json:"queue_length"`
}

// MinYear and MaxYear bound the years asked about.
const (
	MinYear = 2000
	MaxYear = 2200
)

// Analytics reads a year: money per month, quarter and year, the top
// designs by revenue and by use, customers by value, and the queue's
// length at the end of each week.
func (s *Service) Analytics(ctx context.Context, tenantID int64, year int) (*Analytics, error) {
	if year < MinYear || year > MaxYear {
		return nil, invalid("bad_year", fmt.Sprintf("Choose a year between %d and %d.", MinYear, MaxYear))
	}
	a := &Analytics{Year: year, Total: Period{Label: fmt.Sprint(year)}}
	var months []store.MonthFigures
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	if t := s.today(); t.Before(end) {
		end = t
	}
	var days []time.Time
	for d := start.AddDate(0, 0, (7-int(start.Weekday()))%7); !d.After(end); d = d.AddDate(0, 0, 7) { // each Sunday
		days = append(days, d)
	}
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		set, err := tx.BusinessSettings(ctx)
		if err != nil {
			return err
		}
		a.Currency = set.Currency
		if months, err = tx.MonthlyFigures(ctx, year); err != nil {
			return err
		}
		if a.ByRevenue, err = tx.TopDesigns(ctx, year, 10); err != nil {
			return err
		}
		if a.Customers, err = tx.CustomersByValue(ctx, year, 20); err != nil {
			return err
		}
		a.Queue, err = tx.QueueLengths(ctx, days)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("business: analytics %d: %w", year, err)
	}
	a.Quarters = []Period{{Label: "Q1"}, {Label: "Q2"}, {Label: "Q3"}, {Label: "Q4"}}
	for _, f := range months {
		p := Period{Label: time.Month(f.Month).String()[:3]}
		p.add(f)
		a.Months = append(a.Months, p)
		a.Quarters[(f.Month-1)/3].add(f)
		a.Total.add(f)
	}
	a.ByUse = append([]store.DesignFigures(nil), a.ByRevenue...)
	for i := range a.ByUse { // by jobs, then revenue: a few rows
		for k := i; k > 0 && a.ByUse[k].Jobs > a.ByUse[k-1].Jobs; k-- {
			a.ByUse[k], a.ByUse[k-1] = a.ByUse[k-1], a.ByUse[k]
		}
	}
	if a.Queue == nil {
		a.Queue = []store.QueuePoint{}
	}
	return a, nil
}

// The tables of the analytics, each also a CSV.
const (
	TableMonths    = "months"
	TableQuarters  = "quarters"
	TableDesigns   = "designs"
	TableCustomers = "customers"
	TableQueue     = "queue"
)

// CSV writes one table of the analytics (TableMonths...) as CSV with
// amounts in plain decimals.
func (a *Analytics) CSV(table string) ([]byte, error) {
	var rows [][]string
	periods := func(ps []Period, first string) {
		rows = append(rows, []string{first, "revenue", "tax", "received", "costs", "margin", "invoices"})
		for _, p := range ps {
			rows = append(rows, []string{p.Label, p.Revenue.Plain(), p.Tax.Plain(), p.Received.Plain(), p.Costs.Plain(), p.Margin.Plain(), fmt.Sprint(p.Invoices)})
		}
		t := a.Total
		rows = append(rows, []string{"Total", t.Revenue.Plain(), t.Tax.Plain(), t.Received.Plain(), t.Costs.Plain(), t.Margin.Plain(), fmt.Sprint(t.Invoices)})
	}
	switch table {
	case TableMonths:
		periods(a.Months, "month")
	case TableQuarters:
		periods(a.Quarters, "quarter")
	case TableDesigns:
		rows = append(rows, []string{"design", "jobs", "revenue"})
		for _, d := range a.ByRevenue {
			rows = append(rows, []string{d.Name, fmt.Sprint(d.Jobs), Cents(d.Revenue).Plain()})
		}
	case TableCustomers:
		rows = append(rows, []string{"customer", "invoices", "revenue", "paid"})
		for _, c := range a.Customers {
			rows = append(rows, []string{c.Name, fmt.Sprint(c.Invoices), Cents(c.Revenue).Plain(), Cents(c.Paid).Plain()})
		}
	case TableQueue:
		rows = append(rows, []string{"week ending", "jobs in the queue"})
		for _, q := range a.Queue {
			rows = append(rows, []string{q.Day.Format(time.DateOnly), fmt.Sprint(q.Jobs)})
		}
	default:
		return nil, invalid("bad_table", "That table does not exist: months, quarters, designs, customers or queue.")
	}
	return writeCSV(rows)
}

// writeCSV writes rows, guarding cells a spreadsheet would run as a
// formula (a name starting with =, +, - or @ gets a leading apostrophe).
func writeCSV(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for _, r := range rows {
		for i, c := range r {
			if c != "" && (c[0] == '=' || c[0] == '+' || c[0] == '@' || (c[0] == '-' && !isNumber(c))) {
				r[i] = "'" + c
			}
		}
		if err := w.Write(r); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}
