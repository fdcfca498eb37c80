package shape

import (
	"math"

	"github.com/patternvault/patternvault/internal/geom"
)

// features are the measurements the classifier decides from.
type features struct {
	w, h      float64 // stitched extent, inches
	long      float64 // long side / short side, ≥ 1
	tileX     float64 // 0..1: how well start/end sit on opposite left/right sides at one height
	tileY     float64 // the same for bottom/top
	closed    float64 // 0..1: the stitching ends where it started
	hullFill  float64 // hull area / box area
	triangle  float64 // largest inscribed triangle / hull area
	support   float64 // fraction of the hull outline with ink next to it
	lCorner   int     // box corner the ink hugs most (0 BL, 1 BR, 2 TR, 3 TL)
	lFar      float64 // share of ink away from that corner's two edges
	lReach    float64 // 0..1: ink reaches the far ends of both arms
	triBase   geom.Point
	triNormal geom.Point // outward normal of the inscribed triangle's longest side
	mirrorLR  float64
	mirrorTB  float64
}

// measure computes the features of sampled ink.
func measure(s *samples) features {
	f := features{w: s.b.W(), h: s.b.H()}
	f.long = math.Max(f.w, f.h) / math.Max(math.Min(f.w, f.h), 1e-9*s.ext)
	f.tileX = tiling(s.first.X-s.b.MinX, s.last.X-s.b.MinX, s.first.Y-s.b.MinY, s.last.Y-s.b.MinY, f.w, f.h)
	f.tileY = tiling(s.first.Y-s.b.MinY, s.last.Y-s.b.MinY, s.first.X-s.b.MinX, s.last.X-s.b.MinX, f.h, f.w)
	f.closed = 1 - math.Min(1, s.first.Dist(s.last)/(0.1*s.ext))
	hull := s.hull
	ha := polyArea(hull)
	if ba := f.w * f.h; ba > 0 {
		f.hullFill = ha / ba
	}
	if len(hull) >= 3 && ha > 0 {
		tri, ta := largestTriangle(hull)
		f.triangle = ta / ha
		f.triBase, f.triNormal = longestSideNormal(tri)
	}
	occ := s.occ
	bin := occ.binary()
	ink := bin.dilate()
	f.support = hullSupport(hull, ink, s)
	f.lCorner, f.lFar, f.lReach = lShape(occ)
	fine := s.fine.binary()
	f.mirrorLR = mirrorScore(fine, true)
	f.mirrorTB = mirrorScore(fine, false)
	free(bin, ink, fine)
	return f
}

// tiling scores how well a path that starts at along=a0 and ends at a1
// (positions along an axis of length la) with cross positions c0, c1
// (across, length lc) runs from one side to the opposite side at the same
// height, as an edge-to-edge repeat must. 1 is perfect.
func tiling(a0, a1, c0, c1, la, lc float64) float64 {
	if la <= 0 || lc <= 0 {
		return 0
	}
	span := math.Abs(a1-a0) / la // 1 when the ends sit on opposite sides
	dc := math.Abs(c1-c0) / lc   // 0 when the ends are at one height
	sSpan := clamp01((span - 0.6) / 0.3)
	sCross := clamp01(1 - dc/0.15)
	return sSpan * sCross
}

func clamp01(v float64) float64 { return math.Max(0, math.Min(1, v)) }

// hullSupport returns the fraction of points along the hull outline that
// fall on an ink cell of the (dilated) occupancy grid.
func hullSupport(hull []geom.Point, ink *grid, s *samples) float64 {
	if len(hull) < 3 {
		return 1
	}
	step := s.ext / 200
	bw, bh := math.Max(s.b.W(), 1e-9), math.Max(s.b.H(), 1e-9)
	hit, n := 0, 0
	for i := range hull {
		a, b := hull[i], hull[(i+1)%len(hull)]
		for _, p := range resample([]geom.Point{a}, a, b, step)[1:] {
			x := min(int((p.X-s.b.MinX)/bw*float64(ink.w)), ink.w-1)
			y := min(int((p.Y-s.b.MinY)/bh*float64(ink.h)), ink.h-1)
			n++
			if ink.at(x, y) > 0 {
				hit++
			}
		}
	}
	if n == 0 {
		return 1
	}
	return float64(hit) / float64(n)
}

// armBand is the width of an L's arms as a fraction of the box.
const armBand = 0.35

// lShape finds the box corner whose two edges hold the most ink. far is
// the share of ink outside the two bands along those edges; reach is how
// well the ink runs to the far ends of both bands (1 when both arms reach
// the opposite edges).
func lShape(occ *grid) (corner int, far, reach float64) {
	total := 0.0
	for _, v := range occ.v {
		total += v
	}
	far = 1
	if total == 0 {
		return 0, 1, 0
	}
	for c := 0; c < 4; c++ {
		flipX, flipY := c == 1 || c == 2, c == 2 || c == 3
		out, endX, endY := 0.0, 0.0, 0.0
		for y := 0; y < occ.h; y++ {
			for x := 0; x < occ.w; x++ {
				v := occ.v[y*occ.w+x]
				fx, fy := (float64(x)+0.5)/float64(occ.w), (float64(y)+0.5)/float64(occ.h)
				if flipX {
					fx = 1 - fx
				}
				if flipY {
					fy = 1 - fy
				}
				switch {
				case fx >= armBand && fy >= armBand:
					out += v
				case fy < armBand && fx > 0.8:
					endX += v
				case fx < armBand && fy > 0.8:
					endY += v
				}
			}
		}
		if fr := out / total; fr < far {
			far, corner = fr, c
			reach = math.Min(1, 20*math.Min(endX, endY)/total)
		}
	}
	return corner, far, reach
}

// symGrid is the resolution of the occupancy grid compared with its
// mirror image: one cell (dilated by one) tolerates about 3% of the size.
const symGrid = 64

// mirrorScore compares a binary occupancy grid with its mirror image: the
// share of ink cells of each that land on (or next to) ink of the other.
// 1 means perfectly mirror-symmetric.
func mirrorScore(bin *grid, lr bool) float64 {
	m := bin.mirror(lr)
	dm, db := m.dilate(), bin.dilate()
	defer free(m, dm, db)
	hit, n := 0.0, 0.0
	for i := range bin.v {
		if bin.v[i] > 0 {
			n++
			hit += dm.v[i]
		}
		if m.v[i] > 0 {
			n++
			hit += db.v[i]
		}
	}
	if n == 0 {
		return 0
	}
	return hit / n
}

// longestSideNormal returns the midpoint and unit outward normal of the
// longest side of triangle t.
func longestSideNormal(t [3]geom.Point) (mid, normal geom.Point) {
	best := -1.0
	for i := 0; i < 3; i++ {
		a, b, c := t[i], t[(i+1)%3], t[(i+2)%3]
		if l := a.Dist(b); l > best {
			best = l
			mid = a.Add(b).Scale(0.5)
			n := geom.Point{X: b.Y - a.Y, Y: a.X - b.X}
			if (c.X-mid.X)*n.X+(c.Y-mid.Y)*n.Y > 0 { // points inwards
				n = n.Scale(-1)
			}
			normal = n.Scale(1 / math.Max(l, 1e-12))
		}
	}
	return mid, normal
}
