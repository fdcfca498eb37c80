// Package store holds PatternVault's SQL: one Store type with one file per
// entity, hand-written queries with explicit columns. Platform tables are
// schema-qualified; tenant tables are reached only through db.WithTenant.
package store

import (
	"errors"

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
