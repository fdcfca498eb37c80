// Package store holds PatternVault's SQL: one Store type with one file per
// entity, hand-written queries with explicit columns.
//
// Transactions have one idiom. Platform tables (users, tenants, sessions,
// share links, audit...) are schema-qualified and reached through *Store:
// each method runs on the pool, or inside the transaction of Tx when it is
// called on the Store that Tx passes in. A tenant's own tables are reached
// only through *TenantTx, whose methods are the tenant's queries, inside
// one transaction pinned to the tenant's schema:
//
//	err := st.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
//		p, err := tx.Pattern(ctx, id, userID)
//		...
//		files, err := tx.Files(ctx, id)
//		...
//	})
//
// A service method that carries a rule opens the one transaction it needs
// and calls as many queries in it as it likes; a page that needs nine
// reads does them in one ReadTenant call (read-only, and answered by a
// replica when the request allows it).
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/patternvault/patternvault/internal/db"
)

// ErrNotFound is returned (wrapped) when a row does not exist, or does not
// exist for the tenant asking.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned (wrapped) when a unique value is already taken.
var ErrConflict = errors.New("already exists")

// Store runs every query of the application: on the pool, or, for the
// Store that Tx hands to its function, inside that transaction.
type Store struct {
	db *db.DB
	q  conn
}

// conn is what both the pool and a transaction can do; Begin on a
// transaction starts a savepoint, so Tx and Tenant nest.
type conn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

// New returns a Store over d.
func New(d *db.DB) *Store { return &Store{db: d, q: d.Pool} }

// DB returns the underlying database handle.
func (s *Store) DB() *db.DB { return s.db }

// Tx runs fn in one platform transaction: every method of the Store fn
// receives runs in it. It commits when fn returns nil and rolls back
// otherwise. Called on a Store that is already in a transaction, it runs
// fn in a savepoint of it.
func (s *Store) Tx(ctx context.Context, fn func(*Store) error) error {
	return s.tx(ctx, func(tx pgx.Tx) error { return fn(&Store{db: s.db, q: tx}) })
}

// tx runs fn in a transaction of s (a savepoint when s is in one).
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.q, fn)
}

// TenantTx is one transaction on one tenant's data: its search_path is
// the tenant's schema alone (set transaction-locally, so it is safe behind
// a transaction pooler), and its methods are the tenant's queries. Get one
// from Store.Tenant; it is valid only while that function runs.
type TenantTx struct {
	tx       pgx.Tx
	tenantID int64
	db       *db.DB
}

// Tenant runs fn in one transaction on tenant tenantID's data. It commits
// when fn returns nil and rolls back otherwise. Do not start a Tenant
// transaction of another tenant inside fn.
func (s *Store) Tenant(ctx context.Context, tenantID int64, fn func(*TenantTx) error) error {
	schema := db.TenantSchema(tenantID)
	if !db.ValidSchema(schema) {
		return fmt.Errorf("store: tenant %d: %w", tenantID, db.ErrBadSchema)
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('search_path', $1, true)", schema); err != nil {
			return fmt.Errorf("store: set search_path %s: %w", schema, err)
		}
		return fn(&TenantTx{tx: tx, tenantID: tenantID, db: s.db})
	})
}

// ReadTenant runs fn in a read-only transaction on tenant tenantID's data:
// on the replica when one is configured and ctx allows it
// (db.AllowReplica), else on the primary (see db.ReadTenant). fn must not
// write. It always starts a transaction of its own, even on a Store that
// is in one.
func (s *Store) ReadTenant(ctx context.Context, tenantID int64, fn func(*TenantTx) error) error {
	return s.db.ReadTenant(ctx, tenantID, func(tx pgx.Tx) error {
		return fn(&TenantTx{tx: tx, tenantID: tenantID, db: s.db})
	})
}

// TenantID is the tenant whose data the transaction reaches.
func (t *TenantTx) TenantID() int64 { return t.tenantID }

// Platform returns a Store whose methods run inside this transaction
// (platform tables are schema-qualified, so they are reachable from it).
func (t *TenantTx) Platform() *Store { return &Store{db: t.db, q: t.tx} }

// tenantValue runs one query of a tenant in its own transaction.
func tenantValue[T any](ctx context.Context, s *Store, tenantID int64, fn func(*TenantTx) (T, error)) (T, error) {
	var out T
	err := s.Tenant(ctx, tenantID, func(tx *TenantTx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// prefixed qualifies each column of a column list with a table alias.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = alias + c
	}
	return strings.Join(cols, ", ")
}
