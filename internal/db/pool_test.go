package db_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

// dsnOf returns a keyword/value connection string for d's database.
func dsnOf(d *db.DB) string {
	c := d.Pool.Config().ConnConfig
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s", c.Host, c.Port, c.User, c.Database)
}

func TestOpenWithOptions(t *testing.T) {
	t.Parallel()
	base := testdb.New(t)
	ctx := context.Background()

	d, err := db.OpenWith(ctx, dsnOf(base), db.Options{ExecMode: "simple_protocol", MaxConns: 3, MaxConnLifetime: time.Minute, MaxConnIdleTime: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	cfg := d.Pool.Config()
	if cfg.MaxConns != 3 || cfg.MaxConnLifetime != time.Minute || cfg.MaxConnIdleTime != 30*time.Second {
		t.Errorf("pool config = max %d, lifetime %v, idle %v; want 3, 1m, 30s", cfg.MaxConns, cfg.MaxConnLifetime, cfg.MaxConnIdleTime)
	}
	if cfg.ConnConfig.DefaultQueryExecMode != pgx.QueryExecModeSimpleProtocol {
		t.Errorf("exec mode = %v, want simple_protocol", cfg.ConnConfig.DefaultQueryExecMode)
	}
	if d.Session != d.Pool || d.Pooled || d.Replica != nil {
		t.Errorf("without session or replica URL: Session is Pool %v, Pooled %v, Replica %v", d.Session == d.Pool, d.Pooled, d.Replica)
	}

	// Defaults: lifetimes bounded well below pgx's hour.
	d2, err := db.OpenWith(ctx, dsnOf(base), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if c := d2.Pool.Config(); c.MaxConnLifetime != db.DefaultMaxConnLifetime || c.MaxConnIdleTime != db.DefaultMaxConnIdleTime || c.ConnConfig.DefaultQueryExecMode != pgx.QueryExecModeCacheStatement {
		t.Errorf("defaults = lifetime %v idle %v mode %v", c.MaxConnLifetime, c.MaxConnIdleTime, c.ConnConfig.DefaultQueryExecMode)
	}

	// Behind a transaction pooler (a session URL given) the main pool
	// prepares nothing: exec mode, and River polls.
	d3, err := db.OpenWith(ctx, dsnOf(base), db.Options{SessionURL: dsnOf(base)})
	if err != nil {
		t.Fatal(err)
	}
	defer d3.Close()
	if !d3.Pooled || d3.Session == d3.Pool || d3.Pool.Config().ConnConfig.DefaultQueryExecMode != pgx.QueryExecModeExec {
		t.Errorf("pooled: Pooled %v, separate session pool %v, mode %v", d3.Pooled, d3.Session != d3.Pool, d3.Pool.Config().ConnConfig.DefaultQueryExecMode)
	}
	// The URL's own default_query_exec_mode wins over the automatic choice.
	d4, err := db.OpenWith(ctx, dsnOf(base)+" default_query_exec_mode=simple_protocol", db.Options{SessionURL: dsnOf(base)})
	if err != nil {
		t.Fatal(err)
	}
	defer d4.Close()
	if m := d4.Pool.Config().ConnConfig.DefaultQueryExecMode; m != pgx.QueryExecModeSimpleProtocol {
		t.Errorf("URL default_query_exec_mode ignored: %v", m)
	}

	if _, err := db.OpenWith(ctx, dsnOf(base), db.Options{ExecMode: "prepared"}); err == nil || !strings.Contains(err.Error(), `unknown exec mode "prepared"`) {
		t.Errorf("bad exec mode: err = %v", err)
	}
}

// TestExecModesRunTenantWork runs a tenant's usual statements in every exec
// mode that works behind pgbouncer's transaction mode.
func TestExecModesRunTenantWork(t *testing.T) {
	t.Parallel()
	base := testdb.New(t)
	ctx := context.Background()
	for _, mode := range []string{"exec", "simple_protocol"} {
		d, err := db.OpenWith(ctx, dsnOf(base), db.Options{ExecMode: mode})
		if err != nil {
			t.Fatal(err)
		}
		st := store.New(d)
		ten, err := st.CreateTenant(ctx, fmt.Sprintf("exec-%s-%d", strings.ReplaceAll(mode, "_", "-"), slugSeq.Add(1)), "Exec mode")
		if err != nil {
			t.Fatalf("%s: create tenant: %v", mode, err)
		}
		var n int
		err = d.ReadTenant(ctx, ten.ID, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM schema_version WHERE version > $1 AND version = ANY($2)", 0, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}).Scan(&n)
		})
		if err != nil {
			t.Errorf("%s: read: %v", mode, err)
		}
		d.Close()
	}
}

func TestReadTenantRouting(t *testing.T) {
	t.Parallel()
	base := testdb.New(t)
	ctx := context.Background()
	ten := createTenants(t, store.New(base), 1)[0]

	// A "replica" that is the same database, to see which pool answers.
	d, err := db.OpenWith(ctx, dsnOf(base), db.Options{ReplicaURL: dsnOf(base)})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	read := func(ctx context.Context) error {
		return d.ReadTenant(ctx, ten.ID, func(tx pgx.Tx) error {
			var path string
			if err := tx.QueryRow(ctx, "SHOW search_path").Scan(&path); err != nil {
				return err
			}
			if path != db.TenantSchema(ten.ID) {
				return fmt.Errorf("search_path = %q", path)
			}
			return nil
		})
	}
	before := d.Replica.Stat().AcquireCount()
	if err := read(ctx); err != nil {
		t.Fatal(err)
	}
	if d.Replica.Stat().AcquireCount() != before {
		t.Error("a read without AllowReplica went to the replica")
	}
	if err := read(db.AllowReplica(ctx)); err != nil {
		t.Fatal(err)
	}
	if d.Replica.Stat().AcquireCount() != before+1 {
		t.Error("a read with AllowReplica did not go to the replica")
	}

	// Read-only, wherever it runs.
	for _, c := range []context.Context{ctx, db.AllowReplica(ctx)} {
		err := d.ReadTenant(c, ten.ID, func(tx pgx.Tx) error {
			_, err := tx.Exec(c, "UPDATE schema_version SET version = version")
			return err
		})
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
			t.Errorf("write in ReadTenant: err = %v, want read_only_sql_transaction", err)
		}
	}

	// A replica that cannot be reached: the read falls back to the primary.
	down, err := db.OpenWith(ctx, dsnOf(base), db.Options{ReplicaURL: "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"})
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	fallbacks := db.ReplicaFallbacks()
	if err := down.ReadTenant(db.AllowReplica(ctx), ten.ID, func(tx pgx.Tx) error { return nil }); err != nil {
		t.Errorf("read with the replica down: %v", err)
	}
	if db.ReplicaFallbacks() != fallbacks+1 {
		t.Error("fallback to the primary not counted")
	}
	if err := down.ReadTenant(ctx, 0, func(tx pgx.Tx) error { return nil }); !errors.Is(err, db.ErrBadSchema) {
		t.Errorf("tenant 0: err = %v", err)
	}
}
