package geom

import (
	"math"
	"slices"
)

// Clone returns a deep copy of d.
func (d *Design) Clone() *Design {
	c := &Design{
		Paths:    make([]Path, len(d.Paths)),
		Pauses:   slices.Clone(d.Pauses),
		Meta:     d.Meta,
		Warnings: slices.Clone(d.Warnings),
	}
	c.Meta.Notes = slices.Clone(d.Meta.Notes)
	c.Meta.URLs = slices.Clone(d.Meta.URLs)
	for i, p := range d.Paths {
		p.Segments = slices.Clone(p.Segments)
		c.Paths[i] = p
	}
	return c
}

// affine is the map p -> (a·x + b·y + e, c·x + d·y + f). Only similarity
// transforms (rotations, mirrors, uniform scales, translations) are used, so
// circular arcs stay circular.
type affine struct {
	a, b, c, d, e, f float64
}

func (m affine) apply(p Point) Point {
	return Point{m.a*p.X + m.b*p.Y + m.e, m.c*p.X + m.d*p.Y + m.f}
}

// transform returns a copy of d with every point mapped by m. Arc sweeps
// change sign when m reverses orientation.
func (d *Design) transform(m affine) *Design {
	out := d.Clone()
	flip := m.a*m.d-m.b*m.c < 0
	for i := range out.Paths {
		p := &out.Paths[i]
		p.Start = m.apply(p.Start)
		for j := range p.Segments {
			s := &p.Segments[j]
			s.End = m.apply(s.End)
			switch s.Kind {
			case Arc:
				s.Center = m.apply(s.Center)
				if flip {
					s.Sweep = -s.Sweep
				}
			case Cubic:
				s.C1 = m.apply(s.C1)
				s.C2 = m.apply(s.C2)
			}
		}
	}
	return out
}

// Rotate returns a copy of d rotated counter-clockwise by degrees about the
// origin. Multiples of 90 degrees are exact.
func (d *Design) Rotate(degrees float64) *Design {
	sin, cos := sinCosDegrees(degrees)
	return d.transform(affine{a: cos, b: -sin, c: sin, d: cos})
}

// sinCosDegrees is math.Sincos in degrees, exact for multiples of 90.
func sinCosDegrees(deg float64) (sin, cos float64) {
	q := math.Mod(deg, 360)
	if q < 0 {
		q += 360
	}
	switch q {
	case 0:
		return 0, 1
	case 90:
		return 1, 0
	case 180:
		return 0, -1
	case 270:
		return -1, 0
	}
	return math.Sincos(deg * math.Pi / 180)
}

// MirrorX returns a copy of d mirrored left to right: x becomes -x.
func (d *Design) MirrorX() *Design { return d.transform(affine{a: -1, d: 1}) }

// MirrorY returns a copy of d mirrored top to bottom: y becomes -y.
func (d *Design) MirrorY() *Design { return d.transform(affine{a: 1, d: -1}) }

// Scale returns a copy of d scaled by f about the origin. f should be
// finite and non-zero.
func (d *Design) Scale(f float64) *Design { return d.transform(affine{a: f, d: f}) }

// ScaleToWidth returns a copy of d scaled about the origin, keeping its
// aspect ratio, so that its bounds are w inches wide. A design with no width
// is returned unscaled.
func (d *Design) ScaleToWidth(w float64) *Design {
	cur := d.Bounds().Width()
	if cur <= 0 {
		return d.Clone()
	}
	return d.Scale(w / cur)
}

// ScaleToHeight is like ScaleToWidth for the height.
func (d *Design) ScaleToHeight(h float64) *Design {
	cur := d.Bounds().Height()
	if cur <= 0 {
		return d.Clone()
	}
	return d.Scale(h / cur)
}

// Translate returns a copy of d moved by (dx, dy) inches.
func (d *Design) Translate(dx, dy float64) *Design {
	return d.transform(affine{a: 1, d: 1, e: dx, f: dy})
}

// ToOrigin returns a copy of d moved so that the minimum corner of its
// bounds is at (0, 0).
func (d *Design) ToOrigin() *Design {
	b := d.Bounds()
	return d.Translate(-b.Min.X, -b.Min.Y)
}
