package render

import (
	"math"

	"golang.org/x/image/vector"

	"github.com/patternvault/patternvault/internal/geom"
)

// box is an axis-aligned rectangle in inches.
type box struct {
	MinX, MinY, MaxX, MaxY float64
}

// W returns the width of b.
func (b box) W() float64 { return b.MaxX - b.MinX }

// H returns the height of b.
func (b box) H() float64 { return b.MaxY - b.MinY }

func (b *box) add(p geom.Point) {
	b.MinX = math.Min(b.MinX, p.X)
	b.MinY = math.Min(b.MinY, p.Y)
	b.MaxX = math.Max(b.MaxX, p.X)
	b.MaxY = math.Max(b.MaxY, p.Y)
}

func emptyBox() box {
	return box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
}

func (b box) valid() bool { return b.MinX <= b.MaxX && b.MinY <= b.MaxY }

// endpointBounds returns the box of the start and end points of the
// segments of the stitched paths (and of jumps when withJumps). Curves may
// bulge beyond it, so it never exceeds the true extent. ok is false when
// there is no such point.
func endpointBounds(d *geom.Design, withJumps bool) (b box, ok bool) {
	b = emptyBox()
	for i := range d.Paths {
		p := &d.Paths[i]
		if !p.Stitch && !withJumps {
			continue
		}
		b.add(p.Start)
		for j := range p.Segments {
			b.add(p.Segments[j].End)
		}
	}
	return b, b.valid() && !math.IsNaN(b.MinX+b.MinY+b.MaxX+b.MaxY) && !math.IsInf(b.W()+b.H(), 0)
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

// bounds returns the box of the stitched points (of all points when there
// are only jumps).
func (l *polylines) bounds() (box, bool) {
	b := emptyBox()
	for i, pl := range l.paths {
		if !pl.stitch {
			continue
		}
		for _, p := range l.pts[pl.from:l.end(i)] {
			b.add(p)
		}
	}
	if !b.valid() {
		for _, p := range l.pts {
			b.add(p)
		}
	}
	ok := b.valid() && !math.IsNaN(b.MinX+b.MinY+b.MaxX+b.MaxY) && !math.IsInf(b.W()+b.H(), 0)
	return b, ok
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
