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

// pathSpan marks one flattened path inside polylines.pts.
type pathSpan struct {
	from   int
	stitch bool
}

// polylines is a whole design flattened into one reusable point buffer.
type polylines struct {
	pts   []geom.Point
	paths []pathSpan
}

// flatten replaces the contents of l with the stitched paths of d (and the
// jumps when withJumps) flattened within tol inches.
func (l *polylines) flatten(d *geom.Design, tol float64, withJumps bool) {
	l.pts = l.pts[:0]
	l.paths = l.paths[:0]
	for i := range d.Paths {
		p := &d.Paths[i]
		if !p.Stitch && !withJumps {
			continue
		}
		l.paths = append(l.paths, pathSpan{from: len(l.pts), stitch: p.Stitch})
		l.pts = append(l.pts, p.Start)
		cur := p.Start
		for j := range p.Segments {
			l.pts = p.Segments[j].Flatten(l.pts, cur, tol)
			cur = p.Segments[j].End
		}
	}
}

// end returns the index just past the last point of path i.
func (l *polylines) end(i int) int {
	if i+1 < len(l.paths) {
		return l.paths[i+1].from
	}
	return len(l.pts)
}

// minStep is the shortest stroked piece in pixels: closer points are merged,
// which keeps dense flattened curves cheap without a visible difference.
const minStep = 0.4

// strokePolyline adds to z the outline of the polyline pts stroked with
// width lw pixels, as one rectangle per piece extended by half the width at
// both ends, so that joins are filled. Every rectangle winds the same way,
// so overlaps add up instead of cancelling. It returns the number of
// rectangles added.
func strokePolyline(z *vector.Rasterizer, pts []geom.Point, xf transform, lw float64) int {
	if len(pts) == 0 {
		return 0
	}
	hw := float32(lw / 2)
	ax, ay := xf.apply(pts[0])
	n := 0
	for i := 1; i < len(pts); i++ {
		bx, by := xf.apply(pts[i])
		dx, dy := bx-ax, by-ay
		if dx*dx+dy*dy < minStep*minStep && i < len(pts)-1 {
			continue
		}
		strokePiece(z, ax, ay, bx, by, hw)
		n++
		ax, ay = bx, by
	}
	if n == 0 { // a single point or a tiny path: a dot
		strokePiece(z, ax, ay, ax, ay, hw)
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
