package geom

import (
	"math"
	"testing"
)

// samplePoints flattens every path of d finely, for comparing geometry.
func samplePoints(d *Design) []Point {
	var pts []Point
	for i := range d.Paths {
		pts = append(pts, d.Paths[i].Flatten(1e-4)...)
	}
	return pts
}

func TestRotate(t *testing.T) {
	d := quarterArc()
	cases := []struct {
		deg  float64
		want func(Point) Point
	}{
		{90, func(p Point) Point { return Point{-p.Y, p.X} }},
		{180, func(p Point) Point { return Point{-p.X, -p.Y} }},
		{270, func(p Point) Point { return Point{p.Y, -p.X} }},
		{-90, func(p Point) Point { return Point{p.Y, -p.X} }},
		{360, func(p Point) Point { return p }},
	}
	orig := samplePoints(d)
	for _, c := range cases {
		r := d.Rotate(c.deg)
		got := samplePoints(r)
		if len(got) != len(orig) {
			t.Fatalf("Rotate(%v): %d points, want %d", c.deg, len(got), len(orig))
		}
		for i := range got {
			if w := c.want(orig[i]); got[i].Dist(w) > 1e-9 {
				t.Fatalf("Rotate(%v): point %d = %v, want %v", c.deg, i, got[i], w)
			}
		}
		if !near(r.StitchLength(), d.StitchLength(), 1e-12) {
			t.Errorf("Rotate(%v) changed the length", c.deg)
		}
	}
	// Rotation must not touch the original.
	if d.Paths[0].Segments[0].End != (Point{1, 0}) {
		t.Error("Rotate modified its receiver")
	}
}

func TestMirrorFlipsSweep(t *testing.T) {
	d := quarterArc()
	for name, m := range map[string]struct {
		got  *Design
		want func(Point) Point
	}{
		"MirrorX": {d.MirrorX(), func(p Point) Point { return Point{-p.X, p.Y} }},
		"MirrorY": {d.MirrorY(), func(p Point) Point { return Point{p.X, -p.Y} }},
	} {
		arc := m.got.Paths[0].Segments[1]
		if arc.Sweep != -math.Pi/2 {
			t.Errorf("%s: sweep = %v, want %v", name, arc.Sweep, -math.Pi/2)
		}
		orig, got := samplePoints(d), samplePoints(m.got)
		for i := range got {
			if w := m.want(orig[i]); got[i].Dist(w) > 1e-9 {
				t.Fatalf("%s: point %d = %v, want %v", name, i, got[i], w)
			}
		}
	}
}

func TestScaleAndTranslate(t *testing.T) {
	d := quarterArc().Translate(3, -2)
	b := d.Bounds()
	if want := (Rect{Point{3, -2}, Point{4, -1}}); !rectNear(b, want, 1e-12) {
		t.Fatalf("Translate bounds = %v, want %v", b, want)
	}
	o := d.ToOrigin()
	if ob := o.Bounds(); !near(ob.Min.X, 0, 1e-12) || !near(ob.Min.Y, 0, 1e-12) {
		t.Errorf("ToOrigin min = %v", ob.Min)
	}
	w := o.ScaleToWidth(10)
	if wb := w.Bounds(); !near(wb.Width(), 10, 1e-9) || !near(wb.Height(), 10, 1e-9) {
		t.Errorf("ScaleToWidth(10) bounds %v, want 10x10 (aspect kept)", wb)
	}
	if !near(w.StitchLength(), 10*o.StitchLength(), 1e-9) {
		t.Errorf("ScaleToWidth length %v, want %v", w.StitchLength(), 10*o.StitchLength())
	}
	tall := &Design{Paths: []Path{{Stitch: true, Segments: []Segment{{Kind: Line, End: Point{2, 4}}}}}}
	h := tall.ScaleToHeight(2)
	if hb := h.Bounds(); !near(hb.Width(), 1, 1e-12) || !near(hb.Height(), 2, 1e-12) {
		t.Errorf("ScaleToHeight(2) bounds %v, want 1x2", hb)
	}
	flat := &Design{Paths: []Path{{Stitch: true, Segments: []Segment{{Kind: Line, End: Point{0, 4}}}}}}
	if got := flat.ScaleToWidth(5).Bounds(); got != flat.Bounds() {
		t.Errorf("ScaleToWidth of a zero-width design changed it: %v", got)
	}
	if got := d.Scale(2).Paths[0].Segments[1].Sweep; got != math.Pi/2 {
		t.Errorf("Scale changed sweep to %v", got)
	}
}

func TestCloneIsDeep(t *testing.T) {
	d := quarterArc()
	d.Pauses = []Pause{{Before: 1, Text: "thread"}}
	d.Meta.Notes = []string{"a"}
	c := d.Clone()
	c.Paths[0].Segments[0].End.X = 99
	c.Pauses[0].Text = "x"
	c.Meta.Notes[0] = "b"
	if d.Paths[0].Segments[0].End.X != 1 || d.Pauses[0].Text != "thread" || d.Meta.Notes[0] != "a" {
		t.Error("Clone shares memory with the original")
	}
}
