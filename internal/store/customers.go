package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Customer is one of the quilter's customers.
type Customer struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	Email        string     `json:"email"`
	Phone        string     `json:"phone"`
	Address      string     `json:"address"`
	Delivery     string     `json:"delivery"`
	Notes        string     `json:"notes"`
	EmailConsent bool       `json:"email_consent"`
	PhotoConsent bool       `json:"photo_consent"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	DeletedAt    *time.Time `json:"deleted_at,omitempty"`
	// Filled by Customers and Customer: her quilts, what she spent
	// (issued invoices), and her last visit (the last job received or
	// delivered).
	Jobs      int        `json:"jobs"`
	Spent     int64      `json:"spent_cents"`
	LastVisit *time.Time `json:"last_visit"`
}

const customerColumns = `id, name, email, phone, address, delivery, notes, email_consent, photo_consent, created_at, updated_at, deleted_at`

// customerStats are the columns Customers and Customer add to a customer
// (alias c).
const customerStats = `(SELECT count(*) FROM jobs j WHERE j.customer_id = c.id AND j.status <> 'cancelled'),
	coalesce((SELECT sum(total_cents) FROM invoices i WHERE i.customer_id = c.id AND i.status = 'issued'), 0),
	(SELECT max(greatest(coalesce(j.delivered_on, j.received_on), j.received_on)) FROM jobs j WHERE j.customer_id = c.id)`

func scanCustomer(row pgx.Row) (*Customer, error) {
	c := &Customer{}
	var last *time.Time
	err := row.Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &c.Address, &c.Delivery, &c.Notes, &c.EmailConsent, &c.PhotoConsent,
		&c.CreatedAt, &c.UpdatedAt, &c.DeletedAt, &c.Jobs, &c.Spent, &last)
	c.LastVisit = last
	return c, err
}

// CustomerQuery filters the customer list.
type CustomerQuery struct {
	// Search matches name, email or phone (case-insensitive, anywhere).
	Search string
	// Deleted lists the deleted customers instead of the live ones.
	Deleted bool
	Limit   int
}

// likeEscape escapes LIKE's wildcards in s.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Customers lists customers by name.
func (t *TenantTx) Customers(ctx context.Context, q CustomerQuery) ([]*Customer, error) {
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 1000
	}
	pattern := "%" + likeEscape(strings.ToLower(strings.TrimSpace(q.Search))) + "%"
	rows, err := t.tx.Query(ctx, `SELECT `+prefixed("c.", customerColumns)+`, `+customerStats+` FROM customers c
		WHERE (c.deleted_at IS NOT NULL) = $1
		  AND (lower(c.name) LIKE $2 OR lower(c.email) LIKE $2 OR c.phone LIKE $2)
		ORDER BY lower(c.name), c.id LIMIT $3`, q.Deleted, pattern, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Customer, error) { return scanCustomer(r) })
	if err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	return out, nil
}

// Customer returns one customer, deleted or not.
func (t *TenantTx) Customer(ctx context.Context, id int64) (*Customer, error) {
	c, err := scanCustomer(t.tx.QueryRow(ctx, `SELECT `+prefixed("c.", customerColumns)+`, `+customerStats+`
		FROM customers c WHERE c.id = $1`, id))
	return c, noRows(fmt.Sprintf("customer %d", id), err)
}

// CreateCustomer adds a customer.
func (t *TenantTx) CreateCustomer(ctx context.Context, c *Customer) (*Customer, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `INSERT INTO customers (name, email, phone, address, delivery, notes, email_consent, photo_consent)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		c.Name, c.Email, c.Phone, c.Address, c.Delivery, c.Notes, c.EmailConsent, c.PhotoConsent).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("store: create customer %q: %w", c.Name, err)
	}
	return t.Customer(ctx, id)
}

// UpdateCustomer changes a live customer's details.
func (t *TenantTx) UpdateCustomer(ctx context.Context, c *Customer) error {
	return t.execOne(ctx, "update customer", `UPDATE customers SET name = $2, email = $3, phone = $4, address = $5,
		delivery = $6, notes = $7, email_consent = $8, photo_consent = $9, updated_at = now()
		WHERE id = $1 AND deleted_at IS NULL`,
		c.ID, c.Name, c.Email, c.Phone, c.Address, c.Delivery, c.Notes, c.EmailConsent, c.PhotoConsent)
}

// SetCustomerDeleted deletes a customer softly (her jobs and invoices
// stay) or brings her back.
func (t *TenantTx) SetCustomerDeleted(ctx context.Context, id int64, deleted bool) error {
	return t.execOne(ctx, "delete customer", `UPDATE customers SET deleted_at = CASE WHEN $2 THEN coalesce(deleted_at, now()) END,
		updated_at = now() WHERE id = $1`, id, deleted)
}

// CustomerByNameOrEmail finds a live customer with this email (when
// given) or else exactly this name, case-insensitively; ErrNotFound when
// none.
func (t *TenantTx) CustomerByNameOrEmail(ctx context.Context, name, email string) (*Customer, error) {
	c, err := scanCustomer(t.tx.QueryRow(ctx, `SELECT `+prefixed("c.", customerColumns)+`, `+customerStats+` FROM customers c
		WHERE c.deleted_at IS NULL AND (($2 <> '' AND lower(c.email) = lower($2)) OR ($2 = '' AND lower(c.name) = lower($1)))
		ORDER BY c.id LIMIT 1`, name, email))
	return c, noRows("customer by name", err)
}
