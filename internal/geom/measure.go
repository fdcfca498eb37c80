package geom

import "math"

// Rect is an axis-aligned rectangle in inches. The zero Rect is empty.
type Rect struct {
	Min, Max Point
}

// Width returns the horizontal extent of r.
func (r Rect) Width() float64 { return r.Max.X - r.Min.X }

// Height returns the vertical extent of r.
func (r Rect) Height() float64 { return r.Max.Y - r.Min.Y }

// Bounds returns the smallest rectangle holding every path of d, stitched or
// jump. Lines and arcs are bounded exactly, cubics through the extrema of
// their polynomials. An empty design has the zero Rect.
func (d *Design) Bounds() Rect { return d.bounds(false) }

// StitchBounds is like Bounds but considers stitched paths only.
func (d *Design) StitchBounds() Rect { return d.bounds(true) }

func (d *Design) bounds(stitchedOnly bool) Rect {
	var b boxer
	for i := range d.Paths {
		p := &d.Paths[i]
		if stitchedOnly && !p.Stitch {
			continue
		}
		b.add(p.Start)
		cur := p.Start
		for j := range p.Segments {
			b.addSegment(cur, &p.Segments[j])
			cur = p.Segments[j].End
		}
	}
	return b.r
}

// boxer grows a Rect point by point.
type boxer struct {
	r   Rect
	any bool
}

func (b *boxer) add(p Point) {
	if !b.any {
		b.r = Rect{p, p}
		b.any = true
		return
	}
	b.r.Min.X = math.Min(b.r.Min.X, p.X)
	b.r.Min.Y = math.Min(b.r.Min.Y, p.Y)
	b.r.Max.X = math.Max(b.r.Max.X, p.X)
	b.r.Max.Y = math.Max(b.r.Max.Y, p.Y)
}

func (b *boxer) addSegment(from Point, s *Segment) {
	b.add(s.End)
	switch s.Kind {
	case Arc:
		// The arc reaches an axis extreme wherever its angle crosses a
		// multiple of 90 degrees.
		r := from.Dist(s.Center)
		a0 := math.Atan2(from.Y-s.Center.Y, from.X-s.Center.X)
		lo, hi := a0, a0+s.Sweep
		if hi < lo {
			lo, hi = hi, lo
		}
		if hi-lo > 4*math.Pi || math.IsNaN(hi-lo) {
			return
		}
		for k := math.Ceil(lo / (math.Pi / 2)); k*math.Pi/2 <= hi; k++ {
			a := k * math.Pi / 2
			b.add(Point{s.Center.X + r*math.Cos(a), s.Center.Y + r*math.Sin(a)})
		}
	case Cubic:
		for _, t := range cubicExtrema(from.X, s.C1.X, s.C2.X, s.End.X) {
			b.add(CubicAt(from, s.C1, s.C2, s.End, t))
		}
		for _, t := range cubicExtrema(from.Y, s.C1.Y, s.C2.Y, s.End.Y) {
			b.add(CubicAt(from, s.C1, s.C2, s.End, t))
		}
	}
}

// hull is a cheap box that holds segments: their ends, an arc's whole
// circle, a cubic's control points. It is never smaller than the exact
// bounds, and costs a few comparisons per point (the points it is given
// are finite, so plain comparisons do what math.Min and math.Max would).
type hull struct {
	min, max Point
	any      bool
}

func (h *hull) add(p Point) {
	if !h.any {
		h.min, h.max, h.any = p, p, true
		return
	}
	if p.X < h.min.X {
		h.min.X = p.X
	} else if p.X > h.max.X {
		h.max.X = p.X
	}
	if p.Y < h.min.Y {
		h.min.Y = p.Y
	} else if p.Y > h.max.Y {
		h.max.Y = p.Y
	}
}

func (h *hull) addSegment(from Point, s *Segment) {
	h.add(s.End)
	switch s.Kind {
	case Arc:
		dx, dy := from.X-s.Center.X, from.Y-s.Center.Y
		r := math.Sqrt(dx*dx + dy*dy)
		h.add(Point{s.Center.X - r, s.Center.Y - r})
		h.add(Point{s.Center.X + r, s.Center.Y + r})
	case Cubic:
		h.add(s.C1)
		h.add(s.C2)
	}
}

// tooWide reports whether the box is wider or taller than limit.
func (h *hull) tooWide(limit float64) bool {
	return h.max.X-h.min.X > limit || h.max.Y-h.min.Y > limit
}

// cubicExtrema returns the parameters in (0,1) where the one-dimensional
// cubic Bézier p0..p3 has a zero derivative.
func cubicExtrema(p0, p1, p2, p3 float64) []float64 {
	// B'(t)/3 = a t² + b t + c.
	a := -p0 + 3*p1 - 3*p2 + p3
	b := 2 * (p0 - 2*p1 + p2)
	c := p1 - p0
	var ts []float64
	keep := func(t float64) {
		if t > 0 && t < 1 {
			ts = append(ts, t)
		}
	}
	const eps = 1e-12
	if math.Abs(a) < eps {
		if math.Abs(b) > eps {
			keep(-c / b)
		}
		return ts
	}
	disc := b*b - 4*a*c
	if disc < 0 {
		return ts
	}
	sq := math.Sqrt(disc)
	keep((-b + sq) / (2 * a))
	keep((-b - sq) / (2 * a))
	return ts
}

// cubicLengthTolerance is the flattening tolerance used to measure cubics.
const cubicLengthTolerance = 1e-5

// Length returns the true length of the segment starting at from: exact for
// lines and arcs (r·|sweep|), by fine flattening for cubics.
func (s *Segment) Length(from Point) float64 {
	switch s.Kind {
	case Arc:
		return from.Dist(s.Center) * math.Abs(s.Sweep)
	case Cubic:
		pts := s.Flatten(nil, from, cubicLengthTolerance)
		n := 0.0
		prev := from
		for _, p := range pts {
			n += prev.Dist(p)
			prev = p
		}
		return n
	}
	return from.Dist(s.End)
}

// Length returns the true length of the path in inches.
func (p *Path) Length() float64 {
	n := 0.0
	cur := p.Start
	for i := range p.Segments {
		n += p.Segments[i].Length(cur)
		cur = p.Segments[i].End
	}
	return n
}

// StitchLength returns the total length of thread sewn: the sum of the
// lengths of the stitched paths, in inches.
func (d *Design) StitchLength() float64 {
	n := 0.0
	for i := range d.Paths {
		if d.Paths[i].Stitch {
			n += d.Paths[i].Length()
		}
	}
	return n
}

// JumpCount returns the number of jump paths that move the needle at all.
func (d *Design) JumpCount() int {
	n := 0
	for i := range d.Paths {
		if !d.Paths[i].Stitch && d.Paths[i].Length() > 0 {
			n++
		}
	}
	return n
}

// StitchPathCount returns the number of stitched paths with at least one
// segment.
func (d *Design) StitchPathCount() int {
	n := 0
	for i := range d.Paths {
		if d.Paths[i].Stitch && len(d.Paths[i].Segments) > 0 {
			n++
		}
	}
	return n
}

// SegmentCount returns the total number of segments in d.
func (d *Design) SegmentCount() int {
	n := 0
	for i := range d.Paths {
		n += len(d.Paths[i].Segments)
	}
	return n
}

// Bounder grows an exact bounding rectangle over points and paths (arcs
// and Béziers at their true extremes), for readers and writers.
type Bounder struct{ b boxer }

// Add includes a point.
func (b *Bounder) Add(p Point) { b.b.add(p) }

// AddPath includes a whole path.
func (b *Bounder) AddPath(p *Path) {
	b.b.add(p.Start)
	cur := p.Start
	for i := range p.Segments {
		b.b.addSegment(cur, &p.Segments[i])
		cur = p.Segments[i].End
	}
}

// Hull is a cheap box that holds every segment added to it: each end
// point, an arc's whole circle, a cubic's control points. It is never
// smaller than the exact bounds (Bounder), so a reader can refuse an
// oversized design only when the Hull is too wide and the exact bounds
// confirm it. Points must be finite.
type Hull struct{ h hull }

// Add includes a point.
func (h *Hull) Add(p Point) { h.h.add(p) }

// AddSegment includes the segment s that starts at from.
func (h *Hull) AddSegment(from Point, s *Segment) { h.h.addSegment(from, s) }

// TooWide reports whether the box is wider or taller than limit inches.
func (h *Hull) TooWide(limit float64) bool { return h.h.tooWide(limit) }

// Empty reports whether nothing was added.
func (b *Bounder) Empty() bool { return !b.b.any }

// Rect returns the rectangle so far.
func (b *Bounder) Rect() Rect { return b.b.r }
