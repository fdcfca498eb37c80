package db_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

// TestTenantBatch runs batches on two tenants in each exec mode, many
// times over the pool's few connections, so that statements prepared
// under one tenant's search_path run again under the other's: each
// tenant sees only its own rows, a failing statement rolls back the
// whole batch, and ReadTenantBatch neither writes nor leaves its
// tenant.
func TestTenantBatch(t *testing.T) {
	t.Parallel()
	base := testdb.New(t)
	ctx := context.Background()
	for _, mode := range []string{"", "exec", "simple_protocol"} {
		d, err := db.OpenWith(ctx, dsnOf(base), db.Options{ExecMode: mode, MaxConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		ts := createTenants(t, store.New(d), 2)
		for i, ten := range ts {
			if err := d.WithTenant(ctx, ten.ID, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, "INSERT INTO keywords (name) VALUES ($1)", fmt.Sprint("own-", i))
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		// keywords reads the tenant's keywords and a computed value in
		// one batch, by TenantBatch or ReadTenantBatch.
		keywords := func(ctx context.Context, id int64, read bool) ([]string, int, error) {
			var names []string
			var n int
			b := &pgx.Batch{}
			b.Queue("SELECT name FROM keywords WHERE length(name) > $1 ORDER BY name", 0).Query(func(rows pgx.Rows) error {
				var err error
				names, err = pgx.CollectRows(rows, pgx.RowTo[string])
				return err
			})
			b.Queue("SELECT $1::int + count(*)::int FROM keywords", 40).QueryRow(func(row pgx.Row) error { return row.Scan(&n) })
			if read {
				return names, n, d.ReadTenantBatch(ctx, id, b)
			}
			return names, n, d.TenantBatch(ctx, id, b)
		}
		for round := range 6 {
			for i, ten := range ts {
				names, n, err := keywords(ctx, ten.ID, round%2 == 1)
				if err != nil {
					t.Fatalf("mode %q round %d tenant %d: %v", mode, round, i, err)
				}
				if want := []string{fmt.Sprint("own-", i)}; !slices.Equal(names, want) || n != 41 {
					t.Fatalf("mode %q round %d tenant %d: keywords %q and %d, want %q and 41", mode, round, i, names, n, want)
				}
			}
		}

		// One implicit transaction: a failing statement undoes the
		// batch's earlier writes.
		b := &pgx.Batch{}
		b.Queue("INSERT INTO keywords (name) VALUES ($1)", "undone")
		b.Queue("SELECT 1 / $1::int", 0)
		if err := d.TenantBatch(ctx, ts[0].ID, b); err == nil {
			t.Fatalf("mode %q: division by zero passed", mode)
		}
		if names, _, err := keywords(ctx, ts[0].ID, false); err != nil || len(names) != 1 {
			t.Errorf("mode %q: after a failed batch: keywords %q, err %v", mode, names, err)
		}

		// Writes commit.
		b = &pgx.Batch{}
		b.Queue("INSERT INTO keywords (name) VALUES ($1)", "kept")
		if err := d.TenantBatch(ctx, ts[1].ID, b); err != nil {
			t.Fatalf("mode %q: insert: %v", mode, err)
		}
		if names, _, err := keywords(ctx, ts[1].ID, true); err != nil || !slices.Contains(names, "kept") {
			t.Errorf("mode %q: after an insert: keywords %q, err %v", mode, names, err)
		}

		// A read refuses writes.
		b = &pgx.Batch{}
		b.Queue("INSERT INTO keywords (name) VALUES ($1)", "refused")
		var pgErr *pgconn.PgError
		if err := d.ReadTenantBatch(ctx, ts[1].ID, b); !errors.As(err, &pgErr) || pgErr.Code != "25006" {
			t.Errorf("mode %q: write in ReadTenantBatch: err = %v, want read_only_sql_transaction", mode, err)
		}
		if err := d.TenantBatch(ctx, 0, &pgx.Batch{}); !errors.Is(err, db.ErrBadSchema) {
			t.Errorf("mode %q: tenant 0: err = %v", mode, err)
		}
	}

	// ReadTenantBatch goes to the replica only when the context allows.
	ten := createTenants(t, store.New(base), 1)[0]
	d, err := db.OpenWith(ctx, dsnOf(base), db.Options{ReplicaURL: dsnOf(base)})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	read := func(ctx context.Context) {
		t.Helper()
		var path string
		b := &pgx.Batch{}
		b.Queue("SELECT current_setting('search_path')").QueryRow(func(row pgx.Row) error { return row.Scan(&path) })
		if err := d.ReadTenantBatch(ctx, ten.ID, b); err != nil || path != db.TenantSchema(ten.ID) {
			t.Fatalf("search_path %q, err %v", path, err)
		}
	}
	before := d.Replica.Stat().AcquireCount()
	read(ctx)
	if d.Replica.Stat().AcquireCount() != before {
		t.Error("a read without AllowReplica went to the replica")
	}
	read(db.AllowReplica(ctx))
	if d.Replica.Stat().AcquireCount() != before+1 {
		t.Error("a read with AllowReplica did not go to the replica")
	}
}

// TestTenantBatchPreparesBoundedly: a connection keeps at most a bounded
// number of statements prepared, however many shapes of SQL it runs;
// the rest run unnamed, with right results.
func TestTenantBatchPreparesBoundedly(t *testing.T) {
	t.Parallel()
	base := testdb.New(t)
	ctx := context.Background()
	d, err := db.OpenWith(ctx, dsnOf(base), db.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ten := createTenants(t, store.New(d), 1)[0]
	const shapes = 400
	for i := range shapes {
		var got, prepared int
		b := &pgx.Batch{}
		b.Queue(fmt.Sprintf("SELECT $1::int + %d", i), 1).QueryRow(func(row pgx.Row) error { return row.Scan(&got) })
		b.Queue("SELECT count(*)::int FROM pg_prepared_statements").QueryRow(func(row pgx.Row) error { return row.Scan(&prepared) })
		if err := d.TenantBatch(ctx, ten.ID, b); err != nil {
			t.Fatalf("shape %d: %v", i, err)
		}
		if got != i+1 {
			t.Fatalf("shape %d: got %d, want %d", i, got, i+1)
		}
		if i == shapes-1 && (prepared == 0 || prepared > 300) {
			t.Errorf("after %d shapes of SQL the connection holds %d prepared statements, want some, at most 300", shapes, prepared)
		}
	}
}
