package geom

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestInRangeAndCheck(t *testing.T) {
	for _, p := range []Point{{MaxCoordinate, -MaxCoordinate}, {0, 0}, {-1.5, 99999.9}} {
		if !InRange(p) {
			t.Errorf("InRange(%v) = false", p)
		}
	}
	for _, p := range []Point{{math.NaN(), 0}, {0, math.Inf(1)}, {MaxCoordinate * 1.0001, 0}, {0, -1e308}} {
		if InRange(p) {
			t.Errorf("InRange(%v) = true", p)
		}
	}
	line := func(a, b Point) *Design {
		return &Design{Paths: []Path{{Start: a, Stitch: true, Segments: []Segment{{Kind: Line, End: b}}}}}
	}
	cases := []struct {
		d    *Design
		want string // "" for none
	}{
		{line(Point{}, Point{X: 10, Y: 10}), ""},
		{line(Point{X: -50000}, Point{X: 50000}), ""},
		{line(Point{}, Point{X: 1e305}), "path 1 segment 1"},
		{line(Point{X: math.NaN()}, Point{}), "path 1: start point"},
		{line(Point{X: -60000}, Point{X: 60000}), "extent 120000"},
		// An arc whose ends are close but which sweeps round a far centre.
		{&Design{Paths: []Path{{Start: Point{X: -60000}, Stitch: true, Segments: []Segment{{Kind: Arc, Center: Point{}, Sweep: math.Pi, End: Point{X: 60000}}}}}}, "extent"},
		{&Design{Paths: []Path{{Start: Point{X: 1}, Stitch: true, Segments: []Segment{{Kind: Arc, Center: Point{}, Sweep: math.Inf(1), End: Point{X: 1}}}}}}, "segment 1"},
		{&Design{Pauses: []Pause{{Before: 2}}, Paths: []Path{{}}}, "pause before path 2 of 1"},
	}
	for i, c := range cases {
		err := c.d.Check()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("case %d: %v", i, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("case %d: %v, want an error containing %q", i, err, c.want)
		case c.want != "" && !strings.HasPrefix(c.want, "pause") && !errors.Is(err, ErrOutOfRange):
			t.Errorf("case %d: %v is not ErrOutOfRange", i, err)
		}
	}
	// The cheap hull never claims less than the exact bounds.
	d := &Design{Paths: []Path{{Start: Point{X: 1}, Stitch: true, Segments: []Segment{
		{Kind: Arc, Center: Point{}, Sweep: math.Pi / 2, End: Point{Y: 1}},
		{Kind: Cubic, C1: Point{X: -3, Y: 2}, C2: Point{X: 2, Y: 5}, End: Point{X: 4}},
	}}}}
	var h Hull
	h.Add(d.Paths[0].Start)
	cur := d.Paths[0].Start
	for i := range d.Paths[0].Segments {
		h.AddSegment(cur, &d.Paths[0].Segments[i])
		cur = d.Paths[0].Segments[i].End
	}
	if b, hr := d.Bounds(), h.h; hr.min.X > b.Min.X || hr.min.Y > b.Min.Y || hr.max.X < b.Max.X || hr.max.Y < b.Max.Y {
		t.Errorf("hull %v does not hold bounds %v", hr, b)
	}
	if !h.TooWide(5) || h.TooWide(10) {
		t.Errorf("hull %v: TooWide(5) %v, TooWide(10) %v", h.h, h.TooWide(5), h.TooWide(10))
	}
}
