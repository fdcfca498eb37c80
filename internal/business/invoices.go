package business

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// The statuses an invoice shows. Only draft, issued and void are stored;
// the others follow from its payments and due date.
const (
	InvoiceDraft   = "Draft"
	InvoiceIssued  = "Issued"
	InvoicePartial = "Partial"
	InvoicePaid    = "Paid"
	InvoiceOverdue = "Overdue"
	InvoiceVoid    = "Void"
)

// InvoiceStatus is what an invoice's state reads as on day today.
func InvoiceStatus(v *store.Invoice, today time.Time) string {
	switch {
	case v.Status == "draft":
		return InvoiceDraft
	case v.Status == "void":
		return InvoiceVoid
	case v.PaidCents >= v.TotalCents:
		return InvoicePaid
	case v.DueOn != nil && today.After(*v.DueOn):
		return InvoiceOverdue
	case v.PaidCents > 0:
		return InvoicePartial
	}
	return InvoiceIssued
}

// Balance is what is still to pay on an invoice.
func Balance(v *store.Invoice) Cents { return Cents(v.TotalCents - v.PaidCents) }

// PaymentMethods are the ways a customer pays.
var PaymentMethods = []string{"cash", "cheque", "card", "transfer"}

// CreateInvoice makes a draft invoice for a job, with the job's lines;
// it is numbered and its lines and the customer's details are copied
// again when it is issued.
func (s *Service) CreateInvoice(ctx context.Context, tenantID, jobID int64) (*store.Invoice, error) {
	if err := s.require(ctx, tenantID, FeatureInvoices); err != nil {
		return nil, err
	}
	v := &store.Invoice{Status: "draft"}
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		j, err := tx.Job(ctx, jobID)
		if err != nil {
			return notFoundAs(err, ErrNoJob)
		}
		if j.Status == StatusQuote || j.Status == StatusCancelled {
			return problem.Conflict("not_accepted", "Only an accepted job can be invoiced.")
		}
		if err := copyJob(ctx, tx, v, j); err != nil {
			return err
		}
		return tx.SaveInvoice(ctx, v)
	})
	if err != nil {
		return nil, fmt.Errorf("business: invoice job %d: %w", jobID, err)
	}
	return v, nil
}

// copyJob copies a job's lines, totals and customer into an invoice.
func copyJob(ctx context.Context, tx *store.TenantTx, v *store.Invoice, j *store.Job) error {
	c, err := tx.Customer(ctx, j.CustomerID)
	if err != nil {
		return err
	}
	set, err := tx.BusinessSettings(ctx)
	if err != nil {
		return err
	}
	id := j.ID
	v.JobID, v.CustomerID = &id, c.ID
	v.CustomerName, v.CustomerEmail, v.CustomerAddress = c.Name, c.Email, c.Address
	v.Lines = append([]store.JobLine(nil), j.Lines...)
	v.Currency, v.TaxRatePPM = set.Currency, j.TaxRatePPM
	p := Totals(JobLines(j), PPM(j.TaxRatePPM), set.Currency)
	v.SubtotalCents, v.TaxCents, v.TotalCents, v.DepositCents = int64(p.Subtotal), int64(p.Tax), int64(p.Total), j.DepositCents
	return nil
}

// IssueInvoice numbers a draft invoice (the next number of the
// workspace), copies the job's lines and the customer's details into it
// for good, dates it today with its due date, and records the job's
// deposit as its first payment.
func (s *Service) IssueInvoice(ctx context.Context, tenantID, id int64) (*store.Invoice, error) {
	if err := s.require(ctx, tenantID, FeatureInvoices); err != nil {
		return nil, err
	}
	var v *store.Invoice
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if v, err = tx.Invoice(ctx, id); err != nil {
			return notFoundAs(err, ErrNoInvoice)
		}
		if v.Status != "draft" {
			return problem.Conflict("already_issued", "This invoice was issued already; void it and make a new one to change it.")
		}
		if v.JobID != nil {
			j, err := tx.Job(ctx, *v.JobID)
			if err != nil {
				return err
			}
			if err := copyJob(ctx, tx, v, j); err != nil {
				return err
			}
		}
		prefix, n, err := tx.TakeInvoiceNumber(ctx)
		if err != nil {
			return err
		}
		set, err := tx.BusinessSettings(ctx)
		if err != nil {
			return err
		}
		number := fmt.Sprintf("%s%04d", prefix, n)
		today := s.today()
		due := today.AddDate(0, 0, set.PaymentDays)
		v.Number, v.Status, v.IssuedOn, v.DueOn = &number, "issued", &today, &due
		if err := tx.SaveInvoice(ctx, v); err != nil {
			return err
		}
		if v.DepositCents > 0 {
			return tx.AddPayment(ctx, &store.Payment{InvoiceID: v.ID, PaidOn: today, AmountCents: min(v.DepositCents, v.TotalCents),
				Method: "cash", Reference: "Deposit taken with the quilt"})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("business: issue invoice %d: %w", id, err)
	}
	return s.Invoice(ctx, tenantID, id)
}

// Invoice returns an invoice with its lines and payments.
func (s *Service) Invoice(ctx context.Context, tenantID, id int64) (*store.Invoice, error) {
	var v *store.Invoice
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		v, err = tx.Invoice(ctx, id)
		return err
	})
	return v, notFoundAs(err, ErrNoInvoice)
}

// Invoices lists invoices.
func (s *Service) Invoices(ctx context.Context, tenantID int64, q store.InvoiceQuery) ([]*store.Invoice, error) {
	var out []*store.Invoice
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		out, err = tx.Invoices(ctx, q)
		return err
	})
	return out, err
}

// PaymentInput is a payment received.
type PaymentInput struct {
	Amount    Cents
	Method    string
	On        time.Time // zero: today
	Reference string
}

// RecordPayment records money received against an issued invoice; once
// it is paid in full, its job is marked paid.
func (s *Service) RecordPayment(ctx context.Context, tenantID, invoiceID int64, in PaymentInput) (*store.Invoice, error) {
	if err := s.require(ctx, tenantID, FeatureInvoices); err != nil {
		return nil, err
	}
	in.Reference = strings.TrimSpace(in.Reference)
	known := false
	for _, m := range PaymentMethods {
		known = known || m == in.Method
	}
	switch {
	case !known:
		return nil, invalid("bad_method", "A payment is by cash, cheque, card or transfer.")
	case in.Amount <= 0:
		return nil, invalid("bad_amount", "The amount must be more than zero.")
	case len(in.Reference) > 120:
		return nil, invalid("bad_reference", "The reference can be up to 120 characters.")
	}
	if in.On.IsZero() {
		in.On = s.today()
	}
	if in.On.After(s.today().AddDate(0, 0, 1)) {
		return nil, invalid("future_payment", "A payment cannot be dated in the future.")
	}
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		v, err := tx.Invoice(ctx, invoiceID)
		if err != nil {
			return notFoundAs(err, ErrNoInvoice)
		}
		if v.Status != "issued" {
			return problem.Conflict("not_issued", "Payments are recorded on issued invoices (not drafts or void ones).")
		}
		if bal := Balance(v); in.Amount > bal {
			return invalid("overpaid", fmt.Sprintf("That is more than the %s still to pay.", Money(bal, v.Currency)))
		}
		if err := tx.AddPayment(ctx, &store.Payment{InvoiceID: v.ID, PaidOn: in.On, AmountCents: int64(in.Amount), Method: in.Method,
			Reference: in.Reference}); err != nil {
			return err
		}
		if Balance(v)-in.Amount == 0 && v.JobID != nil {
			j, err := tx.Job(ctx, *v.JobID)
			if err != nil {
				return err
			}
			if j.Status != StatusPaid {
				return s.moveTo(ctx, tx, j, StatusPaid, in.On, "")
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("business: payment on invoice %d: %w", invoiceID, err)
	}
	return s.Invoice(ctx, tenantID, invoiceID)
}

// VoidInvoice cancels an invoice (kept, numbered, for the records).
func (s *Service) VoidInvoice(ctx context.Context, tenantID, id int64) error {
	if err := s.require(ctx, tenantID, FeatureInvoices); err != nil {
		return err
	}
	return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		v, err := tx.Invoice(ctx, id)
		if err != nil {
			return notFoundAs(err, ErrNoInvoice)
		}
		if v.Status == "void" {
			return nil
		}
		if v.PaidCents > 0 {
			return problem.Conflict("has_payments", "This invoice has payments; it cannot be voided.")
		}
		now := s.Now()
		v.Status, v.VoidedAt = "void", &now
		return tx.SaveInvoice(ctx, v)
	})
}

// SendInvoice emails an issued invoice to its customer as a PDF, with a
// new status link of her quilt.
func (s *Service) SendInvoice(ctx context.Context, tenantID, id int64) (string, error) {
	if err := s.require(ctx, tenantID, FeatureInvoices); err != nil {
		return "", err
	}
	v, err := s.Invoice(ctx, tenantID, id)
	if err != nil {
		return "", err
	}
	if v.Status != "issued" {
		return "", problem.Conflict("not_issued", "Issue the invoice before sending it.")
	}
	if v.CustomerEmail == "" {
		return "", ErrNoEmail
	}
	pdf, err := s.InvoicePDF(ctx, tenantID, id)
	if err != nil {
		return "", err
	}
	link := ""
	if v.JobID != nil {
		if link, err = s.NewStatusLink(ctx, tenantID, *v.JobID); err != nil {
			return "", err
		}
	}
	t, err := s.Store.TenantByID(ctx, tenantID)
	if err != nil {
		return "", err
	}
	_, set, err := s.PriceList(ctx, tenantID)
	if err != nil {
		return "", err
	}
	data := mail.InvoiceData{Quilter: workspaceName(t, set), Customer: v.CustomerName, Number: *v.Number,
		Total: Money(Cents(v.TotalCents), v.Currency), Balance: Money(Balance(v), v.Currency), Link: link, PDF: pdf}
	if v.DueOn != nil {
		data.Due = v.DueOn.Format("2 January 2006")
	}
	if err := s.Mailer.Send(ctx, v.CustomerEmail, data); err != nil {
		return "", fmt.Errorf("business: email invoice %d: %w", id, err)
	}
	err = s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		v, err := tx.Invoice(ctx, id)
		if err != nil {
			return err
		}
		now := s.Now()
		v.SentAt = &now
		return tx.SaveInvoice(ctx, v)
	})
	return v.CustomerEmail, err
}
