package dxf

import (
	"fmt"

	"github.com/patternvault/patternvault/internal/geom"
)

// maxDegree is the highest spline degree accepted.
const maxDegree = 11

// flattenSteps is how many lines each knot span of a rational or high
// degree spline becomes.
const flattenSteps = 32

// spline converts a SPLINE entity: degree 71, knots 40, weights 41,
// control points 10/20, fit points 11/21, flags 70 (4 = rational).
func (r *reader) spline(e *entity) (*geom.Path, error) {
	var knots, weights []float64
	var ctrl, fit []geom.Point
	for _, p := range e.pairs {
		switch p.code {
		case 40, 41, 10, 20, 11, 21:
		default:
			continue
		}
		v, err := p.float()
		if err != nil {
			return nil, err
		}
		switch p.code {
		case 40:
			knots = append(knots, v)
		case 41:
			weights = append(weights, v)
		case 10:
			ctrl = append(ctrl, geom.Point{X: v})
		case 20:
			if len(ctrl) > 0 {
				ctrl[len(ctrl)-1].Y = v
			}
		case 11:
			fit = append(fit, geom.Point{X: v})
		case 21:
			if len(fit) > 0 {
				fit[len(fit)-1].Y = v
			}
		}
	}
	deg, err := e.integer(71)
	if err != nil {
		return nil, err
	}
	if len(ctrl) == 0 {
		return r.fitCurve(fit)
	}
	if deg < 1 || deg > maxDegree {
		return nil, fmt.Errorf("degree %d not in 1..%d", deg, maxDegree)
	}
	n := len(ctrl)
	if n < deg+1 {
		return nil, fmt.Errorf("%d control points for degree %d", n, deg)
	}
	if len(knots) != n+deg+1 {
		return nil, fmt.Errorf("%d knots for %d control points of degree %d (want %d)", len(knots), n, deg, n+deg+1)
	}
	for i := 1; i < len(knots); i++ {
		if knots[i] < knots[i-1] {
			return nil, fmt.Errorf("knot %d (%g) is less than knot %d (%g)", i, knots[i], i-1, knots[i-1])
		}
	}
	rational, err := isRational(weights, n)
	if err != nil {
		return nil, err
	}
	s := bspline{deg: deg, knots: knots, ctrl: ctrl, weights: weights}
	if !rational && deg <= 3 {
		return r.splineBeziers(&s)
	}
	return r.splineFlat(&s, rational)
}

// isRational reports whether the weights make the spline rational; equal
// weights do not.
func isRational(w []float64, n int) (bool, error) {
	if len(w) == 0 {
		return false, nil
	}
	if len(w) != n {
		return false, fmt.Errorf("%d weights for %d control points", len(w), n)
	}
	rational := false
	for _, v := range w {
		if v <= 0 {
			return false, fmt.Errorf("weight %g is not positive", v)
		}
		if v != w[0] {
			rational = true
		}
	}
	return rational, nil
}

// bspline is a B-spline curve with optional weights.
type bspline struct {
	deg     int
	knots   []float64
	ctrl    []geom.Point
	weights []float64
}

// blossom evaluates the polar form of the non-rational spline on knot span
// i (knots[i] <= t < knots[i+1]) at the parameters ts (len == deg), by de
// Boor's algorithm with one parameter per level. With all ts equal it is
// the curve point; Bézier control points of the span are blossoms at its
// ends.
func (s *bspline) blossom(i int, ts []float64, d []geom.Point) geom.Point {
	p := s.deg
	copy(d, s.ctrl[i-p:i+1])
	for r := 1; r <= p; r++ {
		t := ts[r-1]
		for j := p; j >= r; j-- {
			k := i - p + j
			den := s.knots[k+p+1-r] - s.knots[k]
			alpha := 0.0
			if den != 0 {
				alpha = (t - s.knots[k]) / den
			}
			d[j] = d[j-1].Scale(1 - alpha).Add(d[j].Scale(alpha))
		}
	}
	return d[p]
}

// spans returns the indices i of the non-empty knot spans in the domain.
func (s *bspline) spans() []int {
	var out []int
	for i := s.deg; i < len(s.ctrl); i++ {
		if s.knots[i] < s.knots[i+1] {
			out = append(out, i)
		}
	}
	return out
}

// splineBeziers converts a non-rational spline of degree 1..3 exactly:
// one line or cubic per knot span.
func (r *reader) splineBeziers(s *bspline) (*geom.Path, error) {
	spans := s.spans()
	if len(spans) == 0 {
		return nil, nil
	}
	if err := r.spend(len(spans)); err != nil {
		return nil, err
	}
	p := s.deg
	d := make([]geom.Point, p+1)
	ts := make([]float64, p)
	bez := make([]geom.Point, p+1)
	var pc *geom.Path
	for _, i := range spans {
		a, b := s.knots[i], s.knots[i+1]
		for j := 0; j <= p; j++ {
			for k := range ts {
				ts[k] = a
				if k >= p-j {
					ts[k] = b
				}
			}
			bez[j] = s.blossom(i, ts, d)
		}
		if pc == nil {
			pc = &geom.Path{Start: bez[0], Segments: make([]geom.Segment, 0, len(spans))}
		}
		switch p {
		case 1:
			pc.Segments = append(pc.Segments, geom.Segment{Kind: geom.Line, End: bez[1]})
		case 2:
			pc.Segments = append(pc.Segments, geom.Segment{Kind: geom.Cubic,
				C1: bez[0].Add(bez[1].Sub(bez[0]).Scale(2.0 / 3)), C2: bez[2].Add(bez[1].Sub(bez[2]).Scale(2.0 / 3)), End: bez[2]})
		default:
			pc.Segments = append(pc.Segments, geom.Segment{Kind: geom.Cubic, C1: bez[1], C2: bez[2], End: bez[3]})
		}
	}
	return pc, nil
}

// splineFlat flattens a rational or high-degree spline into lines.
func (r *reader) splineFlat(s *bspline, rational bool) (*geom.Path, error) {
	spans := s.spans()
	if len(spans) == 0 {
		return nil, nil
	}
	if err := r.spend(len(spans) * flattenSteps); err != nil {
		return nil, err
	}
	p := s.deg
	// Evaluate in homogeneous coordinates: (w*x, w*y) and w separately.
	hw := make([]geom.Point, len(s.ctrl))
	ws := make([]float64, len(s.ctrl))
	for i, c := range s.ctrl {
		w := 1.0
		if rational {
			w = s.weights[i]
		}
		hw[i], ws[i] = c.Scale(w), w
	}
	num := bspline{deg: p, knots: s.knots, ctrl: hw}
	den := bspline{deg: p, knots: s.knots, ctrl: make([]geom.Point, len(ws))}
	for i, w := range ws {
		den.ctrl[i] = geom.Point{X: w}
	}
	d := make([]geom.Point, p+1)
	ts := make([]float64, p)
	eval := func(i int, t float64) geom.Point {
		for k := range ts {
			ts[k] = t
		}
		n := num.blossom(i, ts, d)
		w := den.blossom(i, ts, d).X
		if w == 0 {
			return n
		}
		return n.Scale(1 / w)
	}
	var pc *geom.Path
	for _, i := range spans {
		a, b := s.knots[i], s.knots[i+1]
		if pc == nil {
			pc = &geom.Path{Start: eval(i, a)}
		}
		for k := 1; k <= flattenSteps; k++ {
			pc.Segments = append(pc.Segments, geom.Segment{Kind: geom.Line, End: eval(i, a+(b-a)*float64(k)/flattenSteps)})
		}
	}
	return pc, nil
}

// fitCurve draws a Catmull-Rom curve of cubics through fit points, for
// splines stored without control points.
func (r *reader) fitCurve(fit []geom.Point) (*geom.Path, error) {
	if len(fit) < 2 {
		return nil, nil
	}
	if err := r.spend(len(fit) - 1); err != nil {
		return nil, err
	}
	pc := &geom.Path{Start: fit[0], Segments: make([]geom.Segment, 0, len(fit)-1)}
	at := func(i int) geom.Point { return fit[max(0, min(len(fit)-1, i))] }
	for i := 0; i+1 < len(fit); i++ {
		c1 := at(i).Add(at(i + 1).Sub(at(i - 1)).Scale(1.0 / 6))
		c2 := at(i + 1).Sub(at(i + 2).Sub(at(i)).Scale(1.0 / 6))
		pc.Segments = append(pc.Segments, geom.Segment{Kind: geom.Cubic, C1: c1, C2: c2, End: fit[i+1]})
	}
	return pc, nil
}
