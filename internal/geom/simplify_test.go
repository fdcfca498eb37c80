package geom

import (
	"math"
	"testing"
)

func TestSimplify(t *testing.T) {
	// A zig-zag of tiny amplitude along the x axis, then an arc, then a
	// straight run of collinear points.
	p := Path{Start: Point{0, 0}, Stitch: true}
	for i := 1; i <= 100; i++ {
		y := 0.0005
		if i%2 == 0 {
			y = -0.0005
		}
		if i == 100 {
			y = 0
		}
		p.Segments = append(p.Segments, Segment{Kind: Line, End: Point{float64(i) / 10, y}})
	}
	p.Segments = append(p.Segments, Segment{Kind: Arc, End: Point{11, 1}, Center: Point{10, 1}, Sweep: math.Pi / 2})
	for i := 1; i <= 10; i++ {
		p.Segments = append(p.Segments, Segment{Kind: Line, End: Point{11, 1 + float64(i)}})
	}
	d := &Design{Paths: []Path{p}}

	s := d.Simplify(0.001)
	segs := s.Paths[0].Segments
	if len(segs) != 3 {
		t.Fatalf("Simplify kept %d segments, want 3 (line, arc, line): %+v", len(segs), segs)
	}
	if segs[1].Kind != Arc || segs[1] != p.Segments[100] {
		t.Errorf("arc not kept as is: %+v", segs[1])
	}
	if segs[0].End != (Point{10, 0}) || segs[2].End != (Point{11, 11}) {
		t.Errorf("run ends moved: %v %v", segs[0].End, segs[2].End)
	}
	if len(d.Paths[0].Segments) != 111 {
		t.Error("Simplify modified its receiver")
	}

	// A tolerance below the zig-zag amplitude keeps every zig-zag point;
	// the collinear run still collapses to one line.
	if n := len(d.Simplify(0.0001).Paths[0].Segments); n != 102 {
		t.Errorf("Simplify(0.0001) kept %d segments, want 102", n)
	}
}

func TestSimplifyKeepsCorners(t *testing.T) {
	d := &Design{Paths: []Path{{Start: Point{0, 0}, Stitch: true, Segments: []Segment{
		{Kind: Line, End: Point{1, 0}},
		{Kind: Line, End: Point{2, 0}},
		{Kind: Line, End: Point{2, 1}},
		{Kind: Line, End: Point{2, 2}},
	}}}}
	segs := d.Simplify(0.01).Paths[0].Segments
	want := []Point{{2, 0}, {2, 2}}
	if len(segs) != len(want) {
		t.Fatalf("got %d segments, want %d", len(segs), len(want))
	}
	for i := range want {
		if segs[i].End != want[i] {
			t.Errorf("segment %d ends at %v, want %v", i, segs[i].End, want[i])
		}
	}
}
