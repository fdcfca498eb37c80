// Package vecindex searches a tenant's design vectors exactly (every
// vector is scored: 100 % recall) in memory. Vectors are kept dimension
// by dimension so that a query touches only the dimensions it uses and
// every inner loop runs over contiguous memory; a Cache shares loaded
// indexes between requests, reloads them when the tenant's version moves,
// and bounds memory with an LRU over tenants.
package vecindex

import (
	"container/heap"
	"fmt"
	"sort"
)

// Index holds n vectors of dim float32s, stored column-major: cols[d*n+i]
// is dimension d of vector i.
type Index struct {
	ids     []int64
	pos     map[int64]int
	dim     int
	cols    []float32
	version int64
}

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
	ix := &Index{ids: ids, pos: make(map[int64]int, n), dim: dim, cols: make([]float32, dim*n), version: version}
	for i, v := range vectors {
		if len(v) != dim {
			return nil, fmt.Errorf("vecindex: vector %d of id %d has %d dimensions, want %d", i, ids[i], len(v), dim)
		}
		ix.pos[ids[i]] = i
		for d, x := range v {
			ix.cols[d*n+i] = x
		}
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
	return int64(len(ix.cols))*4 + int64(len(ix.ids))*(8+48)
}

// Vector returns a copy of id's vector, or nil when the index lacks it.
func (ix *Index) Vector(id int64) []float32 {
	i, ok := ix.pos[id]
	if !ok {
		return nil
	}
	n := len(ix.ids)
	v := make([]float32, ix.dim)
	for d := range v {
		v[d] = ix.cols[d*n+i]
	}
	return v
}

// Search returns the k vectors with the highest dot product with q, best
// first (ties by smaller id), skipping ids for which skip returns true
// (skip may be nil). It scores every vector.
func (ix *Index) Search(q []float32, k int, skip func(int64) bool) []Match {
	n := len(ix.ids)
	if n == 0 || k <= 0 || len(q) != ix.dim {
		return nil
	}
	scores := make([]float32, n)
	for d, w := range q {
		if w == 0 {
			continue // local queries use a few dimensions of many
		}
		axpy(scores, ix.cols[d*n:(d+1)*n], w)
	}
	h := make(minHeap, 0, k+1)
	for i, s := range scores {
		if len(h) == k && !better(s, ix.ids[i], h[0]) {
			continue
		}
		if skip != nil && skip(ix.ids[i]) {
			continue
		}
		m := Match{ID: ix.ids[i], Score: s}
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

// axpy adds w·x to dst, unrolled by four.
func axpy(dst, x []float32, w float32) {
	x = x[:len(dst)]
	i := 0
	for ; i+4 <= len(dst); i += 4 {
		dst[i] += w * x[i]
		dst[i+1] += w * x[i+1]
		dst[i+2] += w * x[i+2]
		dst[i+3] += w * x[i+3]
	}
	for ; i < len(dst); i++ {
		dst[i] += w * x[i]
	}
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
