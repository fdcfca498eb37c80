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
	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/metrics"
	"github.com/patternvault/patternvault/internal/metrics/metricstest"
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

	// Platform reads follow the same rule.
	if err := d.Read(db.AllowReplica(ctx), func(tx pgx.Tx) error {
		var n int
		return tx.QueryRow(ctx, "SELECT count(*) FROM platform.tenants").Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	if d.Replica.Stat().AcquireCount() != before+2 {
		t.Error("a platform read with AllowReplica did not go to the replica")
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

// TestClusterMetrics checks internal/metrics' cluster figures here, where
// the test database is (no second test cluster for the metrics package).
func TestClusterMetrics(t *testing.T) {
	t.Parallel()
	dsn := dsnOf(testdb.New(t))
	// A "replica" pool on the same (primary) server: reachable, not in
	// recovery, so replica_up is 0.
	d, err := db.OpenWith(context.Background(), dsn, db.Options{ReplicaURL: dsn, SessionURL: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m := metrics.New(d.Pool)
	m.RegisterCluster(d, "app1:8080")
	families := metricstest.Gather(t, m.Registry)
	series := map[string]int{}
	values := map[string]float64{}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "patternvault_db_") {
			continue
		}
		for _, mt := range f.GetMetric() {
			series[f.GetName()]++
			server := ""
			for _, l := range mt.GetLabel() {
				if l.GetName() == "server" {
					server = l.GetValue()
				}
			}
			if server != "app1:8080" {
				t.Errorf("%s has server label %q", f.GetName(), server)
			}
			if g := mt.GetGauge(); g != nil {
				values[f.GetName()] = g.GetValue()
			}
		}
	}
	if series["patternvault_db_pool_connections"] != 12 { // 4 states × primary, session, replica
		t.Errorf("pool connection series = %d, want 12", series["patternvault_db_pool_connections"])
	}
	for _, name := range []string{"patternvault_db_pool_acquires_total", "patternvault_db_pool_closed_total", "patternvault_db_replica_fallbacks_total"} {
		if series[name] == 0 {
			t.Errorf("no %s", name)
		}
	}
	if values["patternvault_db_primary_ok"] != 1 {
		t.Errorf("primary_ok = %v, want 1", values["patternvault_db_primary_ok"])
	}
	if v, ok := values["patternvault_db_replica_up"]; !ok || v != 0 {
		t.Errorf("replica_up = %v (present %v), want 0: the replica pool reaches a server not in recovery", v, ok)
	}
}

func TestHealthFigures(t *testing.T) {
	t.Parallel()
	d := testdb.New(t)
	ctx := context.Background()
	started := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	for _, name := range []string{"vm:8081", "vm:8082", "vm:8081"} {
		if err := d.Beat(ctx, name, "v1", started); err != nil {
			t.Fatal(err)
		}
	}
	servers, err := d.AppServers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(servers) != 2 || servers[0].Version != "v1" || !servers[0].StartedAt.Equal(started) || len(servers[0].Pools) == 0 || servers[0].Pools[0].Name != "primary" || servers[0].Pools[0].Max < 1 {
		t.Fatalf("app servers = %+v", servers)
	}
	// A server silent for more than a day is forgotten at the next beat.
	if _, err := d.Pool.Exec(ctx, `UPDATE platform.app_servers SET seen_at = now() - interval '2 days' WHERE name = 'vm:8082'`); err != nil {
		t.Fatal(err)
	}
	d.Beat(ctx, "vm:8081", "v2", started)
	if servers, _ = d.AppServers(ctx); len(servers) != 1 || servers[0].Version != "v2" {
		t.Errorf("after a day of silence: %+v", servers)
	}

	if err := jobs.Migrate(ctx, d.Pool); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `INSERT INTO platform.river_job (kind, args, state, max_attempts, errors, finalized_at)
		VALUES ('thumbnail', '{}', 'discarded', 1, ARRAY['{"error": "disk full", "attempt": 1}'::jsonb], now()),
		       ('thumbnail', '{}', 'available', 1, NULL, NULL)`); err != nil {
		t.Fatal(err)
	}
	q, err := d.JobQueue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if q.ByState["available"] != 1 || len(q.Failed) != 1 || q.Failed[0].Kind != "thumbnail" || q.Failed[0].LastError != "disk full" {
		t.Errorf("job queue = %+v", q)
	}
	st, err := d.Storage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.DatabaseBytes <= 0 {
		t.Errorf("storage = %+v", st)
	}
}
