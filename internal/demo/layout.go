package demo

import (
	"math"
	"math/rand/v2"

	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/geom/shape"
)

// Types lists the design types the generator lays out, as named by
// package shape.
var Types = []string{
	shape.TypeE2E, shape.TypeBorder, shape.TypeCorner,
	shape.TypeBlock, shape.TypeTriangle, shape.TypePanel,
}

// Pause texts seen in real designs.
var pauseTexts = []string{"Change thread", "Trim threads", "Stop: change thread colour", "Tie off and move"}

// layout draws a design of type typ from motif a (and b, which may be nil),
// in inches with its lower left corner at the origin.
func layout(r *rand.Rand, typ string, a, b *Motif) *geom.Design {
	var d *geom.Design
	switch typ {
	case shape.TypeE2E:
		d = layoutChain(r, a, b, chainE2E)
	case shape.TypeBorder:
		d = layoutChain(r, a, b, chainBorder)
	case shape.TypeCorner:
		d = layoutCorner(r, a, b)
	case shape.TypeBlock:
		d = layoutBlock(r, a, b)
	case shape.TypeTriangle:
		d = layoutTriangle(r, a, b)
	default:
		d = layoutPanel(r, a, b)
	}
	return d.ToOrigin()
}

// units draws one unit of a and, when b is set, one of b.
func units(r *rand.Rand, a, b *Motif) []*geom.Design {
	us := []*geom.Design{a.Unit(r)}
	if b != nil {
		us = append(us, b.Unit(r))
	}
	return us
}

// chainLimits bound a row of repeats: its aspect ratio, width and height
// in inches, and the most repeats.
type chainLimits struct {
	aspectMin, aspectMax float64
	wMin, wMax           float64
	hMin, hMax           float64
	nMax                 int
}

var (
	// chainE2E is a pantograph row: 10–14 in wide, 4–12 in tall, not so
	// long that it reads as a border.
	chainE2E = chainLimits{aspectMin: 0.8, aspectMax: 2.6, wMin: 10, wMax: 14, hMin: 4, hMax: 12, nMax: 8}
	// chainBorder is a border strip, aspect 3.6–9.
	chainBorder = chainLimits{aspectMin: 3.6, aspectMax: 9, wMin: 12, wMax: 48, hMin: 2.5, hMax: 7, nMax: 16}
)

// layoutChain repeats the units along a row that starts on the left edge
// and ends on the right edge at the same height, so rows join up.
func layoutChain(r *rand.Rand, a, b *Motif, lim chainLimits) *geom.Design {
	us := units(r, a, b)
	alt := chance(r, 0.25)
	type option struct {
		n      int
		wLo    float64
		wHi    float64
		aspect float64
	}
	var opts []option
	for n := 1; n <= lim.nMax; n++ {
		box := rowBox(sequence(us, n, alt))
		aspect := box.Width() / box.Height()
		lo, hi := math.Max(lim.wMin, lim.hMin*aspect), math.Min(lim.wMax, lim.hMax*aspect)
		if aspect >= lim.aspectMin && aspect <= lim.aspectMax && lo <= hi {
			opts = append(opts, option{n, lo, hi, aspect})
		}
	}
	o := option{n: 2, wLo: lim.wMin, wHi: lim.wMin}
	if len(opts) > 1 && opts[0].n == 1 && chance(r, 0.85) {
		opts = opts[1:] // a pantograph usually repeats
	}
	if len(opts) > 0 {
		o = opts[r.IntN(min(len(opts), 3))]
	}
	ps := sequence(us, o.n, alt)
	box := rowBox(ps)
	s := uni(r, o.wLo, o.wHi) / box.Width()
	p := newPen(pt(s*box.Min.X, 0))
	p.line(pt(0, 0))
	row(p, ps, pt(0, 0), pt(s*rowLength(ps), 0))
	p.line(pt(s*box.Max.X, 0))
	return p.design()
}

// layoutCorner lays the units along two arms of an L, hugging the bottom
// left corner, with a smaller unit across the corner itself.
func layoutCorner(r *rand.Rand, a, b *Motif) *geom.Design {
	us := units(r, a, b)
	thick := 0.0
	for _, pc := range sequence(us, len(us), false) {
		thick = math.Max(thick, pc.box.Max.Y-math.Min(0, pc.box.Min.Y))
	}
	corner := newPiece(us[len(us)-1], false)
	sc := math.Min(1.5, 0.8*thick/math.Max(corner.box.Max.Y, 1e-9))
	gap := corner.adv * sc / math.Sqrt2
	advAvg := rowLength(sequence(us, len(us), false)) / float64(len(us))
	m := int(math.Ceil((3.6*thick - gap) / advAvg))
	m = min(max(m, 2), 10) + r.IntN(2)
	arm := sequence(us, m, false)
	span := rowLength(arm)
	p := newPen(pt(0, gap+span))
	row(p, arm, pt(0, gap+span), pt(0, gap))
	row(p, []piece{corner}, pt(0, gap), pt(gap, 0))
	row(p, arm, pt(gap, 0), pt(gap+span, 0))
	d := p.design()
	bb := d.StitchBounds()
	return d.Scale(uni(r, 8, 18) / math.Max(bb.Width(), bb.Height()))
}

// layoutBlock draws a block: most often a wreath of units around the
// centre (4, 6 or 8 times), sometimes a square frame of units or a compact
// motif framed by an arc.
func layoutBlock(r *rand.Rand, a, b *Motif) *geom.Design {
	var d *geom.Design
	switch x := r.Float64(); {
	case a.Compact && x < 0.3:
		d = framedMotif(r, a, b)
	case x < 0.45:
		d = squareFrame(r, a, b)
	default:
		d = wreath(r, a, b, true)
	}
	bb := d.StitchBounds()
	return d.Scale(uni(r, 6, 14) / math.Max(bb.Width(), bb.Height()))
}

// framedMotif draws one unit closed by an arc under it; a unit too tall or
// too wide for a block gets a wreath instead.
func framedMotif(r *rand.Rand, a, b *Motif) *geom.Design {
	u := a.Unit(r)
	adv := advance(u)
	if bb := u.StitchBounds(); bb.Height() > 1.1*bb.Width() || bb.Width() > 1.3*bb.Height() {
		return wreath(r, a, b, true)
	}
	p := newPen(pt(0, 0))
	p.place(u, identity)
	arcBulge(p, pt(0, 0), adv*uni(r, 0.3, 0.5))
	return p.design()
}

// wreath draws k units as chords of a circle, all alike, alternating two
// motifs, or alternating a unit with its mirror image; centre, when set,
// adds something in the middle.
func wreath(r *rand.Rand, a, b *Motif, centre bool) *geom.Design {
	k := pick(r, []int{4, 4, 5, 6, 8})
	us := units(r, a, b)
	if b == nil && k%2 == 0 && chance(r, 0.4) {
		us = append(us, mirrorUnit(us[0]))
	}
	if k%2 == 1 {
		us = us[:1]
	}
	ps := sequence(us, k, false)
	const rad = 5.0
	a0 := math.Pi/2 + pick(r, []float64{0, math.Pi / float64(k)})
	outer, inner := ringExtent(ps, rad, false)
	in := false
	if inIn, innerIn := ringExtent(ps, rad, true); innerIn > 0.35*rad && chance(r, 0.3) {
		in, outer, inner = true, inIn, innerIn
	}
	_ = outer
	p := newPen(polar(pt(0, 0), rad, a0))
	ring(p, ps, pt(0, 0), rad, a0, in)
	if !centre || inner < 0.25*rad {
		return p.design()
	}
	switch x := r.Float64(); {
	case x < 0.3: // a ring of stitching
		p.line(polar(pt(0, 0), 0.6*inner, a0))
		p.circle(pt(0, 0), false)
	case x < 0.5: // a smaller wreath inside
		small := sequence(us[:1], min(k, 5), false)
		r2 := 0.5 * inner
		if o2, _ := ringExtent(small, r2, false); o2 > 0.85*inner {
			r2 *= 0.85 * inner / o2
		}
		p.line(polar(pt(0, 0), r2, a0))
		ring(p, small, pt(0, 0), r2, a0, false)
	case x < 0.85: // a compact motif, reached by a jump
		m := compactMotif(r, a, b)
		u := m.Unit(r)
		bb := u.StitchBounds()
		s := 1.3 * inner / math.Hypot(bb.Width(), bb.Height())
		c := bb.Min.Add(bb.Max).Scale(0.5)
		if chance(r, 0.5) {
			p.pause(pick(r, pauseTexts))
		}
		p.place(u, translate(-c.X, -c.Y).then(scale(s)))
	}
	return p.design()
}

// compactMotif returns a or b if either is compact, else a random compact
// motif.
func compactMotif(r *rand.Rand, a, b *Motif) *Motif {
	switch {
	case b != nil && b.Compact:
		return b
	case a.Compact:
		return a
	}
	var cs []*Motif
	for _, m := range motifs {
		if m.Compact {
			cs = append(cs, m)
		}
	}
	return pick(r, cs)
}

// frame stitches units around the rectangle (0,0)–(w,h) counter-clockwise
// from the origin, facing inwards, each side with as many units as fit
// units of about unitLen inches.
func frame(p *pen, us []*geom.Design, w, h, unitLen float64) {
	corners := []geom.Point{pt(0, 0), pt(w, 0), pt(w, h), pt(0, h), pt(0, 0)}
	for i := 0; i < 4; i++ {
		side := corners[i].Dist(corners[i+1])
		n := max(1, int(math.Round(side/unitLen)))
		row(p, sequence(us, n, false), corners[i], corners[i+1])
	}
}

// unitLenFor returns the unit length at which the units' height is frac
// of size.
func unitLenFor(us []*geom.Design, size, frac float64) float64 {
	pc := sequence(us, len(us), false)
	box := rowBox(pc)
	return rowLength(pc) / float64(len(pc)) * frac * size / math.Max(box.Max.Y, 1e-9)
}

// squareFrame draws a block framed on four sides by units, with a small
// motif in the middle sometimes.
func squareFrame(r *rand.Rand, a, b *Motif) *geom.Design {
	us := units(r, a, b)
	const size = 10.0
	ul := unitLenFor(us, size, uni(r, 0.18, 0.28))
	p := newPen(pt(0, 0))
	frame(p, us, size, size, ul)
	if chance(r, 0.5) {
		m := compactMotif(r, a, b)
		u := m.Unit(r)
		bb := u.StitchBounds()
		s := 0.4 * size / math.Max(bb.Width(), bb.Height())
		c := bb.Min.Add(bb.Max).Scale(0.5)
		p.place(u, translate(-c.X, -c.Y).then(scale(s)).then(translate(size/2, size/2)))
	}
	return p.design()
}

// layoutTriangle draws a setting triangle: the outline (sometimes echoed)
// and a wreath, a motif or nested echoes inside.
func layoutTriangle(r *rand.Rand, a, b *Motif) *geom.Design {
	var v [3]geom.Point
	if chance(r, 0.5) { // half-square: right angle at the bottom left
		s := uni(r, 8, 16)
		v = [3]geom.Point{pt(0, 0), pt(s, 0), pt(0, s)}
	} else { // quarter-square: long side down
		s := uni(r, 12, 22)
		v = [3]geom.Point{pt(0, 0), pt(s, 0), pt(s/2, s/2)}
	}
	la, lb, lc := v[1].Dist(v[2]), v[2].Dist(v[0]), v[0].Dist(v[1])
	per := la + lb + lc
	inc := v[0].Scale(la / per).Add(v[1].Scale(lb / per)).Add(v[2].Scale(lc / per))
	area := math.Abs((v[1].X-v[0].X)*(v[2].Y-v[0].Y)-(v[2].X-v[0].X)*(v[1].Y-v[0].Y)) / 2
	rin := 2 * area / per
	inset := func(f float64) [3]geom.Point {
		var w [3]geom.Point
		for i := range v {
			w[i] = lerp(inc, v[i], f)
		}
		return w
	}
	p := newPen(v[0])
	tri := func(w [3]geom.Point) {
		p.line(w[0])
		p.line(w[1])
		p.line(w[2])
		p.line(w[0])
	}
	tri(v)
	if chance(r, 0.5) {
		tri(inset(1 - uni(r, 0.06, 0.12)))
	}
	switch x := r.Float64(); {
	case x < 0.4: // nested echoes
		for f := uni(r, 0.6, 0.75); f > 0.15; f -= uni(r, 0.15, 0.22) {
			tri(inset(f))
		}
	case x < 0.7: // a wreath
		w := wreath(r, a, b, false)
		bb := w.StitchBounds()
		s := 1.6 * rin / math.Max(bb.Width(), bb.Height())
		c := bb.Min.Add(bb.Max).Scale(0.5)
		placeLinked(p, w, translate(-c.X, -c.Y).then(scale(s)).then(translate(inc.X, inc.Y)))
	default: // one compact motif
		u := compactMotif(r, a, b).Unit(r)
		bb := u.StitchBounds()
		s := 1.5 * rin / math.Max(bb.Width(), bb.Height())
		c := bb.Min.Add(bb.Max).Scale(0.5)
		placeLinked(p, u, translate(-c.X, -c.Y).then(scale(s)).then(translate(inc.X, inc.Y)))
	}
	return p.design()
}

// layoutPanel draws a large panel: a frame of units around a rectangle and
// a medallion wreath in the middle, reached by a jump.
func layoutPanel(r *rand.Rand, a, b *Motif) *geom.Design {
	long := uni(r, 30, 40)
	aspect := uni(r, 1, 1.5)
	if chance(r, 0.2) {
		long, aspect = uni(r, 22, 30), uni(r, 1.75, 2.2)
	}
	w, h := long, long/aspect
	if chance(r, 0.4) {
		w, h = h, w
	}
	us := units(r, a, b)
	short := math.Min(w, h)
	frac := uni(r, 0.14, 0.2)
	p := newPen(pt(0, 0))
	frame(p, us, w, h, unitLenFor(us, short, frac))
	med := wreath(r, pick(r, []*Motif{a, compactMotif(r, a, b)}), nil, chance(r, 0.5))
	bb := med.StitchBounds()
	s := (1 - 2*frac - 0.08) * short / math.Max(bb.Width(), bb.Height())
	c := bb.Min.Add(bb.Max).Scale(0.5)
	if chance(r, 0.6) {
		p.pause(pick(r, pauseTexts))
	}
	p.place(med, translate(-c.X, -c.Y).then(scale(s)).then(translate(w/2, h/2)))
	d := p.design()
	bb = d.StitchBounds() // units reach outside the frame: fit to size
	return d.Scale(long / math.Max(bb.Width(), bb.Height()))
}

// placeLinked stitches straight to where u (mapped by m) starts, then
// draws it: a travel line instead of a jump.
func placeLinked(p *pen, u *geom.Design, m xform) {
	if len(u.Paths) > 0 {
		p.line(m.apply(u.Paths[0].Start))
	}
	p.place(u, m)
}
