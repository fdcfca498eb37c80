package clustertest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/store"
)

// TestScaleTenants simulates PV_SCALE_TENANTS workspaces (5,000 for
// docs/scaling.md) on the cluster's primary, in a database of their own:
// creating them, migrate with nothing to do and with one additive
// migration, the catalogue's size, a backend's memory as it visits tenant
// schemas (one long-lived connection, and a pool whose connections are
// recycled), and a pgBackRest backup of the whole cluster. It runs only
// when PV_SCALE_TENANTS is set (it takes several minutes).
func TestScaleTenants(t *testing.T) {
	r := cluster(t)
	n, _ := strconv.Atoi(os.Getenv("PV_SCALE_TENANTS"))
	if n <= 0 {
		t.Skip("set PV_SCALE_TENANTS=5000 to simulate that many workspaces")
	}
	r.waitHealthy(t, 3*time.Minute)
	ctx := t.Context()
	name := "pvscale"
	admin := r.primary(t)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	dsn := strings.Replace(r.env["PV_CLUSTER_PRIMARY_URL"], "/patternvault", "/"+name, 1)
	d, err := db.OpenWith(ctx, dsn, db.Options{MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	mig := db.NewMigrator(d, 4, nil)
	if _, err := mig.Run(ctx); err != nil {
		t.Fatal(err)
	}
	st := store.New(d)

	// Creation, 2 at a time (this machine has 2 cores), fsync and
	// synchronous replication on.
	t0 := time.Now()
	var g errgroup.Group
	g.SetLimit(2)
	var ids []int64
	var mu sync.Mutex
	var slowest atomic.Int64
	for i := range n {
		g.Go(func() error {
			c0 := time.Now()
			ten, err := st.CreateTenant(ctx, fmt.Sprintf("scale-%d", i), fmt.Sprintf("Scale %d", i))
			if err != nil {
				return err
			}
			took := time.Since(c0)
			for {
				old := slowest.Load()
				if int64(took) <= old || slowest.CompareAndSwap(old, int64(took)) {
					break
				}
			}
			mu.Lock()
			ids = append(ids, ten.ID)
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	created := time.Since(t0)
	t.Logf("figure: created %d tenants in %.1f s (%.1f ms each, 2 at a time; slowest %.0f ms)", n, created.Seconds(),
		float64(created.Milliseconds())/float64(n)*2, float64(slowest.Load())/1e6)

	// Catalogue size.
	var rels, catBytes, dbBytes int64
	if err := d.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM pg_class),
		(SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog'),
		pg_database_size(current_database())`).Scan(&rels, &catBytes, &dbBytes); err != nil {
		t.Fatal(err)
	}
	t.Logf("figure: catalogue with %d tenants: %d relations, pg_catalog %.0f MB, database %.0f MB", n, rels, mb(catBytes), mb(dbBytes))

	// migrate: nothing to do, then one additive migration (a column and an
	// index on every tenant), as `patternvault migrate` runs them.
	for _, w := range []int{4} {
		mig.Workers = w
		res, err := mig.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("figure: migrate with nothing to do, %d tenants, %d workers: %.2f s", res.TenantsChecked, w, res.Took.Seconds())
	}
	tm := db.TenantMigrations()
	mig.Tenant = append(slices.Clone(tm), db.Migration{Version: tm[len(tm)-1].Version + 1, Name: "scale_additive",
		SQL: "ALTER TABLE patterns ADD COLUMN scale_note text; CREATE INDEX patterns_scale_note_idx ON patterns (scale_note)"})
	res, err := mig.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("figure: one additive migration (column + index), %d tenants, 4 workers: %.2f s", res.TenantsMigrated, res.Took.Seconds())

	// One backend visiting tenant schemas: its memory (all contexts, and
	// the catalogue caches) after 0, 100, 1,000 and every tenant.
	conn := r.connect(t, dsn)
	var pid int
	conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid)
	visited := 0
	for _, upto := range []int{0, 100, 1000, n} {
		if upto > n {
			continue
		}
		for ; visited < min(upto, len(ids)); visited++ {
			if err := visit(ctx, conn, ids[visited]); err != nil {
				t.Fatal(err)
			}
		}
		total, cache := backendMemory(ctx, t, conn)
		t.Logf("figure: one connection after visiting %d tenant schemas: %.1f MB (catalogue caches %.1f MB)", visited, mb(total), mb(cache))
	}

	// A pool under the same walk, with and without a lifetime cap. The cap
	// is scaled down (5 s) so the walk sees several generations; in
	// production 10 minutes at the same rate of schemas per connection.
	for _, lifetime := range []time.Duration{time.Hour, 5 * time.Second} {
		cfg, err := pgxpool.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		cfg.MaxConns = 4
		cfg.MaxConnLifetime = lifetime
		cfg.MaxConnLifetimeJitter = lifetime / 10
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var peak atomic.Int64
		w0 := time.Now()
		var g errgroup.Group
		var next atomic.Int64
		for range 4 {
			g.Go(func() error {
				for {
					i := next.Add(1) - 1
					if int(i) >= len(ids) {
						return nil
					}
					err := pool.AcquireFunc(ctx, func(c *pgxpool.Conn) error {
						if err := visit(ctx, c.Conn(), ids[i]); err != nil {
							return err
						}
						if i%50 == 0 {
							total, _ := backendMemory(ctx, t, c.Conn())
							for {
								old := peak.Load()
								if total <= old || peak.CompareAndSwap(old, total) {
									break
								}
							}
						}
						return nil
					})
					if err != nil {
						return err
					}
				}
			})
		}
		if err := g.Wait(); err != nil {
			t.Fatal(err)
		}
		walk := time.Since(w0)
		pool.Close()
		t.Logf("figure: 4-connection pool visiting %d schemas in %.1f s (%.0f schemas/s), lifetime %s: largest backend %.1f MB",
			len(ids), walk.Seconds(), float64(len(ids))/walk.Seconds(), lifetime, mb(peak.Load()))
	}
}

// visit does what a library page does in a tenant: a transaction pinned
// to its schema reading its main tables.
func visit(ctx context.Context, c *pgx.Conn, tenantID int64) error {
	return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('search_path', $1, true)", db.TenantSchema(tenantID)); err != nil {
			return err
		}
		var n int
		return tx.QueryRow(ctx, `SELECT count(*) FROM patterns p
			LEFT JOIN pattern_files f ON f.pattern_id = p.id
			LEFT JOIN pattern_keywords pk ON pk.pattern_id = p.id
			LEFT JOIN keywords k ON k.id = pk.keyword_id
			LEFT JOIN favorites fa ON fa.pattern_id = p.id
			WHERE p.deleted_at IS NULL AND p.search_doc @@ to_tsquery('english', 'flower')`).Scan(&n)
	})
}

// backendMemory returns the backend's memory in its memory contexts, and in
// the catalogue caches (CacheMemoryContext and its children).
func backendMemory(ctx context.Context, t *testing.T, c *pgx.Conn) (total, cache int64) {
	t.Helper()
	err := c.QueryRow(ctx, `SELECT sum(total_bytes)::bigint,
		coalesce(sum(total_bytes) FILTER (WHERE name = 'CacheMemoryContext' OR parent = 'CacheMemoryContext'), 0)::bigint
		FROM pg_backend_memory_contexts`).Scan(&total, &cache)
	if err != nil {
		t.Fatal(err)
	}
	return total, cache
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// TestSearchSpread searches, through HAProxy's port, 100 workspaces with
// libraries of their own (imported through the API), one after another:
// p50 and p95, cold and warm. PV_SCALE_SEARCH_TENANTS changes the 100.
func TestSearchSpread(t *testing.T) {
	r := cluster(t)
	n, _ := strconv.Atoi(os.Getenv("PV_SCALE_SEARCH_TENANTS"))
	if n <= 0 {
		t.Skip("set PV_SCALE_SEARCH_TENANTS=100 to search that many workspaces")
	}
	r.waitHealthy(t, 3*time.Minute)
	ws := make([]*workspace, n)
	batches := make([]int64, n)
	var g errgroup.Group
	g.SetLimit(4)
	for i := range n {
		g.Go(func() error {
			ws[i] = r.newWorkspace(t, fmt.Sprintf("spread%d", i))
			id, err := r.importZIP(t.Context(), ws[i], int64(7000+i), 20)
			batches[i] = id
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if st := r.waitImport(t, ws[i], batches[i], 10*time.Minute); st.Status != "done" {
			t.Fatalf("import of %s: %+v", ws[i].slug, st)
		}
	}
	words := []string{"feather", "flower", "swirl", "star", "leaf", "heart", "border", "wave", "butterfly", "rose"}
	pass := func(rounds int) []time.Duration {
		var ds []time.Duration
		for round := range rounds {
			for i, w := range ws {
				t0 := time.Now()
				if _, err := r.api(t.Context(), w, "GET", "/patterns?limit=50&q="+url.QueryEscape(words[(i+round)%len(words)]), nil, "", nil); err != nil {
					t.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
			}
		}
		slices.Sort(ds)
		return ds
	}
	cold := pass(1)
	warm := pass(3)
	q := func(ds []time.Duration, p float64) float64 {
		return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000
	}
	t.Logf("figure: search spread over %d workspaces through HAProxy: cold p50 %.1f ms p95 %.1f ms; warm p50 %.1f ms p95 %.1f ms (%d cold, %d warm searches)",
		n, q(cold, .5), q(cold, .95), q(warm, .5), q(warm, .95), len(cold), len(warm))
}
