package dxf

import (
	"fmt"
	"math"

	"github.com/patternvault/patternvault/internal/geom"
)

// mirrorX is the OCS → WCS map for extrusion (0,0,-1).
var mirrorX = affine{a: -1, d: 1}

// ocs maps a path built in an entity's object coordinates to world ones.
func (r *reader) ocs(e *entity, pc *geom.Path) (*geom.Path, error) {
	if pc == nil || !e.mirrored() {
		return pc, nil
	}
	out, err := r.transform(pc, mirrorX)
	return &out, err
}

// line converts a LINE entity.
func (r *reader) line(e *entity) (*geom.Path, error) {
	a, err := e.point(10, 20)
	if err != nil {
		return nil, err
	}
	b, err := e.point(11, 21)
	if err != nil {
		return nil, err
	}
	if a == b {
		return nil, nil
	}
	if err := r.spend(1); err != nil {
		return nil, err
	}
	return &geom.Path{Start: a, Segments: []geom.Segment{{Kind: geom.Line, End: b}}}, nil
}

// arc converts an ARC (counter-clockwise from angle 50 to 51, in degrees)
// or a CIRCLE (two half circles from angle 0).
func (r *reader) arc(e *entity) (*geom.Path, error) {
	c, err := e.point(10, 20)
	if err != nil {
		return nil, err
	}
	rad, err := e.num(40, 0)
	if err != nil || rad <= 0 {
		return nil, err
	}
	a0, a1 := 0.0, 360.0
	if e.typ == "ARC" {
		if a0, err = e.num(50, 0); err != nil {
			return nil, err
		}
		if a1, err = e.num(51, 360); err != nil {
			return nil, err
		}
	}
	sweep := math.Mod(a1-a0, 360)
	if sweep <= 1e-9 {
		sweep += 360
	}
	at := func(deg float64) geom.Point {
		s, co := math.Sincos(deg * math.Pi / 180)
		return geom.Point{X: c.X + rad*co, Y: c.Y + rad*s}
	}
	n := 1
	if sweep > 180 {
		n = 2
	}
	if err := r.spend(n); err != nil {
		return nil, err
	}
	pc := &geom.Path{Start: at(a0)}
	for i := 1; i <= n; i++ {
		pc.Segments = append(pc.Segments, geom.Segment{
			Kind: geom.Arc, Center: c, Sweep: sweep / float64(n) * math.Pi / 180,
			End: at(a0 + sweep*float64(i)/float64(n)),
		})
	}
	return r.ocs(e, pc)
}

// vertex is a polyline vertex with the bulge of the segment leaving it.
type vertex struct {
	p     geom.Point
	bulge float64
}

// lwpolyline converts an LWPOLYLINE: groups 10/20 start each vertex, 42 is
// the bulge of the vertex just read, flag 1 of group 70 closes it.
func (r *reader) lwpolyline(e *entity) (*geom.Path, error) {
	var vs []vertex
	for _, p := range e.pairs {
		switch p.code {
		case 10, 20, 42:
			v, err := p.float()
			if err != nil {
				return nil, err
			}
			if p.code == 10 {
				vs = append(vs, vertex{p: geom.Point{X: v}})
			} else if len(vs) > 0 && p.code == 20 {
				vs[len(vs)-1].p.Y = v
			} else if len(vs) > 0 {
				vs[len(vs)-1].bulge = v
			}
		}
	}
	flags, err := e.integer(70)
	if err != nil {
		return nil, err
	}
	pc, err := r.polyPath(vs, flags&1 != 0)
	if err != nil {
		return nil, err
	}
	return r.ocs(e, pc)
}

// polyline accumulates a POLYLINE entity and its VERTEX entities.
type polyline struct {
	head  *entity
	flags int
	skip  bool // meshes: not outlines
	vs    []vertex
}

func newPolyline(e *entity) (*polyline, error) {
	flags, err := e.integer(70)
	if err != nil {
		return nil, fmt.Errorf("dxf: POLYLINE at line %d: %w", e.line, err)
	}
	return &polyline{head: e, flags: flags, skip: flags&(16|64) != 0}, nil
}

// addVertex appends one VERTEX; spline frame control points are skipped.
func (pl *polyline) addVertex(e *entity) error {
	if pl.skip {
		return nil
	}
	flags, err := e.integer(70)
	if err != nil {
		return fmt.Errorf("dxf: VERTEX at line %d: %w", e.line, err)
	}
	if flags&16 != 0 {
		return nil
	}
	p, err := e.point(10, 20)
	if err != nil {
		return fmt.Errorf("dxf: VERTEX at line %d: %w", e.line, err)
	}
	b, err := e.num(42, 0)
	if err != nil {
		return fmt.Errorf("dxf: VERTEX at line %d: %w", e.line, err)
	}
	pl.vs = append(pl.vs, vertex{p: p, bulge: b})
	return nil
}

// path converts the finished polyline.
func (pl *polyline) path(r *reader) (*geom.Path, error) {
	if pl.skip {
		return nil, nil
	}
	pc, err := r.polyPath(pl.vs, pl.flags&1 != 0)
	if err == nil && pl.flags&8 == 0 { // 3D polylines are in world coordinates
		pc, err = r.ocs(pl.head, pc)
	}
	if err != nil {
		return nil, fmt.Errorf("dxf: POLYLINE at line %d: %w", pl.head.line, err)
	}
	return pc, nil
}

// polyPath builds a path through the vertices, bulges becoming arcs.
func (r *reader) polyPath(vs []vertex, closed bool) (*geom.Path, error) {
	if len(vs) < 2 {
		return nil, nil
	}
	n := len(vs) - 1
	if closed {
		n++
	}
	if err := r.spend(n); err != nil {
		return nil, err
	}
	pc := &geom.Path{Start: vs[0].p, Segments: make([]geom.Segment, 0, n)}
	for i := 0; i < n; i++ {
		a, b := vs[i], vs[(i+1)%len(vs)]
		pc.Segments = append(pc.Segments, bulgeSegment(a.p, b.p, a.bulge))
	}
	return pc, nil
}

// bulgeSegment returns the segment from p0 to p1 with the given bulge: the
// tangent of a quarter of the arc's sweep, positive counter-clockwise.
func bulgeSegment(p0, p1 geom.Point, bulge float64) geom.Segment {
	c := p0.Dist(p1)
	if bulge == 0 || c == 0 || math.IsNaN(bulge) || math.IsInf(bulge, 0) || math.Abs(bulge) > 1e6 {
		return geom.Segment{Kind: geom.Line, End: p1}
	}
	sweep := 4 * math.Atan(bulge)
	mid := p0.Add(p1).Scale(0.5)
	u := p1.Sub(p0).Scale(1 / c)
	left := geom.Point{X: -u.Y, Y: u.X}
	k := c / 2 * (1 - bulge*bulge) / (2 * bulge)
	return geom.Segment{Kind: geom.Arc, Center: mid.Add(left.Scale(k)), Sweep: sweep, End: p1}
}

// ellipse converts an ELLIPSE: centre 10/20, major axis end 11/21 relative
// to the centre, ratio 40 of minor to major, parameters 41..42 in radians.
func (r *reader) ellipse(e *entity) (*geom.Path, error) {
	c, err := e.point(10, 20)
	if err != nil {
		return nil, err
	}
	maj, err := e.point(11, 21)
	if err != nil {
		return nil, err
	}
	ratio, err := e.num(40, 1)
	if err != nil {
		return nil, err
	}
	t0, err := e.num(41, 0)
	if err != nil {
		return nil, err
	}
	t1, err := e.num(42, 2*math.Pi)
	if err != nil {
		return nil, err
	}
	if maj == (geom.Point{}) || ratio == 0 {
		return nil, nil
	}
	minor := geom.Point{X: -maj.Y, Y: maj.X}.Scale(ratio)
	if e.mirrored() {
		minor = minor.Scale(-1) // the parameter runs clockwise in WCS
	}
	sweep := math.Mod(t1-t0, 2*math.Pi)
	if sweep <= 1e-12 {
		sweep += 2 * math.Pi
	}
	n := int(math.Ceil(sweep / (math.Pi / 4)))
	if err := r.spend(n); err != nil {
		return nil, err
	}
	at := func(t float64) (p, d geom.Point) {
		s, co := math.Sincos(t)
		p = c.Add(maj.Scale(co)).Add(minor.Scale(s))
		d = minor.Scale(co).Sub(maj.Scale(s))
		return p, d
	}
	step := sweep / float64(n)
	k := 4.0 / 3 * math.Tan(step/4)
	p0, d0 := at(t0)
	pc := &geom.Path{Start: p0}
	for i := 1; i <= n; i++ {
		p1, d1 := at(t0 + step*float64(i))
		pc.Segments = append(pc.Segments, geom.Segment{Kind: geom.Cubic, C1: p0.Add(d0.Scale(k)), C2: p1.Sub(d1.Scale(k)), End: p1})
		p0, d0 = p1, d1
	}
	return pc, nil
}

// affine is a 2D affine map (x, y) → (a*x + c*y + e, b*x + d*y + f).
type affine struct {
	a, b, c, d, e, f float64
}

// mul returns m×n: n applied first.
func (m affine) mul(n affine) affine {
	return affine{
		a: m.a*n.a + m.c*n.b, b: m.b*n.a + m.d*n.b,
		c: m.a*n.c + m.c*n.d, d: m.b*n.c + m.d*n.d,
		e: m.a*n.e + m.c*n.f + m.e, f: m.b*n.e + m.d*n.f + m.f,
	}
}

func (m affine) apply(p geom.Point) geom.Point {
	return geom.Point{X: m.a*p.X + m.c*p.Y + m.e, Y: m.b*p.X + m.d*p.Y + m.f}
}

// conformal reports whether m keeps circles circular.
func (m affine) conformal() bool {
	eps := 1e-9 * (math.Abs(m.a) + math.Abs(m.b) + math.Abs(m.c) + math.Abs(m.d))
	return (math.Abs(m.a-m.d) <= eps && math.Abs(m.b+m.c) <= eps) ||
		(math.Abs(m.a+m.d) <= eps && math.Abs(m.b-m.c) <= eps)
}

// transform returns pc mapped through m. Arcs stay arcs under conformal
// maps; otherwise they become cubics (at most π/4 each).
func (r *reader) transform(pc *geom.Path, m affine) (geom.Path, error) {
	conf := m.conformal()
	flip := m.a*m.d-m.b*m.c < 0
	out := geom.Path{Start: m.apply(pc.Start), Stitch: pc.Stitch, Segments: make([]geom.Segment, 0, len(pc.Segments))}
	cur := pc.Start
	for _, s := range pc.Segments {
		orig := s.End
		switch {
		case s.Kind == geom.Arc && conf:
			if flip {
				s.Sweep = -s.Sweep
			}
			s.Center = m.apply(s.Center)
			s.End = m.apply(s.End)
			out.Segments = append(out.Segments, s)
		case s.Kind == geom.Arc:
			n := int(math.Ceil(math.Abs(s.Sweep) / (math.Pi / 4)))
			if err := r.spend(n); err != nil {
				return out, err
			}
			out.Segments = arcCubics(out.Segments, cur, s, n, m)
		default:
			s.End = m.apply(s.End)
			s.C1 = m.apply(s.C1)
			s.C2 = m.apply(s.C2)
			out.Segments = append(out.Segments, s)
		}
		cur = orig
	}
	return out, nil
}

// arcCubics appends the circular arc s starting at from as n cubics mapped
// through m.
func arcCubics(dst []geom.Segment, from geom.Point, s geom.Segment, n int, m affine) []geom.Segment {
	if n < 1 {
		n = 1
	}
	rad := from.Dist(s.Center)
	a0 := math.Atan2(from.Y-s.Center.Y, from.X-s.Center.X)
	step := s.Sweep / float64(n)
	k := 4.0 / 3 * math.Tan(step/4) * rad
	at := func(a float64) (p, d geom.Point) {
		sin, cos := math.Sincos(a)
		return geom.Point{X: s.Center.X + rad*cos, Y: s.Center.Y + rad*sin}, geom.Point{X: -sin, Y: cos}
	}
	p0, d0 := at(a0)
	for i := 1; i <= n; i++ {
		p1, d1 := at(a0 + step*float64(i))
		if i == n {
			p1 = s.End
		}
		dst = append(dst, geom.Segment{Kind: geom.Cubic, C1: m.apply(p0.Add(d0.Scale(k))), C2: m.apply(p1.Sub(d1.Scale(k))), End: m.apply(p1)})
		p0, d0 = p1, d1
	}
	return dst
}
