package demo

import (
	"math"
	"math/rand/v2"

	"github.com/patternvault/patternvault/internal/geom"
)

// leaf stitches a pointed leaf from the pen's position along theta, l long
// and w wide, then its midrib up and back.
func leaf(p *pen, theta, l, w float64) {
	b := p.cur
	petal(p, theta, l, w, 0.05)
	p.line(polar(b, 0.7*l, theta))
	p.line(b)
}

// drawLeafVine draws a wavy vine with two or three leaves on alternating
// sides.
func drawLeafVine(r *rand.Rand) *pen {
	adv := uni(r, 3.5, 5)
	k := between(r, 2, 3)
	amp := uni(r, 0.2, 0.5)
	p := newPen(pt(0, 0))
	vine := func(x float64) geom.Point { return pt(x, amp*math.Sin(math.Pi*x/adv)) }
	up := chance(r, 0.5)
	for i := 0; i < k; i++ {
		x := adv * (float64(i) + uni(r, 0.4, 0.7)) / float64(k)
		at := vine(x)
		p.curveTo(at, 0.3, -0.1)
		l := uni(r, 1.4, 2.0)
		theta := math.Pi/2 - uni(r, 0.3, 0.7)
		if !up {
			theta = -theta
			l *= 0.8
		}
		leaf(p, theta, l, l*uni(r, 0.25, 0.35))
		up = !up
	}
	p.curveTo(pt(adv, 0), 0, -0.2)
	return p
}

// hollyLeaf stitches a holly leaf from the pen's position along theta: a
// spiky outline of concave arcs between the points, then the midrib.
func hollyLeaf(p *pen, theta, l, w float64, spikes int) {
	b := p.cur
	u := polar(pt(0, 0), 1, theta)
	v := pt(-u.Y, u.X)
	at := func(t, side float64) geom.Point {
		return b.Add(u.Scale(t * l)).Add(v.Scale(side * w * math.Pow(math.Sin(math.Pi*t), 0.7)))
	}
	tip := b.Add(u.Scale(l))
	for _, side := range []float64{1, -1} {
		var pts []geom.Point
		for i := 1; i <= spikes; i++ {
			pts = append(pts, at((float64(i)-0.3)/(float64(spikes)+0.3), side))
		}
		if side < 0 {
			pts = append([]geom.Point{tip}, reverse(pts)...)
			pts = append(pts, b)
		} else {
			pts = append(pts, tip)
		}
		for _, q := range pts {
			chord := q.Dist(p.cur)
			arcBulge(p, q, -side*0.2*chord)
		}
	}
	p.line(b.Add(u.Scale(0.75 * l)))
	p.line(b)
}

// reverse returns s reversed.
func reverse(s []geom.Point) []geom.Point {
	out := make([]geom.Point, len(s))
	for i, q := range s {
		out[len(s)-1-i] = q
	}
	return out
}

// drawHolly draws two holly leaves and a cluster of berries.
func drawHolly(r *rand.Rand) *pen {
	l := uni(r, 1.5, 2.1)
	w := l * uni(r, 0.22, 0.3)
	spikes := between(r, 3, 4)
	cx := l*0.9 + uni(r, 0.1, 0.3)
	base := pt(cx, 0.3)
	p := newPen(pt(0, 0))
	p.curveTo(base, 0.2, math.Pi/2)
	hollyLeaf(p, math.Pi/2+uni(r, 0.5, 0.9), l, w, spikes)
	berry := uni(r, 0.14, 0.2)
	n := between(r, 2, 3)
	for i := 0; i < n; i++ {
		at := base.Add(polar(pt(0, 0), berry*(1.2+0.8*float64(i%2)), math.Pi/2+float64(i-1)*0.9))
		p.line(at)
		dot(p, berry)
		p.line(base)
	}
	hollyLeaf(p, math.Pi/2-uni(r, 0.5, 0.9), l*uni(r, 0.85, 1), w, spikes)
	p.curveTo(pt(2*cx, 0), -math.Pi/2, -0.2)
	return p
}

// drawMaple draws a maple leaf: five serrated pointed lobes in lines, with
// veins to the three main lobes and a stem.
func drawMaple(r *rand.Rand) *pen {
	size := uni(r, 1.6, 2.2)
	cx := size + uni(r, 0.1, 0.3)
	stem := pt(cx, 0.1)
	c := pt(cx, 0.1+size*uni(r, 0.5, 0.6))
	lobes := []struct{ ang, rad float64 }{
		{-15, 0.7}, {35, 0.95}, {90, 1.1}, {145, 0.95}, {195, 0.7},
	}
	jit := func(v float64) float64 { return v * uni(r, 0.92, 1.08) }
	var outline []geom.Point
	outline = append(outline, polar(c, 0.25*size, -70*math.Pi/180))
	for i, lb := range lobes {
		a := lb.ang * math.Pi / 180
		R := jit(lb.rad) * size
		if i > 0 {
			prev := lobes[i-1].ang * math.Pi / 180
			outline = append(outline, polar(c, jit(0.42)*size, (a+prev)/2))
		}
		outline = append(outline,
			polar(c, 0.72*R, a-0.22), polar(c, 0.68*R, a-0.12), // a tooth
			polar(c, R, a),
			polar(c, 0.68*R, a+0.12), polar(c, 0.72*R, a+0.22))
	}
	outline = append(outline, polar(c, 0.25*size, -110*math.Pi/180))
	p := newPen(pt(0, 0))
	p.curveTo(stem, 0.3, math.Pi/2)
	p.line(polar(c, 0.25*size, -math.Pi/2))
	for _, q := range outline {
		p.line(q)
	}
	p.line(polar(c, 0.25*size, -math.Pi/2))
	for _, i := range []int{1, 2, 3} {
		p.line(polar(c, 0.75*lobes[i].rad*size, lobes[i].ang*math.Pi/180))
		p.line(polar(c, 0.25*size, -math.Pi/2))
	}
	p.line(stem)
	p.curveTo(pt(2*cx, 0), -0.3, 0)
	return p
}

// drawFlower draws a flower on a stem: rounded petals as arcs around a
// centre circle.
func drawFlower(r *rand.Rand) *pen {
	k := between(r, 5, 8)
	rc := uni(r, 0.3, 0.45)
	bulge := rc * uni(r, 0.9, 1.5) * 5 / float64(k)
	outer := rc + 2*bulge
	stemH := uni(r, 0.6, 1.2)
	cx := outer + uni(r, 0.1, 0.3)
	c := pt(cx, stemH+rc)
	p := newPen(pt(0, 0))
	p.curveTo(polar(c, rc, -math.Pi/2), 0.4, math.Pi/2)
	if chance(r, 0.5) {
		at := p.cur
		p.line(lerp(pt(cx, 0.1), at, 0.4))
		leaf(p, math.Pi/2-0.8, stemH*0.9, stemH*0.28)
		p.line(at)
	}
	for j := 1; j <= k; j++ {
		arcBulge(p, polar(c, rc, -math.Pi/2+2*math.Pi*float64(j)/float64(k)), -bulge*k5(k))
	}
	p.circle(c, true)
	if chance(r, 0.5) {
		p.line(polar(c, rc*0.5, -math.Pi/2))
		p.circle(c, false)
		p.line(polar(c, rc, -math.Pi/2))
	}
	p.curveTo(pt(2*cx, 0), -math.Pi/2, -0.3)
	return p
}

// k5 scales petal bulge so flowers of any petal count look alike.
func k5(k int) float64 { return 0.8 + 0.2*float64(k)/5 }

// drawDaisy draws a daisy on a stem: long cubic petals around a centre
// circle.
func drawDaisy(r *rand.Rand) *pen {
	k := between(r, 8, 13)
	rc := uni(r, 0.22, 0.32)
	lp := uni(r, 0.7, 1.1)
	stemH := uni(r, 0.6, 1.2)
	cx := rc + lp + uni(r, 0.1, 0.3)
	c := pt(cx, stemH+rc+lp*0.2)
	p := newPen(pt(0, 0))
	start := -math.Pi / 2
	p.curveTo(polar(c, rc, start), 0.4, math.Pi/2)
	da := 2 * math.Pi / float64(k)
	for j := 0; j < k; j++ {
		a0 := start + da*float64(j)
		am, a1 := a0+da/2, a0+da
		tip := polar(c, rc+lp*uni(r, 0.9, 1.05), am)
		side := polar(pt(0, 0), lp*0.3, am+math.Pi/2)
		p.cubic(polar(c, rc+0.5*lp, a0), tip.Sub(side), tip)
		p.cubic(tip.Add(side), polar(c, rc+0.5*lp, a1), polar(c, rc, a1))
	}
	p.circle(c, true)
	p.curveTo(pt(2*cx, 0), -math.Pi/2, -0.3)
	return p
}
