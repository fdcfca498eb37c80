package vecindex

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// TestPrescoredIsTheExactScan: with the int8 pre-scoring, a large dense
// index answers exactly what the plain float32 scan answers (same ids,
// same scores, same order; recall 1.0), at 1024 and at 256 dimensions,
// for random queries, queries next to a stored vector, duplicate vectors
// (ties) and with ids skipped.
func TestPrescoredIsTheExactScan(t *testing.T) {
	if !hasDot8 {
		t.Skip("no AVX2 here: the int8 pre-scoring is off")
	}
	for _, c := range []struct{ n, dim int }{{2600, 1024}, {9000, 256}, {2100, 1000}} {
		r := rand.New(rand.NewPCG(uint64(c.dim), 9))
		vs := randomVectors(r, c.n, c.dim, 1)
		for i := 0; i < 40; i++ { // ties: the same vector under two ids
			vs[c.n-1-i] = slices.Clone(vs[i])
		}
		ids := sequentialIDs(c.n)
		ix, err := New(c.dim, ids, vs, 1)
		if err != nil {
			t.Fatal(err)
		}
		if ix.int8 == nil {
			t.Fatalf("%d × %d: no int8 copy", c.n, c.dim)
		}
		plain := *ix
		plain.int8 = nil
		queries := randomVectors(r, 30, c.dim, 1)
		for range 30 { // near a stored vector: close scores at the top
			q := slices.Clone(vs[r.IntN(c.n)])
			for d := range q {
				q[d] += float32(r.NormFloat64() * 0.002)
			}
			queries = append(queries, q)
		}
		queries = append(queries, slices.Clone(vs[3]), make([]float32, c.dim))
		skip := func(id int64) bool { return id%5 == 2 }
		for qi, q := range queries {
			for _, k := range []int{1, 10, 50} {
				for _, sk := range []func(int64) bool{nil, skip} {
					got, want := ix.Search(q, k, sk), plain.Search(q, k, sk)
					if !slices.Equal(got, want) {
						t.Fatalf("%d × %d, query %d, k %d, skip %v: pre-scored %v\nplain %v", c.n, c.dim, qi, k, sk != nil, got, want)
					}
				}
			}
		}
	}
}

// TestPrescoreBoundsHold: every int8 score's bound contains the exact
// float32 score (checked row by row on one index).
func TestPrescoreBoundsHold(t *testing.T) {
	if !hasDot8 {
		t.Skip("no AVX2 here")
	}
	r := rand.New(rand.NewPCG(5, 6))
	const n, dim = 2100, 1024
	vs := randomVectors(r, n, dim, 1)
	ix, _ := New(dim, sequentialIDs(n), vs, 1)
	q := randomVectors(r, 1, dim, 1)[0]
	// With k = n every row is a candidate, and the answer is still the
	// plain scan's.
	plain := *ix
	plain.int8 = nil
	if got, want := ix.searchPrescored(q, n, nil), plain.Search(q, n, nil); !slices.Equal(got, want) {
		t.Fatal("k = n: the pre-scored answer differs from the plain scan")
	}
}

// TestPrescoredSearchReusesItsBounds: a pre-scored search allocates far
// less than the bounds of every row (16 bytes a row), which it keeps from
// one search to the next: allocated per search, they were most of what a
// library search allocated, and so set how often the collector ran.
func TestPrescoredSearchReusesItsBounds(t *testing.T) {
	if !hasDot8 {
		t.Skip("no AVX2 here")
	}
	r := rand.New(rand.NewPCG(7, 7))
	const n, dim = 9000, 256
	ix, _ := New(dim, sequentialIDs(n), randomVectors(r, n, dim, 1), 1)
	q := randomVectors(r, 1, dim, 1)[0]
	ix.Search(q, 50, nil)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const searches = 20
	for range searches {
		ix.Search(q, 50, nil)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / searches; per > n*16/4 {
		t.Errorf("a search allocates %d bytes (bounds of %d rows: %d)", per, n, n*16)
	}
}

// TestDot8 checks the assembly dot product against a Go loop, at the
// extremes of its inputs.
func TestDot8(t *testing.T) {
	if !hasDot8 {
		t.Skip("no AVX2 here")
	}
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{16, 32, 48, 1024, 8192} {
		a, b := make([]int8, n), make([]int16, n)
		for trial := range 20 {
			for i := range a {
				switch trial {
				case 0:
					a[i], b[i] = 127, queryLevels
				case 1:
					a[i], b[i] = -127, queryLevels
				default:
					a[i], b[i] = int8(r.IntN(255)-127), int16(r.IntN(2*queryLevels+1)-queryLevels)
				}
			}
			var want int32
			for i := range a {
				want += int32(a[i]) * int32(b[i])
			}
			if got := dot8(a, b); got != want {
				t.Fatalf("n %d, trial %d: %d, want %d", n, trial, got, want)
			}
		}
	}
}
