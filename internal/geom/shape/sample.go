package shape

import (
	"math"

	"github.com/patternvault/patternvault/internal/geom"
)

// box is an axis-aligned rectangle in inches.
type box struct {
	MinX, MinY, MaxX, MaxY float64
}

func (b box) W() float64 { return b.MaxX - b.MinX }
func (b box) H() float64 { return b.MaxY - b.MinY }

// samples is a design's stitched ink as points spaced no further apart than
// a small fraction of its extent, grouped by path, plus where the stitching
// starts and ends.
type samples struct {
	pts        []geom.Point // all points, paths concatenated
	verts      []geom.Point // the flattened vertices only (for the hull)
	starts     []int        // index in pts where each path begins
	first      geom.Point   // where the first stitched path starts
	last       geom.Point   // where the last stitched path ends
	b          box          // extent of pts
	ext        float64      // max(b.W(), b.H())
	stitchedIn float64      // stitched length in inches
}

// sampleSteps is how many sample spacings span a design's larger side.
const sampleSteps = 400

// sampleDesign flattens the stitched paths of d and resamples them evenly.
// ok is false when d has no stitched extent.
func sampleDesign(d *geom.Design) (s samples, ok bool) {
	if d == nil {
		return s, false
	}
	ext, ok := stitchExtent(d)
	if !ok {
		return s, false
	}
	tol := ext / (4 * sampleSteps)
	step := ext / sampleSteps
	b := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	firstSet := false
	var buf []geom.Point
	for i := range d.Paths {
		p := &d.Paths[i]
		if !p.Stitch || len(p.Segments) == 0 {
			continue
		}
		buf = p.Flatten(tol)
		if !firstSet {
			s.first, firstSet = buf[0], true
		}
		s.last = buf[len(buf)-1]
		s.verts = append(s.verts, buf...)
		s.starts = append(s.starts, len(s.pts))
		s.pts = append(s.pts, buf[0])
		for j := 1; j < len(buf); j++ {
			s.stitchedIn += buf[j].Dist(buf[j-1])
			s.pts = resample(s.pts, buf[j-1], buf[j], step)
		}
	}
	for _, p := range s.pts {
		b.MinX, b.MinY = math.Min(b.MinX, p.X), math.Min(b.MinY, p.Y)
		b.MaxX, b.MaxY = math.Max(b.MaxX, p.X), math.Max(b.MaxY, p.Y)
	}
	s.b = b
	s.ext = math.Max(b.W(), b.H())
	return s, len(s.pts) > 0 && s.ext > 0 && !math.IsNaN(s.ext) && !math.IsInf(s.ext, 0)
}

// resample appends points from a (exclusive) to b (inclusive) spaced at
// most step apart.
func resample(dst []geom.Point, a, b geom.Point, step float64) []geom.Point {
	n := int(math.Ceil(a.Dist(b) / step))
	n = min(max(n, 1), 10000)
	for k := 1; k < n; k++ {
		t := float64(k) / float64(n)
		dst = append(dst, geom.Point{X: a.X + (b.X-a.X)*t, Y: a.Y + (b.Y-a.Y)*t})
	}
	return append(dst, b)
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

// grid is a w×h raster of non-negative weights, row 0 at the bottom.
type grid struct {
	w, h int
	v    []float64
}

func newGrid(w, h int) *grid { return &grid{w: w, h: h, v: make([]float64, w*h)} }

func (g *grid) at(x, y int) float64 {
	if x < 0 || y < 0 || x >= g.w || y >= g.h {
		return 0
	}
	return g.v[y*g.w+x]
}

// occupancy rasterises the samples stretched over the whole grid (each
// axis independently), counting points per cell. Stretching makes mirror
// comparisons about the box's centre lines exact.
func occupancy(s *samples, w, h int) *grid {
	g := newGrid(w, h)
	bw, bh := math.Max(s.b.W(), 1e-9), math.Max(s.b.H(), 1e-9)
	for _, p := range s.pts {
		x := min(int((p.X-s.b.MinX)/bw*float64(w)), w-1)
		y := min(int((p.Y-s.b.MinY)/bh*float64(h)), h-1)
		g.v[y*w+x]++
	}
	return g
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
