package geom

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// quarterArc is a stitched path: a line (0,0)->(1,0), then a
// counter-clockwise quarter circle of radius 1 around (0,0) to (0,1).
func quarterArc() *Design {
	return &Design{Paths: []Path{{
		Start:  Point{0, 0},
		Stitch: true,
		Segments: []Segment{
			{Kind: Line, End: Point{1, 0}},
			{Kind: Arc, End: Point{0, 1}, Center: Point{0, 0}, Sweep: math.Pi / 2},
		},
	}}}
}

func TestBoundsLinesAndArcs(t *testing.T) {
	d := &Design{Paths: []Path{
		{Start: Point{1, 1}, Stitch: true, Segments: []Segment{
			// A half circle of radius 1 around (2,1), from (1,1) through
			// (2,0) to (3,1): clockwise over the bottom.
			{Kind: Arc, End: Point{3, 1}, Center: Point{2, 1}, Sweep: math.Pi},
		}},
		{Start: Point{3, 1}, Segments: []Segment{{Kind: Line, End: Point{-1, 4}}}},
	}}
	// CCW from angle π by π reaches angle 2π: passes 3π/2, the bottom (2,0).
	b := d.Bounds()
	want := Rect{Point{-1, 0}, Point{3, 4}}
	if !rectNear(b, want, 1e-12) {
		t.Errorf("Bounds = %v, want %v", b, want)
	}
	sb := d.StitchBounds()
	if want := (Rect{Point{1, 0}, Point{3, 1}}); !rectNear(sb, want, 1e-12) {
		t.Errorf("StitchBounds = %v, want %v", sb, want)
	}
	if (&Design{}).Bounds() != (Rect{}) {
		t.Error("empty design should have zero bounds")
	}
}

func TestBoundsFullCircleAndNegativeSweep(t *testing.T) {
	// Clockwise full circle of radius 2 around (0,0) starting at (2,0).
	d := &Design{Paths: []Path{{Start: Point{2, 0}, Stitch: true, Segments: []Segment{
		{Kind: Arc, End: Point{2, 0}, Center: Point{0, 0}, Sweep: -2 * math.Pi},
	}}}}
	want := Rect{Point{-2, -2}, Point{2, 2}}
	if b := d.Bounds(); !rectNear(b, want, 1e-12) {
		t.Errorf("Bounds = %v, want %v", b, want)
	}
}

func TestBoundsCubicMatchesDenseSampling(t *testing.T) {
	p0, c1, c2, p3 := Point{0, 0}, Point{-1, 3}, Point{4, -2}, Point{3, 1}
	d := &Design{Paths: []Path{{Start: p0, Stitch: true, Segments: []Segment{
		{Kind: Cubic, C1: c1, C2: c2, End: p3},
	}}}}
	var ref boxer
	for i := 0; i <= 100000; i++ {
		ref.add(CubicAt(p0, c1, c2, p3, float64(i)/100000))
	}
	if b := d.Bounds(); !rectNear(b, ref.r, 1e-6) {
		t.Errorf("Bounds = %v, dense sampling gives %v", b, ref.r)
	}
	// The control points lie outside the curve, so they must not count.
	if b := d.Bounds(); b.Min.X <= -1 || b.Max.Y >= 3 {
		t.Errorf("Bounds %v includes control points", b)
	}
}

func rectNear(a, b Rect, tol float64) bool {
	return near(a.Min.X, b.Min.X, tol) && near(a.Min.Y, b.Min.Y, tol) &&
		near(a.Max.X, b.Max.X, tol) && near(a.Max.Y, b.Max.Y, tol)
}

func TestStitchLength(t *testing.T) {
	d := quarterArc()
	d.Paths = append(d.Paths, Path{Start: Point{0, 1}, Segments: []Segment{{Kind: Line, End: Point{0, 11}}}})
	want := 1 + math.Pi/2 // the jump does not count
	if got := d.StitchLength(); !near(got, want, 1e-12) {
		t.Errorf("StitchLength = %v, want %v", got, want)
	}
}

func TestCubicLength(t *testing.T) {
	// A cubic whose control points are evenly spaced on a line is that line.
	s := Segment{Kind: Cubic, C1: Point{1, 1}, C2: Point{2, 2}, End: Point{3, 3}}
	if got, want := s.Length(Point{}), 3*math.Sqrt2; !near(got, want, 1e-9) {
		t.Errorf("straight cubic length = %v, want %v", got, want)
	}
	// The standard cubic approximation of a quarter circle of radius 1 is
	// within 0.03 % of π/2.
	k := 4.0 / 3 * math.Tan(math.Pi/8)
	q := Segment{Kind: Cubic, C1: Point{1, k}, C2: Point{k, 1}, End: Point{0, 1}}
	if got := q.Length(Point{1, 0}); !near(got, math.Pi/2, math.Pi/2*3e-4) {
		t.Errorf("quarter-circle cubic length = %v, want about %v", got, math.Pi/2)
	}
}

func TestCounts(t *testing.T) {
	d := &Design{Paths: []Path{
		{Start: Point{0, 0}, Stitch: true, Segments: []Segment{{Kind: Line, End: Point{1, 0}}}},
		{Start: Point{1, 0}, Segments: []Segment{{Kind: Line, End: Point{1, 0}}}}, // zero-length jump
		{Start: Point{1, 0}, Segments: []Segment{{Kind: Line, End: Point{5, 0}}}},
		{Start: Point{5, 0}, Stitch: true},
		{Start: Point{5, 0}, Stitch: true, Segments: []Segment{{Kind: Line, End: Point{6, 0}}}},
	}}
	if got := d.JumpCount(); got != 1 {
		t.Errorf("JumpCount = %d, want 1", got)
	}
	if got := d.StitchPathCount(); got != 2 {
		t.Errorf("StitchPathCount = %d, want 2", got)
	}
	if got := d.SegmentCount(); got != 4 {
		t.Errorf("SegmentCount = %d, want 4", got)
	}
}
