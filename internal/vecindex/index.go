// Package vecindex searches a tenant's design vectors exactly (every
// vector is scored: 100 % recall) in memory. A Cache shares loaded
// indexes between requests, reloads them when the tenant's version moves,
// and bounds memory with an LRU over tenants.
//
// Two layouts serve the two shapes of vectors. A remote model's vectors
// are dense (every dimension set): they are kept row by row, and a search
// is one matrix–vector product, scored with gonum's assembly dot product
// (SSE on amd64), reading the matrix once from start to end, in row
// ranges over the processors when it is large (memory bandwidth bounds
// one core). The local provider's vectors are sparse (a few dozen of 256
// dimensions), and so are its queries: they are kept dimension by
// dimension, and a search adds up only the columns of the dimensions the
// query uses (gonum's assembly axpy). The layout is chosen from the
// vectors themselves, so an index of either provider takes the fast path
// without being told.
//
// A large dense index also keeps an int8 copy of its rows (a quarter of
// the bytes): a search scores every row from it first, with a proven
// error bound, and scores exactly only the rows that can be among the
// best (prescore.go), so it reads far less memory and still answers
// exactly what the full float scan answers.
package vecindex

import (
	"container/heap"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Index holds n vectors of dim float32s, row-major (data[i*dim+d]) when
// the vectors are dense, column-major (data[d*n+i]) when they are sparse.
type Index struct {
	ids      []int64
	pos      map[int64]int
	dim      int
	rowMajor bool
	data     []float32
	version  int64
	// int8 is the int8 copy of a large dense index's rows, for
	// pre-scoring (nil when the index is small, sparse, or this
	// processor has no AVX2).
	int8 *int8Rows
}

// denseShare is the share of non-zero entries from which vectors are
// stored row by row: below it, a query touches few enough dimensions
// that scoring column by column reads less memory.
const denseShare = 0.5

// blas32 is gonum's pure-Go-and-assembly BLAS.
var blas32 = gonum.Implementation{}

// Match is one result: a vector's id and its dot product with the query
// (the cosine similarity, vectors being unit length).
type Match struct {
	ID    int64
	Score float32
}

// New builds an index of vectors (each of length dim) with their ids, at
// the given version.
func New(dim int, ids []int64, vectors [][]float32, version int64) (*Index, error) {
	if len(ids) != len(vectors) {
		return nil, fmt.Errorf("vecindex: %d ids for %d vectors", len(ids), len(vectors))
	}
	n := len(ids)
	nonzero := 0
	for i, v := range vectors {
		if len(v) != dim {
			return nil, fmt.Errorf("vecindex: vector %d of id %d has %d dimensions, want %d", i, ids[i], len(v), dim)
		}
		for _, x := range v {
			if x != 0 {
				nonzero++
			}
		}
	}
	ix := &Index{ids: ids, pos: make(map[int64]int, n), dim: dim, data: make([]float32, dim*n), version: version,
		rowMajor: float64(nonzero) >= denseShare*float64(dim*n)}
	for i, v := range vectors {
		ix.pos[ids[i]] = i
		if ix.rowMajor {
			copy(ix.data[i*dim:], v)
			continue
		}
		for d, x := range v {
			ix.data[d*n+i] = x
		}
	}
	if hasDot8 && ix.rowMajor && n*dim >= prescoreFloats && dim <= maxPrescoreDim {
		ix.int8 = newInt8Rows(ix.data, n, dim)
	}
	return ix, nil
}

// Len is the number of vectors.
func (ix *Index) Len() int { return len(ix.ids) }

// Dim is the length of every vector.
func (ix *Index) Dim() int { return ix.dim }

// Version is the tenant's search version the index was loaded at.
func (ix *Index) Version() int64 { return ix.version }

// Bytes estimates the memory the index holds.
func (ix *Index) Bytes() int64 {
	b := int64(len(ix.data))*4 + int64(len(ix.ids))*(8+48)
	if ix.int8 != nil {
		b += ix.int8.bytes()
	}
	return b
}

// Vector returns a copy of id's vector, or nil when the index lacks it.
func (ix *Index) Vector(id int64) []float32 {
	i, ok := ix.pos[id]
	if !ok {
		return nil
	}
	v := make([]float32, ix.dim)
	if ix.rowMajor {
		copy(v, ix.data[i*ix.dim:(i+1)*ix.dim])
		return v
	}
	n := len(ix.ids)
	for d := range v {
		v[d] = ix.data[d*n+i]
	}
	return v
}

// Search returns the k vectors with the highest dot product with q, best
// first (ties by smaller id), skipping ids for which skip returns true
// (skip may be nil). Every vector is considered: the answer is exact.
func (ix *Index) Search(q []float32, k int, skip func(int64) bool) []Match {
	n := len(ix.ids)
	if n == 0 || k <= 0 || len(q) != ix.dim {
		return nil
	}
	if ix.int8 != nil && k*8 <= n {
		if out := ix.searchPrescored(q, k, skip); out != nil {
			return out
		}
	}
	scores := make([]float32, n)
	if ix.rowMajor {
		ix.scoreRows(q, scores)
	} else {
		for d, w := range q {
			if w == 0 {
				continue // local queries use a few dimensions of many
			}
			blas32.Saxpy(n, w, ix.data[d*n:(d+1)*n], 1, scores, 1)
		}
	}
	return topK(ix.ids, scores, k, skip)
}

// topK returns the k best of ids with their scores, best first (ties by
// smaller id), skipping ids for which skip returns true.
func topK(ids []int64, scores []float32, k int, skip func(int64) bool) []Match {
	h := make(minHeap, 0, k+1)
	for i, s := range scores {
		if len(h) == k && !better(s, ids[i], h[0]) {
			continue
		}
		if skip != nil && skip(ids[i]) {
			continue
		}
		m := Match{ID: ids[i], Score: s}
		if len(h) < k {
			heap.Push(&h, m)
		} else {
			h[0] = m
			heap.Fix(&h, 0)
		}
	}
	out := []Match(h)
	sort.Slice(out, func(i, j int) bool { return better(out[i].Score, out[i].ID, out[j]) })
	return out
}

// scoreRow is row r · q of a dense index, as scoreRows computes it.
func (ix *Index) scoreRow(r int, q []float32) float32 {
	var out [1]float32
	blas32.Sgemv(blas.NoTrans, 1, ix.dim, 1, ix.data[r*ix.dim:(r+1)*ix.dim], ix.dim, q, 1, 0, out[:], 1)
	return out[0]
}

// parallelFloats is the size of a dense index (n × dim) from which its
// rows are scored in parallel: reading a large matrix is bound by memory
// bandwidth, which one core alone does not exhaust.
const parallelFloats = 1 << 21

// maxParts bounds the goroutines scoring one query.
const maxParts = 4

// scoreRows sets scores to rows · q: one pass over the matrix, split in
// row ranges over the processors when the index is large.
func (ix *Index) scoreRows(q, scores []float32) {
	n, dim := len(ix.ids), ix.dim
	parts := 1
	if n*dim >= parallelFloats {
		parts = min(runtime.GOMAXPROCS(0), maxParts, n)
	}
	if parts <= 1 {
		blas32.Sgemv(blas.NoTrans, n, dim, 1, ix.data, dim, q, 1, 0, scores, 1)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + parts - 1) / parts
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Go(func() {
			blas32.Sgemv(blas.NoTrans, hi-lo, dim, 1, ix.data[lo*dim:hi*dim], dim, q, 1, 0, scores[lo:hi], 1)
		})
	}
	wg.Wait()
}

// better orders matches: higher score first, then smaller id.
func better(s float32, id int64, m Match) bool {
	return s > m.Score || (s == m.Score && id < m.ID)
}

// minHeap keeps the k best matches with the worst on top.
type minHeap []Match

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return better(h[j].Score, h[j].ID, h[i]) }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(Match)) }
func (h *minHeap) Pop() any {
	old := *h
	m := old[len(old)-1]
	*h = old[:len(old)-1]
	return m
}
