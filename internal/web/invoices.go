package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// invoicesPage lists invoices.
type invoicesPage struct {
	Invoices []*store.Invoice
	Currency string
}

func (s *Server) invoices(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	vs, err := s.business.Invoices(r.Context(), t.ID, store.InvoiceQuery{Limit: 500})
	var pl *business.PriceList
	if err == nil {
		pl, _, err = s.business.PriceList(r.Context(), t.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "invoices", pageData{Title: "Invoices", Data: invoicesPage{Invoices: vs, Currency: pl.Currency}})
}

// invoicePage is the printable invoice with its actions.
type invoicePage struct {
	Invoice  *store.Invoice
	Settings *store.BusinessSettings
	Business string
	Methods  []string
	Today    string
}

func (s *Server) invoice(w http.ResponseWriter, r *http.Request) {
	v, _, set, err := recordAndPrices(s, r, s.business.Invoice)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := set.BusinessName
	if name == "" {
		name = tenant.FromContext(r.Context()).Name
	}
	title := "Draft invoice"
	if v.Number != nil {
		title = "Invoice " + *v.Number
	}
	s.render(w, r, http.StatusOK, "invoice", pageData{Title: title, Data: invoicePage{Invoice: v, Settings: set, Business: name,
		Methods: business.PaymentMethods, Today: s.business.Now().Format(time.DateOnly)}})
}

func (s *Server) invoicePDF(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var pdf []byte
	if err == nil {
		pdf, err = s.business.InvoicePDF(r.Context(), t.ID, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.Attachment(w, fmt.Sprintf("invoice-%d.pdf", id), "application/pdf", int64(len(pdf)), bytes.NewReader(pdf))
}

// invoiceDo runs one action on an invoice and returns to its page.
func (s *Server) invoiceDo(w http.ResponseWriter, r *http.Request, do func(tenantID, id int64) (string, error)) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	msg := ""
	if err == nil {
		msg, err = do(t.ID, id)
	}
	s.jobDone(w, r, err, tenant.Path(t.Slug, "invoices", id), msg)
}

func (s *Server) issueInvoice(w http.ResponseWriter, r *http.Request) {
	s.invoiceDo(w, r, func(tid, id int64) (string, error) {
		v, err := s.business.IssueInvoice(r.Context(), tid, id)
		if err != nil {
			return "", err
		}
		return "Invoice " + *v.Number + " issued.", nil
	})
}

func (s *Server) sendInvoice(w http.ResponseWriter, r *http.Request) {
	s.invoiceDo(w, r, func(tid, id int64) (string, error) {
		to, err := s.business.SendInvoice(r.Context(), tid, id)
		return "Invoice emailed to " + to + " with its PDF.", err
	})
}

func (s *Server) voidInvoice(w http.ResponseWriter, r *http.Request) {
	s.invoiceDo(w, r, func(tid, id int64) (string, error) {
		return "Invoice voided: it stays in your records.", s.business.VoidInvoice(r.Context(), tid, id)
	})
}

func (s *Server) addPayment(w http.ResponseWriter, r *http.Request) {
	s.invoiceDo(w, r, func(tid, id int64) (string, error) {
		amount, err := formCents(r, "amount")
		if err != nil {
			return "", err
		}
		on, err := formDate(r, "on")
		if err != nil {
			return "", err
		}
		in := business.PaymentInput{Amount: amount, Method: r.PostFormValue("method"), Reference: r.PostFormValue("reference")}
		if on != nil {
			in.On = *on
		}
		v, err := s.business.RecordPayment(r.Context(), tid, id, in)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Payment of %s recorded. Still to pay: %s.", business.Money(amount, v.Currency), business.Money(business.Balance(v), v.Currency)), nil
	})
}

// costsPage is a year's expenses and job margins.
type costsPage struct {
	Costs    *business.Costs
	Currency string
	Years    []int
	Today    string
	Jobs     []*store.Job
	// Categories are the kinds of expenses.
	Categories []string
}

// pageYear reads ?year=, this year when absent or out of range.
func (s *Server) pageYear(r *http.Request) int {
	y, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || y < business.MinYear || y > business.MaxYear {
		return s.business.Now().Year()
	}
	return y
}

// years lists the years to choose from: the last five and the next.
func years(now int) []int {
	var out []int
	for y := now + 1; y >= now-5; y-- {
		out = append(out, y)
	}
	return out
}

func (s *Server) costs(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	y := s.pageYear(r)
	c, err := s.business.Costs(r.Context(), t.ID, y)
	var pl *business.PriceList
	if err == nil {
		pl, _, err = s.business.PriceList(r.Context(), t.ID)
	}
	var js []*store.Job
	if err == nil {
		js, err = s.business.Jobs(r.Context(), t.ID, store.JobQuery{Limit: 100})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "costs", pageData{Title: fmt.Sprintf("Costs %d", y), Data: costsPage{Costs: c, Currency: pl.Currency,
		Years: years(s.business.Now().Year()), Today: s.business.Now().Format(time.DateOnly), Jobs: js,
		Categories: business.ExpenseCategories}})
}
