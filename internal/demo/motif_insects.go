package demo

import (
	"math"
	"math/rand/v2"
)

// drawButterfly draws a butterfly, mirror-symmetric: four wing loops around
// the body, curled antennae.
func drawButterfly(r *rand.Rand) *pen {
	upL, upW := uni(r, 1.3, 1.8), uni(r, 0.5, 0.75)
	loL, loW := uni(r, 0.8, 1.15), uni(r, 0.35, 0.5)
	upA := math.Pi - uni(r, 0.35, 0.7)
	loA := math.Pi + uni(r, 0.45, 0.8)
	antenna := uni(r, 0.5, 0.8)
	curl := uni(r, 0.05, 0.1)
	cx := upL + 0.3
	body := pt(cx, 0.3)
	thorax := body.Add(pt(0, uni(r, 0.8, 1.0)))
	head := thorax.Add(pt(0, 0.3))
	round := uni(r, 0.6, 1)

	p := newPen(pt(0, 0))
	p.curveTo(body, 0.3, math.Pi/2)
	p.line(thorax)
	petal(p, loA, loL, loW, round)
	petal(p, upA, upL, upW, round)
	p.line(head)
	for _, side := range []float64{-1, 1} {
		tip := head.Add(pt(side*antenna*0.45, antenna))
		p.curveTo(tip, math.Pi/2, math.Pi/2+side*0.6)
		p.circle(tip.Add(pt(side*curl, 0)), side > 0)
		p.line(head)
	}
	p.line(thorax)
	petal(p, math.Pi-upA, upL, upW, round)
	petal(p, 3*math.Pi-loA, loL, loW, round)
	p.line(body)
	p.curveTo(pt(2*cx, 0), -math.Pi/2, -0.3)
	return p
}

// drawDragonfly draws a dragonfly seen from above: a long thin abdomen,
// four narrow wings and a round head.
func drawDragonfly(r *rand.Rand) *pen {
	wing := uni(r, 1.5, 2.0)
	wingW := uni(r, 0.18, 0.26)
	abdomen := uni(r, 1.8, 2.4)
	slim := uni(r, 0.08, 0.14)
	cx := wing + 0.3
	tail := pt(cx, 0.25)
	thorax := tail.Add(pt(0, abdomen))
	head := uni(r, 0.15, 0.22)
	up, down := uni(r, 0.1, 0.3), uni(r, 0.2, 0.45)

	p := newPen(pt(0, 0))
	p.curveTo(tail, 0.3, math.Pi/2)
	p.cubic(tail.Add(pt(-slim, abdomen*0.3)), thorax.Add(pt(-slim*1.5, -abdomen*0.3)), thorax)
	petal(p, math.Pi+down, wing*0.9, wingW, 0.7)
	petal(p, math.Pi-up, wing, wingW, 0.7)
	neck := thorax.Add(pt(0, 0.15))
	p.line(neck)
	p.circle(neck.Add(pt(0, head)), true)
	p.line(thorax)
	petal(p, up, wing, wingW, 0.7)
	petal(p, -down, wing*0.9, wingW, 0.7)
	p.cubic(thorax.Add(pt(slim*1.5, -abdomen*0.3)), tail.Add(pt(slim, abdomen*0.3)), tail)
	p.curveTo(pt(2*cx, 0), -math.Pi/2, -0.3)
	return p
}
