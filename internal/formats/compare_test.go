package formats

import (
	"fmt"
	"math"

	"github.com/patternvault/patternvault/internal/geom"
)

// normalize returns the canonical form of d used to compare designs across
// formats: paths without length are dropped, a leading jump from the origin
// is added when the design starts elsewhere, and consecutive paths of the
// same kind that meet are merged unless a pause separates them. Pause
// indices follow the paths. With keepPauses false, pauses are removed first.
func normalize(d *geom.Design, keepPauses bool) *geom.Design {
	pauseAt := map[int][]string{}
	if keepPauses {
		for _, p := range d.Pauses {
			pauseAt[p.Before] = append(pauseAt[p.Before], p.Text)
		}
	}
	out := &geom.Design{}
	var pending []string
	cur := geom.Point{}
	add := func(p geom.Path) {
		for _, t := range pending {
			out.Pauses = append(out.Pauses, geom.Pause{Before: len(out.Paths), Text: t})
		}
		n := len(out.Paths)
		if len(pending) == 0 && n > 0 && out.Paths[n-1].Stitch == p.Stitch {
			last := &out.Paths[n-1]
			last.Segments = append(last.Segments, p.Segments...)
		} else {
			p.Segments = append([]geom.Segment(nil), p.Segments...)
			out.Paths = append(out.Paths, p)
		}
		pending = nil
		cur = p.End()
	}
	for i, p := range d.Paths {
		pending = append(pending, pauseAt[i]...)
		if p.Length() == 0 {
			continue
		}
		if p.Start.Dist(cur) > 1e-9 {
			// A gap: the machine jumps there.
			add(geom.Path{Start: cur, Segments: []geom.Segment{{Kind: geom.Line, End: p.Start}}})
		}
		add(p)
	}
	pending = append(pending, pauseAt[len(d.Paths)]...)
	for _, t := range pending {
		out.Pauses = append(out.Pauses, geom.Pause{Before: len(out.Paths), Text: t})
	}
	return out
}

// compareOptions says what a format keeps.
type compareOptions struct {
	tol        float64 // inches
	pauses     bool    // pause positions must match
	pauseText  bool    // pause texts must match
	jumpRoutes bool    // jump paths keep their shape, not just their ends
}

// compareDesigns returns the largest distance between the flattened
// geometry of two designs after normalisation, and an error describing the
// first structural difference (path count, stitch flags, pauses, start).
func compareDesigns(want, got *geom.Design, o compareOptions) (float64, error) {
	w, g := normalize(want, o.pauses), normalize(got, o.pauses)
	if len(w.Paths) != len(g.Paths) {
		return 0, fmt.Errorf("%d paths, want %d", len(g.Paths), len(w.Paths))
	}
	if len(w.Pauses) != len(g.Pauses) {
		return 0, fmt.Errorf("%d pauses, want %d", len(g.Pauses), len(w.Pauses))
	}
	for i := range w.Pauses {
		if w.Pauses[i].Before != g.Pauses[i].Before || o.pauseText && w.Pauses[i].Text != g.Pauses[i].Text {
			return 0, fmt.Errorf("pause %d is %+v, want %+v", i, g.Pauses[i], w.Pauses[i])
		}
	}
	worst := 0.0
	for i := range w.Paths {
		wp, gp := &w.Paths[i], &g.Paths[i]
		if wp.Stitch != gp.Stitch {
			return 0, fmt.Errorf("path %d: stitch %v, want %v", i, gp.Stitch, wp.Stitch)
		}
		worst = max(worst, wp.Start.Dist(gp.Start), wp.End().Dist(gp.End()))
		if !wp.Stitch && !o.jumpRoutes {
			continue
		}
		a, b := wp.Flatten(o.tol/10), gp.Flatten(o.tol/10)
		worst = max(worst, polylineDeviation(a, b), polylineDeviation(b, a))
	}
	return worst, nil
}

// polylineDeviation returns the largest distance from a vertex of a to the
// polyline b, using a grid of b's segments.
func polylineDeviation(a, b []geom.Point) float64 {
	if len(b) == 1 {
		worst := 0.0
		for _, p := range a {
			worst = max(worst, p.Dist(b[0]))
		}
		return worst
	}
	const cell = 0.05
	key := func(p geom.Point) [2]int { return [2]int{int(math.Floor(p.X / cell)), int(math.Floor(p.Y / cell))} }
	grid := map[[2]int][]int{}
	for i := 0; i+1 < len(b); i++ {
		lo, hi := key(geom.Point{X: min(b[i].X, b[i+1].X), Y: min(b[i].Y, b[i+1].Y)}),
			key(geom.Point{X: max(b[i].X, b[i+1].X), Y: max(b[i].Y, b[i+1].Y)})
		if (hi[0]-lo[0]+1)*(hi[1]-lo[1]+1) > 10000 {
			// A huge segment: always checked, below.
			grid[[2]int{math.MinInt, 0}] = append(grid[[2]int{math.MinInt, 0}], i)
			continue
		}
		for x := lo[0]; x <= hi[0]; x++ {
			for y := lo[1]; y <= hi[1]; y++ {
				grid[[2]int{x, y}] = append(grid[[2]int{x, y}], i)
			}
		}
	}
	worst := 0.0
	for _, p := range a {
		k := key(p)
		best := math.Inf(1)
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				for _, i := range grid[[2]int{k[0] + dx, k[1] + dy}] {
					best = min(best, segDist(p, b[i], b[i+1]))
				}
			}
		}
		for _, i := range grid[[2]int{math.MinInt, 0}] {
			best = min(best, segDist(p, b[i], b[i+1]))
		}
		if math.IsInf(best, 1) { // nothing near: scan everything
			for i := 0; i+1 < len(b); i++ {
				best = min(best, segDist(p, b[i], b[i+1]))
			}
		}
		worst = max(worst, best)
	}
	return worst
}

func segDist(p, a, b geom.Point) float64 {
	ab := b.Sub(a)
	l2 := ab.X*ab.X + ab.Y*ab.Y
	if l2 == 0 {
		return p.Dist(a)
	}
	t := max(0, min(1, ((p.X-a.X)*ab.X+(p.Y-a.Y)*ab.Y)/l2))
	return p.Dist(a.Add(ab.Scale(t)))
}
