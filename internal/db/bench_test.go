package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

// BenchmarkCreateTenant measures creating one tenant: row, schema, tables
// and version row in one transaction. Target: median under 100 ms.
func BenchmarkCreateTenant(b *testing.B) {
	st := store.New(testdb.New(b))
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if _, err := st.CreateTenant(ctx, fmt.Sprintf("bench-%d", i), "Bench"); err != nil {
			b.Fatal(err)
		}
	}
}

const benchTenants = 1000

// BenchmarkMigrateNoop1000 measures `migrate` with nothing to do over 1,000
// tenants. Target: under 5 s.
func BenchmarkMigrateNoop1000(b *testing.B) {
	d := testdb.New(b)
	createTenants(b, store.New(d), benchTenants)
	m := db.NewMigrator(d, 4, nil)
	ctx := context.Background()
	for b.Loop() {
		res, err := m.Run(ctx)
		if err != nil || res.TenantsChecked != benchTenants || res.TenantsMigrated != 0 {
			b.Fatalf("Run = %+v, %v", res, err)
		}
	}
}

// BenchmarkMigrateAdditive1000 measures one additive migration (a new
// column and an index) applied to 1,000 tenants. Target: under 60 s.
func BenchmarkMigrateAdditive1000(b *testing.B) {
	d := testdb.New(b)
	createTenants(b, store.New(d), benchTenants)
	m := db.NewMigrator(d, 4, nil)
	ctx := context.Background()
	for b.Loop() {
		v := len(m.Tenant) + 1
		m.Tenant = append(m.Tenant, db.Migration{Version: v, Name: "bench", SQL: fmt.Sprintf(
			"ALTER TABLE patterns ADD COLUMN bench_%d int; CREATE INDEX ON patterns (bench_%d);", v, v)})
		res, err := m.Run(ctx)
		if err != nil || res.TenantsMigrated != benchTenants {
			b.Fatalf("Run = %+v, %v", res, err)
		}
	}
}
