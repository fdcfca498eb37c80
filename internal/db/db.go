// Package db owns PatternVault's connection pool, the transactions that
// reach tenant data, and the schema migrations of the platform and of every
// tenant schema.
//
// Platform tables live in schema "platform" and are always written
// schema-qualified. Each tenant's tables live in its own schema t_<id>; the
// only way to reach them is WithTenant (or ReadTenant, or TenantBatch and
// ReadTenantBatch for a few statements in one round trip), which pins the
// transaction's search_path to that one schema.
package db

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/patternvault/patternvault/internal/lazy"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB holds PatternVault's connection pools.
type DB struct {
	// Pool reaches the primary. Every write and every read that must see
	// the latest write goes through it. Behind a transaction pooler
	// (pgbouncer pool_mode=transaction) it carries no session state.
	Pool *pgxpool.Pool
	// Replica reaches a streaming replica (PV_DATABASE_REPLICA_URL), or is
	// nil. Only ReadTenant uses it, and only for requests marked with
	// AllowReplica.
	Replica *pgxpool.Pool
	// Session reaches the primary with session semantics: LISTEN, session
	// advisory locks, migrations. It is Pool itself unless a separate
	// session URL is configured (PV_DATABASE_SESSION_URL, needed when Pool
	// goes through a transaction pooler).
	Session *pgxpool.Pool
	// Pooled reports that Pool goes through a transaction pooler: no
	// LISTEN and no session state there (River then polls for jobs).
	Pooled bool
	// BaseURL, when set, is the public address this process serves; its
	// heartbeat (Beat) reports it, so that a command run elsewhere (admin
	// create) can print the address people really reach.
	BaseURL string
}

// Options tune the pools. The zero value is the embedded default.
type Options struct {
	// ReplicaURL, when set, opens a read-only pool on a streaming replica.
	ReplicaURL string
	// SessionURL, when set, opens a small pool with session semantics on
	// the primary, and marks the main URL as going through a transaction
	// pooler.
	SessionURL string
	// ExecMode is how pgx sends queries: cache_statement (pgx's default,
	// named prepared statements cached per connection), cache_describe,
	// describe_exec, exec or simple_protocol. Empty keeps the URL's
	// default_query_exec_mode if it has one, else uses exec behind a
	// transaction pooler (SessionURL set: pgbouncer 1.18 cannot keep
	// prepared statements across transactions) and cache_statement
	// otherwise.
	ExecMode string
	// MaxConns bounds each pool; 0 keeps the URL's pool_max_conns or
	// pgx's default (at least 8).
	MaxConns int32
	// MaxConnLifetime closes a connection after this long (with pgx's
	// jitter), bounding the memory a backend gathers in its catalogue
	// cache as it touches tenant schemas; 0 means DefaultMaxConnLifetime.
	MaxConnLifetime time.Duration
	// MaxConnIdleTime closes a connection idle for this long; 0 means
	// DefaultMaxConnIdleTime.
	MaxConnIdleTime time.Duration
}

// Defaults of the connection lifetimes. A backend keeps the catalogue
// entries of every schema it touched (measured: 0.7 MB fresh, 109 MB after
// touching 1,000 tenant schemas), so connections are recycled well before
// pgx's own defaults (one hour, thirty minutes).
const (
	DefaultMaxConnLifetime = 10 * time.Minute
	DefaultMaxConnIdleTime = 2 * time.Minute
)

// ExecModes lists the accepted values of Options.ExecMode.
var ExecModes = map[string]pgx.QueryExecMode{
	"cache_statement": pgx.QueryExecModeCacheStatement,
	"cache_describe":  pgx.QueryExecModeCacheDescribe,
	"describe_exec":   pgx.QueryExecModeDescribeExec,
	"exec":            pgx.QueryExecModeExec,
	"simple_protocol": pgx.QueryExecModeSimpleProtocol,
}

// OpenDatabase connects to the database at dsn (a URL or keyword/value
// string), with the database name replaced by name (when not empty), and
// checks that it answers.
func OpenDatabase(ctx context.Context, dsn, name string) (*DB, error) {
	pool, err := openPool(ctx, dsn, name, Options{}, false)
	if err != nil {
		return nil, err
	}
	return &DB{Pool: pool, Session: pool}, nil
}

// OpenWith connects the primary pool at dsn (a URL or keyword/value
// string), checks that it answers and, as opt says, opens the replica and
// session pools.
func OpenWith(ctx context.Context, dsn string, opt Options) (*DB, error) {
	pooled := opt.SessionURL != ""
	pool, err := openPool(ctx, dsn, "", opt, pooled)
	if err != nil {
		return nil, err
	}
	d := &DB{Pool: pool, Session: pool, Pooled: pooled}
	if opt.SessionURL != "" {
		sopt := opt
		sopt.MaxConns = 0
		if d.Session, err = openPool(ctx, opt.SessionURL, "", sopt, false); err != nil {
			d.Close()
			return nil, fmt.Errorf("db: session pool: %w", err)
		}
	}
	if opt.ReplicaURL != "" {
		// The replica may be down or still catching up at start: it is
		// opened lazily and ReadTenant falls back to the primary.
		if d.Replica, err = newPool(opt.ReplicaURL, "", opt, pooled); err != nil {
			d.Close()
			return nil, fmt.Errorf("db: replica pool: %w", err)
		}
	}
	return d, nil
}

func openPool(ctx context.Context, dsn, name string, opt Options, pooled bool) (*pgxpool.Pool, error) {
	pool, err := newPool(dsn, name, opt, pooled)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: ping: %w", err)
	}
	return pool, nil
}

func newPool(dsn, name string, opt Options, pooled bool) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("db: parse connection string: %w", err)
	}
	if name != "" {
		cfg.ConnConfig.Database = name
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	} else if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	cfg.MaxConnLifetime = cmp.Or(opt.MaxConnLifetime, DefaultMaxConnLifetime)
	cfg.MaxConnLifetimeJitter = cfg.MaxConnLifetime / 10
	cfg.MaxConnIdleTime = cmp.Or(opt.MaxConnIdleTime, DefaultMaxConnIdleTime)
	if mode, ok := ExecModes[opt.ExecMode]; ok {
		cfg.ConnConfig.DefaultQueryExecMode = mode
	} else if opt.ExecMode != "" {
		return nil, fmt.Errorf("db: unknown exec mode %q (want cache_statement, cache_describe, describe_exec, exec or simple_protocol)", opt.ExecMode)
	} else if pooled && !strings.Contains(dsn, "default_query_exec_mode") {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("db: connect: %w", err)
	}
	return pool, nil
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
func (d *DB) Close() {
	if d.Replica != nil {
		d.Replica.Close()
	}
	if d.Session != nil && d.Session != d.Pool {
		d.Session.Close()
	}
	d.Pool.Close()
}

// TenantSchema returns the schema name of tenant id: t_<id>.
func TenantSchema(id int64) string { return "t_" + strconv.FormatInt(id, 10) }

var schemaName = lazy.Regexp(`^t_[1-9][0-9]{0,18}$`)

// ErrBadSchema is returned for a schema name that is not t_<positive id>.
var ErrBadSchema = errors.New("db: invalid tenant schema name")

// ValidSchema reports whether name is a well-formed tenant schema name.
func ValidSchema(name string) bool { return schemaName().MatchString(name) }

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

// replicaKey marks a context whose read-only tenant transactions may run on
// the replica.
type replicaKey struct{}

// AllowReplica returns ctx marked so that ReadTenant may answer from the
// replica: the caller accepts data a little behind the primary (a library
// grid, a search, a thumbnail, a public share page) and the person has not
// written anything in the last few seconds (read-your-writes is the
// caller's part, see internal/web).
func AllowReplica(ctx context.Context) context.Context {
	return context.WithValue(ctx, replicaKey{}, true)
}

// ReplicaAllowed reports whether ctx was marked by AllowReplica.
func ReplicaAllowed(ctx context.Context) bool {
	ok, _ := ctx.Value(replicaKey{}).(bool)
	return ok
}

// ReadTenant runs fn in a read-only transaction on tenant id's schema: on
// the replica when one is configured and ctx allows it (AllowReplica),
// else on the primary. A replica that cannot be reached falls back to the
// primary, so a lost replica slows reads down but never fails them. fn
// must not write (PostgreSQL refuses writes in a read-only transaction).
func (d *DB) ReadTenant(ctx context.Context, id int64, fn func(pgx.Tx) error) error {
	schema := TenantSchema(id)
	if !ValidSchema(schema) {
		return fmt.Errorf("%w: %q", ErrBadSchema, schema)
	}
	return d.read(ctx, schema, fn)
}

// Read runs fn in a read-only platform transaction, on the replica when
// ctx allows it (as ReadTenant).
func (d *DB) Read(ctx context.Context, fn func(pgx.Tx) error) error {
	return d.read(ctx, "", fn)
}

func (d *DB) read(ctx context.Context, schema string, fn func(pgx.Tx) error) error {
	if d.Replica != nil && ReplicaAllowed(ctx) {
		tx, err := d.Replica.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
		if err == nil {
			return runSchema(ctx, tx, schema, fn)
		}
		if ctx.Err() != nil {
			return err
		}
		replicaFallbacks.Add(1)
	}
	tx, err := d.Pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("db: begin read-only transaction: %w", err)
	}
	return runSchema(ctx, tx, schema, fn)
}

// replicaFallbacks counts reads that wanted the replica and got the primary.
var replicaFallbacks atomic.Int64

// ReplicaFallbacks is how many reads went to the primary because the
// replica could not be reached, since the process started.
func ReplicaFallbacks() int64 { return replicaFallbacks.Load() }

// runSchema pins tx's search_path to schema (unless empty), runs fn, and
// commits when fn returns nil (rolls back otherwise).
func runSchema(ctx context.Context, tx pgx.Tx, schema string, fn func(pgx.Tx) error) (err error) {
	defer func() {
		if err != nil {
			tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if schema != "" {
		if _, err := tx.Exec(ctx, "SELECT set_config('search_path', $1, true)", schema); err != nil {
			return fmt.Errorf("db: set search_path %s: %w", schema, err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// CitusReferenceTables are the platform tables that tenant tables may
// reference by foreign key or join in tenant queries: under Citus'
// schema-based sharding they become reference tables (copied to every
// node), see docs/scaling.md. TestCitusSchemaSharding holds the code to it.
var CitusReferenceTables = []string{}

// CitusPlatformFunctions are the platform functions that tenant tables and
// queries use (in indexes, generated columns and SQL); under Citus they are
// created on every node (CREATE FUNCTION is propagated to the workers).
var CitusPlatformFunctions = []string{"fold"}
