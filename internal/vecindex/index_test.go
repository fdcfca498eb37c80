package vecindex

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
)

func randomVectors(r *rand.Rand, n, dim int, density float64) [][]float32 {
	vs := make([][]float32, n)
	for i := range vs {
		v := make([]float32, dim)
		var sum float64
		for d := range v {
			if r.Float64() < density {
				v[d] = float32(r.NormFloat64())
				sum += float64(v[d]) * float64(v[d])
			}
		}
		for d := range v {
			if sum > 0 {
				v[d] /= float32(math.Sqrt(sum))
			}
		}
		vs[i] = v
	}
	return vs
}

// bruteForce scores every vector row by row, in float64.
func bruteForce(ids []int64, vs [][]float32, q []float32, k int) []Match {
	ms := make([]Match, len(vs))
	for i, v := range vs {
		var s float64
		for d := range v {
			s += float64(v[d]) * float64(q[d])
		}
		ms[i] = Match{ID: ids[i], Score: float32(s)}
	}
	sort.Slice(ms, func(i, j int) bool { return better(ms[i].Score, ms[i].ID, ms[j]) })
	return ms[:min(k, len(ms))]
}

func sequentialIDs(n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i*3 + 7)
	}
	return ids
}

// TestSearchMatchesBruteForce checks both layouts (sparse local vectors
// column by column, dense model vectors row by row, at the local size and
// at a remote model's 1024 dimensions) against scoring in float64.
func TestSearchMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		dim      int
		density  float64
		rowMajor bool
	}{{64, 0.1, false}, {64, 1, true}, {256, 0.15, false}, {1024, 1, true}} {
		vs := randomVectors(r, 3000, c.dim, c.density)
		ids := sequentialIDs(len(vs))
		ix, err := New(c.dim, ids, vs, 1)
		if err != nil {
			t.Fatal(err)
		}
		if ix.rowMajor != c.rowMajor {
			t.Fatalf("%d-d vectors of density %v: row-major %v, want %v", c.dim, c.density, ix.rowMajor, c.rowMajor)
		}
		for _, i := range []int{0, len(ids) / 2, len(ids) - 1} {
			if v := ix.Vector(ids[i]); !slices.Equal(v, vs[i]) {
				t.Fatalf("%d-d: Vector(%d) differs from the vector indexed", c.dim, ids[i])
			}
		}
		density := c.density
		for trial := 0; trial < 20; trial++ {
			q := randomVectors(r, 1, c.dim, density)[0]
			got := ix.Search(q, 50, nil)
			want := bruteForce(ids, vs, q, 50)
			if len(got) != len(want) {
				t.Fatalf("density %v: %d results, want %d", density, len(got), len(want))
			}
			for i := range want {
				if got[i].ID != want[i].ID && math.Abs(float64(got[i].Score-want[i].Score)) > 1e-5 {
					t.Fatalf("density %v trial %d rank %d: got %+v, want %+v", density, trial, i, got[i], want[i])
				}
			}
		}
	}
}

func TestSearchSkipsAndBounds(t *testing.T) {
	vs := [][]float32{{1, 0}, {0.8, 0.6}, {0, 1}, {0.6, 0.8}}
	ix, err := New(2, []int64{10, 20, 30, 40}, vs, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := ix.Search([]float32{1, 0}, 2, func(id int64) bool { return id == 10 })
	if len(got) != 2 || got[0].ID != 20 || got[1].ID != 40 {
		t.Fatalf("skip 10: got %+v, want 20 then 40", got)
	}
	if got := ix.Search([]float32{1, 0}, 10, nil); len(got) != 4 || got[3].ID != 30 {
		t.Fatalf("k > n: got %+v", got)
	}
	if got := ix.Search([]float32{1}, 2, nil); got != nil {
		t.Fatalf("wrong dimension: got %+v, want nothing", got)
	}
	if v := ix.Vector(40); len(v) != 2 || v[0] != 0.6 || v[1] != 0.8 {
		t.Fatalf("Vector(40) = %v", v)
	}
	if _, err := New(2, []int64{1}, [][]float32{{1, 2, 3}}, 1); err == nil {
		t.Fatal("New accepted a vector of the wrong length")
	}
}

func TestCacheLoadsOnceAndFollowsVersion(t *testing.T) {
	var loads atomic.Int32
	version := atomic.Int64{}
	version.Store(1)
	c := NewCache(func(ctx context.Context, tenant int64) (*Index, error) {
		loads.Add(1)
		return New(1, []int64{tenant}, [][]float32{{1}}, version.Load())
	}, 1<<20)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Get(context.Background(), 5, 1); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Fatalf("20 concurrent first searches loaded %d times, want 1", n)
	}
	version.Store(2)
	ix, err := c.Get(context.Background(), 5, 2)
	if err != nil || ix.Version() != 2 || loads.Load() != 2 {
		t.Fatalf("after version 2: index version %d, loads %d, err %v", ix.Version(), loads.Load(), err)
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := NewCache(func(ctx context.Context, tenant int64) (*Index, error) {
		return New(100, []int64{1, 2, 3}, randomVectors(rand.New(rand.NewPCG(1, 1)), 3, 100, 1), 1)
	}, 0)
	one, _ := New(100, []int64{1, 2, 3}, randomVectors(rand.New(rand.NewPCG(1, 1)), 3, 100, 1), 1)
	c.budget = 3 * one.Bytes()
	ctx := context.Background()
	for tenant := int64(1); tenant <= 3; tenant++ {
		c.Get(ctx, tenant, 1)
	}
	c.Get(ctx, 1, 1) // 1 is now the most recent; 2 the least
	c.Get(ctx, 4, 1)
	if c.Cached(2) != nil {
		t.Fatal("tenant 2, least recently used, is still cached past the budget")
	}
	for _, tenant := range []int64{1, 3, 4} {
		if c.Cached(tenant) == nil {
			t.Fatalf("tenant %d was evicted", tenant)
		}
	}
	if n, b, _ := c.Stats(); n != 3 || b > c.budget {
		t.Fatalf("stats: %d tenants, %d bytes, budget %d", n, b, c.budget)
	}
}

// BenchmarkTopK50 is the vector part of search alone: exact top 50 over
// a demo-sized library (15,651 vectors) for the local provider's shape
// (256 dimensions, a few dozen set in designs and queries) and a remote
// model's (every dimension set, at 256 and at 1024 dimensions, Voyage's
// multimodal size). The "plain" rows read every float, without the int8
// pre-scoring.
func BenchmarkTopK50(b *testing.B) {
	const n = 15651
	for _, c := range []struct {
		name                  string
		dim                   int
		density, queryDensity float64
		plain                 bool
	}{{"local", 256, 0.15, 0.12, false}, {"dense", 256, 1, 1, false}, {"dense_1024", 1024, 1, 1, false},
		{"dense_plain", 256, 1, 1, true}, {"dense_1024_plain", 1024, 1, 1, true}} {
		b.Run(c.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 4))
			ix, err := New(c.dim, sequentialIDs(n), randomVectors(r, n, c.dim, c.density), 1)
			if err != nil {
				b.Fatal(err)
			}
			if c.plain {
				ix.int8 = nil
			}
			q := randomVectors(r, 1, c.dim, c.queryDensity)[0]
			for b.Loop() {
				ix.Search(q, 50, nil)
			}
		})
	}
}
