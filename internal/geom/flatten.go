package geom

import "math"

// DefaultTolerance is the flattening tolerance in inches used where a caller
// has no better value: 0.001 in, below any machine's resolution.
const DefaultTolerance = 0.001

// Flatten appends to dst the points of the segment that starts at from,
// excluding from itself and ending exactly at s.End, such that the polyline
// stays within tol inches of the true curve.
func (s *Segment) Flatten(dst []Point, from Point, tol float64) []Point {
	if tol <= 0 {
		tol = DefaultTolerance
	}
	switch s.Kind {
	case Arc:
		r := from.Dist(s.Center)
		n := arcSteps(r, s.Sweep, tol)
		a0 := math.Atan2(from.Y-s.Center.Y, from.X-s.Center.X)
		for i := 1; i < n; i++ {
			a := a0 + s.Sweep*float64(i)/float64(n)
			dst = append(dst, Point{s.Center.X + r*math.Cos(a), s.Center.Y + r*math.Sin(a)})
		}
	case Cubic:
		n := cubicSteps(from, s.C1, s.C2, s.End, tol)
		for i := 1; i < n; i++ {
			dst = append(dst, CubicAt(from, s.C1, s.C2, s.End, float64(i)/float64(n)))
		}
	}
	return append(dst, s.End)
}

// maxSteps bounds how many points one segment may flatten into, so a hostile
// file cannot make a reader or renderer allocate without bound.
const maxSteps = 4096

// arcSteps returns how many chords approximate an arc of radius r and sweep
// within tol: the sagitta r(1-cos(θ/2)) of each chord must not exceed tol.
func arcSteps(r, sweep, tol float64) int {
	if r <= tol || sweep == 0 || math.IsNaN(r) || math.IsNaN(sweep) {
		return 1
	}
	theta := 2 * math.Acos(1-tol/r)
	n := int(math.Ceil(math.Abs(sweep) / theta))
	return clampSteps(n)
}

// cubicSteps estimates the chords needed for a cubic Bézier within tol from
// the second differences of its control polygon (a standard bound).
func cubicSteps(p0, p1, p2, p3 Point, tol float64) int {
	dd1 := p0.Sub(p1.Scale(2)).Add(p2)
	dd2 := p1.Sub(p2.Scale(2)).Add(p3)
	m := math.Max(math.Hypot(dd1.X, dd1.Y), math.Hypot(dd2.X, dd2.Y))
	if m == 0 || math.IsNaN(m) {
		return 1
	}
	n := int(math.Ceil(math.Sqrt(6 * m / (8 * tol))))
	return clampSteps(n)
}

func clampSteps(n int) int {
	if n < 1 {
		return 1
	}
	if n > maxSteps {
		return maxSteps
	}
	return n
}

// CubicAt evaluates the cubic Bézier p0..p3 at t in [0,1].
func CubicAt(p0, p1, p2, p3 Point, t float64) Point {
	u := 1 - t
	a, b, c, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
	return Point{
		a*p0.X + b*p1.X + c*p2.X + d*p3.X,
		a*p0.Y + b*p1.Y + c*p2.Y + d*p3.Y,
	}
}

// Flatten returns the path as a polyline (Start first) within tol inches.
func (p *Path) Flatten(tol float64) []Point {
	pts := make([]Point, 1, 1+len(p.Segments))
	pts[0] = p.Start
	cur := p.Start
	for i := range p.Segments {
		pts = p.Segments[i].Flatten(pts, cur, tol)
		cur = p.Segments[i].End
	}
	return pts
}
