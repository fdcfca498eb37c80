package demo

import (
	"math"
	"math/rand/v2"

	"github.com/patternvault/patternvault/internal/geom"
)

// heartShape stitches a heart from its bottom tip v, w wide and h tall,
// back to v.
func heartShape(p *pen, v geom.Point, w, h float64) {
	x := v.X
	dip := pt(x, v.Y+0.78*h)
	for _, s := range []float64{-1, 1} {
		side := pt(x+s*w/2, v.Y+0.6*h)
		if s < 0 {
			p.cubic(v.Add(pt(-0.1*w, 0.2*h)), pt(x-0.5*w, v.Y+0.35*h), side)
			p.cubic(pt(x-0.5*w, v.Y+1.05*h), pt(x-0.06*w, v.Y+1.02*h), dip)
		} else {
			p.cubic(pt(x+0.06*w, v.Y+1.02*h), pt(x+0.5*w, v.Y+1.05*h), side)
			p.cubic(pt(x+0.5*w, v.Y+0.35*h), v.Add(pt(0.1*w, 0.2*h)), v)
		}
	}
}

// drawHeart draws a heart, sometimes with an echo inside.
func drawHeart(r *rand.Rand) *pen {
	h := uni(r, 1.8, 2.6)
	w := h * uni(r, 1.0, 1.25)
	cx := w/2 + uni(r, 0.2, 0.4)
	v := pt(cx, 0.3)
	p := newPen(pt(0, 0))
	p.curveTo(v, 0.2, math.Pi/2)
	heartShape(p, v, w, h)
	for echo := between(r, 0, 2); echo > 0; echo-- {
		f := 0.35 + 0.25*float64(echo)/2
		vi := v.Add(pt(0, (1-f)*0.45*h))
		p.line(vi)
		heartShape(p, vi, w*f, h*f)
		p.line(v)
	}
	p.curveTo(pt(2*cx, 0), -math.Pi/2, -0.2)
	return p
}

// drawStar draws a five-pointed star in straight lines or a four-pointed
// sparkle of concave arcs, sometimes echoed.
func drawStar(r *rand.Rand) *pen {
	ro := uni(r, 1.0, 1.4)
	c := pt(ro+uni(r, 0.1, 0.3), ro+0.3)
	sparkle := chance(r, 0.35)
	p := newPen(pt(0, 0))
	if sparkle {
		c.Y = ro + 0.3
		p.curveTo(polar(c, ro, -math.Pi/2), 0.2, math.Pi/2)
		sparkleShape(p, c, ro)
		if chance(r, 0.6) {
			p.line(polar(c, ro*0.5, -math.Pi/2))
			sparkleShape(p, c, ro*0.5)
			p.line(polar(c, ro, -math.Pi/2))
		}
	} else {
		ri := ro * uni(r, 0.38, 0.5)
		c.Y = 0.3 + ro*math.Sin(54*math.Pi/180)
		p.curveTo(polar(c, ri, -math.Pi/2), 0.2, math.Pi/2)
		starShape(p, c, ro, ri)
		if chance(r, 0.5) {
			p.line(polar(c, ri*0.5, -math.Pi/2))
			starShape(p, c, ro*0.5, ri*0.5)
			p.line(polar(c, ri, -math.Pi/2))
		}
	}
	p.curveTo(pt(2*c.X, 0), -math.Pi/2, -0.2)
	return p
}

// starShape stitches a five-pointed star around c from its bottom inner
// corner, back there.
func starShape(p *pen, c geom.Point, ro, ri float64) {
	for k := 1; k <= 10; k++ {
		a := -math.Pi/2 + float64(k)*math.Pi/5
		rad := ri
		if k%2 == 1 {
			rad = ro
		}
		p.line(polar(c, rad, a))
	}
}

// sparkleShape stitches a four-pointed star of concave quarter arcs around c
// from its bottom point, back there.
func sparkleShape(p *pen, c geom.Point, ro float64) {
	for k := 1; k <= 4; k++ {
		a0 := -math.Pi/2 + float64(k-1)*math.Pi/2
		a1 := a0 + math.Pi/2
		center := c.Add(polar(pt(0, 0), ro, a0)).Add(polar(pt(0, 0), ro, a1))
		p.arc(center, -math.Pi/2)
		p.last().Segments[len(p.last().Segments)-1].End = polar(c, ro, a1)
		p.cur = polar(c, ro, a1)
	}
}

// drawClamshell draws rows of clamshells: odd rows forward, even rows back
// half a shell over, and a way down the right edge that completes the half
// shells, so units chain into a seamless clamshell field.
func drawClamshell(r *rand.Rand) *pen {
	m := between(r, 2, 3)
	rows := pick(r, []int{3, 3, 5})
	rad := uni(r, 0.45, 0.75)
	right := 2 * float64(m) * rad
	p := newPen(pt(0, 0))
	for i := 0; i < rows; i++ {
		y := float64(i) * rad
		switch {
		case i == rows-1: // the top row, whole
			for j := 0; j < m; j++ {
				p.arc(pt((2*float64(j)+1)*rad, y), -math.Pi)
			}
		case i%2 == 0: // forward, stopping on top of the last shell
			for j := 0; j < m-1; j++ {
				p.arc(pt((2*float64(j)+1)*rad, y), -math.Pi)
			}
			p.arc(pt(right-rad, y), -math.Pi/2)
		default: // back, half a shell over
			for j := m - 1; j >= 1; j-- {
				p.arc(pt(2*float64(j)*rad, y), math.Pi)
			}
			p.arc(pt(0, y), math.Pi/2)
		}
		snap(p)
	}
	for i := rows - 2; i >= 0; i-- {
		y := float64(i) * rad
		if i%2 == 1 {
			p.arc(pt(right, y), math.Pi/2)
		} else {
			p.arc(pt(right-rad, y), -math.Pi/2)
		}
		snap(p)
	}
	return p
}

// snap rounds the pen's last end point to 1e-9 in so that rows of arcs do
// not drift.
func snap(p *pen) {
	l := p.last()
	s := &l.Segments[len(l.Segments)-1]
	s.End = pt(math.Round(s.End.X*1e9)/1e9, math.Round(s.End.Y*1e9)/1e9)
	p.cur = s.End
}

// drawBaptistFan draws a Baptist fan: concentric quarter arcs stitched back
// and forth around the fan's corner.
func drawBaptistFan(r *rand.Rand) *pen {
	k := pick(r, []int{4, 4, 6})
	gap := uni(r, 0.35, 0.55)
	first := uni(r, 0.3, 0.6)
	p := newPen(pt(0, 0))
	for i := 0; i < k; i++ {
		rad := first + float64(i)*gap
		if i%2 == 0 {
			p.line(pt(rad, 0))
			p.arc(pt(0, 0), math.Pi/2)
		} else {
			p.line(pt(0, rad))
			p.arc(pt(0, 0), -math.Pi/2)
		}
		snap(p)
	}
	return p
}

// drawPebbles draws pebbling: circles of varied size, each touching the
// next, stitched once or twice round and left along the arc towards the
// next one, as quilters pebble.
func drawPebbles(r *rand.Rand) *pen {
	return circleChain(r, uni(r, 2.2, 3.2), uni(r, 1.4, 2.2), 0.15, 0.42, 0.35)
}

// drawBubbles draws bubbles: fewer, larger touching circles, some with a
// ring inside.
func drawBubbles(r *rand.Rand) *pen {
	return circleChain(r, uni(r, 2.5, 3.5), uni(r, 1.8, 2.8), 0.25, 0.7, 0.5)
}

// circleChain draws a chain of touching circles of radius rmin..rmax that
// wanders left to right through an adv × h band. Each circle is stitched
// fully round from where it touches the one before, then along its edge to
// where it touches the next; echo is the chance of a second ring.
func circleChain(r *rand.Rand, adv, h, rmin, rmax, echo float64) *pen {
	type disc struct {
		c   geom.Point
		rad float64
	}
	rad := uni(r, rmin, rmax)
	ds := []disc{{pt(rad, rad+uni(r, 0, h-2*rad)), rad}}
	for {
		prev := ds[len(ds)-1]
		rad := uni(r, rmin, rmax)
		var c geom.Point
		for try := 0; try < 8; try++ {
			c = polar(prev.c, prev.rad+rad, uni(r, -1.2, 1.2))
			c.Y = math.Max(rad, math.Min(h-rad, c.Y))
			if c.Dist(prev.c) >= prev.rad+rad-1e-9 && c.X > prev.c.X {
				break
			}
		}
		// Keep the circles touching after clamping to the band.
		dir := c.Sub(prev.c)
		c = prev.c.Add(dir.Scale((prev.rad + rad) / math.Hypot(dir.X, dir.Y)))
		if c.X+rad > adv || c.X <= prev.c.X {
			break
		}
		ds = append(ds, disc{c, rad})
	}
	p := newPen(pt(0, 0))
	p.line(polar(ds[0].c, ds[0].rad, -math.Pi/2))
	for i, d := range ds {
		ccw := i%2 == 0
		p.circle(d.c, ccw)
		if chance(r, echo) {
			at := p.cur
			a := math.Atan2(at.Y-d.c.Y, at.X-d.c.X)
			f := pick(r, []float64{0.65, 0.75, 1.08})
			p.line(polar(d.c, f*d.rad, a))
			p.circle(d.c, !ccw)
			p.line(at)
		}
		var exit geom.Point
		if i+1 < len(ds) {
			exit = lerp(d.c, ds[i+1].c, d.rad/(d.rad+ds[i+1].rad))
		} else {
			exit = polar(d.c, d.rad, -math.Pi/4)
		}
		arcAround(p, d.c, exit, ccw)
	}
	last := ds[len(ds)-1]
	p.line(pt(last.c.X+last.rad, 0))
	return p
}

// arcAround stitches along the circle around c from the pen to the point
// q on it, counter-clockwise or not.
func arcAround(p *pen, c, q geom.Point, ccw bool) {
	a0 := math.Atan2(p.cur.Y-c.Y, p.cur.X-c.X)
	a1 := math.Atan2(q.Y-c.Y, q.X-c.X)
	sweep := math.Mod(a1-a0+4*math.Pi, 2*math.Pi)
	if !ccw {
		sweep -= 2 * math.Pi
	}
	if math.Abs(sweep) < 1e-6 || math.Abs(math.Abs(sweep)-2*math.Pi) < 1e-6 {
		return
	}
	p.arc(c, sweep)
	p.last().Segments[len(p.last().Segments)-1].End = q
	p.cur = q
}

// drawSnowflake draws a six-fold snowflake: arms with V branches stitched
// out and back from the centre.
func drawSnowflake(r *rand.Rand) *pen {
	l := uni(r, 1.0, 1.4)
	c := pt(l+uni(r, 0.1, 0.3), l+0.25)
	branchAng := uni(r, 0.6, 1.05)
	b1, b2 := uni(r, 0.35, 0.5), uni(r, 0.6, 0.75)
	len1, len2 := uni(r, 0.25, 0.38)*l, uni(r, 0.15, 0.25)*l
	tipDot := chance(r, 0.4)
	hexagon := chance(r, 0.4)
	arm := func(p *pen, a float64, back bool) {
		for _, br := range []struct{ at, l float64 }{{b1, len1}, {b2, len2}} {
			root := polar(c, br.at*l, a)
			p.line(root)
			for _, s := range []float64{1, -1} {
				p.line(polar(root, br.l, a+s*branchAng))
				p.line(root)
			}
		}
		tip := polar(c, l, a)
		p.line(tip)
		if tipDot {
			p.circle(polar(c, l+0.06*l, a), true)
		}
		if back {
			p.line(c)
		}
	}
	p := newPen(pt(0, 0))
	bottom := polar(c, l, -math.Pi/2)
	p.curveTo(bottom, 0.2, math.Pi/2)
	p.line(c)
	if hexagon {
		hr := 0.22 * l
		p.line(polar(c, hr, -math.Pi/2))
		for k := 1; k <= 6; k++ {
			p.line(polar(c, hr, -math.Pi/2+float64(k)*math.Pi/3))
		}
		p.line(c)
	}
	for k := 1; k <= 5; k++ {
		arm(p, -math.Pi/2+float64(k)*math.Pi/3, true)
	}
	arm(p, -math.Pi/2, false)
	p.curveTo(pt(2*c.X, 0), -math.Pi/2, -0.2)
	return p
}
