package demo

import (
	"math"
	"math/rand/v2"

	"github.com/patternvault/patternvault/internal/geom"
)

// drawFeather draws a feather: plumes of cubic Béziers stacked along an
// arched spine, all on one side or alternating sides.
func drawFeather(r *rand.Rand) *pen {
	length := uni(r, 4, 6)
	arch := uni(r, 0.2, 1.0)
	n := between(r, 6, 10)
	alternate := chance(r, 0.35)
	plume := uni(r, 1.9, 2.6)
	lean := uni(r, 0.3, 0.8)
	spine := func(t float64) geom.Point { return pt(length*t, arch*math.Sin(math.Pi*t)) }
	tangent := func(t float64) geom.Point {
		v := pt(length, arch*math.Pi*math.Cos(math.Pi*t))
		return v.Scale(1 / math.Hypot(v.X, v.Y))
	}
	p := newPen(pt(0, 0))
	for i := 0; i < n; i++ {
		t0, t1 := float64(i)/float64(n), float64(i+1)/float64(n)
		tm := (t0 + t1) / 2
		side := 1.0
		if alternate && i%2 == 1 {
			side = -1
		}
		tg := tangent(tm)
		nm := pt(-tg.Y, tg.X).Scale(side)
		b0, b1 := spine(t0), spine(t1)
		step := b0.Dist(b1)
		h := plume * (0.55 + 0.45*math.Sin(math.Pi*tm)) * uni(r, 0.85, 1.1)
		if alternate {
			h *= 0.75
		}
		tip := spine(tm).Add(nm.Scale(h)).Add(tg.Scale(step * lean))
		wd := step * uni(r, 0.7, 1.0)
		p.cubic(b0.Add(nm.Scale(0.55*h)).Sub(tg.Scale(0.25*wd)), tip.Sub(tg.Scale(wd)), tip)
		p.cubic(tip.Add(tg.Scale(0.6*wd)), b1.Add(nm.Scale(0.5*h)), b1)
	}
	return p
}

// drawSwirl draws a double spiral of half-circle arcs: in along one spiral,
// out along its half-turned twin, as quilters echo a swirl.
func drawSwirl(r *rand.Rand) *pen {
	rad := uni(r, 0.9, 1.6)
	turns := between(r, 2, 3)
	pitch := rad / (float64(turns) + 0.25)
	lead := uni(r, 0.2, 0.5)
	c0 := pt(rad+lead, rad+uni(r, 0.3, 0.9))
	c1 := c0.Add(pt(pitch/2, 0))
	in := geom.Path{Start: c0.Sub(pt(rad, 0)), Stitch: true}
	cur := in.Start
	for j := 0; rad-float64(j)*pitch/2 > pitch*0.6; j++ {
		c := c0
		if j%2 == 1 {
			c = c1
		}
		end := c.Add(c.Sub(cur))
		in.Segments = append(in.Segments, geom.Segment{Kind: geom.Arc, Center: c, Sweep: -math.Pi, End: end})
		cur = end
	}
	mid := c0.Add(c1).Scale(0.5)
	turned := (&geom.Design{Paths: []geom.Path{in}}).Translate(-mid.X, -mid.Y).Rotate(180).Translate(mid.X, mid.Y)
	out := reversed(turned.Paths[0])

	p := newPen(pt(0, 0))
	p.curveTo(in.Start, math.Pi/4, math.Pi/2)
	p.place(&geom.Design{Paths: []geom.Path{in}}, identity)
	q := p.cur
	q2 := out.Start
	d := q2.Sub(q)
	perp := pt(-d.Y, d.X).Scale(0.35)
	p.cubic(lerp(q, q2, 1.0/3).Add(perp), lerp(q, q2, 2.0/3).Sub(perp), q2)
	p.place(&geom.Design{Paths: []geom.Path{out}}, identity)
	end := pt(p.cur.X+uni(r, 0.2, 0.5), 0)
	p.cubic(p.cur.Add(pt(0, 0.3*rad)), end.Add(pt(-0.1, 0.5*rad)), end)
	return p
}

// drawMeander draws a loose meander: a random walk smoothed with cubics,
// with the odd loop.
func drawMeander(r *rand.Rand) *pen {
	adv := uni(r, 3, 5)
	h := uni(r, 1.8, 3)
	n := between(r, 5, 8)
	var pts []geom.Point
	for i := 1; i < n; i++ {
		x := adv*float64(i)/float64(n) + uni(r, -0.35, 0.35)*adv/float64(n)
		pts = append(pts, pt(x, uni(r, 0.15, 1)*h))
	}
	pts = append(pts, pt(adv, 0))
	p := newPen(pt(0, 0))
	if !chance(r, 0.6) {
		p.smooth(pts, 1)
		return p
	}
	at := r.IntN(len(pts) - 1)
	p.smooth(pts[:at+1], 1)
	q, s := pts[at], uni(r, 0.4, 0.7)
	p.cubic(q.Add(pt(1.3*s, 1.2*s)), q.Add(pt(-1.3*s, 1.2*s)), q)
	p.smooth(pts[at+1:], 1)
	return p
}

// drawStipple draws stippling: rounded bulbs with narrow necks, out and
// back on alternate sides of a wandering middle line, like puzzle pieces.
func drawStipple(r *rand.Rand) *pen {
	h := uni(r, 2, 3)
	mid := h / 2
	p := newPen(pt(0, 0))
	p.curveTo(pt(0.15, mid), math.Pi/2, 0)
	up := chance(r, 0.5)
	for i, n := 0, between(r, 5, 8); i < n; i++ {
		w := uni(r, 0.3, 0.5)
		reach := uni(r, 0.55, 0.95) * mid
		theta := math.Pi/2 + uni(r, -0.35, 0.35)
		if !up {
			theta -= math.Pi
		}
		to := pt(p.cur.X+w*uni(r, 0.8, 1.2), mid+uni(r, -0.12, 0.12)*h)
		bulb(p, to, theta, reach, w)
		up = !up
	}
	p.curveTo(pt(p.cur.X+0.15, 0), -math.Pi/2, 0)
	return p
}

// bulb stitches a rounded lobe from the pen to q, reaching out along
// theta: narrow at the neck, w wide at the head.
func bulb(p *pen, q geom.Point, theta, reach, w float64) {
	from := p.cur
	u := polar(pt(0, 0), 1, theta)
	d := q.Sub(from)
	d = d.Scale(1 / math.Hypot(d.X, d.Y))
	tip := lerp(from, q, 0.5).Add(u.Scale(reach))
	p.cubic(from.Add(u.Scale(0.7*reach)).Sub(d.Scale(0.6*w)), tip.Sub(d.Scale(0.9*w)), tip)
	p.cubic(tip.Add(d.Scale(0.9*w)), q.Add(u.Scale(0.7*reach)).Add(d.Scale(0.6*w)), q)
}

// drawLoops draws loop-de-loops: each loop one cubic whose control points
// cross.
func drawLoops(r *rand.Rand) *pen {
	n := between(r, 2, 4)
	p := newPen(pt(0, 0))
	x := 0.0
	for i := 0; i < n; i++ {
		s := uni(r, 0.7, 1.2)
		h := s * uni(r, 2.2, 3.0)
		end := pt(x+s, 0)
		p.cubic(pt(x+1.5*s, h), pt(x-0.5*s, h), end)
		if i < n-1 {
			gap := uni(r, 0.3, 0.6)
			p.cubic(end.Add(pt(gap/3, -0.15)), end.Add(pt(2*gap/3, -0.15)), end.Add(pt(gap, 0)))
			x += gap
		}
		x += s
	}
	return p
}

// drawWaves draws breaking waves: a rise to the crest, a curl of arc, and a
// fall to the next trough.
func drawWaves(r *rand.Rand) *pen {
	n := between(r, 1, 2)
	p := newPen(pt(0, 0))
	x := 0.0
	for i := 0; i < n; i++ {
		lambda := uni(r, 2.2, 3.2)
		amp := lambda * uni(r, 0.8, 1.1)
		crest := pt(x+0.6*lambda, amp)
		rad := amp * uni(r, 0.18, 0.3)
		p.curveTo(crest, math.Pi/6, 0)
		p.arc(crest.Sub(pt(0, rad)), -1.5*math.Pi)
		if chance(r, 0.5) { // an inner curl
			p.arc(crest.Sub(pt(0, rad)).Add(pt(-rad*0.45, 0)), -math.Pi)
		}
		end := pt(x+lambda, 0)
		p.curveTo(end, -math.Pi/2, -math.Pi/8)
		x += lambda
	}
	return p
}

// halfWave stitches half a sine wave to q with height a (negative: below).
func halfWave(p *pen, q geom.Point, a float64) {
	d := q.Sub(p.cur)
	n := pt(-d.Y, d.X).Scale(1 / math.Hypot(d.X, d.Y))
	p.cubic(p.cur.Add(d.Scale(1.0/3)).Add(n.Scale(4*a/3)), p.cur.Add(d.Scale(2.0/3)).Add(n.Scale(4*a/3)), q)
}

// drawRibbon draws a twisted ribbon: a wave out, its mirror back with a
// loop at each end, and a finer twist through the middle.
func drawRibbon(r *rand.Rand) *pen {
	k := between(r, 2, 3)
	w := uni(r, 1.1, 1.6)
	adv := w * float64(k)
	a := w * uni(r, 0.6, 0.8)
	p := newPen(pt(0, 0))
	for i := 1; i <= k; i++ {
		halfWave(p, pt(w*float64(i), 0), a*sign(i))
	}
	loop := uni(r, 0.4, 0.7)
	p.cubic(pt(adv+loop, -loop), pt(adv+loop, loop), pt(adv, 0))
	for i := k - 1; i >= 0; i-- {
		halfWave(p, pt(w*float64(i), 0), a*sign(i))
	}
	p.cubic(pt(-loop, loop), pt(-loop, -loop), pt(0, 0))
	for i := 1; i <= 2*k; i++ {
		halfWave(p, pt(w*float64(i)/2, 0), 0.3*a*sign(i+1))
	}
	return p
}

// sign alternates +1 for odd i and -1 for even i.
func sign(i int) float64 {
	if i%2 == 1 {
		return 1
	}
	return -1
}

// teardrop stitches a closed paisley teardrop from its base b, w wide and
// h tall, its tip leaning lean·w to the right, back to b.
func teardrop(p *pen, b geom.Point, w, h, lean float64) {
	tip := b.Add(pt(lean*w, h))
	p.cubic(b.Add(pt(-1.1*w, 0.05*h)), tip.Add(pt(-0.7*w, -0.45*h)), tip)
	p.cubic(tip.Add(pt(0.35*w, -0.35*h)), b.Add(pt(1.1*w, 0.05*h)), b)
}

// drawPaisley draws a paisley: a teardrop with a curled tip, an echo inside
// and a row of dots.
func drawPaisley(r *rand.Rand) *pen {
	w := uni(r, 0.8, 1.1)
	h := w * uni(r, 2.2, 2.8)
	lean := uni(r, 0.5, 0.9)
	cx := 1.1*w + uni(r, 0.1, 0.3)
	base := pt(cx, 0.35)
	p := newPen(pt(0, 0))
	p.curveTo(base, 0, 0)
	teardrop(p, base, w, h, lean)
	tip := base.Add(pt(lean*w, h))
	if chance(r, 0.7) { // curl at the tip
		p.line(tip)
		p.circle(tip.Add(pt(0.12*w, -0.08*w)), false)
		p.line(base)
	}
	inner := base.Add(pt(0, 0.15*h))
	p.line(inner)
	teardrop(p, inner, 0.6*w, 0.6*h, lean)
	dots := between(r, 0, 3)
	for i := 0; i < dots; i++ {
		p.line(inner.Add(pt(0.05*w, 0.12*h*float64(i+1))))
		dot(p, 0.06*w*float64(3-i)/2)
	}
	p.line(base)
	p.curveTo(pt(2*cx, 0), 0, 0)
	return p
}
