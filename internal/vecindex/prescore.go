package vecindex

import (
	"container/heap"
	"math"
	"runtime"
	"sync"
)

// The int8 pre-scoring of a large dense index. Reading 64 MB of 1024-d
// float32 rows is bound by memory bandwidth, so every row is first scored
// from an int8 copy (a quarter of the bytes, an AVX2 dot product), each
// score with a proven error bound: the quantisation error of the row and
// of the query, and the float32 rounding of the exact scan. Only the rows
// whose upper bound reaches the k-th best lower bound can be among the k
// best; they alone are scored exactly, in float32, as the plain scan
// scores them. The answer is the plain scan's, to the last bit (a test
// holds it to that): recall stays 1.0.

// prescoreFloats is the size of a dense index (n × dim) from which it
// keeps an int8 copy for pre-scoring.
const prescoreFloats = 1 << 21

// maxPrescoreDim bounds the dimensions the int8 path takes, so its int32
// sums cannot overflow (127 × 4095 × 2 per pair of products, dim/16 pairs
// added per lane).
const maxPrescoreDim = 8192

// queryLevels is the largest magnitude of a quantised query element.
const queryLevels = 4095

// int8Rows is the int8 copy of a dense index's rows, padded to a multiple
// of 16, with what the error bounds need of each row.
type int8Rows struct {
	stride int
	data   []int8
	scale  []float32 // row r ≈ scale[r] × data[r]
	l1, l2 []float32 // the float row's 1-norm and 2-norm
}

// newInt8Rows quantises the row-major float rows of an index of n rows.
func newInt8Rows(data []float32, n, dim int) *int8Rows {
	stride := (dim + 15) &^ 15
	q := &int8Rows{stride: stride, data: make([]int8, n*stride),
		scale: make([]float32, n), l1: make([]float32, n), l2: make([]float32, n)}
	for r := range n {
		row := data[r*dim : (r+1)*dim]
		var peak, l1, l2 float64
		for _, x := range row {
			a := math.Abs(float64(x))
			peak = max(peak, a)
			l1 += a
			l2 += a * a
		}
		q.l1[r], q.l2[r] = float32(l1), float32(math.Sqrt(l2))
		if peak == 0 {
			continue
		}
		s := float32(peak / 127)
		q.scale[r] = s
		out := q.data[r*stride:]
		for d, x := range row {
			out[d] = int8(max(-127, min(127, math.Round(float64(x/s)))))
		}
	}
	return q
}

// bytes is the memory the copy holds.
func (q *int8Rows) bytes() int64 { return int64(len(q.data)) + int64(len(q.scale))*12 }

// searchPrescored is Search over a dense index with an int8 copy.
func (ix *Index) searchPrescored(q []float32, k int, skip func(int64) bool) []Match {
	n, dim, rows := len(ix.ids), ix.dim, ix.int8
	var peak, q2 float64
	for _, x := range q {
		peak = max(peak, math.Abs(float64(x)))
		q2 += float64(x) * float64(x)
	}
	if peak == 0 {
		return nil // the caller scores plainly
	}
	sq := peak / queryLevels
	q16 := make([]int16, rows.stride)
	var q1 float64 // the quantised query's 1-norm
	for d, x := range q {
		v := max(-queryLevels, min(queryLevels, math.Round(float64(x)/sq)))
		q16[d] = int16(v)
		q1 += math.Abs(v) * sq
	}
	q2 = math.Sqrt(q2)
	// float32 rounding of the exact scan: at most dim·u·Σ|x_i q_i| with
	// u = 2⁻²⁴; 2⁻²² leaves room for how the assembly adds.
	roundoff := float64(dim) * 0x1p-22 * q2
	bounds := getBounds(2 * n)
	defer boundsPool.Put(bounds)
	lo, hi := (*bounds)[:n], (*bounds)[n:2*n] // every row's are written below
	bound := func(a, b int) {
		for r := a; r < b; r++ {
			s := float64(rows.scale[r])
			approx := float64(dot8(rows.data[r*rows.stride:(r+1)*rows.stride], q16)) * s * sq
			e := sq/2*1.0001*float64(rows.l1[r]) + s/2*1.0001*q1 + roundoff*float64(rows.l2[r]) + 1e-12
			lo[r], hi[r] = approx-e, approx+e
		}
	}
	parts := min(runtime.GOMAXPROCS(0), maxParts, n)
	if parts <= 1 {
		bound(0, n)
	} else {
		var wg sync.WaitGroup
		chunk := (n + parts - 1) / parts
		for a := 0; a < n; a += chunk {
			b := min(a+chunk, n)
			wg.Go(func() { bound(a, b) })
		}
		wg.Wait()
	}
	// The k-th best lower bound among the rows not skipped.
	th := make(floatHeap, 0, k+1)
	for r, l := range lo {
		if len(th) == k && l <= th[0] {
			continue
		}
		if skip != nil && skip(ix.ids[r]) {
			continue
		}
		if len(th) < k {
			heap.Push(&th, l)
		} else {
			th[0] = l
			heap.Fix(&th, 0)
		}
	}
	threshold := math.Inf(-1)
	if len(th) == k {
		threshold = th[0]
	}
	// Exact scores of the rows that may be among the k best.
	var cand []int
	for r, h := range hi {
		if h >= threshold {
			cand = append(cand, r)
		}
	}
	scores := make([]float32, len(cand))
	ids := make([]int64, len(cand))
	for i, r := range cand {
		scores[i] = ix.scoreRow(r, q)
		ids[i] = ix.ids[r]
	}
	return topK(ids, scores, k, skip)
}

// boundsPool keeps searchPrescored's bounds (16 bytes a row: 250 KB for
// a library of 15,651 designs) between searches: allocated and cleared
// for every search, they were most of what a search allocated, and so
// set how often the collector ran under a stream of searches.
var boundsPool sync.Pool // of *[]float64

// getBounds returns a buffer of at least n float64s from boundsPool.
func getBounds(n int) *[]float64 {
	if b, ok := boundsPool.Get().(*[]float64); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]float64, n)
	return &b
}

// floatHeap is a min-heap of float64s.
type floatHeap []float64

func (h floatHeap) Len() int           { return len(h) }
func (h floatHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h floatHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *floatHeap) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *floatHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
