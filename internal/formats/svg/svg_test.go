package svg

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/geom"
)

// doc wraps body in a 10in x 10in SVG whose user unit is 1/100 in.
func doc(body string) string {
	return `<svg xmlns="http://www.w3.org/2000/svg" width="10in" height="10in" viewBox="0 0 1000 1000">` + body + `</svg>`
}

func mustRead(t *testing.T, s string) *geom.Design {
	t.Helper()
	d, err := Read([]byte(s))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return d
}

// stitchLength returns the flattened length of the stitched paths.
func stitchLength(d *geom.Design) float64 {
	l := 0.0
	for i := range d.Paths {
		if !d.Paths[i].Stitch {
			continue
		}
		pts := d.Paths[i].Flatten(1e-5)
		for j := 1; j < len(pts); j++ {
			l += pts[j].Dist(pts[j-1])
		}
	}
	return l
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestSniff(t *testing.T) {
	yes := []string{
		"<svg xmlns='http://www.w3.org/2000/svg'/>",
		"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- x -->\n<svg>",
		"  <!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\"><SVG>",
	}
	no := []string{"", "N10G00X0Y0", "<html><body>", "svg"}
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

func TestNumbers(t *testing.T) {
	got, err := parseNumberList("1e-3 -.5.5,+2E+1 3.-4 0.5e 7")
	want := []float64{1e-3, -0.5, 0.5, 20, 3, -4, 0.5}
	if err == nil {
		t.Fatalf("want an error at the dangling 'e', got %v", got)
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("number %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// recorder is a pathSink that logs what it receives.
type recorder struct{ ops []string }

func (r *recorder) moveTo(p geom.Point) error { r.ops = append(r.ops, fmtOp("M", p)); return nil }
func (r *recorder) lineTo(p geom.Point) error { r.ops = append(r.ops, fmtOp("L", p)); return nil }
func (r *recorder) cubicTo(c1, c2, p geom.Point) error {
	r.ops = append(r.ops, fmtOp("C", c1, c2, p))
	return nil
}
func (r *recorder) arcTo(_ geom.Point, rx, ry, phi float64, large, sweep bool, p geom.Point) error {
	r.ops = append(r.ops, fmtOp("A", geom.Point{X: rx, Y: ry}, p))
	return nil
}

func fmtOp(op string, pts ...geom.Point) string {
	var b strings.Builder
	b.WriteString(op)
	for _, p := range pts {
		b.WriteString(" " + fnum(p.X) + "," + fnum(p.Y))
	}
	return b.String()
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		d    string
		want string
	}{
		{"M1 2 3 4 5 6", "M 1,2|L 3,4|L 5,6"},
		{"m1 2 3 4 5 6", "M 1,2|L 4,6|L 9,12"},
		{"M0,0H5V5h-1v-1z", "M 0,0|L 5,0|L 5,5|L 4,5|L 4,4|L 0,0"},
		{"M-.5.5L1e1-1e-1", "M -0.5,0.5|L 10,-0.1"},
		{"M0 0C1 1 2 1 3 0S5 -1 6 0", "M 0,0|C 1,1 2,1 3,0|C 4,-1 5,-1 6,0"},
		{"M0 0s1 1 2 0", "M 0,0|C 0,0 1,1 2,0"},
		{"M0 0Q3 3 6 0T12 0", "M 0,0|C 2,2 4,2 6,0|C 8,-2 10,-2 12,0"},
		{"M0 0A5 5 0 1110 0a5,5,0,0,1,10,0", "M 0,0|A 5,5 10,0|A 5,5 20,0"},
		{"M0 0L1 0ZL0 1", "M 0,0|L 1,0|L 0,0|L 0,1"},
	}
	for _, tc := range tests {
		var r recorder
		if err := parsePath(tc.d, &r); err != nil {
			t.Errorf("%q: %v", tc.d, err)
			continue
		}
		if got := strings.Join(r.ops, "|"); got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.d, got, tc.want)
		}
	}
	for _, bad := range []string{"1 2", "M0 0L", "M0 0X1", "M0 0A1 1 0 2 0 1 1", "M0 0Z1", "M1e999 0"} {
		if err := parsePath(bad, &recorder{}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestTransform(t *testing.T) {
	m, err := parseTransform("translate(10,20) rotate(90) scale(2 3)")
	if err != nil {
		t.Fatal(err)
	}
	// (1,1) → scale (2,3) → rotate 90 (-3,2) → translate (7,22)
	if p := m.apply(geom.Point{X: 1, Y: 1}); !near(p.X, 7, 1e-9) || !near(p.Y, 22, 1e-9) {
		t.Errorf("got %v, want (7,22)", p)
	}
	m, _ = parseTransform("rotate(90 5 5)")
	if p := m.apply(geom.Point{X: 10, Y: 5}); !near(p.X, 5, 1e-9) || !near(p.Y, 10, 1e-9) {
		t.Errorf("rotate about centre: got %v, want (5,10)", p)
	}
	m, _ = parseTransform("skewX(45)")
	if p := m.apply(geom.Point{X: 0, Y: 1}); !near(p.X, 1, 1e-9) {
		t.Errorf("skewX: got %v", p)
	}
	m, _ = parseTransform("matrix(1 2 3 4 5 6)")
	if p := m.apply(geom.Point{X: 1, Y: 1}); p != (geom.Point{X: 9, Y: 12}) {
		t.Errorf("matrix: got %v", p)
	}
	for _, bad := range []string{"foo(1)", "translate(1", "scale()", "rotate(1 2)"} {
		if _, err := parseTransform(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestUnits(t *testing.T) {
	tests := []struct {
		root string
		want float64 // width of a 100-user-unit line, inches
	}{
		{`width="210mm" height="297mm" viewBox="0 0 210 297"`, 100 / 25.4},
		{`width="2in" height="1in" viewBox="0 0 200 100"`, 1},
		{`width="72pt" height="72pt" viewBox="0 0 100 100"`, 1},
		{`width="10cm" height="10cm" viewBox="0 0 10 10"`, 100 / 2.54},
		{`width="96" height="96" viewBox="0 0 96 96"`, 100.0 / 96},
		{`viewBox="0 0 50 50"`, 100.0 / 96},
		{`width="5in" height="5in"`, 100.0 / 96},
		{``, 100.0 / 96},
		{`width="100%" height="100%" viewBox="0 0 100 100"`, 100.0 / 96},
		{`width="2in" height="4in" viewBox="0 0 100 100"`, 2}, // meet: the smaller scale
	}
	for _, tc := range tests {
		d := mustRead(t, `<svg xmlns="http://www.w3.org/2000/svg" `+tc.root+`><line x1="0" y1="0" x2="100" y2="0"/></svg>`)
		if got := stitchLength(d); !near(got, tc.want, 1e-6) {
			t.Errorf("%s: length %.6f in, want %.6f", tc.root, got, tc.want)
		}
	}
}

func TestYUp(t *testing.T) {
	// In SVG this line goes down the page from (0,0) to (0,100) then right.
	d := mustRead(t, doc(`<path d="M0 0V100H100"/>`))
	p := d.Paths[0]
	if p.Start != (geom.Point{X: 0, Y: 1}) {
		t.Errorf("start %v, want (0,1): top of the page is the top of the design", p.Start)
	}
	if e := p.End(); e != (geom.Point{X: 1, Y: 0}) {
		t.Errorf("end %v, want (1,0)", e)
	}
	// A clockwise quarter circle on screen stays clockwise (negative sweep).
	d = mustRead(t, doc(`<path d="M0 100A100 100 0 0 1 100 0"/>`))
	s := d.Paths[0].Segments[0]
	if s.Kind != geom.Arc || !near(s.Sweep, -math.Pi/2, 1e-9) {
		t.Fatalf("got %v sweep %v, want arc sweep -π/2", s.Kind, s.Sweep)
	}
	// Screen centre (100,100) is below the arc: in Y-up it is at (1,-1),
	// (1,0) once the bounding box is moved to the origin.
	if s.Center.Dist(geom.Point{X: 1, Y: 0}) > 1e-9 {
		t.Errorf("centre %v, want (1,0)", s.Center)
	}
}

func TestShapes(t *testing.T) {
	tests := []struct {
		body string
		len  float64
		kind geom.SegmentKind
	}{
		{`<circle cx="500" cy="500" r="100"/>`, 2 * math.Pi, geom.Arc},
		{`<rect x="10" y="10" width="200" height="100"/>`, 6, geom.Line},
		{`<rect x="10" y="10" width="200" height="100" rx="50"/>`, 2 + math.Pi, geom.Line},
		{`<line x1="0" y1="0" x2="300" y2="400"/>`, 5, geom.Line},
		{`<polyline points="0,0 100,0 100,100"/>`, 2, geom.Line},
		{`<polygon points="0,0 100,0 100,100 7"/>`, 2 + math.Sqrt2, geom.Line},
		// Ellipse rx=200, ry=100: perimeter by Ramanujan's formula.
		{`<ellipse cx="500" cy="500" rx="200" ry="100"/>`, math.Pi * (3*3 - math.Sqrt((3*2+1)*(2+3*1))), geom.Cubic},
		// A circle under non-uniform scale is an ellipse of cubics.
		{`<g transform="scale(2,1)"><circle cx="250" cy="500" r="100"/></g>`, math.Pi * (3*3 - math.Sqrt((3*2+1)*(2+3*1))), geom.Cubic},
		// Rotation keeps arcs circular.
		{`<g transform="rotate(30) translate(5 5)"><circle cx="250" cy="500" r="100"/></g>`, 2 * math.Pi, geom.Arc},
		// Skew turns them into cubics; the length is unchanged by skewX(0).
		{`<circle transform="skewX(0.0001)" cx="250" cy="500" r="100"/>`, 2 * math.Pi, geom.Cubic},
	}
	for _, tc := range tests {
		d := mustRead(t, doc(tc.body))
		if got := stitchLength(d); !near(got, tc.len, 1e-3) {
			t.Errorf("%s: length %.5f, want %.5f", tc.body, got, tc.len)
		}
		if len(d.Paths) != 1 || d.Paths[0].Segments[0].Kind != tc.kind {
			t.Errorf("%s: %d paths, first kind %v; want 1 path of %v", tc.body, len(d.Paths), d.Paths[0].Segments[0].Kind, tc.kind)
		}
	}
}

func TestGroupsSkipsAndJumps(t *testing.T) {
	d := mustRead(t, doc(`
<defs><path d="M0 0L999 999"/></defs>
<style>path { stroke: red }</style>
<text x="1" y="1">Hello<tspan>x</tspan></text>
<clipPath><rect width="10" height="10"/></clipPath>
<mask><rect width="10" height="10"/></mask>
<image href="x.png" width="5" height="5"/>
<sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"><path d="M0 0L5 5"/></sodipodi:namedview>
<g style="display:none"><path d="M0 0L500 500"/></g>
<g transform="translate(100 0)"><g transform="scale(2)">
  <path d="M0 0L50 0M100 0L150 0"/>
</g></g>
<path class="jump" d="M0 0L900 900"/>
<path d="M400 0L500 0"/>`))
	var kinds []bool
	for _, p := range d.Paths {
		kinds = append(kinds, p.Stitch)
	}
	// stitch, jump, stitch, then the last path touches (300,0): no jump.
	want := []bool{true, false, true, true}
	if len(kinds) != len(want) {
		t.Fatalf("paths %v, want stitch flags %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("paths %v, want stitch flags %v", kinds, want)
		}
	}
	if got := stitchLength(d); !near(got, 3, 1e-9) {
		t.Errorf("stitched length %v, want 3", got)
	}
	if p := d.Paths[0].Start; p != (geom.Point{}) {
		t.Errorf("design not normalised to the origin: starts at %v", p)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrNotSVG},
		{"<html></html>", ErrNotSVG},
		{"hello", ErrNotSVG},
	}
	for _, tc := range tests {
		if _, err := Read([]byte(tc.in)); !errors.Is(err, tc.want) {
			t.Errorf("%q: err %v, want %v", tc.in, err, tc.want)
		}
	}
	_, err := Read([]byte(doc(`<path d="M0 0L1"/>`)))
	if err == nil || !strings.Contains(err.Error(), "line 1") || !strings.Contains(err.Error(), "<path>") {
		t.Errorf("bad path data: err %v, want position and element", err)
	}
	_, err = Read([]byte(doc(`<g transform="spin(3)"/>`)))
	if err == nil || !strings.Contains(err.Error(), "spin") {
		t.Errorf("bad transform: err %v", err)
	}
	big := doc(`<path d="M0 0` + strings.Repeat("l1 1", 1<<10) + `"/>`)
	if _, err := Read([]byte(big)); err != nil {
		t.Errorf("1024 segments: %v", err)
	}
}

func TestTooManySegments(t *testing.T) {
	// Each arc of a non-circular ellipse costs 8 segments: a file of modest
	// size must not grow past MaxSegments.
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0`)
	for i := 0; i < geom.MaxSegments/8+10; i++ {
		b.WriteString("a2 1 0 0 0 1 1")
	}
	b.WriteString(`"/></svg>`)
	_, err := Read([]byte(b.String()))
	if !errors.Is(err, geom.ErrTooLarge) {
		t.Fatalf("err %v, want ErrTooLarge", err)
	}
}

// sample is a design in positive space exercising every segment kind,
// jumps and pauses.
func sample() *geom.Design {
	return &geom.Design{
		Meta: geom.Meta{Format: "svg", Title: "Feather & <Swirl>", Designer: "Pam", Notes: []string{"Row 1", "Use \"wool\" thread"}, URLs: []string{"https://example.com/f"}},
		Paths: []geom.Path{
			{Start: geom.Point{X: 0, Y: 0}, Stitch: true, Segments: []geom.Segment{
				{Kind: geom.Line, End: geom.Point{X: 2, Y: 0}},
				{Kind: geom.Arc, Center: geom.Point{X: 3, Y: 0}, Sweep: -math.Pi, End: geom.Point{X: 4, Y: 0}},
				{Kind: geom.Arc, Center: geom.Point{X: 4, Y: 1}, Sweep: 2 * math.Pi, End: geom.Point{X: 4, Y: 0}},
				{Kind: geom.Cubic, C1: geom.Point{X: 5, Y: 2}, C2: geom.Point{X: 6, Y: -1}, End: geom.Point{X: 7, Y: 1}},
				{Kind: geom.Arc, Center: geom.Point{X: 7, Y: 2}, Sweep: math.Pi / 3, End: geom.Point{X: 7 + math.Sin(math.Pi/3), Y: 2 - math.Cos(math.Pi/3)}},
			}},
			{Start: geom.Point{X: 7 + math.Sin(math.Pi/3), Y: 2 - math.Cos(math.Pi/3)}, Segments: []geom.Segment{{Kind: geom.Line, End: geom.Point{X: 1, Y: 3}}}},
			{Start: geom.Point{X: 1, Y: 3}, Stitch: true, Segments: []geom.Segment{
				{Kind: geom.Line, End: geom.Point{X: 1, Y: 4}},
				{Kind: geom.Arc, Center: geom.Point{X: 2, Y: 4}, Sweep: 1.5 * math.Pi, End: geom.Point{X: 2, Y: 5}},
			}},
		},
		Pauses: []geom.Pause{{Before: 1, Text: "Change thread"}, {Before: 3, Text: "done"}},
	}
}

// equalDesigns compares flattened stitched/jump paths point by point.
func equalDesigns(t *testing.T, got, want *geom.Design, tol float64) {
	t.Helper()
	if len(got.Paths) != len(want.Paths) {
		t.Fatalf("%d paths, want %d", len(got.Paths), len(want.Paths))
	}
	for i := range want.Paths {
		g, w := &got.Paths[i], &want.Paths[i]
		if g.Stitch != w.Stitch {
			t.Errorf("path %d: stitch %v, want %v", i, g.Stitch, w.Stitch)
		}
		// Sample the wanted path densely; every point must lie near the
		// got polyline and vice versa (flattening may differ in count).
		gp, wp := g.Flatten(1e-4), w.Flatten(1e-4)
		if gp[0].Dist(wp[0]) > tol || gp[len(gp)-1].Dist(wp[len(wp)-1]) > tol {
			t.Errorf("path %d: ends %v..%v, want %v..%v", i, gp[0], gp[len(gp)-1], wp[0], wp[len(wp)-1])
		}
		if d := hausdorff(gp, wp); d > tol {
			t.Errorf("path %d: shapes differ by %.5f in", i, d)
		}
	}
}

// hausdorff returns the larger of the two directed distances between the
// point sets a and b, measured to polyline segments.
func hausdorff(a, b []geom.Point) float64 {
	return math.Max(directed(a, b), directed(b, a))
}

func directed(a, b []geom.Point) float64 {
	worst := 0.0
	for _, p := range a {
		best := math.Inf(1)
		for j := 1; j < len(b); j++ {
			best = math.Min(best, segDist(p, b[j-1], b[j]))
		}
		if len(b) == 1 {
			best = p.Dist(b[0])
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
	t := ((p.X-a.X)*ab.X + (p.Y-a.Y)*ab.Y) / l2
	t = math.Max(0, math.Min(1, t))
	return p.Dist(a.Add(ab.Scale(t)))
}

func TestRoundTrip(t *testing.T) {
	in := sample()
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := Read(buf.Bytes())
	if err != nil {
		t.Fatalf("Read(Write): %v\n%s", err, buf.String())
	}
	// The sample's lower left corner is below y=0 (the cubic dips): the
	// reader puts the bounding box at the origin, so compare after the same
	// normalisation.
	var b geom.Bounder
	for i := range in.Paths {
		b.AddPath(&in.Paths[i])
	}
	for i := range in.Paths {
		translatePath(&in.Paths[i], geom.Point{X: -b.Rect().Min.X, Y: -b.Rect().Min.Y})
	}
	equalDesigns(t, out, in, 0.001)
	if len(out.Pauses) != 2 || out.Pauses[0] != in.Pauses[0] || out.Pauses[1] != in.Pauses[1] {
		t.Errorf("pauses %v, want %v", out.Pauses, in.Pauses)
	}
	if out.Meta.Title != in.Meta.Title || out.Meta.Designer != in.Meta.Designer ||
		strings.Join(out.Meta.Notes, "|") != strings.Join(in.Meta.Notes, "|") ||
		strings.Join(out.Meta.URLs, "|") != strings.Join(in.Meta.URLs, "|") {
		t.Errorf("meta %+v, want %+v", out.Meta, in.Meta)
	}
	// Arcs must stay arcs.
	if out.Paths[0].Segments[1].Kind != geom.Arc {
		t.Errorf("arc came back as %v", out.Paths[0].Segments[1].Kind)
	}
	// And the writer's own output re-reads to the same SVG text.
	var buf2 bytes.Buffer
	if err := Write(&buf2, out); err != nil {
		t.Fatal(err)
	}
	if buf.String() != buf2.String() {
		t.Errorf("second write differs:\n%s\n---\n%s", buf.String(), buf2.String())
	}
}

func TestWriteShape(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for _, want := range []string{`width="`, `in" height="`, `viewBox="0 0 `, `class="stitch"`, `class="jump"`,
		`stroke-dasharray`, `data-pause="Change thread"`, `<title>Feather &amp; &lt;Swirl&gt;</title>`, `A1000 1000 0 0 1 `, `C`} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	bad := &geom.Design{Paths: []geom.Path{{Start: geom.Point{X: math.NaN()}}}}
	if err := Write(&buf, bad); err == nil {
		t.Error("NaN design written without error")
	}
	buf.Reset()
	if err := Write(&buf, &geom.Design{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(buf.Bytes()); err != nil {
		t.Errorf("empty design does not re-read: %v", err)
	}
}

// TestWriteJumpsHidden: jumps are in a hidden layer, and the canvas is the
// stitched extent even when a jump leaves it.
func TestWriteJumpsHidden(t *testing.T) {
	d := &geom.Design{Paths: []geom.Path{
		{Start: geom.Point{X: 0, Y: 0}, Stitch: true, Segments: []geom.Segment{{Kind: geom.Line, End: geom.Point{X: 2, Y: 1}}}},
		{Start: geom.Point{X: 2, Y: 1}, Segments: []geom.Segment{{Kind: geom.Line, End: geom.Point{X: 30, Y: 40}}, {Kind: geom.Line, End: geom.Point{X: 1, Y: 0}}}},
		{Start: geom.Point{X: 1, Y: 0}, Stitch: true, Segments: []geom.Segment{{Kind: geom.Line, End: geom.Point{X: 1, Y: 1}}}},
	}}
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if !strings.Contains(s, `width="2.02in" height="1.02in" viewBox="0 0 2020 1020"`) {
		t.Errorf("canvas is not the stitched extent 2 × 1 in plus margins:\n%s", s)
	}
	if !strings.Contains(s, `<g class="jump" display="none"`) {
		t.Errorf("jumps are not in a hidden layer:\n%s", s)
	}
	back := mustRead(t, s)
	if b := back.StitchBounds(); !near(b.Width(), 2, 1e-4) || !near(b.Height(), 1, 1e-4) || back.JumpCount() != 1 {
		t.Errorf("re-read: stitched %v × %v in, %d jumps; want 2 × 1, 1 jump", b.Width(), b.Height(), back.JumpCount())
	}
}

// TestXML11 reads an SVG whose XML declaration says version 1.1.
func TestXML11(t *testing.T) {
	for _, decl := range []string{`<?xml version="1.1" encoding="UTF-8"?>`, "\ufeff<?xml version = '1.1'?>\n"} {
		d, err := Read([]byte(decl + doc(`<path d="M0 0L100 0"/>`)))
		if err != nil {
			t.Errorf("%q: %v", decl, err)
			continue
		}
		if got := stitchLength(d); !near(got, 1, 1e-9) {
			t.Errorf("%q: length %v, want 1", decl, got)
		}
	}
	// The line numbers of errors stay true.
	_, err := Read([]byte("<?xml version=\"1.1\"?>\n" + doc("\n<path d=\"M0 0L\"/>")))
	if err == nil || !strings.Contains(err.Error(), "line 3:") {
		t.Errorf("bad path data: %v, want an error naming line 3", err)
	}
}

// TestOutOfRange: absurd coordinates are refused naming the element's line,
// and a design out of range is never written.
func TestOutOfRange(t *testing.T) {
	for _, body := range []string{`<path d="M0 0L1e300 0"/>`, `<line x1="1e200" y1="0" x2="1e200" y2="1"/>`, `<path d="M0 0L1 1" transform="scale(1e307)"/>`} {
		_, err := Read([]byte(doc("\n" + body)))
		if err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%s: %v, want an error naming line 2", body, err)
		}
	}
	far := &geom.Design{Paths: []geom.Path{{Start: geom.Point{X: 1e300}, Stitch: true, Segments: []geom.Segment{{Kind: geom.Line, End: geom.Point{X: 1e300, Y: 1}}}}}}
	if err := Write(&bytes.Buffer{}, far); !errors.Is(err, geom.ErrOutOfRange) {
		t.Errorf("writing a design at 1e300 in: %v, want ErrOutOfRange", err)
	}
}

func BenchmarkReadSVG(b *testing.B) {
	var buf bytes.Buffer
	files := fixtureSVGs(b)
	data := make([][]byte, 0, len(files))
	for _, f := range files {
		d, err := readFile(f)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d)
		buf.Write(d)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range data {
			if _, err := Read(d); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestHandmadeFile(t *testing.T) {
	data, err := readFile("testdata/handmade.svg")
	if err != nil {
		t.Fatal(err)
	}
	d := mustRead(t, string(data))
	if got, want := stitchLength(d), 8+math.Pi; !near(got, want, 1e-4) {
		t.Errorf("stitched length %.5f in, want %.5f", got, want)
	}
	w, h, _ := designSize(d)
	if !near(w, 2, 1e-6) || !near(h, 2, 1e-6) {
		t.Errorf("size %.5f x %.5f in, want 2 x 2", w, h)
	}
	if len(d.Paths) != 3 || d.Paths[1].Stitch || len(d.Pauses) != 1 || d.Pauses[0].Before != 1 {
		t.Errorf("got %d paths, pauses %v; want square, jump, circle with a pause before the jump", len(d.Paths), d.Pauses)
	}
	if d.Meta.Title != "Square and circle" || d.Meta.Designer != "Test Quilter" ||
		len(d.Meta.Notes) != 1 || len(d.Meta.URLs) != 1 {
		t.Errorf("meta %+v", d.Meta)
	}
}
