package dxf

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/geom"
)

// groups builds DXF text from alternating codes and values.
func groups(kv ...any) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, "%3v\n%v\n", kv[i], kv[i+1])
	}
	return b.String()
}

// drawing wraps entity groups in a HEADER (when units >= 0) and ENTITIES.
func drawing(units int, entities string) string {
	var b strings.Builder
	if units >= 0 {
		b.WriteString(groups(0, "SECTION", 2, "HEADER", 9, "$ACADVER", 1, "AC1015", 9, "$INSUNITS", 70, units, 0, "ENDSEC"))
	}
	b.WriteString(groups(0, "SECTION", 2, "ENTITIES"))
	b.WriteString(entities)
	b.WriteString(groups(0, "ENDSEC", 0, "EOF"))
	return b.String()
}

func mustRead(t *testing.T, s string) *geom.Design {
	t.Helper()
	d, err := Read([]byte(s))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return d
}

func stitchLength(d *geom.Design) float64 {
	l := 0.0
	for i := range d.Paths {
		if d.Paths[i].Stitch {
			l += pathLength(&d.Paths[i])
		}
	}
	return l
}

func pathLength(p *geom.Path) float64 {
	pts := p.Flatten(1e-6)
	l := 0.0
	for j := 1; j < len(pts); j++ {
		l += pts[j].Dist(pts[j-1])
	}
	return l
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func stitchFlags(d *geom.Design) string {
	var b strings.Builder
	for _, p := range d.Paths {
		if p.Stitch {
			b.WriteByte('S')
		} else {
			b.WriteByte('j')
		}
	}
	return b.String()
}

func TestSniff(t *testing.T) {
	yes := []string{
		"  0\nSECTION\n  2\nHEADER\n",
		"999\ncomment\n0\r\nSECTION\r\n",
		"\xef\xbb\xbf0\nSECTION\n",
		binaryMagic + "rest",
	}
	no := []string{"", "0\nLINE\n", "<svg>", "N10G00X0Y0\n", "0\n"}
	for _, s := range yes {
		if !Sniff([]byte(s)) {
			t.Errorf("Sniff(%q) = false", s)
		}
	}
	for _, s := range no {
		if Sniff([]byte(s)) {
			t.Errorf("Sniff(%q) = true", s)
		}
	}
}

func TestLWPolylineBulge(t *testing.T) {
	// Bulge 1 from (0,0) to (2,0): a half circle of radius 1, counter-
	// clockwise, so it passes below the chord through (1,-1).
	d := mustRead(t, drawing(1, groups(0, "LWPOLYLINE", 8, "0", 90, 2, 70, 0, 10, 0, 20, 0, 42, 1, 10, 2, 20, 0)))
	if got := stitchLength(d); !near(got, math.Pi, 1e-5) {
		t.Errorf("length %v, want π", got)
	}
	s := d.Paths[0].Segments[0]
	if s.Kind != geom.Arc || !near(s.Sweep, math.Pi, 1e-12) || s.Center.Dist(geom.Point{X: 1}) > 1e-12 {
		t.Errorf("segment %+v, want arc about (1,0) sweeping π", s)
	}
	var b geom.Bounder
	b.AddPath(&d.Paths[0])
	if !near(b.Rect().Min.Y, -1, 1e-12) || !near(b.Rect().Max.Y, 0, 1e-12) {
		t.Errorf("bulge 1 arc spans y %v..%v, want -1..0 (counter-clockwise)", b.Rect().Min.Y, b.Rect().Max.Y)
	}
	// Negative bulge, closed square with one rounded side.
	d = mustRead(t, drawing(1, groups(0, "LWPOLYLINE", 90, 4, 70, 1,
		10, 0, 20, 0, 10, 2, 20, 0, 10, 2, 20, 2, 42, -math.Tan(math.Pi/8), 10, 0, 20, 2)))
	// Sides 2+2+2 and a quarter circle over the chord (2,2)-(0,2) of
	// length 2: radius √2, arc length √2·π/2.
	if got, want := stitchLength(d), 6+math.Sqrt2*math.Pi/2; !near(got, want, 1e-5) {
		t.Errorf("closed rounded square length %v, want %v", got, want)
	}
	if d.Paths[0].End() != d.Paths[0].Start {
		t.Errorf("closed flag did not close the path")
	}
}

func TestPolylineVertex(t *testing.T) {
	ents := groups(0, "POLYLINE", 8, "0", 66, 1, 10, 0, 20, 0, 70, 1) +
		groups(0, "VERTEX", 10, 0, 20, 0, 42, 1) +
		groups(0, "VERTEX", 10, 2, 20, 0) +
		groups(0, "VERTEX", 70, 16, 10, 99, 20, 99) + // spline frame point: skipped
		groups(0, "VERTEX", 10, 2, 20, 3) +
		groups(0, "SEQEND", 8, "0")
	d := mustRead(t, drawing(1, ents))
	// Half circle π, up 3, closing diagonal √13.
	if got, want := stitchLength(d), math.Pi+3+math.Sqrt(13); !near(got, want, 1e-5) {
		t.Errorf("length %v, want %v", got, want)
	}
	// A POLYLINE without SEQEND ends at the next entity.
	ents = groups(0, "POLYLINE", 70, 0) + groups(0, "VERTEX", 10, 0, 20, 0) + groups(0, "VERTEX", 10, 1, 20, 0) +
		groups(0, "LINE", 10, 1, 20, 0, 11, 1, 21, 1)
	if got := stitchLength(mustRead(t, drawing(1, ents))); !near(got, 2, 1e-12) {
		t.Errorf("length %v, want 2", got)
	}
}

func TestChaining(t *testing.T) {
	ents := groups(0, "LINE", 10, 1, 20, 0, 11, 0, 21, 0) + // drawn from (1,0) to (0,0): kept so
		groups(0, "LINE", 10, 1, 20, 0, 11, 1, 21, 1) + // starts away from (0,0): a jump back to (1,0)
		groups(0, "ARC", 10, 2, 20, 1, 40, 1, 50, 180, 51, 0) + // from (1,1) CCW 180→0 via the bottom
		groups(0, "LINE", 10, 3.0005, 20, 1, 11, 3, 21, 5) + // touches within 0.001
		groups(0, "LINE", 10, 10, 20, 10, 11, 11, 21, 10) + // gap: jump
		groups(0, "CIRCLE", 10, 20, 20, 20, 40, 2)
	d := mustRead(t, drawing(1, ents))
	if got := stitchFlags(d); got != "SjSjSjS" {
		t.Fatalf("paths %s, want SjSjSjS", got)
	}
	if d.Paths[0].Start != (geom.Point{X: 1, Y: 0}) || d.Paths[0].End() != (geom.Point{X: 0, Y: 0}) {
		t.Errorf("first path %v → %v, want the file's direction (1,0) → (0,0)", d.Paths[0].Start, d.Paths[0].End())
	}
	if j := d.Paths[1]; j.Start != (geom.Point{X: 0, Y: 0}) || j.End() != (geom.Point{X: 1, Y: 0}) {
		t.Errorf("jump %v → %v, want (0,0) → (1,0)", j.Start, j.End())
	}
	if got, want := pathLength(&d.Paths[2]), 1+math.Pi+4; !near(got, want, 1e-3) {
		t.Errorf("second path length %v, want %v", got, want)
	}
	if j := d.Paths[3]; j.Start.Dist(geom.Point{X: 3, Y: 5}) > 1e-9 || j.End() != (geom.Point{X: 10, Y: 10}) {
		t.Errorf("jump %v → %v, want (3,5) → (10,10)", j.Start, j.End())
	}
	if got := pathLength(&d.Paths[6]); !near(got, 4*math.Pi, 1e-4) {
		t.Errorf("circle length %v, want 4π", got)
	}
}

// TestChainingKeepsDirection is the field test's case: a polyline whose
// end touches the previous one's end is sewn from its own start, after a
// jump there, never reversed to hide the jump. Arcs, whose direction DXF
// fixes as counter-clockwise, may still be turned round to continue a path.
func TestChainingKeepsDirection(t *testing.T) {
	poly := func(pts ...float64) string {
		s := groups(0, "POLYLINE", 70, 0)
		for i := 0; i < len(pts); i += 2 {
			s += groups(0, "VERTEX", 10, pts[i], 20, pts[i+1])
		}
		return s + groups(0, "SEQEND")
	}
	d := mustRead(t, drawing(1, poly(0, 0, 10, 0)+poly(40, 0, 20, 5, 10, 0)))
	if got := stitchFlags(d); got != "SjS" {
		t.Fatalf("paths %s, want SjS (the second polyline is not reversed)", got)
	}
	if j := d.Paths[1]; j.Start != (geom.Point{X: 10, Y: 0}) || j.End() != (geom.Point{X: 40, Y: 0}) || !near(pathLength(&j), 30, 1e-12) {
		t.Errorf("jump %v → %v, want the 30 in jump (10,0) → (40,0)", j.Start, j.End())
	}
	if d.Paths[2].Start != (geom.Point{X: 40, Y: 0}) || d.Paths[2].End() != (geom.Point{X: 10, Y: 0}) {
		t.Errorf("second path %v → %v, want (40,0) → (10,0) as in the file", d.Paths[2].Start, d.Paths[2].End())
	}

	// A clockwise run of arcs: each ARC is stored counter-clockwise, so it
	// is turned round to continue the line it touches.
	arcs := groups(0, "LINE", 10, -1, 20, 1, 11, 0, 21, 1) +
		groups(0, "ARC", 10, 0, 20, 0, 40, 1, 50, 0, 51, 90) // (1,0) → (0,1) CCW; reversed: (0,1) → (1,0)
	d = mustRead(t, drawing(1, arcs))
	if got := stitchFlags(d); got != "S" || d.Paths[0].End().Dist(geom.Point{X: 1, Y: 0}) > 1e-12 {
		t.Errorf("paths %s ending at %v, want one path ending at (1,0)", got, d.Paths[0].End())
	}
	// A lone first ARC is turned round to meet the next line, and the
	// design still starts where its first stitch does.
	d = mustRead(t, drawing(1, groups(0, "ARC", 10, 0, 20, 0, 40, 1, 50, 0, 51, 90)+groups(0, "LINE", 10, 1, 20, 0, 11, 2, 21, 0)))
	if got := stitchFlags(d); got != "S" || d.Paths[0].Start.Dist(geom.Point{X: 0, Y: 1}) > 1e-12 {
		t.Errorf("paths %s starting at %v, want one path from (0,1)", got, d.Paths[0].Start)
	}
	// The same after a jump: the jump leads to the arc's new start.
	d = mustRead(t, drawing(1, groups(0, "LINE", 10, 5, 20, 5, 11, 6, 21, 5)+
		groups(0, "ARC", 10, 0, 20, 0, 40, 1, 50, 0, 51, 90)+groups(0, "LINE", 10, 1, 20, 0, 11, 2, 21, 0)))
	if got := stitchFlags(d); got != "SjS" || d.Paths[1].End().Dist(d.Paths[2].Start) > 1e-12 ||
		d.Paths[2].Start.Dist(geom.Point{X: 0, Y: 1}) > 1e-12 {
		t.Errorf("paths %s, jump to %v, then from %v; want SjS with the jump to (0,1)", got, d.Paths[1].End(), d.Paths[2].Start)
	}
}

// basis evaluates a B-spline by the Cox–de Boor recursion, independently of
// the reader's conversion.
func basis(i, p int, u float64, k []float64) float64 {
	if p == 0 {
		if k[i] <= u && u < k[i+1] {
			return 1
		}
		return 0
	}
	v := 0.0
	if d := k[i+p] - k[i]; d != 0 {
		v += (u - k[i]) / d * basis(i, p-1, u, k)
	}
	if d := k[i+p+1] - k[i+1]; d != 0 {
		v += (k[i+p+1] - u) / d * basis(i+1, p-1, u, k)
	}
	return v
}

func splineAt(ctrl []geom.Point, w []float64, p int, u float64, k []float64) geom.Point {
	var s geom.Point
	ws := 0.0
	for i := range ctrl {
		b := basis(i, p, u, k)
		if w != nil {
			b *= w[i]
		}
		s = s.Add(ctrl[i].Scale(b))
		ws += b
	}
	return s.Scale(1 / ws)
}

func splineEntity(deg int, knots, weights []float64, ctrl []geom.Point) string {
	kv := []any{0, "SPLINE", 70, 8, 71, deg, 72, len(knots), 73, len(ctrl)}
	if weights != nil {
		kv[3] = 12
	}
	for _, k := range knots {
		kv = append(kv, 40, k)
	}
	for _, w := range weights {
		kv = append(kv, 41, w)
	}
	for _, c := range ctrl {
		kv = append(kv, 10, c.X, 20, c.Y, 30, 0)
	}
	return groups(kv...)
}

func TestSpline(t *testing.T) {
	ctrl := []geom.Point{{X: 0, Y: 0}, {X: 1, Y: 2}, {X: 3, Y: 3}, {X: 4, Y: 0}, {X: 6, Y: -1}, {X: 7, Y: 1}, {X: 8, Y: 0}}
	tests := []struct {
		deg     int
		knots   []float64
		weights []float64
		kind    geom.SegmentKind
	}{
		{3, []float64{0, 0, 0, 0, 1, 2, 2, 4, 4, 4, 4}, nil, geom.Cubic}, // with a double knot
		{2, []float64{0, 0, 0, 1, 2, 3, 4, 5, 5, 5}, nil, geom.Cubic},
		{1, []float64{0, 0, 1, 2, 3, 4, 5, 6, 6}, nil, geom.Line},
		{3, []float64{0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4}, []float64{1, 2, 1, 0.5, 1, 3, 1}, geom.Line},
		{4, []float64{0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3, 3}, nil, geom.Line},
		{3, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, nil, geom.Cubic}, // unclamped
	}
	for _, tc := range tests {
		d := mustRead(t, drawing(1, splineEntity(tc.deg, tc.knots, tc.weights, ctrl)))
		if len(d.Paths) != 1 {
			t.Fatalf("degree %d: %d paths", tc.deg, len(d.Paths))
		}
		p := &d.Paths[0]
		if p.Segments[0].Kind != tc.kind {
			t.Errorf("degree %d weights %v: kind %v, want %v", tc.deg, tc.weights, p.Segments[0].Kind, tc.kind)
		}
		pts := p.Flatten(1e-5)
		lo, hi := tc.knots[tc.deg], tc.knots[len(ctrl)]
		worst := 0.0
		for i := 0; i <= 200; i++ {
			u := lo + (hi-lo)*float64(i)/200
			if i == 200 {
				u = math.Nextafter(hi, lo)
			}
			q := splineAt(ctrl, tc.weights, tc.deg, u, tc.knots)
			worst = math.Max(worst, directed([]geom.Point{q}, pts))
		}
		if worst > 0.01 {
			t.Errorf("degree %d weights %v knots %v: curve is %.4f from the true spline", tc.deg, tc.weights, tc.knots, worst)
		}
	}
	// A rational quadratic quarter circle stays on the circle.
	w := math.Sqrt2 / 2
	d := mustRead(t, drawing(1, splineEntity(2, []float64{0, 0, 0, 1, 1, 1}, []float64{1, w, 1}, []geom.Point{{X: 1, Y: 0}, {X: 1, Y: 1}, {X: 0, Y: 1}})))
	for _, q := range d.Paths[0].Flatten(0.001) {
		if r := math.Hypot(q.X, q.Y); !near(r, 1, 1e-9) {
			t.Fatalf("rational quarter circle point %v at radius %v", q, r)
		}
	}
	// Fit points only: a curve through them.
	fit := groups(0, "SPLINE", 71, 3, 74, 3, 11, 0, 21, 0, 11, 1, 21, 1, 11, 2, 21, 0)
	d = mustRead(t, drawing(1, fit))
	if e := d.Paths[0].End(); e != (geom.Point{X: 2}) || len(d.Paths[0].Segments) != 2 {
		t.Errorf("fit spline ends at %v with %d segments", e, len(d.Paths[0].Segments))
	}
	for _, bad := range []string{
		splineEntity(3, []float64{0, 0, 0, 1, 1, 1}, nil, ctrl),
		splineEntity(3, []float64{0, 0, 0, 0, 3, 2, 2, 4, 4, 4, 4}, nil, ctrl),
		splineEntity(0, []float64{0}, nil, ctrl),
		splineEntity(3, []float64{0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4}, []float64{1, -1, 1, 1, 1, 1, 1}, ctrl),
	} {
		_, err := Read([]byte(drawing(1, bad)))
		if err == nil || !strings.Contains(err.Error(), "SPLINE at line") {
			t.Errorf("bad spline: err %v", err)
		}
	}
}

func TestEllipse(t *testing.T) {
	// rx 3, ry 2 rotated: full perimeter by Ramanujan.
	h := math.Pow(3-2, 2) / math.Pow(3+2, 2)
	want := math.Pi * 5 * (1 + 3*h/(10+math.Sqrt(4-3*h)))
	ma := geom.Point{X: 3 * math.Cos(0.3), Y: 3 * math.Sin(0.3)}
	d := mustRead(t, drawing(1, groups(0, "ELLIPSE", 10, 5, 20, 5, 11, ma.X, 21, ma.Y, 40, 2.0/3)))
	if got := stitchLength(d); !near(got, want, 1e-4) {
		t.Errorf("ellipse length %v, want %v", got, want)
	}
	// Upper half (parameters 0..π) of an axis-aligned ellipse.
	d = mustRead(t, drawing(1, groups(0, "ELLIPSE", 10, 0, 20, 0, 11, 3, 21, 0, 40, 0.5, 41, 0, 42, math.Pi)))
	p := d.Paths[0]
	if p.Start.Dist(geom.Point{X: 3}) > 1e-12 || p.End().Dist(geom.Point{X: -3}) > 1e-12 {
		t.Errorf("half ellipse %v → %v", p.Start, p.End())
	}
	var b geom.Bounder
	b.AddPath(&p)
	if !near(b.Rect().Max.Y, 1.5, 1e-5) || b.Rect().Min.Y < -1e-9 {
		t.Errorf("half ellipse y range %v..%v, want 0..1.5", b.Rect().Min.Y, b.Rect().Max.Y)
	}
}

func TestExtrusionMirror(t *testing.T) {
	// An ARC with extrusion (0,0,-1): OCS centre (-5,0) is WCS (5,0) and
	// the arc turns clockwise there.
	d := mustRead(t, drawing(1, groups(0, "ARC", 10, -5, 20, 0, 40, 1, 50, 0, 51, 90, 210, 0, 220, 0, 230, -1)))
	p := d.Paths[0]
	if p.Start.Dist(geom.Point{X: 4, Y: 0}) > 1e-12 || p.End().Dist(geom.Point{X: 5, Y: 1}) > 1e-12 {
		t.Errorf("mirrored arc %v → %v, want (4,0) → (5,1)", p.Start, p.End())
	}
	if s := p.Segments[0]; s.Sweep >= 0 {
		t.Errorf("sweep %v, want clockwise", s.Sweep)
	}
}

func TestUnits(t *testing.T) {
	line := func(l float64) string { return groups(0, "LINE", 10, 0, 20, 0, 11, l, 21, 0) }
	tests := []struct {
		units   int
		len     float64
		want    float64
		warning string // part of the warning, "" for none
	}{
		{1, 10, 10, ""},
		{4, 254, 10, ""},
		{5, 25.4, 10, ""},
		{2, 1, 12, ""},
		{13, 25400, 1, ""},                                    // microns
		{-1, 150, 150, "does not say its unit"},               // no header, small: inches
		{-1, 254, 10, "read in millimetres"},                  // no header, wider than 200: mm
		{0, 254, 10, "read in millimetres"},                   // unitless, wide: mm
		{0, 12, 12, "read in inches"},                         // unitless, small: inches
		{99, 300, 300 / 25.4, "$INSUNITS 99 is not a length"}, // unknown code: by extents
	}
	for _, tc := range tests {
		d := mustRead(t, drawing(tc.units, line(tc.len)))
		if got := stitchLength(d); !near(got, tc.want, 1e-9) {
			t.Errorf("units %d, %v long: %v in, want %v", tc.units, tc.len, got, tc.want)
		}
		switch got := strings.Join(d.Warnings, " "); {
		case tc.warning == "" && got != "":
			t.Errorf("units %d: unexpected warning %q", tc.units, got)
		case tc.warning != "" && !strings.Contains(got, tc.warning):
			t.Errorf("units %d: warnings %q, want one saying %q", tc.units, got, tc.warning)
		}
	}
	// $MEASUREMENT decides when $INSUNITS is absent or unitless, without
	// a warning: 1 is metric, 0 imperial even for a wide drawing.
	for _, tc := range []struct {
		insunits, measurement int
		len, want             float64
	}{{-1, 1, 25.4, 1}, {0, 1, 25.4, 1}, {-1, 0, 300, 300}, {0, 0, 12, 12}} {
		header := groups(0, "SECTION", 2, "HEADER", 9, "$MEASUREMENT", 70, tc.measurement, 0, "ENDSEC")
		if tc.insunits == 0 {
			header = groups(0, "SECTION", 2, "HEADER", 9, "$INSUNITS", 70, 0, 9, "$MEASUREMENT", 70, tc.measurement, 0, "ENDSEC")
		}
		d := mustRead(t, header+drawing(-1, line(tc.len)))
		if got := stitchLength(d); !near(got, tc.want, 1e-9) || len(d.Warnings) > 0 {
			t.Errorf("$INSUNITS %d $MEASUREMENT %d: %v in, warnings %q; want %v in, none", tc.insunits, tc.measurement, got, d.Warnings, tc.want)
		}
	}
}

func TestStructure(t *testing.T) {
	// No sections at all, CRLF, comments, odd spacing.
	raw := "999\r\nmade by hand\r\n  0\r\nLINE\r\n 10\r\n0.0\r\n 20\r\n0\r\n 11\r\n 1.5 \r\n 21\r\n0\r\n  0\r\nEOF\r\n"
	if got := stitchLength(mustRead(t, raw)); !near(got, 1.5, 1e-12) {
		t.Errorf("sectionless file: length %v", got)
	}
	// Unknown sections and entities are skipped; TEXT ignored.
	s := groups(0, "SECTION", 2, "TABLES", 0, "TABLE", 2, "LAYER", 0, "ENDTAB", 0, "ENDSEC") +
		drawing(1, groups(0, "TEXT", 1, "hello", 10, 5, 20, 5)+groups(0, "LINE", 11, 2))
	if got := stitchLength(mustRead(t, s)); !near(got, 2, 1e-12) {
		t.Errorf("with TABLES and TEXT: length %v", got)
	}
	// Missing EOF and ENDSEC are tolerated.
	s = groups(0, "SECTION", 2, "ENTITIES", 0, "LINE", 11, 3)
	if got := stitchLength(mustRead(t, s)); !near(got, 3, 1e-12) {
		t.Errorf("truncated: length %v", got)
	}
}

func TestBlocksInsert(t *testing.T) {
	blocks := groups(0, "SECTION", 2, "BLOCKS",
		0, "BLOCK", 2, "petal", 10, 1, 20, 0,
		0, "LINE", 10, 1, 20, 0, 11, 2, 21, 0,
		0, "ARC", 10, 1, 20, 0, 40, 1, 50, 0, 51, 90,
		0, "ENDBLK",
		0, "BLOCK", 2, "self", 0, "INSERT", 2, "self", 0, "ENDBLK",
		0, "ENDSEC")
	ents := groups(0, "INSERT", 2, "petal", 10, 10, 20, 10, 41, 2, 42, 2, 50, 90) +
		groups(0, "INSERT", 2, "petal", 10, 0, 20, 0, 41, 1, 42, 3) + // non-uniform: arcs become cubics
		groups(0, "INSERT", 2, "self") + // recursive: stops at depth 8, draws nothing
		groups(0, "INSERT", 2, "missing")
	d := mustRead(t, blocks+drawing(1, ents))
	if got := stitchFlags(d); got != "SjS" {
		t.Fatalf("paths %s, want SjS (two petals, nothing from the others)", got)
	}
	// First insert: base (1,0) → (10,10), scaled 2, rotated 90°: the line
	// runs from (10,10) to (10,12).
	if p := d.Paths[0]; p.Start.Dist(geom.Point{X: 10, Y: 10}) > 1e-9 || p.Segments[0].End.Dist(geom.Point{X: 10, Y: 12}) > 1e-9 {
		t.Errorf("rotated insert line %v → %v", p.Start, p.Segments[0].End)
	}
	if got := pathLength(&d.Paths[0]); !near(got, 2+math.Pi, 1e-4) {
		t.Errorf("rotated insert length %v, want 2+π", got)
	}
	if k := d.Paths[2].Segments[1].Kind; k != geom.Cubic {
		t.Errorf("arc under non-uniform scale is %v, want cubic", k)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
		text string
	}{
		{binaryMagic + "\x00\x00", ErrBinary, "binary DXF"},
		{"", ErrNotDXF, ""},
		{"hello\nworld\n", ErrNotDXF, `group code "hello"`},
		{"<svg/>", ErrNotDXF, ""},
		{"  1\nfoo\n", ErrNotDXF, "expected group code 0"},
	}
	for _, tc := range tests {
		_, err := Read([]byte(tc.in))
		if !errors.Is(err, tc.want) || !strings.Contains(fmt.Sprint(err), tc.text) {
			t.Errorf("%q: err %v, want %v containing %q", tc.in, err, tc.want, tc.text)
		}
	}
	_, err := Read([]byte(drawing(1, groups(0, "LINE", 10, "1.2.3"))))
	if err == nil || !strings.Contains(err.Error(), `dxf: LINE at line 19: line 21: group code 10: bad number "1.2.3"`) {
		t.Errorf("bad number: %v", err)
	}
	_, err = Read([]byte(drawing(1, "  0\nLINE\n x\n1\n")))
	if err == nil || !strings.Contains(err.Error(), `dxf: line 21: group code " x": not an integer`) {
		t.Errorf("bad code: %v", err)
	}
	_, err = Read([]byte(drawing(1, groups(0, "LINE", 11, 1e99))))
	if !errors.Is(err, geom.ErrTooLarge) {
		t.Errorf("huge extent: %v", err)
	}
	// A small drawing far away: its extent is fine, its coordinates are not.
	_, err = Read([]byte(drawing(1, groups(0, "LINE", 10, 0, 20, 0, 11, 1, 21, 0)+groups(0, "LINE", 10, 1e300, 20, 0, 11, 1e300, 21, 1))))
	if !errors.Is(err, geom.ErrTooLarge) && !errors.Is(err, geom.ErrOutOfRange) {
		t.Errorf("far away: %v", err)
	}
	_, err = Read([]byte(drawing(1, groups(0, "LINE", 10, 1e300, 20, 0, 11, 1e300, 21, 1))))
	if !errors.Is(err, geom.ErrOutOfRange) || !strings.Contains(err.Error(), "LINE at line 19") {
		t.Errorf("one line far away: %v, want out of range naming LINE at line 19", err)
	}
}

func TestSegmentLimit(t *testing.T) {
	ents := groups(0, "LWPOLYLINE", 90, 5, 10, 0, 20, 0, 10, 1, 20, 0, 10, 2, 20, 0, 10, 3, 20, 0, 10, 4, 20, 0)
	if _, err := read([]byte(drawing(1, ents)), 4); err != nil {
		t.Errorf("4 segments within a budget of 4: %v", err)
	}
	if _, err := read([]byte(drawing(1, ents)), 3); !errors.Is(err, geom.ErrTooLarge) {
		t.Errorf("4 segments over a budget of 3: err %v, want ErrTooLarge", err)
	}
	// Blocks of blocks multiply: ten copies per level would reach 10^9
	// segments; the budget stops it early.
	blocks := groups(0, "SECTION", 2, "BLOCKS", 0, "BLOCK", 2, "b0", 0, "LINE", 11, 1, 0, "ENDBLK")
	for lvl := 1; lvl <= 9; lvl++ {
		blocks += groups(0, "BLOCK", 2, fmt.Sprintf("b%d", lvl))
		for i := 0; i < 10; i++ {
			blocks += groups(0, "INSERT", 2, fmt.Sprintf("b%d", lvl-1), 10, i)
		}
		blocks += groups(0, "ENDBLK")
	}
	blocks += groups(0, "ENDSEC")
	if _, err := read([]byte(blocks+drawing(1, groups(0, "INSERT", 2, "b9"))), 100000); !errors.Is(err, geom.ErrTooLarge) {
		t.Errorf("block bomb: err %v, want ErrTooLarge", err)
	}
	if _, err := read([]byte(blocks+drawing(1, groups(0, "INSERT", 2, "b2"))), 10000); err != nil {
		t.Errorf("b2 needs 100 segments, unused bigger blocks cost nothing: %v", err)
	}
}

// sample is a design exercising lines, arcs (including a full circle and a
// clockwise one), cubics and jumps.
func sample() *geom.Design {
	return &geom.Design{Paths: []geom.Path{
		{Start: geom.Point{X: 0, Y: 0}, Stitch: true, Segments: []geom.Segment{
			{Kind: geom.Line, End: geom.Point{X: 2, Y: 0}},
			{Kind: geom.Arc, Center: geom.Point{X: 3, Y: 0}, Sweep: -math.Pi, End: geom.Point{X: 4, Y: 0}},
			{Kind: geom.Arc, Center: geom.Point{X: 4, Y: 1}, Sweep: 2 * math.Pi, End: geom.Point{X: 4, Y: 0}},
			{Kind: geom.Cubic, C1: geom.Point{X: 5, Y: 2}, C2: geom.Point{X: 6, Y: -1}, End: geom.Point{X: 7, Y: 1}},
			{Kind: geom.Arc, Center: geom.Point{X: 7, Y: 2}, Sweep: 1.25 * math.Pi, End: geom.Point{X: 7 - math.Sqrt2/2, Y: 2 + math.Sqrt2/2}},
		}},
		{Start: geom.Point{X: 7 - math.Sqrt2/2, Y: 2 + math.Sqrt2/2}, Segments: []geom.Segment{{Kind: geom.Line, End: geom.Point{X: 1, Y: 3}}}},
		{Start: geom.Point{X: 1, Y: 3}, Stitch: true, Segments: []geom.Segment{
			{Kind: geom.Line, End: geom.Point{X: 1, Y: 4}},
			{Kind: geom.Arc, Center: geom.Point{X: 2, Y: 4}, Sweep: 1.5 * math.Pi, End: geom.Point{X: 2, Y: 5}},
		}},
	}}
}

func TestRoundTrip(t *testing.T) {
	in := sample()
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	if !Sniff(buf.Bytes()[:min(512, buf.Len())]) {
		t.Error("Sniff rejects Write's output")
	}
	out, err := Read(buf.Bytes())
	if err != nil {
		t.Fatalf("Read(Write): %v", err)
	}
	equalDesigns(t, out, in, 0.001)
	if out.Meta.Format != "dxf" {
		t.Errorf("format %q", out.Meta.Format)
	}
	// Arcs stay arcs (as bulges).
	if k := out.Paths[0].Segments[1].Kind; k != geom.Arc {
		t.Errorf("arc came back as %v", k)
	}
	s := buf.String()
	for _, want := range []string{"$ACADVER\r\n  1\r\nAC1009", "$INSUNITS\r\n 70\r\n1\r\n", "$MEASUREMENT\r\n 70\r\n0\r\n", "POLYLINE", "SEQEND", " 42\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(s, "POLYLINE"); n != 2 {
		t.Errorf("%d polylines, want one per stitched path (2)", n)
	}
	if err := Write(&buf, &geom.Design{Paths: []geom.Path{{Start: geom.Point{X: math.Inf(1)}}}}); err == nil {
		t.Error("infinite coordinate written without error")
	}
	buf.Reset()
	if err := Write(&buf, &geom.Design{}); err != nil {
		t.Fatal(err)
	}
	if d, err := Read(buf.Bytes()); err != nil || len(d.Paths) != 0 {
		t.Errorf("empty design: %v, %v", d, err)
	}
}

// equalDesigns compares paths' stitch flags and flattened shapes.
func equalDesigns(t *testing.T, got, want *geom.Design, tol float64) {
	t.Helper()
	if stitchFlags(got) != stitchFlags(want) {
		t.Fatalf("paths %s, want %s", stitchFlags(got), stitchFlags(want))
	}
	for i := range want.Paths {
		gp, wp := got.Paths[i].Flatten(1e-4), want.Paths[i].Flatten(1e-4)
		if gp[0].Dist(wp[0]) > tol || gp[len(gp)-1].Dist(wp[len(wp)-1]) > tol {
			t.Errorf("path %d: ends %v..%v, want %v..%v", i, gp[0], gp[len(gp)-1], wp[0], wp[len(wp)-1])
		}
		if d := math.Max(directed(gp, wp), directed(wp, gp)); d > tol {
			t.Errorf("path %d: shapes differ by %.5f in", i, d)
		}
	}
}

// directed is the largest distance from a point of a to the polyline b.
func directed(a, b []geom.Point) float64 {
	worst := 0.0
	for _, p := range a {
		best := p.Dist(b[0])
		for j := 1; j < len(b); j++ {
			best = math.Min(best, segDist(p, b[j-1], b[j]))
		}
		worst = math.Max(worst, best)
	}
	return worst
}

func segDist(p, a, b geom.Point) float64 {
	ab := b.Sub(a)
	l2 := ab.X*ab.X + ab.Y*ab.Y
	if l2 == 0 {
		return p.Dist(a)
	}
	t := math.Max(0, math.Min(1, ((p.X-a.X)*ab.X+(p.Y-a.Y)*ab.Y)/l2))
	return p.Dist(a.Add(ab.Scale(t)))
}

// bigDesign is a design of n stitched paths of mixed segments.
func bigDesign(n int) *geom.Design {
	d := &geom.Design{}
	for i := 0; i < n; i++ {
		x := float64(i % 100)
		y := float64(i / 100)
		d.Paths = append(d.Paths, geom.Path{Start: geom.Point{X: x, Y: y}, Stitch: true, Segments: []geom.Segment{
			{Kind: geom.Line, End: geom.Point{X: x + 0.5, Y: y}},
			{Kind: geom.Arc, Center: geom.Point{X: x + 0.5, Y: y + 0.25}, Sweep: math.Pi, End: geom.Point{X: x + 0.5, Y: y + 0.5}},
			{Kind: geom.Cubic, C1: geom.Point{X: x + 0.3, Y: y + 0.8}, C2: geom.Point{X: x + 0.1, Y: y + 0.2}, End: geom.Point{X: x, Y: y + 0.5}},
		}})
	}
	return d
}

func BenchmarkWriteDXF(b *testing.B) {
	d := bigDesign(1000)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Write(&buf, d); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func BenchmarkReadDXF(b *testing.B) {
	var buf bytes.Buffer
	if err := Write(&buf, bigDesign(1000)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
}

func TestHandmadeFile(t *testing.T) {
	data, err := os.ReadFile("testdata/handmade.dxf")
	if err != nil {
		t.Fatal(err)
	}
	if !Sniff(data) {
		t.Error("Sniff = false")
	}
	d := mustRead(t, string(data))
	if got := stitchFlags(d); got != "SjS" {
		t.Fatalf("paths %s, want outline, jump, circle", got)
	}
	// 2 in square whose right side is a half circle of radius 1 in: three
	// sides of 2 in plus π; then a circle of radius 0.5 in.
	if got, want := pathLength(&d.Paths[0]), 6+math.Pi; !near(got, want, 1e-4) {
		t.Errorf("outline %.5f in, want %.5f", got, want)
	}
	if got, want := pathLength(&d.Paths[2]), math.Pi; !near(got, want, 1e-4) {
		t.Errorf("circle %.5f in, want %.5f", got, want)
	}
}
