package dxf

import (
	"math"

	"github.com/patternvault/patternvault/internal/geom"
)

// bbox is an axis-aligned bounding box.
type bbox struct {
	min, max geom.Point
	set      bool
}

func (b *bbox) empty() bool { return !b.set }

func (b *bbox) add(p geom.Point) {
	if !b.set {
		b.min, b.max, b.set = p, p, true
		return
	}
	b.min.X, b.min.Y = math.Min(b.min.X, p.X), math.Min(b.min.Y, p.Y)
	b.max.X, b.max.Y = math.Max(b.max.X, p.X), math.Max(b.max.Y, p.Y)
}

// addPath grows b to hold the exact extent of p (arcs and cubics included).
func (b *bbox) addPath(p *geom.Path) {
	cur := p.Start
	b.add(cur)
	for i := range p.Segments {
		s := &p.Segments[i]
		switch s.Kind {
		case geom.Arc:
			b.addArc(cur, s)
		case geom.Cubic:
			b.addCubic(cur, s)
		}
		b.add(s.End)
		cur = s.End
	}
}

// addArc adds the axis extremes an arc passes through.
func (b *bbox) addArc(from geom.Point, s *geom.Segment) {
	r := from.Dist(s.Center)
	a0 := math.Atan2(from.Y-s.Center.Y, from.X-s.Center.X)
	for k := 0; k < 4; k++ {
		a := float64(k) * math.Pi / 2
		off := math.Mod(a-a0, 2*math.Pi)
		if s.Sweep < 0 {
			off = math.Mod(a0-a, 2*math.Pi)
		}
		if off < 0 {
			off += 2 * math.Pi
		}
		if off <= math.Abs(s.Sweep) {
			sin, cos := math.Sincos(a)
			b.add(geom.Point{X: s.Center.X + r*cos, Y: s.Center.Y + r*sin})
		}
	}
}

// addCubic adds the points where a cubic's derivative is zero on an axis.
func (b *bbox) addCubic(p0 geom.Point, s *geom.Segment) {
	xs := cubicExtrema(p0.X, s.C1.X, s.C2.X, s.End.X)
	ys := cubicExtrema(p0.Y, s.C1.Y, s.C2.Y, s.End.Y)
	for _, t := range append(xs, ys...) {
		b.add(geom.CubicAt(p0, s.C1, s.C2, s.End, t))
	}
}

// cubicExtrema returns the parameters in (0,1) where the 1D cubic has a
// zero derivative.
func cubicExtrema(p0, p1, p2, p3 float64) []float64 {
	a := -p0 + 3*p1 - 3*p2 + p3
	bb := 2 * (p0 - 2*p1 + p2)
	c := p1 - p0
	var ts []float64
	keep := func(t float64) {
		if t > 0 && t < 1 {
			ts = append(ts, t)
		}
	}
	if math.Abs(a) < 1e-12 {
		if bb != 0 {
			keep(-c / bb)
		}
		return ts
	}
	disc := bb*bb - 4*a*c
	if disc < 0 {
		return ts
	}
	sq := math.Sqrt(disc)
	keep((-bb + sq) / (2 * a))
	keep((-bb - sq) / (2 * a))
	return ts
}
