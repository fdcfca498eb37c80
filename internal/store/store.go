// Package store holds PatternVault's SQL: one Store type with one file per
// entity, hand-written queries with explicit columns. Platform tables are
// schema-qualified; tenant tables are reached only through db.WithTenant.
package store

import (
	"context"
	"errors"
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

// Store runs every query of the application.
type Store struct {
	db *db.DB
}

// New returns a Store over d.
func New(d *db.DB) *Store { return &Store{db: d} }

// DB returns the underlying database handle.
func (s *Store) DB() *db.DB { return s.db }

// Querier is what both the pool and a transaction can do, so that a store
// method can join its caller's transaction (pass nil for the pool).
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// prefixed qualifies each column of a column list with a table alias.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = alias + c
	}
	return strings.Join(cols, ", ")
}
