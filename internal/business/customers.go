package business

import (
	"context"
	"fmt"
	netmail "net/mail"
	"strings"
	"unicode/utf8"

	"github.com/patternvault/patternvault/internal/store"
)

// Deliveries are how a customer brings and takes her quilts.
var Deliveries = map[string]string{"": "Not said", "pickup": "Picks up", "dropoff": "Drops off and picks up", "ship": "Ships"}

// cleanCustomer trims a customer's fields and checks them.
func cleanCustomer(c *store.Customer) error {
	c.Name = strings.Join(strings.Fields(c.Name), " ")
	c.Email = strings.TrimSpace(c.Email)
	c.Phone = strings.TrimSpace(c.Phone)
	c.Address = strings.TrimSpace(c.Address)
	c.Notes = strings.TrimSpace(c.Notes)
	c.Delivery = strings.TrimSpace(c.Delivery)
	switch {
	case c.Name == "" || utf8.RuneCountInString(c.Name) > 120:
		return invalid("bad_name", "Give the customer a name of up to 120 characters.")
	case len(c.Email) > 254 || len(c.Phone) > 40 || utf8.RuneCountInString(c.Address) > 500 || utf8.RuneCountInString(c.Notes) > 4000:
		return invalid("too_long", "An email, phone, address or notes field is too long.")
	}
	if c.Email != "" {
		if a, err := netmail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			return invalid("bad_email", fmt.Sprintf("“%s” does not look like an email address.", c.Email))
		}
	}
	if _, ok := Deliveries[c.Delivery]; !ok {
		return invalid("bad_delivery", "Delivery is pick-up, drop-off or shipping.")
	}
	return nil
}

// Customers lists the live (or deleted) customers matching q.
func (s *Service) Customers(ctx context.Context, tenantID int64, q store.CustomerQuery) ([]*store.Customer, error) {
	var out []*store.Customer
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		out, err = tx.Customers(ctx, q)
		return err
	})
	return out, err
}

// CustomerFile is a customer with her quilts, invoices and photos.
type CustomerFile struct {
	Customer *store.Customer
	Jobs     []*store.Job
	Invoices []*store.Invoice
}

// Customer returns a customer's file.
func (s *Service) Customer(ctx context.Context, tenantID, id int64) (*CustomerFile, error) {
	f := &CustomerFile{}
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if f.Customer, err = tx.Customer(ctx, id); err != nil {
			return err
		}
		if f.Jobs, err = tx.Jobs(ctx, store.JobQuery{CustomerID: id}); err != nil {
			return err
		}
		f.Invoices, err = tx.Invoices(ctx, store.InvoiceQuery{CustomerID: id})
		return err
	})
	if err != nil {
		return nil, notFoundAs(err, ErrNoCustomer)
	}
	return f, nil
}

// CreateCustomer adds a customer.
func (s *Service) CreateCustomer(ctx context.Context, tenantID int64, c store.Customer) (*store.Customer, error) {
	if err := s.require(ctx, tenantID, FeatureCustomers); err != nil {
		return nil, err
	}
	if err := cleanCustomer(&c); err != nil {
		return nil, err
	}
	var out *store.Customer
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		out, err = tx.CreateCustomer(ctx, &c)
		return err
	})
	return out, err
}

// UpdateCustomer changes a customer's details.
func (s *Service) UpdateCustomer(ctx context.Context, tenantID int64, c store.Customer) error {
	if err := s.require(ctx, tenantID, FeatureCustomers); err != nil {
		return err
	}
	if err := cleanCustomer(&c); err != nil {
		return err
	}
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.UpdateCustomer(ctx, &c) })
	return notFoundAs(err, ErrNoCustomer)
}

// DeleteCustomer deletes a customer softly (her jobs, invoices and the
// tax records stay whole), or restores her.
func (s *Service) DeleteCustomer(ctx context.Context, tenantID, id int64, deleted bool) error {
	if err := s.require(ctx, tenantID, FeatureCustomers); err != nil {
		return err
	}
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.SetCustomerDeleted(ctx, id, deleted) })
	return notFoundAs(err, ErrNoCustomer)
}
