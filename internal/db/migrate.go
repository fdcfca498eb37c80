package db

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/platform/*.sql migrations/tenant/*.sql
var migrationFiles embed.FS

// Migration is one ordered schema change, run in a transaction.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// PlatformMigrations returns the embedded migrations of schema platform.
func PlatformMigrations() []Migration { return mustLoad("migrations/platform") }

// TenantMigrations returns the embedded migrations run in every tenant schema.
func TenantMigrations() []Migration { return mustLoad("migrations/tenant") }

func mustLoad(dir string) []Migration {
	ms, err := loadMigrations(migrationFiles, dir)
	if err != nil {
		panic(err) // the embedded files are part of the build; tests catch this
	}
	return ms
}

// loadMigrations reads NNNN_name.sql files and checks they count up from 1.
func loadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var ms []Migration
	for i, name := range names {
		base := path.Base(name)
		num, rest, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("db: migration %s: want name %04d_something.sql", name, i+1)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(rest, ".sql"), SQL: string(b)})
	}
	return ms, nil
}

// migrateLockKey is the advisory lock that keeps two processes from
// migrating at once.
const migrateLockKey = 0x5056_6d69_6772 // "PVmigr"

// Migrator brings the platform schema and every tenant schema up to date.
type Migrator struct {
	DB       *DB
	Platform []Migration
	Tenant   []Migration
	// Workers bounds how many tenant schemas migrate at once.
	Workers int
	Log     *slog.Logger
}

// NewMigrator returns a Migrator with the embedded migrations.
func NewMigrator(d *DB, workers int, log *slog.Logger) *Migrator {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Migrator{DB: d, Platform: PlatformMigrations(), Tenant: TenantMigrations(), Workers: workers, Log: log}
}

// Result tells what a migration run did.
type Result struct {
	PlatformApplied int
	TenantsChecked  int
	TenantsMigrated int
	Took            time.Duration
}

// TenantError says which tenant's migration failed.
type TenantError struct {
	TenantID int64
	Slug     string
	Version  int
	Name     string
	Err      error
}

func (e *TenantError) Error() string {
	return fmt.Sprintf("tenant %q (%s): migration %04d_%s: %v", e.Slug, TenantSchema(e.TenantID), e.Version, e.Name, e.Err)
}

func (e *TenantError) Unwrap() error { return e.Err }

// Run migrates the platform schema and then every tenant schema in
// parallel, holding an advisory lock for the whole run. Each tenant moves
// in one transaction, so a crash or failure leaves every schema at a
// version it fully reached and a rerun resumes where this one stopped. The
// first failure stops the workers and is returned as a *TenantError.
func (m *Migrator) Run(ctx context.Context) (Result, error) {
	t0 := time.Now()
	var res Result
	// The lock is a session lock: it needs the session pool (a transaction
	// pooler would hand the unlock to another server connection).
	conn, err := m.DB.Session.Acquire(ctx)
	if err != nil {
		return res, fmt.Errorf("db: migrate: acquire: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
		return res, fmt.Errorf("db: migrate: take lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey)

	if res.PlatformApplied, err = m.migratePlatform(ctx); err != nil {
		return res, err
	}
	tenants, err := m.tenants(ctx)
	if err != nil {
		return res, err
	}
	res.TenantsChecked = len(tenants)
	res.TenantsMigrated, err = m.migrateTenants(ctx, tenants)
	res.Took = time.Since(t0)
	return res, err
}

func (m *Migrator) migratePlatform(ctx context.Context) (int, error) {
	_, err := m.DB.Pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS platform;
		CREATE TABLE IF NOT EXISTS platform.schema_migrations (
			version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
	if err != nil {
		return 0, fmt.Errorf("db: migrate platform: bookkeeping: %w", err)
	}
	current, err := m.platformVersion(ctx)
	if err != nil {
		return 0, err
	}
	applied := 0
	for _, mig := range m.Platform {
		if mig.Version <= current {
			continue
		}
		err := m.DB.Tx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, mig.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO platform.schema_migrations (version, name) VALUES ($1, $2)", mig.Version, mig.Name)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("db: platform migration %04d_%s: %w", mig.Version, mig.Name, err)
		}
		applied++
		m.Log.Info("platform migration applied", "version", mig.Version, "name", mig.Name)
	}
	return applied, nil
}

func (m *Migrator) platformVersion(ctx context.Context) (int, error) {
	var v int
	err := m.DB.Pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM platform.schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("db: read platform version: %w", err)
	}
	return v, nil
}

type tenantRef struct {
	id   int64
	slug string
}

func (m *Migrator) tenants(ctx context.Context) ([]tenantRef, error) {
	rows, err := m.DB.Pool.Query(ctx, `SELECT id, slug FROM platform.tenants WHERE status <> 'deleted' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("db: list tenants: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (tenantRef, error) {
		var t tenantRef
		err := r.Scan(&t.id, &t.slug)
		return t, err
	})
}

func (m *Migrator) migrateTenants(ctx context.Context, tenants []tenantRef) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan tenantRef)
	var (
		mu       sync.Mutex
		firstErr error
		migrated int
		wg       sync.WaitGroup
	)
	for range max(1, m.Workers) {
		wg.Go(func() {
			for t := range work {
				n, err := m.migrateTenant(ctx, t)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				if n > 0 {
					migrated++
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, t := range tenants {
		select {
		case work <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil && !errors.Is(ctx.Err(), context.Canceled) {
		firstErr = ctx.Err()
	}
	return migrated, firstErr
}

// migrateTenant applies the pending migrations of one tenant in one
// transaction and returns how many it applied.
func (m *Migrator) migrateTenant(ctx context.Context, t tenantRef) (int, error) {
	applied := 0
	var failed Migration
	err := m.DB.WithTenant(ctx, t.id, func(tx pgx.Tx) error {
		var current int
		if err := tx.QueryRow(ctx, "SELECT version FROM schema_version FOR UPDATE").Scan(&current); err != nil {
			return fmt.Errorf("read schema_version: %w", err)
		}
		for _, mig := range m.Tenant {
			if mig.Version <= current {
				continue
			}
			if _, err := tx.Exec(ctx, mig.SQL); err != nil {
				failed = mig
				return err
			}
			applied++
			current = mig.Version
		}
		if applied == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, "UPDATE schema_version SET version = $1, updated_at = now()", current)
		return err
	})
	if err != nil {
		return 0, &TenantError{TenantID: t.id, Slug: t.slug, Version: failed.Version, Name: failed.Name, Err: err}
	}
	return applied, nil
}

// CreateTenantSchema makes schema t_<id> inside tx with every tenant
// migration applied and its version row at the latest version. The caller
// has inserted the tenant row in the same transaction, so the tenant comes
// into being whole or not at all.
func CreateTenantSchema(ctx context.Context, tx pgx.Tx, id int64, migrations []Migration) error {
	return createSchema(ctx, tx, TenantSchema(id), migrations)
}

// createSchema makes schema with every tenant migration applied (see
// CreateTenantSchema).
func createSchema(ctx context.Context, tx pgx.Tx, schema string, migrations []Migration) error {
	if _, err := tx.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("db: create schema %s: %w", schema, err)
	}
	if _, err := tx.Exec(ctx, "SELECT set_config('search_path', $1, true)", schema); err != nil {
		return fmt.Errorf("db: set search_path %s: %w", schema, err)
	}
	version := 0
	var sql strings.Builder
	sql.WriteString("CREATE TABLE schema_version (version int NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());\n")
	for _, mig := range migrations {
		sql.WriteString(mig.SQL)
		sql.WriteString(";\n")
		version = mig.Version
	}
	fmt.Fprintf(&sql, "INSERT INTO schema_version (version) VALUES (%d);\n", version)
	if _, err := tx.Exec(ctx, sql.String()); err != nil {
		return fmt.Errorf("db: create tables in %s: %w", schema, err)
	}
	_, err := tx.Exec(ctx, "SELECT set_config('search_path', 'public', true)")
	return err
}

// Status reports whether the platform and every tenant schema are at the
// latest version; behind lists what is not.
func (m *Migrator) Status(ctx context.Context) (behind []string, err error) {
	var exists bool
	if err := m.DB.Pool.QueryRow(ctx, "SELECT to_regclass('platform.schema_migrations') IS NOT NULL").Scan(&exists); err != nil {
		return nil, fmt.Errorf("db: migration status: %w", err)
	}
	if !exists {
		return []string{"platform (not created)"}, nil
	}
	v, err := m.platformVersion(ctx)
	if err != nil {
		return nil, err
	}
	if want := len(m.Platform); v < want {
		return []string{fmt.Sprintf("platform (at %d of %d)", v, want)}, nil
	}
	tenants, err := m.tenants(ctx)
	if err != nil {
		return nil, err
	}
	want := len(m.Tenant)
	for _, t := range tenants {
		var tv int
		err := m.DB.WithTenant(ctx, t.id, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT version FROM schema_version").Scan(&tv)
		})
		if err != nil {
			return nil, fmt.Errorf("db: migration status of tenant %q: %w", t.slug, err)
		}
		if tv < want {
			behind = append(behind, fmt.Sprintf("tenant %s (at %d of %d)", t.slug, tv, want))
		}
	}
	return behind, nil
}
