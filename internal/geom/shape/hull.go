package shape

import (
	"cmp"
	"math"
	"slices"

	"github.com/patternvault/patternvault/internal/geom"
)

// convexHull returns the convex hull of pts counter-clockwise (Andrew's
// monotone chain), without repeating the first point.
func convexHull(pts []geom.Point) []geom.Point {
	return convexHullInto(nil, append([]geom.Point(nil), pts...))
}

// convexHullInto is convexHull reusing h's storage for the result; it
// sorts p in place.
func convexHullInto(h, p []geom.Point) []geom.Point {
	h = h[:0]
	slices.SortFunc(p, func(a, b geom.Point) int {
		if c := cmp.Compare(a.X, b.X); c != 0 {
			return c
		}
		return cmp.Compare(a.Y, b.Y)
	})
	if len(p) < 3 {
		return append(h, p...)
	}
	for _, q := range p {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, q)
	}
	lower := len(h) + 1
	for i := len(p) - 2; i >= 0; i-- {
		q := p[i]
		for len(h) >= lower && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, q)
	}
	return h[:len(h)-1]
}

// cross is the z component of (a→b)×(a→c): positive when c is left of a→b.
func cross(a, b, c geom.Point) float64 {
	return (b.X-a.X)*(c.Y-a.Y) - (b.Y-a.Y)*(c.X-a.X)
}

// polyArea is the area of a counter-clockwise polygon.
func polyArea(p []geom.Point) float64 {
	a := 0.0
	for i := range p {
		j := (i + 1) % len(p)
		a += p[i].X*p[j].Y - p[j].X*p[i].Y
	}
	return math.Abs(a) / 2
}

// maxHullVertices bounds the hull used for the inscribed-triangle search.
const maxHullVertices = 60

// simplifyHull keeps at most n hull vertices, evenly by index, which is
// plenty to find a large inscribed triangle.
func simplifyHull(h []geom.Point, n int) []geom.Point {
	if len(h) <= n {
		return h
	}
	out := make([]geom.Point, n)
	for i := range out {
		out[i] = h[i*len(h)/n]
	}
	return out
}

// largestTriangle returns the vertices of the largest-area triangle with
// corners among the hull points h (cubic search on a simplified hull).
func largestTriangle(h []geom.Point) (best [3]geom.Point, area float64) {
	h = simplifyHull(h, maxHullVertices)
	for i := 0; i < len(h); i++ {
		for j := i + 1; j < len(h); j++ {
			for k := j + 1; k < len(h); k++ {
				if a := math.Abs(cross(h[i], h[j], h[k])) / 2; a > area {
					area, best = a, [3]geom.Point{h[i], h[j], h[k]}
				}
			}
		}
	}
	return best, area
}
