package benchsuite

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/store"
)

// crowd is one database shared by many tenants: a first tenant seeded
// through the import pipeline and measured alone, then copied into as
// many more tenants as the platform will host.
type crowd struct {
	*world
	tenants int
	// aloneP50 and aloneP95 are the first tenant's search latencies
	// (median of three rounds of 500 queries, after one that warms the
	// caches) before the others existed.
	aloneP50, aloneP95 float64
	fillTook           time.Duration
	// others are a sample of the other tenants with a token each, to
	// search across many schemas in turn.
	others []string
}

var (
	crowdOnce  sync.Once
	crowdWorld *crowd
	crowdErr   error
)

// crowdTables are the tables a tenant's search reads, in foreign-key
// order; copying them gives a tenant the first one's library.
var crowdTables = []string{"patterns", "pattern_files", "keywords", "pattern_keywords", "keyword_groups", "keyword_group_keywords", "pattern_embeddings"}

// seedCrowd builds the crowded database once per run:
// PV_BENCH_TENANTS tenants (500) of PV_BENCH_TENANT_DESIGNS designs (3,000).
func seedCrowd(b *testing.B) *crowd {
	crowdOnce.Do(func() {
		crowdWorld, crowdErr = newCrowd(envInt("PV_BENCH_TENANTS", 500), envInt("PV_BENCH_TENANT_DESIGNS", 3000))
	})
	if crowdErr != nil {
		b.Fatal(crowdErr)
	}
	return crowdWorld
}

func newCrowd(tenants, designs int) (*crowd, error) {
	ctx := context.Background()
	w, err := seedWorld("crowd-0", "Crowd 0", designs)
	if err != nil {
		return nil, err
	}
	c := &crowd{world: w, tenants: tenants}
	// Alone and crowded are measured alike: vacuumed, with planner
	// statistics, after a round that warms the caches.
	if _, err := c.database.Pool.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return nil, fmt.Errorf("vacuum: %w", err)
	}
	if _, _, err := measure(500, w.searchRequest); err != nil {
		return nil, err
	}
	var p50s, p95s []float64
	for range 3 {
		p50, p95, err := measure(500, w.searchRequest)
		if err != nil {
			return nil, err
		}
		p50s, p95s = append(p50s, p50), append(p95s, p95)
	}
	c.aloneP50, c.aloneP95 = median(p50s), median(p95s)

	t0 := time.Now()
	var g errgroup.Group
	g.SetLimit(2)
	var mu sync.Mutex
	sampleEvery := max(1, (tenants-1)/25)
	for i := 1; i < tenants; i++ {
		g.Go(func() error {
			t, err := c.copyTenant(ctx, i)
			if err != nil {
				return err
			}
			// 25 of them, spread out, join the sample searched in turn.
			if i%sampleEvery != 0 || i/sampleEvery > 25 {
				return nil
			}
			if err := c.store.AddMember(ctx, t.ID, c.owner.ID, store.RoleOwner); err != nil {
				return err
			}
			token, _, err := c.accounts.CreateAPIToken(ctx, c.owner, t, "bench")
			if err != nil {
				return err
			}
			mu.Lock()
			c.others = append(c.others, token)
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	c.fillTook = time.Since(t0)
	if _, err := c.database.Pool.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return nil, fmt.Errorf("vacuum: %w", err)
	}
	if _, _, err := measure(500, c.searchRequest); err != nil {
		return nil, err
	}
	return c, nil
}

// copyTenant makes tenant number i with the first tenant's library.
func (c *crowd) copyTenant(ctx context.Context, i int) (*store.Tenant, error) {
	t, err := c.store.CreateTenant(ctx, fmt.Sprintf("crowd-%d", i), fmt.Sprintf("Crowd %d", i))
	if err != nil {
		return nil, err
	}
	src := pgx.Identifier{db.TenantSchema(c.tenant.ID)}.Sanitize()
	dst := pgx.Identifier{db.TenantSchema(t.ID)}.Sanitize()
	err = pgx.BeginFunc(ctx, c.database.Pool, func(tx pgx.Tx) error {
		for _, table := range crowdTables {
			if _, err := tx.Exec(ctx, fmt.Sprintf("INSERT INTO %s.%s OVERRIDING SYSTEM VALUE SELECT * FROM %s.%s", dst, table, src, table)); err != nil {
				return fmt.Errorf("copy %s: %w", table, err)
			}
		}
		_, err := tx.Exec(ctx, fmt.Sprintf("UPDATE %s.search_version SET version = (SELECT version FROM %s.search_version)", dst, src))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("fill tenant %s: %w", t.Slug, err)
	}
	return t, nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkCrowdedSearch measures the first tenant's hybrid search, the
// mixed queries of BenchmarkSearch through HTTP, once the database holds
// 500 tenants of 3,000 designs, against the same tenant's search before
// the others existed. Target: p95 within 1.5 times.
func BenchmarkCrowdedSearch(b *testing.B) {
	c := seedCrowd(b)
	_, p95 := latencies(b, 500, c.searchRequest)
	c.report(b, p95)
}

// BenchmarkCrowdedSearchSpread measures the same queries asked in turn of
// 25 different tenants, so that every search switches schema and its
// index, its plans and its pages may be cold.
func BenchmarkCrowdedSearchSpread(b *testing.B) {
	c := seedCrowd(b)
	if len(c.others) == 0 {
		b.Skip("PV_BENCH_TENANTS is 1: no other tenants to spread the searches over")
	}
	_, p95 := latencies(b, 500, func(i int) *http.Request {
		return apiSearch(c.srv.URL, c.others[i%len(c.others)], searchQueries[i%len(searchQueries)])
	})
	c.report(b, p95)
}

func (c *crowd) report(b *testing.B, p95 float64) {
	b.ReportMetric(c.aloneP50, "alone-p50-ms")
	b.ReportMetric(c.aloneP95, "alone-p95-ms")
	b.ReportMetric(p95/c.aloneP95, "p95-ratio")
	b.ReportMetric(float64(c.tenants), "tenants")
	b.ReportMetric(c.fillTook.Seconds(), "s/fill")
}
