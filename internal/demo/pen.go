package demo

import (
	"math"

	"github.com/patternvault/patternvault/internal/geom"
)

// joinTol is how close (inches) a placed piece must start to the pen for
// it to continue the current stitched path instead of jumping there.
const joinTol = 1e-6

// pt is shorthand for a geom.Point.
func pt(x, y float64) geom.Point { return geom.Point{X: x, Y: y} }

// polar returns the point at distance r from c in direction a (radians).
func polar(c geom.Point, r, a float64) geom.Point {
	return geom.Point{X: c.X + r*math.Cos(a), Y: c.Y + r*math.Sin(a)}
}

// lerp returns the point a fraction t of the way from a to b.
func lerp(a, b geom.Point, t float64) geom.Point {
	return geom.Point{X: a.X + (b.X-a.X)*t, Y: a.Y + (b.Y-a.Y)*t}
}

// pen draws a design one segment at a time, like the needle of a quilting
// machine: it always knows where it is, stitches from there, and jumps
// (needle up) when asked to.
type pen struct {
	d   geom.Design
	cur geom.Point
}

// newPen returns a pen that starts stitching at p.
func newPen(p geom.Point) *pen {
	pn := &pen{cur: p}
	pn.d.Paths = append(pn.d.Paths, geom.Path{Start: p, Stitch: true})
	return pn
}

// last returns the path being drawn.
func (p *pen) last() *geom.Path { return &p.d.Paths[len(p.d.Paths)-1] }

// seg appends s to the current stitched path.
func (p *pen) seg(s geom.Segment) {
	l := p.last()
	l.Segments = append(l.Segments, s)
	p.cur = s.End
}

// line stitches straight to q.
func (p *pen) line(q geom.Point) {
	if q == p.cur {
		return
	}
	p.seg(geom.Segment{Kind: geom.Line, End: q})
}

// arc stitches around center by sweep radians (positive counter-clockwise).
func (p *pen) arc(center geom.Point, sweep float64) {
	v := p.cur.Sub(center)
	s, c := math.Sincos(sweep)
	end := geom.Point{X: center.X + v.X*c - v.Y*s, Y: center.Y + v.X*s + v.Y*c}
	p.seg(geom.Segment{Kind: geom.Arc, End: end, Center: center, Sweep: sweep})
}

// circle stitches a full circle around center back to the current point,
// as two half turns (which every writer keeps as arcs).
func (p *pen) circle(center geom.Point, ccw bool) {
	h := math.Pi
	if !ccw {
		h = -h
	}
	start := p.cur
	p.arc(center, h)
	p.arc(center, h)
	p.last().Segments[len(p.last().Segments)-1].End = start
	p.cur = start
}

// cubic stitches a cubic Bézier with control points c1, c2 to q.
func (p *pen) cubic(c1, c2, q geom.Point) {
	p.seg(geom.Segment{Kind: geom.Cubic, C1: c1, C2: c2, End: q})
}

// curveTo stitches a gentle S-free curve to q leaving in direction a0 and
// arriving in direction a1 (radians), with handles of a third of the
// distance.
func (p *pen) curveTo(q geom.Point, a0, a1 float64) {
	k := p.cur.Dist(q) / 3
	p.cubic(polar(p.cur, k, a0), polar(q, -k, a1), q)
}

// smooth stitches a Catmull-Rom spline through pts (the pen's position
// first), as cubics.
func (p *pen) smooth(pts []geom.Point, tension float64) {
	all := append([]geom.Point{p.cur}, pts...)
	for i := 0; i+1 < len(all); i++ {
		p0 := all[max(i-1, 0)]
		p1, p2 := all[i], all[i+1]
		p3 := all[min(i+2, len(all)-1)]
		c1 := p1.Add(p2.Sub(p0).Scale(tension / 3))
		c2 := p2.Sub(p3.Sub(p1).Scale(tension / 3))
		p.cubic(c1, c2, p2)
	}
}

// jump moves the needle up to q and starts a new stitched path there.
func (p *pen) jump(q geom.Point) {
	if q.Dist(p.cur) <= joinTol {
		return
	}
	l := p.last()
	if len(l.Segments) == 0 {
		l.Start, p.cur = q, q
		return
	}
	p.d.Paths = append(p.d.Paths,
		geom.Path{Start: p.cur, Segments: []geom.Segment{{Kind: geom.Line, End: q}}},
		geom.Path{Start: q, Stitch: true})
	p.cur = q
}

// pause stops the machine for the operator before whatever is drawn next
// (typically a jump to a new part of the design).
func (p *pen) pause(text string) {
	before := len(p.d.Paths)
	if len(p.last().Segments) == 0 {
		before--
	}
	p.d.Pauses = append(p.d.Pauses, geom.Pause{Before: before, Text: text})
}

// place draws piece u mapped by m: its stitched paths continue the pen's
// path when they start where the pen is, else the pen jumps to them.
// Jumps inside u are kept.
func (p *pen) place(u *geom.Design, m xform) {
	base := len(p.d.Paths)
	for i := range u.Paths {
		src := &u.Paths[i]
		start := m.apply(src.Start)
		if !src.Stitch {
			continue // recreated by jump below
		}
		if start.Dist(p.cur) > joinTol {
			p.jump(start)
		}
		l := p.last()
		for _, s := range src.Segments {
			l.Segments = append(l.Segments, m.segment(s))
		}
		if n := len(l.Segments); n > 0 {
			p.cur = l.Segments[n-1].End
		}
	}
	for _, ps := range u.Pauses {
		p.d.Pauses = append(p.d.Pauses, geom.Pause{Before: min(base+ps.Before, len(p.d.Paths)), Text: ps.Text})
	}
}

// design returns what has been drawn, without empty paths.
func (p *pen) design() *geom.Design {
	out := &geom.Design{Pauses: p.d.Pauses}
	remap := make([]int, len(p.d.Paths)+1)
	for i, path := range p.d.Paths {
		remap[i] = len(out.Paths)
		if len(path.Segments) > 0 {
			out.Paths = append(out.Paths, path)
		}
	}
	remap[len(p.d.Paths)] = len(out.Paths)
	for i := range out.Pauses {
		out.Pauses[i].Before = remap[min(out.Pauses[i].Before, len(p.d.Paths))]
	}
	return out
}

// xform is a similarity transform p -> (a·x + b·y + e, c·x + d·y + f).
type xform struct{ a, b, c, d, e, f float64 }

// identity is the transform that changes nothing.
var identity = xform{a: 1, d: 1}

func (m xform) apply(p geom.Point) geom.Point {
	return geom.Point{X: m.a*p.X + m.b*p.Y + m.e, Y: m.c*p.X + m.d*p.Y + m.f}
}

// then returns the transform that applies m first and n second.
func (m xform) then(n xform) xform {
	return xform{
		a: n.a*m.a + n.b*m.c, b: n.a*m.b + n.b*m.d,
		c: n.c*m.a + n.d*m.c, d: n.c*m.b + n.d*m.d,
		e: n.a*m.e + n.b*m.f + n.e, f: n.c*m.e + n.d*m.f + n.f,
	}
}

// flips reports whether m mirrors (so arcs change direction).
func (m xform) flips() bool { return m.a*m.d-m.b*m.c < 0 }

// segment maps one segment.
func (m xform) segment(s geom.Segment) geom.Segment {
	s.End = m.apply(s.End)
	switch s.Kind {
	case geom.Arc:
		s.Center = m.apply(s.Center)
		if m.flips() {
			s.Sweep = -s.Sweep
		}
	case geom.Cubic:
		s.C1, s.C2 = m.apply(s.C1), m.apply(s.C2)
	}
	return s
}

func translate(dx, dy float64) xform { return xform{a: 1, d: 1, e: dx, f: dy} }
func scale(k float64) xform          { return xform{a: k, d: k} }
func rotate(rad float64) xform {
	s, c := math.Sincos(rad)
	return xform{a: c, b: -s, c: s, d: c}
}

// mirrorY maps y to -y.
var mirrorY = xform{a: 1, d: -1}

// onChord maps a unit whose baseline runs from (0,0) to (adv,0) onto the
// segment from a to b, so that the unit's up side lies left of a→b.
func onChord(adv float64, a, b geom.Point) xform {
	v := b.Sub(a)
	return scale(math.Hypot(v.X, v.Y) / adv).then(rotate(math.Atan2(v.Y, v.X))).then(translate(a.X, a.Y))
}

// reversed returns path p travelled backwards.
func reversed(p geom.Path) geom.Path {
	out := geom.Path{Start: p.End(), Stitch: p.Stitch, Segments: make([]geom.Segment, 0, len(p.Segments))}
	for i := len(p.Segments) - 1; i >= 0; i-- {
		s := p.Segments[i]
		from := p.Start
		if i > 0 {
			from = p.Segments[i-1].End
		}
		r := geom.Segment{Kind: s.Kind, End: from}
		switch s.Kind {
		case geom.Arc:
			r.Center, r.Sweep = s.Center, -s.Sweep
		case geom.Cubic:
			r.C1, r.C2 = s.C2, s.C1
		}
		out.Segments = append(out.Segments, r)
	}
	return out
}

// advance returns the x at which unit u ends (its baseline length).
func advance(u *geom.Design) float64 {
	for i := len(u.Paths) - 1; i >= 0; i-- {
		if u.Paths[i].Stitch {
			return u.Paths[i].End().X - u.Paths[0].Start.X
		}
	}
	return 0
}
