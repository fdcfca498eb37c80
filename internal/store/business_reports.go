package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// MonthFigures are one month's money: invoiced (issued invoices, by
// issue date: before tax, tax, total), received (payments, by payment
// date) and spent (expenses, by date).
type MonthFigures struct {
	Month    int   `json:"month"`
	Invoiced int64 `json:"invoiced_cents"`
	Tax      int64 `json:"tax_cents"`
	Total    int64 `json:"total_cents"`
	Received int64 `json:"received_cents"`
	Costs    int64 `json:"costs_cents"`
	Invoices int   `json:"invoices"`
}

// MonthlyFigures returns the twelve months of year.
func (t *TenantTx) MonthlyFigures(ctx context.Context, year int) ([]MonthFigures, error) {
	rows, err := t.tx.Query(ctx, `SELECT m,
		coalesce((SELECT sum(subtotal_cents) FROM invoices WHERE status = 'issued' AND issued_on >= make_date($1, m, 1)
			AND issued_on < make_date($1, m, 1) + interval '1 month'), 0),
		coalesce((SELECT sum(tax_cents) FROM invoices WHERE status = 'issued' AND issued_on >= make_date($1, m, 1)
			AND issued_on < make_date($1, m, 1) + interval '1 month'), 0),
		coalesce((SELECT sum(total_cents) FROM invoices WHERE status = 'issued' AND issued_on >= make_date($1, m, 1)
			AND issued_on < make_date($1, m, 1) + interval '1 month'), 0),
		coalesce((SELECT sum(p.amount_cents) FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.status = 'issued'
			AND p.paid_on >= make_date($1, m, 1) AND p.paid_on < make_date($1, m, 1) + interval '1 month'), 0),
		coalesce((SELECT sum(amount_cents) FROM expenses WHERE spent_on >= make_date($1, m, 1)
			AND spent_on < make_date($1, m, 1) + interval '1 month'), 0),
		(SELECT count(*) FROM invoices WHERE status = 'issued' AND issued_on >= make_date($1, m, 1)
			AND issued_on < make_date($1, m, 1) + interval '1 month')
		FROM generate_series(1, 12) AS m ORDER BY m`, year)
	if err != nil {
		return nil, fmt.Errorf("store: monthly figures %d: %w", year, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MonthFigures, error) {
		var f MonthFigures
		err := r.Scan(&f.Month, &f.Invoiced, &f.Tax, &f.Total, &f.Received, &f.Costs, &f.Invoices)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: monthly figures %d: %w", year, err)
	}
	return out, nil
}

// DesignFigures is how much one design earned and how often it was used.
type DesignFigures struct {
	PatternID int64  `json:"pattern_id"`
	Name      string `json:"name"`
	Jobs      int    `json:"jobs"`
	Revenue   int64  `json:"revenue_cents"`
}

// TopDesigns ranks the designs of jobs received (or made) in year by the
// revenue of their jobs' issued invoices (before tax; a job with two
// designs counts fully for each) and by use.
func (t *TenantTx) TopDesigns(ctx context.Context, year, limit int) ([]DesignFigures, error) {
	rows, err := t.tx.Query(ctx, `SELECT p.id, p.name, count(DISTINCT j.id),
		coalesce(sum((SELECT sum(subtotal_cents) FROM invoices i WHERE i.job_id = j.id AND i.status = 'issued')), 0)
		FROM job_designs d JOIN jobs j ON j.id = d.job_id JOIN patterns p ON p.id = d.pattern_id
		WHERE j.status <> 'cancelled' AND extract(year FROM coalesce(j.received_on, j.created_at::date)) = $1
		GROUP BY p.id, p.name ORDER BY 4 DESC, 3 DESC, p.name LIMIT $2`, year, limit)
	if err != nil {
		return nil, fmt.Errorf("store: top designs %d: %w", year, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DesignFigures, error) {
		var f DesignFigures
		err := r.Scan(&f.PatternID, &f.Name, &f.Jobs, &f.Revenue)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: top designs %d: %w", year, err)
	}
	return out, nil
}

// CustomerFigures is what one customer brought in a year.
type CustomerFigures struct {
	CustomerID int64  `json:"customer_id"`
	Name       string `json:"name"`
	Invoices   int    `json:"invoices"`
	Revenue    int64  `json:"revenue_cents"`
	Paid       int64  `json:"paid_cents"`
}

// CustomersByValue ranks customers by their issued invoices of year.
func (t *TenantTx) CustomersByValue(ctx context.Context, year, limit int) ([]CustomerFigures, error) {
	rows, err := t.tx.Query(ctx, `SELECT c.id, c.name, count(i.id), coalesce(sum(i.subtotal_cents), 0),
		coalesce(sum((SELECT sum(amount_cents) FROM payments p WHERE p.invoice_id = i.id)), 0)
		FROM customers c JOIN invoices i ON i.customer_id = c.id
		WHERE i.status = 'issued' AND extract(year FROM i.issued_on) = $1
		GROUP BY c.id, c.name ORDER BY 4 DESC, c.name LIMIT $2`, year, limit)
	if err != nil {
		return nil, fmt.Errorf("store: customers by value %d: %w", year, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CustomerFigures, error) {
		var f CustomerFigures
		err := r.Scan(&f.CustomerID, &f.Name, &f.Invoices, &f.Revenue, &f.Paid)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: customers by value %d: %w", year, err)
	}
	return out, nil
}

// QueuePoint is how many jobs were waiting or being quilted on a day.
type QueuePoint struct {
	Day  time.Time `json:"day"`
	Jobs int       `json:"jobs"`
}

// QueueLengths counts, for each day in days, the jobs accepted by then
// and not finished by then (cancelled ones left out).
func (t *TenantTx) QueueLengths(ctx context.Context, days []time.Time) ([]QueuePoint, error) {
	rows, err := t.tx.Query(ctx, `SELECT d::date, (SELECT count(*) FROM jobs WHERE status <> 'cancelled' AND accepted_on <= d::date
		AND (finished_on IS NULL OR finished_on > d::date)) FROM unnest($1::date[]) AS d ORDER BY d`, days)
	if err != nil {
		return nil, fmt.Errorf("store: queue lengths: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (QueuePoint, error) {
		var p QueuePoint
		err := r.Scan(&p.Day, &p.Jobs)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: queue lengths: %w", err)
	}
	return out, nil
}

// JobMoney is one job's revenue (issued invoices before tax), costs
// (expenses recorded against it) and hours.
type JobMoney struct {
	JobID   int64  `json:"job_id"`
	Title   string `json:"title"`
	Revenue int64  `json:"revenue_cents"`
	Costs   int64  `json:"costs_cents"`
	Hours   int64  `json:"hours_hundredths"`
}

// JobsMoney returns the money of the jobs with ids (all jobs finished in
// year when ids is empty and year > 0).
func (t *TenantTx) JobsMoney(ctx context.Context, ids []int64, year int) ([]JobMoney, error) {
	rows, err := t.tx.Query(ctx, `SELECT j.id, j.title,
		coalesce((SELECT sum(subtotal_cents) FROM invoices i WHERE i.job_id = j.id AND i.status = 'issued'), 0),
		coalesce((SELECT sum(amount_cents) FROM expenses e WHERE e.job_id = j.id), 0), j.hours_spent_hundredths
		FROM jobs j WHERE (coalesce(cardinality($1::bigint[]), 0) > 0 AND j.id = ANY($1))
		   OR (coalesce(cardinality($1::bigint[]), 0) = 0 AND extract(year FROM j.finished_on) = $2)
		ORDER BY j.finished_on DESC NULLS LAST, j.id DESC LIMIT 2000`, ids, year)
	if err != nil {
		return nil, fmt.Errorf("store: jobs' money: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (JobMoney, error) {
		var m JobMoney
		err := r.Scan(&m.JobID, &m.Title, &m.Revenue, &m.Costs, &m.Hours)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: jobs' money: %w", err)
	}
	return out, nil
}
