package shape

import (
	"errors"
	"math"
	"sync"
	"time"

	"github.com/patternvault/patternvault/internal/geom"
)

// box is an axis-aligned rectangle in inches.
type box struct {
	MinX, MinY, MaxX, MaxY float64
}

func (b box) W() float64 { return b.MaxX - b.MinX }
func (b box) H() float64 { return b.MaxY - b.MinY }

// Budget bounds the work of one analysis, so that a hostile or absurd
// design (millions of segments, thousands of retraced lines) costs a
// bounded amount of time and memory.
//
// Memory does not grow with the design: the ink is streamed twice through
// fixed-size grids (once for its extent and outline, once for the grids),
// never held as points. Time grows with the number of segments and
// samples: MaxSamples caps the samples by spacing them further apart when
// the stitching is very long for its extent (a retraced line counts each
// time it is sewn), and MaxTime ends the analysis with ErrTooComplex.
type Budget struct {
	// MaxTime is the longest the analysis may take; 0 means
	// DefaultBudget's.
	MaxTime time.Duration
	// MaxSamples bounds the evenly spaced points the ink is sampled at;
	// 0 means DefaultBudget's. Ordinary designs need a few hundred
	// thousand at most and are sampled exactly as without a budget.
	MaxSamples int
}

// DefaultBudget is the budget of Classify, Fingerprint and of Analyse for
// zero fields.
var DefaultBudget = Budget{MaxTime: 5 * time.Second, MaxSamples: 2 << 20}

// ErrTooComplex is returned (wrapped) by Analyse when a design does not
// fit its budget: the design is fine to keep and (usually) to draw, only
// its shape is not analysed.
var ErrTooComplex = errors.New("design too complex to analyse")

// errNoInk marks a design without stitched extent.
var errNoInk = errors.New("no stitched ink")

func (b Budget) withDefaults() Budget {
	if b.MaxTime <= 0 {
		b.MaxTime = DefaultBudget.MaxTime
	}
	if b.MaxSamples <= 0 {
		b.MaxSamples = DefaultBudget.MaxSamples
	}
	return b
}

// samples is what the analysis keeps of a design's stitched ink: where it
// starts and ends, its extent, the convex hull of its flattened vertices,
// and three fixed-size grids filled with points spaced no further apart
// than a small fraction of its extent (sampleSteps spacings span its
// larger side).
type samples struct {
	first geom.Point // where the first stitched path starts
	last  geom.Point // where the last stitched path ends
	b     box        // extent of the ink
	ext   float64    // max(b.W(), b.H())
	hull  []geom.Point
	occ   *grid     // occGrid×occGrid sample counts (stretched to b)
	fine  *grid     // symGrid×symGrid sample counts (stretched to b)
	dirs  []float64 // the fingerprint's direction grid (see directionGrid)
}

// sampleSteps is how many sample spacings span a design's larger side.
const sampleSteps = 400

// occGrid is the resolution of the coarse occupancy grid.
const occGrid = 32

// maxPieceSamples bounds the samples between two flattened vertices.
const maxPieceSamples = 10000

// hullBuffer is how many flattened vertices are collected before they are
// reduced to their convex hull (which changes nothing: the hull of the
// hull and further points is the hull of all points).
const hullBuffer = 1 << 16

// sampler streams a design's stitched ink, flattened within tol and
// resampled every step inches.
type sampler struct {
	d        *geom.Design
	tol      float64
	step     float64
	deadline time.Time
	work     int
	buf      []geom.Point // one segment's flattened points
}

// maxThinning is how many times further apart than sampleSteps says the
// samples may be spaced to fit Budget.MaxSamples: a piece then spans at
// most 1/33 of the extent, a quarter of a fingerprint cell.
const maxThinning = 12

// hullAcc collects points for a convex hull in bounded memory: when its
// buffer is full, the points are replaced by their hull.
type hullAcc struct {
	buf, tmp []geom.Point
}

// hullPool reuses the buffers of hullAcc between analyses.
var hullPool = sync.Pool{New: func() any { return &hullAcc{buf: make([]geom.Point, 0, 1024)} }}

func (h *hullAcc) add(p geom.Point) {
	if n := len(h.buf); n > 0 && h.buf[n-1] == p {
		return // a retraced or repeated point adds nothing
	}
	h.buf = append(h.buf, p)
	if len(h.buf) >= hullBuffer {
		h.tmp = convexHullInto(h.tmp, h.buf)
		h.buf = append(h.buf[:0], h.tmp...)
	}
}

// checkEvery is how many units of work pass between deadline checks.
const checkEvery = 1 << 14

// tick counts n units of work and fails once the deadline has passed.
func (s *sampler) tick(n int) error {
	s.work += n
	if s.work >= checkEvery {
		s.work = 0
		if time.Now().After(s.deadline) {
			return ErrTooComplex
		}
	}
	return nil
}

// vertices calls fn with every flattened vertex of every stitched path in
// order, start points with newPath set.
func (s *sampler) vertices(fn func(p geom.Point, newPath bool)) error {
	for i := range s.d.Paths {
		p := &s.d.Paths[i]
		if !p.Stitch || len(p.Segments) == 0 {
			continue
		}
		fn(p.Start, true)
		cur := p.Start
		for j := range p.Segments {
			seg := &p.Segments[j]
			s.buf = seg.Flatten(s.buf[:0], cur, s.tol)
			for _, q := range s.buf {
				fn(q, false)
			}
			cur = seg.End
			if err := s.tick(len(s.buf)); err != nil {
				return err
			}
		}
	}
	return nil
}

// pieces returns how many samples resample puts between a (exclusive) and
// b (inclusive) at spacing step.
func pieces(a, b geom.Point, step float64) int {
	n := int(math.Ceil(a.Dist(b) / step))
	return min(max(n, 1), maxPieceSamples)
}

// sampleDesign streams the stitched paths of d through the grids within
// budget. It fails with errNoInk when d has no stitched extent and with
// ErrTooComplex when the budget runs out.
func sampleDesign(d *geom.Design, budget Budget) (*samples, error) {
	if d == nil {
		return nil, errNoInk
	}
	budget = budget.withDefaults()
	ext, ok := stitchExtent(d)
	if !ok {
		return nil, errNoInk
	}
	sp := &sampler{d: d, tol: ext / (4 * sampleSteps), step: ext / sampleSteps, deadline: time.Now().Add(budget.MaxTime)}

	// Pass 1: extent, ends, outline, and how many samples pass 2 takes.
	s := &samples{}
	b := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	hull := hullPool.Get().(*hullAcc)
	hull.buf = hull.buf[:0]
	defer hullPool.Put(hull)
	var prev geom.Point
	total := 0
	firstSet := false
	err := sp.vertices(func(p geom.Point, newPath bool) {
		if newPath {
			if !firstSet {
				s.first, firstSet = p, true
			}
			total++
		} else {
			total += pieces(prev, p, sp.step)
		}
		s.last, prev = p, p
		b.MinX, b.MinY = math.Min(b.MinX, p.X), math.Min(b.MinY, p.Y)
		b.MaxX, b.MaxY = math.Max(b.MaxX, p.X), math.Max(b.MaxY, p.Y)
		hull.add(p)
	})
	if err != nil {
		return nil, err
	}
	s.b = b
	s.ext = math.Max(b.W(), b.H())
	if total == 0 || !(s.ext > 0) || math.IsInf(s.ext, 0) {
		return nil, errNoInk
	}
	s.hull = convexHull(hull.buf)
	if total > budget.MaxSamples {
		// Space the samples further apart: the grids only see shares of
		// ink, which thinner sampling keeps as long as a piece stays
		// shorter than half a fingerprint cell.
		sp.step *= min(float64(total)/float64(budget.MaxSamples), maxThinning)
	}

	// Pass 2: the grids.
	s.occ = newGrid(occGrid, occGrid)
	s.fine = newGrid(symGrid, symGrid)
	s.dirs = make([]float64, fpGrid*fpGrid*fpDirs)
	dg := newDirGrid(s)
	bw, bh := math.Max(s.b.W(), 1e-9), math.Max(s.b.H(), 1e-9)
	add := func(p geom.Point) {
		fx, fy := (p.X-s.b.MinX)/bw, (p.Y-s.b.MinY)/bh
		s.occ.add(fx, fy)
		s.fine.add(fx, fy)
	}
	var last geom.Point
	err = sp.vertices(func(p geom.Point, newPath bool) {
		if newPath {
			add(p)
			last = p
			return
		}
		a := last
		n := pieces(a, p, sp.step)
		from := a
		for k := 1; k < n; k++ {
			t := float64(k) / float64(n)
			q := geom.Point{X: a.X + (p.X-a.X)*t, Y: a.Y + (p.Y-a.Y)*t}
			add(q)
			dg.piece(from, q)
			from = q
		}
		add(p)
		dg.piece(from, p)
		last = p
		sp.work += n
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// stitchExtent returns the larger side of d's stitched extent; ok is false
// when d has no stitched segment or the extent is not a positive number.
func stitchExtent(d *geom.Design) (float64, bool) {
	has := false
	for i := range d.Paths {
		if d.Paths[i].Stitch && len(d.Paths[i].Segments) > 0 {
			has = true
			break
		}
	}
	if !has {
		return 0, false
	}
	r := d.StitchBounds()
	ext := math.Max(r.Width(), r.Height())
	return ext, ext > 0 && !math.IsNaN(ext) && !math.IsInf(ext, 0)
}

// resample appends points from a (exclusive) to b (inclusive) spaced at
// most step apart.
func resample(dst []geom.Point, a, b geom.Point, step float64) []geom.Point {
	n := pieces(a, b, step)
	for k := 1; k < n; k++ {
		t := float64(k) / float64(n)
		dst = append(dst, geom.Point{X: a.X + (b.X-a.X)*t, Y: a.Y + (b.Y-a.Y)*t})
	}
	return append(dst, b)
}

// grid is a w×h raster of non-negative weights, row 0 at the bottom.
type grid struct {
	w, h int
	v    []float64
}

// newGrid returns a zeroed w×h grid, reusing one given back with free
// (an analysis needs a dozen, which would otherwise be most of what it
// allocates).
func newGrid(w, h int) *grid {
	if g, ok := gridPool.Get().(*grid); ok && cap(g.v) >= w*h {
		g.w, g.h, g.v = w, h, g.v[:w*h]
		clear(g.v)
		return g
	}
	return &grid{w: w, h: h, v: make([]float64, w*h)}
}

// free gives grids back for reuse; they must not be used after.
func free(gs ...*grid) {
	for _, g := range gs {
		if g != nil {
			gridPool.Put(g)
		}
	}
}

var gridPool sync.Pool

func (g *grid) at(x, y int) float64 {
	if x < 0 || y < 0 || x >= g.w || y >= g.h {
		return 0
	}
	return g.v[y*g.w+x]
}

// add counts a point at (fx, fy), each in [0, 1] of the ink's extent:
// the grid is stretched over the whole extent (each axis independently),
// which makes mirror comparisons about the box's centre lines exact.
func (g *grid) add(fx, fy float64) {
	x := min(int(fx*float64(g.w)), g.w-1)
	y := min(int(fy*float64(g.h)), g.h-1)
	g.v[y*g.w+x]++
}

// binary returns a copy of g with 1 where g > 0.
func (g *grid) binary() *grid {
	out := newGrid(g.w, g.h)
	for i, v := range g.v {
		if v > 0 {
			out.v[i] = 1
		}
	}
	return out
}

// dilate returns g with every set cell spreading to its 8 neighbours.
func (g *grid) dilate() *grid {
	out := newGrid(g.w, g.h)
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			if g.v[y*g.w+x] == 0 {
				continue
			}
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if xx, yy := x+dx, y+dy; xx >= 0 && yy >= 0 && xx < g.w && yy < g.h {
						out.v[yy*g.w+xx] = 1
					}
				}
			}
		}
	}
	return out
}

// mirror returns g flipped left-right (lr) or top-bottom.
func (g *grid) mirror(lr bool) *grid {
	out := newGrid(g.w, g.h)
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			sx, sy := g.w-1-x, y
			if !lr {
				sx, sy = x, g.h-1-y
			}
			out.v[y*g.w+x] = g.v[sy*g.w+sx]
		}
	}
	return out
}
