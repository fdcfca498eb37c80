package demo

import (
	"math"

	"github.com/patternvault/patternvault/internal/geom"
)

// piece is one unit placed in a row: the unit and whether it is turned
// upside down (mirrored about its baseline).
type piece struct {
	u    *geom.Design
	adv  float64
	box  geom.Rect
	flip bool
}

// newPiece measures unit u for placing.
func newPiece(u *geom.Design, flip bool) piece {
	return piece{u: u, adv: advance(u), box: u.StitchBounds(), flip: flip}
}

// sequence returns n pieces cycling through units; with alternate set,
// every other piece is turned upside down.
func sequence(units []*geom.Design, n int, alternate bool) []piece {
	ps := make([]piece, n)
	cache := map[*geom.Design]piece{}
	for i := range ps {
		u := units[i%len(units)]
		p, ok := cache[u]
		if !ok {
			p = newPiece(u, false)
			cache[u] = p
		}
		p.flip = alternate && i%2 == 1
		ps[i] = p
	}
	return ps
}

// rowLength is the summed advance of the pieces.
func rowLength(ps []piece) float64 {
	s := 0.0
	for _, p := range ps {
		s += p.adv
	}
	return s
}

// rowBox is the stitched extent of the pieces chained along the x axis from
// the origin, before scaling.
func rowBox(ps []piece) geom.Rect {
	b := geom.Rect{Min: pt(math.Inf(1), math.Inf(1)), Max: pt(math.Inf(-1), math.Inf(-1))}
	x := 0.0
	for _, p := range ps {
		lo, hi := p.box.Min.Y, p.box.Max.Y
		if p.flip {
			lo, hi = -hi, -lo
		}
		b.Min.X = math.Min(b.Min.X, x+p.box.Min.X)
		b.Max.X = math.Max(b.Max.X, x+p.box.Max.X)
		b.Min.Y = math.Min(b.Min.Y, lo)
		b.Max.Y = math.Max(b.Max.Y, hi)
		x += p.adv
	}
	return b
}

// row stitches the pieces one after the other along the straight line from
// a to b, scaled together so that they exactly span it, each piece's up
// side to the left of the direction of travel.
func row(p *pen, ps []piece, a, b geom.Point) {
	base := onChord(rowLength(ps), a, b)
	x := 0.0
	for _, pc := range ps {
		local := translate(x, 0)
		if pc.flip {
			local = mirrorY.then(local)
		}
		p.place(pc.u, local.then(base))
		x += pc.adv
	}
}

// mirrorUnit returns unit u mirrored left to right and stitched in the
// opposite order, so that it still runs from (0,0) to (adv,0).
func mirrorUnit(u *geom.Design) *geom.Design {
	adv := advance(u)
	m := u.MirrorX().Translate(adv, 0)
	out := &geom.Design{}
	for i := len(m.Paths) - 1; i >= 0; i-- {
		if m.Paths[i].Stitch {
			out.Paths = append(out.Paths, reversed(m.Paths[i]))
		}
	}
	return out
}

// ring stitches k pieces as chords of the circle of radius rad around c,
// starting at angle a0 (radians) and going clockwise, so that each piece's up
// side faces outwards (inwards when in is set, going counter-clockwise).
func ring(p *pen, ps []piece, c geom.Point, rad, a0 float64, in bool) {
	k := len(ps)
	dir := -1.0
	if in {
		dir = 1
	}
	for i, pc := range ps {
		from := polar(c, rad, a0+dir*2*math.Pi*float64(i)/float64(k))
		to := polar(c, rad, a0+dir*2*math.Pi*float64(i+1)/float64(k))
		if i == k-1 {
			to = polar(c, rad, a0)
		}
		row(p, []piece{pc}, from, to)
	}
}

// ringExtent returns how far (as a multiple of rad) pieces on a ring of k
// chords reach outwards and inwards from the centre when the chord is
// scaled to fit: chords sit at rad·cos(π/k) from the centre.
func ringExtent(ps []piece, rad float64, in bool) (outer, inner float64) {
	k := len(ps)
	chord := 2 * rad * math.Sin(math.Pi/float64(k))
	d := rad * math.Cos(math.Pi/float64(k))
	up, down := 0.0, 0.0
	for _, pc := range ps {
		s := chord / pc.adv
		hi, lo := pc.box.Max.Y, pc.box.Min.Y
		if pc.flip {
			hi, lo = -lo, -hi
		}
		up = math.Max(up, hi*s)
		down = math.Max(down, -lo*s)
	}
	if in {
		return math.Max(rad, d+down), d - up
	}
	return math.Max(rad, d+up), d - down
}
