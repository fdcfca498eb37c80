package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

var slugSeq atomic.Int64

func createTenants(t testing.TB, st *store.Store, n int) []*store.Tenant {
	t.Helper()
	ts := make([]*store.Tenant, n)
	for i := range ts {
		var err error
		ts[i], err = st.CreateTenant(context.Background(), fmt.Sprintf("tenant-%d", slugSeq.Add(1)), "Tenant")
		if err != nil {
			t.Fatal(err)
		}
	}
	return ts
}

func tenantVersion(t testing.TB, d *db.DB, id int64) (version int, hasColumn bool) {
	t.Helper()
	err := d.WithTenant(context.Background(), id, func(tx pgx.Tx) error {
		if err := tx.QueryRow(context.Background(), "SELECT version FROM schema_version").Scan(&version); err != nil {
			return err
		}
		return tx.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = 'patterns' AND column_name = 'extra')`).Scan(&hasColumn)
	})
	if err != nil {
		t.Fatal(err)
	}
	return version, hasColumn
}

func TestEmbeddedMigrationsAreWellFormed(t *testing.T) {
	for _, ms := range [][]db.Migration{db.PlatformMigrations(), db.TenantMigrations()} {
		if len(ms) == 0 {
			t.Fatal("no migrations embedded")
		}
		for i, m := range ms {
			if m.Version != i+1 || m.Name == "" || m.SQL == "" {
				t.Errorf("migration %d = %+v", i, m)
			}
		}
	}
}

func TestNewTenantIsAtLatestVersion(t *testing.T) {
	d := testdb.New(t)
	st := store.New(d)
	tn := createTenants(t, st, 1)[0]
	v, _ := tenantVersion(t, d, tn.ID)
	if want := len(db.TenantMigrations()); v != want {
		t.Errorf("new tenant at version %d, want %d", v, want)
	}
	behind, err := db.NewMigrator(d, 2, nil).Status(context.Background())
	if err != nil || len(behind) != 0 {
		t.Errorf("Status = %v, %v; want nothing behind", behind, err)
	}
}

// TestMigrateManyTenantsWithFailure applies an additive migration to 200
// tenants in parallel, where one tenant fails: the run stops, names that
// tenant, leaves every schema at a whole version, and a rerun completes.
func TestMigrateManyTenantsWithFailure(t *testing.T) {
	ctx := context.Background()
	d := testdb.New(t)
	st := store.New(d)
	tenants := createTenants(t, st, 200)
	bad := tenants[137]

	base := db.TenantMigrations()
	failing := db.Migration{Version: len(base) + 1, Name: "extra", SQL: fmt.Sprintf(`
		ALTER TABLE patterns ADD COLUMN extra int;
		DO $$ BEGIN IF current_schema() = '%s' THEN RAISE EXCEPTION 'injected failure'; END IF; END $$;`, bad.Schema())}
	m := db.NewMigrator(d, 4, nil)
	m.Tenant = append(base[:len(base):len(base)], failing)

	_, err := m.Run(ctx)
	var te *db.TenantError
	if !errors.As(err, &te) {
		t.Fatalf("Run error = %v, want a *TenantError", err)
	}
	if te.TenantID != bad.ID || te.Slug != bad.Slug || te.Version != failing.Version {
		t.Errorf("TenantError names tenant %d %q version %d, want %d %q %d", te.TenantID, te.Slug, te.Version, bad.ID, bad.Slug, failing.Version)
	}
	for _, tn := range tenants {
		v, col := tenantVersion(t, d, tn.ID)
		if col != (v == failing.Version) {
			t.Fatalf("tenant %s half-migrated: version %d, column present %v", tn.Slug, v, col)
		}
		if tn.ID == bad.ID && v != len(base) {
			t.Fatalf("failing tenant moved to version %d", v)
		}
	}
	behind, err := m.Status(ctx)
	if err != nil || len(behind) == 0 {
		t.Fatalf("Status after failure = %v, %v; want the failed tenant behind", behind, err)
	}

	// Fix the migration and run again: everything reaches the new version.
	m.Tenant[len(m.Tenant)-1].SQL = "ALTER TABLE patterns ADD COLUMN extra int;"
	res, err := m.Run(ctx)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if res.TenantsChecked != 200 || res.TenantsMigrated == 0 {
		t.Errorf("rerun result %+v", res)
	}
	for _, tn := range tenants {
		if v, col := tenantVersion(t, d, tn.ID); v != failing.Version || !col {
			t.Fatalf("tenant %s at version %d (column %v) after rerun", tn.Slug, v, col)
		}
	}
	res, err = m.Run(ctx)
	if err != nil || res.TenantsMigrated != 0 {
		t.Errorf("third run = %+v, %v; want nothing to do", res, err)
	}
}

func TestWithTenantRejectsBadSchema(t *testing.T) {
	for _, s := range []string{"public", "t_0", "t_1; DROP TABLE x", "platform", "t_01", ""} {
		if db.ValidSchema(s) {
			t.Errorf("ValidSchema(%q) = true", s)
		}
	}
	d := testdb.New(t)
	err := d.WithTenant(context.Background(), -1, func(pgx.Tx) error { return nil })
	if !errors.Is(err, db.ErrBadSchema) {
		t.Errorf("WithTenant(-1) = %v, want ErrBadSchema", err)
	}
}

// TestMigrationsSerialised runs two migrators at once; the advisory lock
// makes the second wait for the first, so each tenant migrates once.
func TestMigrationsSerialised(t *testing.T) {
	ctx := context.Background()
	d := testdb.New(t)
	createTenants(t, store.New(d), 20)
	base := db.TenantMigrations()
	add := db.Migration{Version: len(base) + 1, Name: "extra", SQL: "ALTER TABLE patterns ADD COLUMN extra int;"}
	results := make(chan db.Result, 2)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			m := db.NewMigrator(d, 4, nil)
			m.Tenant = append(base[:len(base):len(base)], add)
			r, err := m.Run(ctx)
			results <- r
			errs <- err
		}()
	}
	total := 0
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		total += (<-results).TenantsMigrated
	}
	if total != 20 {
		t.Errorf("tenants migrated by both runs = %d, want 20 (each exactly once)", total)
	}
}
