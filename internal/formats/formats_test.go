package formats

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/geom"
)

func TestRegistry(t *testing.T) {
	for _, name := range []string{"qli", "bqm", "plt", "csq", "qcc", "iqp", "svg", "dxf", "ans", "hqf", "ssd", "cqp", "cmd", "pat", "txt", "mqr"} {
		f := ByName(strings.ToUpper(name))
		if f == nil {
			t.Errorf("ByName(%q) = nil", name)
			continue
		}
		if ByExtension("."+strings.ToUpper(name)) != f {
			t.Errorf("ByExtension(%q) is not %s", name, name)
		}
		if f.Title == "" {
			t.Errorf("%s has no title", name)
		}
	}
	for _, f := range All() {
		if f.Write != nil && f.Read == nil {
			t.Errorf("%s writes but cannot read", f.Name)
		}
	}
	if ByName("nope") != nil || ByExtension("") != nil {
		t.Error("unknown names must give nil")
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name, head string
		want       string // "" = not a design
	}{
		{"a.qli", "#CAD2DMC\r\nCS\r\n", "qli"},
		{"noext", "\ufeff#CAD2DMC\nCS\n", "qli"},
		{"x.dat", "REM hi\nVMXY\nVP 1,2\n", "qli"},
		{"e2e - spiderweb v1", "N10G00X0.0000Y-0.0000\r\nN11G01X1Y1\r\n", "bqm"},
		{"a.bqm", "garbage", "bqm"}, // extension second
		{"a.plt", "IN;SP1;PU0,0;", "plt"},
		{"a.csq", "#CSQLI\n0,0,0\n", "csq"},
		{"a.qcc", "c s\np X0 Y0\n", "qcc"},
		{"a.iqp", "StitchV2        ", "iqp"},
		{"a.bin", "X%\x14\x00\xcc\x0e", "ans"},
		{"a.hqf", "\x00\x01binary", "hqf"},
		{"design.txt", "0 0\n1.5 2.25\n3 4\n", "txt"},
		{"copyright-license-info.txt", "Copyright - Creative Commons (CC BY-SA)\nThis license enables reusers 2.0", ""},
		{"notes.txt", "{\\rtf1\\ansi 1 2 3 4 5 6 7 8 9", ""},
		{"pic.jpg", "\xff\xd8\xff\xe0", ""},
		{"pic.gif", "GIF89a", ""},
		{"readme.md", "# Readme", ""},
		{"a.svg", "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\">", "svg"},
		{"a.dxf", "  0\nSECTION\n  2\nENTITIES\n", "dxf"},
	}
	for _, c := range cases {
		f := Detect(c.name, []byte(c.head))
		got := ""
		if f != nil {
			got = f.Name
		}
		if got != c.want {
			t.Errorf("Detect(%q, %q) = %q, want %q", c.name, c.head, got, c.want)
		}
	}
}

func TestIsPictureAndNotes(t *testing.T) {
	for _, n := range []string{"a.JPG", "b.jpeg", "c.png", "d.gif", "e.bmp", "f.wmf", "g.pdf"} {
		if !IsPicture(n) {
			t.Errorf("IsPicture(%q) = false", n)
		}
	}
	if IsPicture("a.qli") || IsNotes("a.qli", []byte("hello world")) {
		t.Error("a design is neither a picture nor notes")
	}
	if IsNotes("a.txt", []byte("\x00\x01\x02 binary")) {
		t.Error("binary data is not notes")
	}
	// A multi-byte rune cut by the sniff limit is still text.
	if !IsNotes("a.txt", []byte("Designed by Zoë\xc3")) {
		t.Error("cut-off UTF-8 should still be notes")
	}
}

func TestReadConvenience(t *testing.T) {
	d, f, err := Read("x.qli", []byte("#CAD2DMC\nVP 1000,0\nEN\n"))
	if err != nil || f != QLI || d.Meta.Format != "qli" {
		t.Fatalf("Read = %v, %v, %v", d, f, err)
	}
	_, f, err = Read("x.hqf", []byte("\x01\x02"))
	if f != HQF || !errors.Is(err, ErrNoGeometry) {
		t.Errorf("Read(hqf) = %v, %v; want HQF, ErrNoGeometry", f, err)
	}
	_, f, err = Read("x.jpg", []byte("\xff\xd8"))
	if f != nil || !errors.Is(err, ErrNotDesign) {
		t.Errorf("Read(jpg) = %v, %v; want nil, ErrNotDesign", f, err)
	}
	for _, f := range []*Format{SVG, DXF} {
		if _, err := f.Read([]byte("hello")); !errors.Is(err, ErrNotDesign) {
			t.Errorf("%s.Read(hello) = %v, want ErrNotDesign", f.Name, err)
		}
	}
	var buf bytes.Buffer
	if err := Write(&buf, "ans", d); err == nil {
		t.Error("writing ANS must fail")
	}
	if err := Write(&buf, "nope", d); err == nil {
		t.Error("writing an unknown format must fail")
	}
	if err := Write(&buf, "PLT", d); err != nil || !bytes.HasPrefix(buf.Bytes(), []byte("IN;SP1;")) {
		t.Errorf("Write(PLT) = %v, %q", err, buf.String())
	}
}

// sample is a design with every feature: a stitched line and arc, a pause,
// a jump, a cubic, and metadata.
func sample() *geom.Design {
	return &geom.Design{
		Paths: []geom.Path{
			{Start: geom.Point{}, Stitch: true, Segments: []geom.Segment{
				{Kind: geom.Line, End: geom.Point{X: 1, Y: 0}},
				{Kind: geom.Arc, End: geom.Point{X: 0, Y: 1}, Center: geom.Point{X: 1, Y: 1}, Sweep: math.Pi / 2 * 3},
			}},
			{Start: geom.Point{X: 0, Y: 1}, Segments: []geom.Segment{{Kind: geom.Line, End: geom.Point{X: 5, Y: 5}}}},
			{Start: geom.Point{X: 5, Y: 5}, Stitch: true, Segments: []geom.Segment{
				{Kind: geom.Cubic, C1: geom.Point{X: 6, Y: 7}, C2: geom.Point{X: 7, Y: 3}, End: geom.Point{X: 8, Y: 5}},
				{Kind: geom.Arc, End: geom.Point{X: 8, Y: 5}, Center: geom.Point{X: 8.5, Y: 5}, Sweep: -2 * math.Pi},
			}},
		},
		Pauses: []geom.Pause{{Before: 1, Text: "Please change thread color"}},
		Meta: geom.Meta{Title: "Sample", Designer: "Stitchables", URLs: []string{"www.stitchables.org"},
			Notes: []string{"CC BY-SA"}},
	}
}

func TestRoundTripSynthetic(t *testing.T) {
	d := sample()
	for name, o := range keeps {
		f := ByName(name)
		got := convert(t, d, f)
		dev, err := compareDesigns(d, got, o)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if dev > o.tol {
			t.Errorf("%s: geometry moved by %.5f in", name, dev)
		}
		if math.Abs(got.StitchLength()-d.StitchLength()) > 0.002*d.StitchLength() {
			t.Errorf("%s: length %.4f, want %.4f", name, got.StitchLength(), d.StitchLength())
		}
	}
	// Shifted away from the origin, the start point and jumps survive.
	moved := d.Translate(3, -4)
	for name, o := range keeps {
		got := convert(t, moved, ByName(name))
		if _, err := compareDesigns(moved, got, o); err != nil {
			t.Errorf("%s (translated): %v", name, err)
		}
		if got.Paths[len(got.Paths)-1].End().Dist(moved.Paths[2].End()) > 0.001 {
			t.Errorf("%s (translated): ends at %v", name, got.Paths[len(got.Paths)-1].End())
		}
	}
}

func TestWritersRefuseNaN(t *testing.T) {
	d := sample()
	d.Paths[0].Segments[0].End.X = math.NaN()
	for _, f := range All() {
		if f.Write == nil {
			continue
		}
		var buf bytes.Buffer
		if err := f.Write(&buf, d); err == nil {
			t.Errorf("%s wrote a NaN design", f.Name)
		}
	}
}

func TestQLIFeatures(t *testing.T) {
	src := "\ufeff#CAD2DMC\r\nCS\r\nVMXY\r\n' a comment\r\n#label\r\nn=5\r\nWW\r\nAN\r\n" +
		"NO INFO Designed by Jane Doe\r\nNO INFO https://example.com/x\r\nNO INFO Free for personal use\r\n" +
		"NO NEEDLE ON\r\nVP 1000,0\r\nCR 1000,270,90\r\nVE\r\nBGS\r\nAMS\r\n" +
		"NO NEEDLE OFF\r\nNO PAUSE change thread\r\nVP 0,1000\r\nVE\r\n" +
		"NO NEEDLE ON\r\nVP 1000,0\r\nVE\r\nEN\r\nVP 99999,0\r\n"
	d, err := QLI.Read([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	// Arc: from (1,0), centre (1,1), 90 degrees counter-clockwise to (2,1).
	if len(d.Paths) != 3 {
		t.Fatalf("%d paths, want 3: %+v", len(d.Paths), d.Paths)
	}
	arc := d.Paths[0].Segments[1]
	if arc.Kind != geom.Arc || arc.End.Dist(geom.Point{X: 2, Y: 1}) > 1e-12 || arc.Center.Dist(geom.Point{X: 1, Y: 1}) > 1e-12 {
		t.Errorf("arc = %+v", arc)
	}
	// VP after VE is relative to where the sequence ended.
	if e := d.Paths[1].End(); e.Dist(geom.Point{X: 2, Y: 2}) > 1e-12 {
		t.Errorf("jump ends at %v, want (2,2)", e)
	}
	if d.Paths[1].Stitch || !d.Paths[2].Stitch {
		t.Error("needle states wrong")
	}
	if e := d.Paths[2].End(); e.Dist(geom.Point{X: 3, Y: 2}) > 1e-12 {
		t.Errorf("design ends at %v, want (3,2): EN must stop reading", e)
	}
	if len(d.Pauses) != 1 || d.Pauses[0] != (geom.Pause{Before: 1, Text: "change thread"}) {
		t.Errorf("pauses = %+v", d.Pauses)
	}
	if d.Meta.Designer != "Jane Doe" || len(d.Meta.URLs) != 1 || len(d.Meta.Notes) != 1 {
		t.Errorf("meta = %+v", d.Meta)
	}
}

func TestReaderErrors(t *testing.T) {
	cases := []struct {
		f       *Format
		src     string
		msg     string
		notThis bool
	}{
		{QLI, "#CAD2DMC\nVP 1,2\nVP x,2\n", `qli: line 3: bad VP coordinates "x,2"`, false},
		{QLI, "#CAD2DMC\nCR 1,2\n", "qli: line 2: bad CR", false},
		{QLI, "#CAD2DMC\nVP NaN,1\n", "qli: line 2: bad VP", false},
		{QLI, "#CAD2DMC\nXX 1\n", `qli: line 2: unknown command "XX"`, false},
		{QLI, "hello world\n", "qli: line 1", true},
		{QLI, "", "qli", true},
		{BQM, "N10G00X0Y0\nN11G02X1Y1\n", "bqm: line 2: arc without I and J", false},
		{BQM, "N10G00X0Y0\nN11G01X1..2\n", "bqm: line 2: bad number", false},
		{BQM, "G91\n", "bqm: line 1", true},
		{BQM, "Dear customer,\n", "bqm: line 1", true},
		{PLT, "IN;PD1,2,3;", "plt: line 1: bad PD coordinates: odd count", false},
		{PLT, "hello", "plt: line 1", true},
		{CSQ, "#CSQLI\n0,0,0\n1,1,3\n2,2,1\n", "csq: line 4: Bézier cut short", false},
		{CSQ, "#CSQLI\n0,0\n", "csq: line 2: want x,y,code", false},
		{CSQ, "x,y,z\n", "csq: line 1: missing #CSQLI", true},
		{QCC, "c s\np X1.0 Y1.0\np Xfoo Y1\n", "qcc: line 3: bad X value", false},
		{QCC, "p X1 Y1\n", "qcc: line 1", true},
		{IQP, "Stitch", "iqp: missing StitchV2", true},
		{IQP, "StitchV2        \x00\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\xff\xff\xff\x7f", "iqp: offset", false},
	}
	for _, c := range cases {
		_, err := c.f.Read([]byte(c.src))
		if err == nil {
			t.Errorf("%s.Read(%q) succeeded", c.f.Name, c.src)
			continue
		}
		if !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s.Read(%q) = %q, want it to contain %q", c.f.Name, c.src, err, c.msg)
		}
		if errors.Is(err, ErrNotDesign) != c.notThis {
			t.Errorf("%s.Read(%q): errors.Is(ErrNotDesign) = %v, want %v", c.f.Name, c.src, !c.notThis, c.notThis)
		}
	}
}

func TestTooLarge(t *testing.T) {
	big := make([]byte, geom.MaxFileSize+1)
	for _, f := range All() {
		if f.Read == nil {
			continue
		}
		if _, err := f.Read(big); !errors.Is(err, geom.ErrTooLarge) {
			t.Errorf("%s: %d bytes: err = %v, want ErrTooLarge", f.Name, len(big), err)
		}
	}
	// Too many segments, within the size limit: short PLT coordinates.
	var b strings.Builder
	b.WriteString("IN;PD")
	for i := range geom.MaxSegments + 1 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString([]string{"1,0", "0,0"}[i%2])
	}
	if _, err := PLT.Read([]byte(b.String())); !errors.Is(err, geom.ErrTooLarge) {
		t.Errorf("PLT with %d points: err = %v, want ErrTooLarge", geom.MaxSegments+1, err)
	}
}

func TestIQP(t *testing.T) {
	rec := func(typ, n int32, payload []byte) []byte {
		b := le32(typ)
		b = append(b, le32(n)...)
		return append(b, payload...)
	}
	pts := func(xy ...float32) []byte {
		var b []byte
		for _, v := range xy {
			b = append(b, le32(int32(math.Float32bits(v)))...)
		}
		return b
	}
	data := append([]byte(nil), iqpMagic...)
	data = append(data, rec(4, 5, []byte("hello"))...)
	data = append(data, rec(9, 3, []byte{1, 2, 3})...) // unknown: skipped
	data = append(data, rec(7, 24, pts(0, 0, 1, -1, 2, 0))...)
	data = append(data, rec(7, 2, pts(3, -3, 4, -3))...) // a point count
	data = append(data, le32(2)...)
	d, err := IQP.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	// Runs: (0,0)->(1,1)->(2,0); jump to (3,3); (3,3)->(4,3). Y is negated.
	if len(d.Paths) != 3 || d.Paths[1].Stitch || !d.Paths[2].Stitch {
		t.Fatalf("paths = %+v", d.Paths)
	}
	if e := d.Paths[0].Segments[0].End; e != (geom.Point{X: 1, Y: 1}) {
		t.Errorf("first point %v, want (1,1)", e)
	}
	// A record declaring 2^31-1 points is refused without allocating.
	huge := append(append([]byte(nil), iqpMagic...), rec(7, math.MaxInt32, nil)...)
	allocs := testing.AllocsPerRun(5, func() { IQP.Read(huge) })
	if _, err := IQP.Read(huge); err == nil || allocs > 20 {
		t.Errorf("huge IQP record: err %v, %v allocations", err, allocs)
	}
}

func le32(v int32) []byte {
	return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
}
