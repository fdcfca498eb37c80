// Package db owns PatternVault's connection pool, the transactions that
// reach tenant data, and the schema migrations of the platform and of every
// tenant schema.
//
// Platform tables live in schema "platform" and are always written
// schema-qualified. Each tenant's tables live in its own schema t_<id>; the
// only way to reach them is WithTenant, which pins the transaction's
// search_path to that one schema.
package db

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is the shared connection pool.
type DB struct {
	Pool *pgxpool.Pool
}

// Open connects to the database at dsn (a URL or keyword/value string) and
// checks that it answers.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenDatabase(ctx, dsn, "")
}

// OpenDatabase is Open with the database name replaced by name (when not
// empty), whatever dsn says.
func OpenDatabase(ctx context.Context, dsn, name string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("db: parse connection string: %w", err)
	}
	if name != "" {
		cfg.ConnConfig.Database = name
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("db: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: ping: %w", err)
	}
	return &DB{Pool: pool}, nil
}

// EnsureDatabase creates database name on the server at dsn if it does not
// exist yet.
func EnsureDatabase(ctx context.Context, dsn, name string) error {
	admin, err := OpenDatabase(ctx, dsn, "postgres")
	if err != nil {
		return err
	}
	defer admin.Close()
	var exists bool
	if err := admin.Pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("db: look for database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := admin.Pool.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("db: create database %q: %w", name, err)
	}
	return nil
}

// Close closes every connection.
func (d *DB) Close() { d.Pool.Close() }

// TenantSchema returns the schema name of tenant id: t_<id>.
func TenantSchema(id int64) string { return "t_" + strconv.FormatInt(id, 10) }

var schemaName = regexp.MustCompile(`^t_[1-9][0-9]{0,18}$`)

// ErrBadSchema is returned for a schema name that is not t_<positive id>.
var ErrBadSchema = errors.New("db: invalid tenant schema name")

// ValidSchema reports whether name is a well-formed tenant schema name.
func ValidSchema(name string) bool { return schemaName.MatchString(name) }

// WithTenant runs fn in a transaction whose search_path is the schema of
// tenant id alone (set transaction-locally, so it is safe behind a
// transaction pooler). It commits when fn returns nil and rolls back
// otherwise.
func (d *DB) WithTenant(ctx context.Context, id int64, fn func(pgx.Tx) error) error {
	return d.withSchema(ctx, TenantSchema(id), fn)
}

func (d *DB) withSchema(ctx context.Context, schema string, fn func(pgx.Tx) error) error {
	if !ValidSchema(schema) {
		return fmt.Errorf("%w: %q", ErrBadSchema, schema)
	}
	return pgx.BeginFunc(ctx, d.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('search_path', $1, true)", schema); err != nil {
			return fmt.Errorf("db: set search_path %s: %w", schema, err)
		}
		return fn(tx)
	})
}

// Tx runs fn in a platform transaction (no tenant search_path).
func (d *DB) Tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, d.Pool, fn)
}
