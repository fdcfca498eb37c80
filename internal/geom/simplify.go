package geom

// Simplify returns a copy of d in which every run of consecutive line
// segments is reduced with the Douglas-Peucker algorithm so that no removed
// point lies farther than tol inches from the remaining polyline. Arcs,
// cubics, the ends of each run, path starts and ends are kept.
func (d *Design) Simplify(tol float64) *Design {
	out := d.Clone()
	for i := range out.Paths {
		out.Paths[i].Segments = simplifySegments(out.Paths[i].Start, out.Paths[i].Segments, tol)
	}
	return out
}

func simplifySegments(start Point, segs []Segment, tol float64) []Segment {
	out := segs[:0]
	cur := start
	for i := 0; i < len(segs); {
		if segs[i].Kind != Line {
			out = append(out, segs[i])
			cur = segs[i].End
			i++
			continue
		}
		j := i
		for j < len(segs) && segs[j].Kind == Line {
			j++
		}
		pts := make([]Point, 0, j-i+1)
		pts = append(pts, cur)
		for k := i; k < j; k++ {
			pts = append(pts, segs[k].End)
		}
		keep := make([]bool, len(pts))
		keep[0], keep[len(pts)-1] = true, true
		douglasPeucker(pts, 0, len(pts)-1, tol, keep)
		for k := 1; k < len(pts); k++ {
			if keep[k] {
				out = append(out, Segment{Kind: Line, End: pts[k]})
			}
		}
		cur = pts[len(pts)-1]
		i = j
	}
	return out
}

// douglasPeucker marks in keep the points of pts[lo..hi] to retain. It uses
// an explicit stack so long runs cannot exhaust the goroutine stack.
func douglasPeucker(pts []Point, lo, hi int, tol float64, keep []bool) {
	stack := [][2]int{{lo, hi}}
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		lo, hi := r[0], r[1]
		if hi-lo < 2 {
			continue
		}
		worst, at := -1.0, -1
		for k := lo + 1; k < hi; k++ {
			if dd := segmentDist(pts[k], pts[lo], pts[hi]); dd > worst {
				worst, at = dd, k
			}
		}
		if worst > tol {
			keep[at] = true
			stack = append(stack, [2]int{lo, at}, [2]int{at, hi})
		}
	}
}

// segmentDist returns the distance from p to the segment a-b.
func segmentDist(p, a, b Point) float64 {
	ab := b.Sub(a)
	l2 := ab.X*ab.X + ab.Y*ab.Y
	if l2 == 0 {
		return p.Dist(a)
	}
	t := ((p.X-a.X)*ab.X + (p.Y-a.Y)*ab.Y) / l2
	t = max(0, min(1, t))
	return p.Dist(a.Add(ab.Scale(t)))
}
