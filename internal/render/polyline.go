package render

import (
	"math"

	"golang.org/x/image/vector"

	"github.com/patternvault/patternvault/internal/geom"
)

// stitchBounds returns the exact extent of d's stitched paths. ok is false
// when d has no stitched segment or its extent is not finite.
func stitchBounds(d *geom.Design) (b geom.Rect, ok bool) {
	has := false
	for i := range d.Paths {
		if d.Paths[i].Stitch && len(d.Paths[i].Segments) > 0 {
			has = true
			break
		}
	}
	if !has {
		return b, false
	}
	b = d.StitchBounds()
	v := b.Min.X + b.Min.Y + b.Max.X + b.Max.Y
	return b, !math.IsNaN(v) && !math.IsInf(v, 0)
}

// minStep is the shortest stroked piece in pixels: closer points are merged,
// which keeps dense flattened curves cheap without a visible difference.
const minStep = 0.4

// stroker strokes a design's paths into a rasterizer as they are
// flattened, one segment at a time, so that drawing a design costs no
// memory however many segments it has.
type stroker struct {
	z   *vector.Rasterizer
	xf  transform
	hw  float32
	buf []geom.Point // one segment's flattened points
}

// path adds the outline of path p, flattened within tol inches and stroked
// with half-width s.hw pixels, as one rectangle per piece extended by half
// the width at both ends, so that joins are filled. Every rectangle winds
// the same way, so overlaps add up instead of cancelling. Pieces shorter
// than minStep are merged into the next, except the path's last. It
// returns the number of rectangles added.
func (s *stroker) path(p *geom.Path, tol float64) int {
	ax, ay := s.xf.apply(p.Start)
	var px, py float32 // the last point when it was too close to stroke
	pending := false
	n := 0
	cur := p.Start
	for j := range p.Segments {
		s.buf = p.Segments[j].Flatten(s.buf[:0], cur, tol)
		cur = p.Segments[j].End
		for _, q := range s.buf {
			bx, by := s.xf.apply(q)
			dx, dy := bx-ax, by-ay
			if dx*dx+dy*dy < minStep*minStep {
				px, py, pending = bx, by, true
				continue
			}
			strokePiece(s.z, ax, ay, bx, by, s.hw)
			n++
			ax, ay, pending = bx, by, false
		}
	}
	if pending {
		strokePiece(s.z, ax, ay, px, py, s.hw)
		n++
	}
	if n == 0 { // a single point or a tiny path: a dot
		strokePiece(s.z, ax, ay, ax, ay, s.hw)
		n++
	}
	return n
}

// strokePiece adds the rectangle around a→b, half-width hw, extended by hw
// beyond both ends.
func strokePiece(z *vector.Rasterizer, ax, ay, bx, by, hw float32) {
	dx, dy := bx-ax, by-ay
	l := float32(math.Sqrt(float64(dx*dx + dy*dy)))
	if l < 1e-6 {
		dx, dy, l = 1, 0, 1
	}
	ux, uy := dx/l*hw, dy/l*hw // along the piece
	nx, ny := -uy, ux          // across it
	z.MoveTo(ax-ux-nx, ay-uy-ny)
	z.LineTo(bx+ux-nx, by+uy-ny)
	z.LineTo(bx+ux+nx, by+uy+ny)
	z.LineTo(ax-ux+nx, ay-uy+ny)
	z.ClosePath()
}
