package shape

import (
	"math"

	"github.com/patternvault/patternvault/internal/geom"
)

// polyDesign makes a one-path stitched design through pts.
func polyDesign(pts ...geom.Point) *geom.Design {
	p := geom.Path{Start: pts[0], Stitch: true}
	for _, q := range pts[1:] {
		p.Segments = append(p.Segments, geom.Segment{Kind: geom.Line, End: q})
	}
	return &geom.Design{Paths: []geom.Path{p}}
}

// curve samples f over t in [0,1] at n+1 points.
func curve(n int, f func(t float64) geom.Point) []geom.Point {
	out := make([]geom.Point, n+1)
	for i := range out {
		out[i] = f(float64(i) / float64(n))
	}
	return out
}

// borderDesign is a long wavy strip, 24 × 3 in, with loops, running from
// the left edge to the right edge at mid height, so it repeats.
func borderDesign() *geom.Design {
	return polyDesign(curve(2000, func(t float64) geom.Point {
		x := 24 * t
		a := 2 * math.Pi * 6 * t
		return geom.Point{X: x + 0.6*math.Sin(2*a), Y: 1.5 + 1.2*math.Sin(a)}
	})...)
}

// cornerDesign is an L-shaped corner: a wavy vine along the bottom and the
// left edge of a 10 in square, starting at the bottom-right end and
// finishing at the top-left end.
func cornerDesign() *geom.Design {
	bottom := curve(400, func(t float64) geom.Point {
		x := 10 - 9*t
		return geom.Point{X: x, Y: 1.2 + 0.8*math.Sin(2*math.Pi*4*t)}
	})
	left := curve(400, func(t float64) geom.Point {
		y := 1.2 + 8.8*t
		return geom.Point{X: 1.2 + 0.8*math.Sin(2*math.Pi*4*t), Y: y}
	})
	return polyDesign(append(bottom, left...)...)
}

// lDesign is the outline of a capital L, 6 wide and 10 tall, arm 2 thick.
func lDesign() *geom.Design {
	return polyDesign(
		geom.Point{X: 0, Y: 0}, geom.Point{X: 6, Y: 0}, geom.Point{X: 6, Y: 2},
		geom.Point{X: 2, Y: 2}, geom.Point{X: 2, Y: 10}, geom.Point{X: 0, Y: 10},
		geom.Point{X: 0, Y: 0})
}

// heartDesign is a closed heart, mirror-symmetric left-right.
func heartDesign() *geom.Design {
	return polyDesign(curve(800, func(t float64) geom.Point {
		a := 2 * math.Pi * t
		s := math.Sin(a)
		return geom.Point{
			X: 16 * s * s * s / 4,
			Y: (13*math.Cos(a) - 5*math.Cos(2*a) - 2*math.Cos(3*a) - math.Cos(4*a)) / 4,
		}
	})...)
}

// circleDesign is a ring of radius 5 drawn as one full arc plus a smaller
// ring, closed (a block).
func circleDesign() *geom.Design {
	start := geom.Point{X: 5, Y: 0}
	return &geom.Design{Paths: []geom.Path{{
		Start:  start,
		Stitch: true,
		Segments: []geom.Segment{
			{Kind: geom.Arc, End: start, Sweep: 2 * math.Pi},
			{Kind: geom.Line, End: geom.Point{X: 3, Y: 0}},
			{Kind: geom.Arc, End: geom.Point{X: 3, Y: 0}, Sweep: -2 * math.Pi},
			{Kind: geom.Line, End: start},
		},
	}}}
}

// triangleDesign is a right triangle 10 × 10 filled with a zigzag.
func triangleDesign() *geom.Design {
	var pts []geom.Point
	for i := 0; i <= 10; i++ {
		x := float64(i)
		if i%2 == 0 {
			pts = append(pts, geom.Point{X: x, Y: 0}, geom.Point{X: x, Y: 10 - x})
		} else {
			pts = append(pts, geom.Point{X: x, Y: 10 - x}, geom.Point{X: x, Y: 0})
		}
	}
	pts = append(pts, geom.Point{X: 0, Y: 0}, geom.Point{X: 0, Y: 10}, geom.Point{X: 10, Y: 0})
	return polyDesign(pts...)
}
