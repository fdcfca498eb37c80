package web

import (
	"fmt"
	"net/http"

	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// customersPage lists customers, found by a search.
type customersPage struct {
	Customers []*store.Customer
	Search    string
	Deleted   bool
	Import    *business.ImportResult
}

func (s *Server) customers(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	q := store.CustomerQuery{Search: r.URL.Query().Get("q"), Deleted: r.URL.Query().Get("deleted") == "1"}
	cs, err := s.business.Customers(r.Context(), t.ID, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "customers", pageData{Title: "Customers", Data: customersPage{Customers: cs, Search: q.Search, Deleted: q.Deleted}})
}

// customerForm reads the customer form.
func customerForm(r *http.Request) store.Customer {
	f := formValues(r, "name", "email", "phone", "address", "delivery", "notes")
	return store.Customer{Name: f["name"], Email: f["email"], Phone: f["phone"], Address: f["address"], Delivery: f["delivery"], Notes: f["notes"],
		EmailConsent: r.PostFormValue("email_consent") == "on", PhotoConsent: r.PostFormValue("photo_consent") == "on"}
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	c, err := s.business.CreateCustomer(r.Context(), t.ID, customerForm(r))
	if err != nil {
		s.failBack(w, r, err, tenant.Path(t.Slug, "customers"))
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "customers", c.ID), c.Name+" added.")
}

// importCustomers takes a CSV upload and shows what it did.
func (s *Server) importCustomers(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	back := tenant.Path(t.Slug, "customers")
	r.Body = http.MaxBytesReader(w, r.Body, business.MaxCSVBytes+64<<10)
	file, _, err := r.FormFile("file")
	if err != nil {
		s.failBack(w, r, errBadForm.Reword("Choose the CSV file of your customers first.").Wrap(err), back)
		return
	}
	defer file.Close()
	res, err := s.business.ImportCustomers(r.Context(), t.ID, file)
	if err != nil {
		s.failBack(w, r, err, back)
		return
	}
	cs, err := s.business.Customers(r.Context(), t.ID, store.CustomerQuery{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := fmt.Sprintf("Imported %d new customer%s; %d were already in your list.", res.Added, plural(res.Added), res.Existing)
	s.render(w, r, http.StatusOK, "customers", pageData{Title: "Customers", Message: msg, Data: customersPage{Customers: cs, Import: res}})
}

// customerPage is one customer's file.
type customerPage struct {
	File     *business.CustomerFile
	Currency string
}

func (s *Server) customer(w http.ResponseWriter, r *http.Request) {
	f, pl, _, err := recordAndPrices(s, r, s.business.Customer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "customer", pageData{Title: f.Customer.Name, Data: customerPage{File: f, Currency: pl.Currency}})
}

func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	back := tenant.Path(t.Slug, "customers", id)
	c := customerForm(r)
	c.ID = id
	if err == nil {
		err = s.business.UpdateCustomer(r.Context(), t.ID, c)
	}
	if err != nil {
		s.failBack(w, r, err, back)
		return
	}
	s.redirectWith(w, r, back, "Saved.")
}

func (s *Server) deleteCustomer(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	restore := r.PostFormValue("restore") == "1"
	if err == nil {
		err = s.business.DeleteCustomer(r.Context(), t.ID, id, !restore)
	}
	if err != nil {
		s.failBack(w, r, err, tenant.Path(t.Slug, "customers", id))
		return
	}
	if restore {
		s.redirectWith(w, r, tenant.Path(t.Slug, "customers", id), "Customer brought back.")
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "customers"), "Customer deleted. Her quilts and invoices are kept; find her under “Deleted customers”.")
}
