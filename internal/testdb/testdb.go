// Package testdb gives tests a real PostgreSQL: one embedded cluster per
// test binary (started by the project's own launcher on first use and
// removed when the tests end), and a fresh, migrated database per test,
// cloned from a template so that tests run in parallel and start fast.
//
// Set PV_TEST_DATABASE_URL to use an existing server instead; its user must
// be allowed to create databases. The embedded test cluster runs without
// fsync for speed; PV_TEST_FSYNC=on makes it durable (make bench sets it, so
// benchmarks measure what production pays).
package testdb

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/pgserver"
)

var (
	setupOnce sync.Once
	setupErr  error
	adminDSN  string
	template  string
	cluster   *pgserver.Server
	tempDir   string
	counter   atomic.Int64
)

// Main runs the package's tests and then stops the cluster if one was
// started. Use it from TestMain: func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testdb:", err)
		}
	}
	if tempDir != "" {
		os.RemoveAll(tempDir)
	}
	return code
}

// DSN returns the connection string of the test server's maintenance
// database, starting the server if needed.
func DSN(t testing.TB) string {
	t.Helper()
	setupOnce.Do(setup)
	if setupErr != nil {
		t.Fatalf("testdb: %v", setupErr)
	}
	return adminDSN
}

func setup() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adminDSN = os.Getenv("PV_TEST_DATABASE_URL")
	if adminDSN == "" {
		tempDir, setupErr = os.MkdirTemp("", "pvtest-")
		if setupErr != nil {
			return
		}
		cluster, setupErr = pgserver.Start(ctx, filepath.Join(tempDir, "pg"), pgserver.Options{NoSync: os.Getenv("PV_TEST_FSYNC") != "on"})
		if setupErr != nil {
			return
		}
		adminDSN = cluster.DSN("postgres")
	}
	template = fmt.Sprintf("pvtmpl_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	setupErr = createTemplate(ctx)
}

// createTemplate makes a database with the platform schema migrated.
func createTemplate(ctx context.Context) error {
	if err := db.EnsureDatabase(ctx, adminDSN, template); err != nil {
		return err
	}
	d, err := db.OpenDatabase(ctx, adminDSN, template)
	if err != nil {
		return err
	}
	defer d.Close()
	_, err = db.NewMigrator(d, 1, nil).Run(ctx)
	return err
}

// New returns a connection pool on a new database of the test's own, with
// the platform schema migrated and no tenants. It is dropped when the test
// ends.
func New(t testing.TB) *db.DB {
	t.Helper()
	DSN(t)
	ctx := context.Background()
	name := fmt.Sprintf("%s_%d", template, counter.Add(1))
	admin, err := db.OpenDatabase(ctx, adminDSN, "")
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Pool.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{template}.Sanitize())); err != nil {
		t.Fatalf("testdb: create database %s: %v", name, err)
	}
	d, err := db.OpenDatabase(ctx, adminDSN, name)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		d.Close()
		admin, err := db.OpenDatabase(ctx, adminDSN, "")
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Pool.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})
	return d
}

// Shared returns a new migrated database that lives until the test
// binary ends (for benchmarks that seed data once and share it); it is
// removed with the cluster.
func Shared() (*db.DB, error) {
	setupOnce.Do(setup)
	if setupErr != nil {
		return nil, setupErr
	}
	ctx := context.Background()
	name := fmt.Sprintf("%s_shared_%d", template, counter.Add(1))
	admin, err := db.OpenDatabase(ctx, adminDSN, "")
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.Pool.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{template}.Sanitize())); err != nil {
		return nil, fmt.Errorf("testdb: create database %s: %w", name, err)
	}
	return db.OpenDatabase(ctx, adminDSN, name)
}

// NewURL returns the connection string of a new database of the test's
// own, migrated like New's (platform schema, no tenants) and dropped when
// the test ends: for tests that run PatternVault as a separate process
// (PV_DATABASE_URL), sharing the one test server instead of starting a
// cluster each.
func NewURL(t testing.TB) string {
	t.Helper()
	DSN(t) // sets template up
	return newDatabase(t, template)
}

// EmptyURL is NewURL for a database with nothing in it (not migrated).
func EmptyURL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, "template0")
}

func newDatabase(t testing.TB, from string) string {
	t.Helper()
	DSN(t)
	ctx := context.Background()
	name := fmt.Sprintf("%s_url_%d", template, counter.Add(1))
	admin, err := db.OpenDatabase(ctx, adminDSN, "")
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Pool.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{from}.Sanitize())); err != nil {
		t.Fatalf("testdb: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin, err := db.OpenDatabase(ctx, adminDSN, "")
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Pool.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})
	if strings.Contains(adminDSN, "://") {
		u, err := url.Parse(adminDSN)
		if err != nil {
			t.Fatalf("testdb: %v", err)
		}
		u.Path = "/" + name
		return u.String()
	}
	return adminDSN + " dbname='" + name + "'"
}
