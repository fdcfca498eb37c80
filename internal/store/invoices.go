package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Invoice is a bill for a job: its lines and the customer's details are
// copied when it is issued, so later changes to the job or the customer
// do not change it.
type Invoice struct {
	ID              int64      `json:"id"`
	Number          *string    `json:"number"`
	JobID           *int64     `json:"job_id"`
	CustomerID      int64      `json:"customer_id"`
	CustomerName    string     `json:"customer_name"`
	CustomerEmail   string     `json:"customer_email"`
	CustomerAddress string     `json:"customer_address"`
	Status          string     `json:"-"`
	IssuedOn        *time.Time `json:"issued_on"`
	DueOn           *time.Time `json:"due_on"`
	Currency        string     `json:"currency"`
	SubtotalCents   int64      `json:"subtotal_cents"`
	TaxRatePPM      int64      `json:"tax_rate_ppm"`
	TaxCents        int64      `json:"tax_cents"`
	TotalCents      int64      `json:"total_cents"`
	DepositCents    int64      `json:"deposit_cents"`
	Notes           string     `json:"notes"`
	SentAt          *time.Time `json:"sent_at"`
	VoidedAt        *time.Time `json:"voided_at"`
	CreatedAt       time.Time  `json:"created_at"`
	// PaidCents is the sum of its payments.
	PaidCents int64      `json:"paid_cents"`
	Lines     []JobLine  `json:"lines"`
	Payments  []*Payment `json:"payments"`
	JobTitle  string     `json:"job_title"`
}

// Payment is money received against an invoice.
type Payment struct {
	ID          int64     `json:"id"`
	InvoiceID   int64     `json:"invoice_id"`
	PaidOn      time.Time `json:"paid_on"`
	AmountCents int64     `json:"amount_cents"`
	Method      string    `json:"method"`
	Reference   string    `json:"reference"`
	CreatedAt   time.Time `json:"created_at"`
}

const invoiceSelect = `SELECT i.id, i.number, i.job_id, i.customer_id, i.customer_name, i.customer_email, i.customer_address,
	i.status, i.issued_on, i.due_on, i.currency, i.subtotal_cents, i.tax_rate_ppm, i.tax_cents, i.total_cents, i.deposit_cents,
	i.notes, i.sent_at, i.voided_at, i.created_at,
	coalesce((SELECT sum(amount_cents) FROM payments p WHERE p.invoice_id = i.id), 0),
	coalesce((SELECT title FROM jobs j WHERE j.id = i.job_id), '')
	FROM invoices i `

func scanInvoice(row pgx.Row) (*Invoice, error) {
	v := &Invoice{}
	err := row.Scan(&v.ID, &v.Number, &v.JobID, &v.CustomerID, &v.CustomerName, &v.CustomerEmail, &v.CustomerAddress,
		&v.Status, &v.IssuedOn, &v.DueOn, &v.Currency, &v.SubtotalCents, &v.TaxRatePPM, &v.TaxCents, &v.TotalCents,
		&v.DepositCents, &v.Notes, &v.SentAt, &v.VoidedAt, &v.CreatedAt, &v.PaidCents, &v.JobTitle)
	return v, err
}

// InvoiceQuery filters the invoice list.
type InvoiceQuery struct {
	CustomerID int64
	JobID      int64
	// Year keeps the invoices issued that year (0: all).
	Year  int
	Limit int
}

// Invoices lists invoices, newest first.
func (t *TenantTx) Invoices(ctx context.Context, q InvoiceQuery) ([]*Invoice, error) {
	if q.Limit <= 0 || q.Limit > 5000 {
		q.Limit = 5000
	}
	rows, err := t.tx.Query(ctx, invoiceSelect+`WHERE ($1 = 0 OR i.customer_id = $1) AND ($2 = 0 OR i.job_id = $2)
		AND ($3 = 0 OR (i.status <> 'draft' AND extract(year FROM i.issued_on) = $3))
		ORDER BY i.issued_on DESC NULLS FIRST, i.id DESC LIMIT $4`, q.CustomerID, q.JobID, q.Year, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: invoices: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Invoice, error) { return scanInvoice(r) })
	if err != nil {
		return nil, fmt.Errorf("store: invoices: %w", err)
	}
	return out, nil
}

// Invoice returns one invoice with its lines and payments.
func (t *TenantTx) Invoice(ctx context.Context, id int64) (*Invoice, error) {
	v, err := scanInvoice(t.tx.QueryRow(ctx, invoiceSelect+`WHERE i.id = $1`, id))
	if err := noRows(fmt.Sprintf("invoice %d", id), err); err != nil {
		return nil, err
	}
	rows, err := t.tx.Query(ctx, `SELECT kind, description, amount_cents, taxable FROM invoice_lines WHERE invoice_id = $1 ORDER BY position`, id)
	if err == nil {
		v.Lines, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (JobLine, error) {
			var l JobLine
			err := r.Scan(&l.Kind, &l.Description, &l.AmountCents, &l.Taxable)
			return l, err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("store: invoice %d lines: %w", id, err)
	}
	rows, err = t.tx.Query(ctx, `SELECT id, invoice_id, paid_on, amount_cents, method, reference, created_at FROM payments
		WHERE invoice_id = $1 ORDER BY paid_on, id`, id)
	if err == nil {
		v.Payments, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Payment, error) {
			p := &Payment{}
			err := r.Scan(&p.ID, &p.InvoiceID, &p.PaidOn, &p.AmountCents, &p.Method, &p.Reference, &p.CreatedAt)
			return p, err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("store: invoice %d payments: %w", id, err)
	}
	return v, nil
}

// SaveInvoice inserts an invoice (ID 0) or writes all its fields and
// lines.
func (t *TenantTx) SaveInvoice(ctx context.Context, v *Invoice) error {
	args := []any{v.Number, v.JobID, v.CustomerID, v.CustomerName, v.CustomerEmail, v.CustomerAddress, v.Status, v.IssuedOn,
		v.DueOn, v.Currency, v.SubtotalCents, v.TaxRatePPM, v.TaxCents, v.TotalCents, v.DepositCents, v.Notes, v.SentAt, v.VoidedAt}
	var err error
	if v.ID == 0 {
		err = t.tx.QueryRow(ctx, `INSERT INTO invoices (number, job_id, customer_id, customer_name, customer_email,
			customer_address, status, issued_on, due_on, currency, subtotal_cents, tax_rate_ppm, tax_cents, total_cents,
			deposit_cents, notes, sent_at, voided_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id, created_at`,
			args...).Scan(&v.ID, &v.CreatedAt)
	} else {
		var tag interface{ RowsAffected() int64 }
		tag, err = t.tx.Exec(ctx, `UPDATE invoices SET number = $1, job_id = $2, customer_id = $3, customer_name = $4,
			customer_email = $5, customer_address = $6, status = $7, issued_on = $8, due_on = $9, currency = $10,
			subtotal_cents = $11, tax_rate_ppm = $12, tax_cents = $13, total_cents = $14, deposit_cents = $15, notes = $16,
			sent_at = $17, voided_at = $18 WHERE id = $19`, append(args, v.ID)...)
		if err == nil && tag.RowsAffected() == 0 {
			err = ErrNotFound
		}
	}
	if isUniqueViolation(err) {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: save invoice %d: %w", v.ID, err)
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM invoice_lines WHERE invoice_id = $1`, v.ID); err != nil {
		return fmt.Errorf("store: invoice %d lines: %w", v.ID, err)
	}
	for i, l := range v.Lines {
		if _, err := t.tx.Exec(ctx, `INSERT INTO invoice_lines (invoice_id, position, kind, description, amount_cents, taxable)
			VALUES ($1, $2, $3, $4, $5, $6)`, v.ID, i+1, l.Kind, l.Description, l.AmountCents, l.Taxable); err != nil {
			return fmt.Errorf("store: invoice %d line %d: %w", v.ID, i+1, err)
		}
	}
	return nil
}

// AddPayment records a payment.
func (t *TenantTx) AddPayment(ctx context.Context, p *Payment) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO payments (invoice_id, paid_on, amount_cents, method, reference)
		VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at`, p.InvoiceID, p.PaidOn, p.AmountCents, p.Method, p.Reference).
		Scan(&p.ID, &p.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: payment on invoice %d: %w", p.InvoiceID, err)
	}
	return nil
}

// Expense is money spent: materials bought, or a cost of one job.
type Expense struct {
	ID          int64     `json:"id"`
	SpentOn     time.Time `json:"spent_on"`
	Category    string    `json:"category"`
	Description string    `json:"description"`
	AmountCents int64     `json:"amount_cents"`
	TaxCents    int64     `json:"tax_cents"`
	JobID       *int64    `json:"job_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// Expenses lists expenses of a year (0: all) or of a job (jobID > 0),
// newest first.
func (t *TenantTx) Expenses(ctx context.Context, year int, jobID int64) ([]*Expense, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, spent_on, category, description, amount_cents, tax_cents, job_id, created_at
		FROM expenses WHERE ($1 = 0 OR extract(year FROM spent_on) = $1) AND ($2 = 0 OR job_id = $2)
		ORDER BY spent_on DESC, id DESC LIMIT 10000`, year, jobID)
	if err != nil {
		return nil, fmt.Errorf("store: expenses: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Expense, error) {
		e := &Expense{}
		err := r.Scan(&e.ID, &e.SpentOn, &e.Category, &e.Description, &e.AmountCents, &e.TaxCents, &e.JobID, &e.CreatedAt)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: expenses: %w", err)
	}
	return out, nil
}

// AddExpense records an expense.
func (t *TenantTx) AddExpense(ctx context.Context, e *Expense) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO expenses (spent_on, category, description, amount_cents, tax_cents, job_id)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at`, e.SpentOn, e.Category, e.Description, e.AmountCents,
		e.TaxCents, e.JobID).Scan(&e.ID, &e.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: add expense %q: %w", e.Description, err)
	}
	return nil
}

// DeleteExpense removes an expense.
func (t *TenantTx) DeleteExpense(ctx context.Context, id int64) error {
	return t.execOne(ctx, "delete expense", `DELETE FROM expenses WHERE id = $1`, id)
}
