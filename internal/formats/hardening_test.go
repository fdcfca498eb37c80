package formats

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/formats/formatstest"
	"github.com/patternvault/patternvault/internal/geom"
)

// TestOutOfRange is issue 14's "overflowing numbers": every reader refuses
// a coordinate that is absurd (1e308 and its kin) with an error naming the
// line, or the offset for IQP, and ErrOutOfRange; none returns a design.
func TestOutOfRange(t *testing.T) {
	nines := strings.Repeat("9", 310) // 1e310: beyond float64, parsed as +Inf
	iqp := append([]byte(nil), iqpMagic...)
	iqp = append(iqp, 7, 0, 0, 0, 16, 0, 0, 0)
	iqp = append(iqp, le32(0)...)
	iqp = append(iqp, le32(0)...)
	iqp = append(iqp, le32(int32(math.Float32bits(3e38)))...)
	iqp = append(iqp, le32(0)...)
	iqp = append(iqp, 2, 0, 0, 0)
	cases := []struct {
		f    *Format
		src  string
		want string
	}{
		{QLI, "#CAD2DMC\r\nCS\r\nVMXY\r\nVP1e308,0\r\nVE\r\nEN\r\n", "qli: line 4: point (1e+305, 0) in: coordinates out of range"},
		{QLI, "#CAD2DMC\nVP 1e308,1e308\nVE\n", "qli: line 2:"},
		{QLI, "#CAD2DMC\nVP 99999000,0\nVE\nVP 99999000,0\nVE\n", "qli: line 4:"}, // each move fine, the sum is not
		{QLI, "#CAD2DMC\nVP 1,1\nCR 1e308,0,90\n", "qli: line 3:"},
		{BQM, "N10G00X0Y0\nN11G01X" + nines + "Y0\nM02\n", "bqm: line 2:"},
		{BQM, "N10G00X0Y0\nN11G02X1Y0I" + nines + "J0\nM02\n", "bqm: line 2:"},
		{BQM, "N10G00X0Y0\nG21\nN11G01X9999999Y0\nM02\n", "bqm: line 3:"}, // 10 km in millimetres
		{PLT, "IN;SP1;\nPU0,0;\nPD" + nines + ",0;", "plt: line 3:"},
		{PLT, "IN;PR;\nPD4000000000,0,4000000000,0,4000000000,0;", "plt: line 2:"},
		{CSQ, "#CSQLI\n1e308,0,0\n1,1,1\n", "csq: line 2:"},
		{CSQ, "#CSQLI\n0,0,0\n1,1,3\n1e200,2,3\n3,3,3\n", "csq: line 5:"},
		{QCC, "c s\np X" + nines + " Y0\np X1 Y1\n", "qcc: line 2:"},
		{QCC, "c s\np X0 Y0\np X1 Y-" + nines + "\n", "qcc: line 3:"},
		{IQP, string(iqp), "iqp: record at offset 24: point at offset 40:"},
	}
	for _, c := range cases {
		d, err := c.f.Read([]byte(c.src))
		if d != nil || !errors.Is(err, geom.ErrOutOfRange) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s.Read(%q) = %v, %v; want ErrOutOfRange containing %q", c.f.Name, c.src, d != nil, err, c.want)
		}
		// Through the registry the file is unreadable, with that reason.
		_, _, err = Read("design."+c.f.Name, []byte(c.src))
		if reason, ok := Unreadable(err); !ok || !strings.Contains(reason, c.want) {
			t.Errorf("Read(design.%s): %v; want unreadable with %q", c.f.Name, err, c.want)
		}
	}
	// An arc whose end points are fine but which bulges beyond the
	// extent guard is refused as a whole.
	_, err := BQM.Read([]byte("N10G00X0Y0\nN11G00X70000Y0\nN12G03X70000Y0I0J0\nM02\n"))
	if !errors.Is(err, geom.ErrTooLarge) {
		t.Errorf("a 140,000 in circle: %v, want ErrTooLarge", err)
	}
}

// TestWritersGuard: no writer writes a design with a non-finite or absurd
// coordinate; each refuses it with ErrOutOfRange instead of writing Inf,
// NaN, -9223372036854775808 or a 300-digit number.
func TestWritersGuard(t *testing.T) {
	line := func(a, b geom.Point) *geom.Design {
		return &geom.Design{Paths: []geom.Path{{Start: a, Stitch: true, Segments: []geom.Segment{{Kind: geom.Line, End: b}}}}}
	}
	bad := map[string]*geom.Design{
		"+Inf":        line(geom.Point{}, geom.Point{X: math.Inf(1), Y: math.Inf(1)}),
		"NaN":         line(geom.Point{X: math.NaN()}, geom.Point{X: 1}),
		"1e305":       line(geom.Point{}, geom.Point{X: 1e305}),
		"far away":    line(geom.Point{X: 1e300}, geom.Point{X: 1e300, Y: 1}),
		"arc centre":  {Paths: []geom.Path{{Stitch: true, Segments: []geom.Segment{{Kind: geom.Arc, End: geom.Point{X: 1}, Center: geom.Point{X: 1e200}, Sweep: 1}}}}},
		"cubic ctrl":  {Paths: []geom.Path{{Stitch: true, Segments: []geom.Segment{{Kind: geom.Cubic, End: geom.Point{X: 1}, C1: geom.Point{Y: -1e200}}}}}},
		"wide":        line(geom.Point{X: -90000}, geom.Point{X: 90000}),
		"NaN sweep":   {Paths: []geom.Path{{Stitch: true, Segments: []geom.Segment{{Kind: geom.Arc, End: geom.Point{X: 1}, Center: geom.Point{X: 0.5}, Sweep: math.NaN()}}}}},
		"jump at Inf": {Paths: []geom.Path{{Start: geom.Point{X: math.Inf(-1)}, Segments: []geom.Segment{{Kind: geom.Line}}}}},
	}
	for name, d := range bad {
		for _, f := range All() {
			if f.Write == nil {
				continue
			}
			var out bytes.Buffer
			if err := f.Write(&out, d); !errors.Is(err, geom.ErrOutOfRange) {
				t.Errorf("%s: write %s: %v, want ErrOutOfRange; wrote %.80q", name, f.Name, err, out.String())
			}
		}
	}
	// The largest design within the guard is written with sane numbers.
	edge := line(geom.Point{X: -50000, Y: -50000}, geom.Point{X: 50000, Y: 50000})
	for _, f := range All() {
		if f.Write == nil {
			continue
		}
		var out bytes.Buffer
		if err := f.Write(&out, edge); err != nil {
			t.Errorf("write %s of a 100,000 in design: %v", f.Name, err)
		} else if err := formatstest.CheckOutput(out.Bytes()); err != nil {
			t.Errorf("write %s: %v", f.Name, err)
		}
	}
}

// TestUnreadable is issue 15's corrupt file: random bytes, a picture, a
// web page under a design's name are told apart from formats kept as-is.
func TestUnreadable(t *testing.T) {
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	cases := []struct {
		name, data string
		unreadable bool   // a known structure that could not be read
		notDesign  bool   // not a design at all
		noGeometry bool   // kept as-is, no preview
		check      bool   // Check sees it from the first bytes
		reason     string // part of the reason
	}{
		{"broken.qli", string(random), true, true, false, true, "binary data, not a Gammill / Statler Stitcher QLI design"},
		{"photo.qli", "\xff\xd8\xff\xe0\x00\x10JFIF\x00", true, true, false, true, "this is a JPEG picture, not a Gammill"},
		{"page.hqf", "<!DOCTYPE html>\n<html><head><title>Pattern</title>", false, true, false, true, "this is a web page (HTML), not a Handi Quilter"},
		{"page.hqf", "\ufeff  <html lang=en>", false, true, false, true, "a web page"},
		{"pack.bqm", "PK\x03\x04\x14\x00", true, true, false, true, "a ZIP archive"},
		{"doc.ssd", "%PDF-1.7\n", false, true, false, true, "a PDF document"},
		{"clip.pat", "\x00\x00\x00\x18ftypmp42", false, true, false, true, "a video"},
		{"notes.qli", "Thank you for your purchase!\r\nEnjoy.\r\n", true, true, false, false, `qli: line 1: unknown command "Thank"`},
		{"cut.qli", "#CAD2DMC\nVP 10,\n", true, false, false, false, "qli: line 2: bad VP coordinates"},
		{"design.hqf", "\x00\x01\x02\x03binary", false, false, true, false, "kept as they are"},
		{"design.4dq", "%GPFVSM%\x8a\x11\xf0", false, false, true, false, "4DQ"},
		{"design.qdata", "$Limit 0,0,100,100\r\n#COLR R:0,G:0,B:0, black\r\n", false, false, true, false, "QDATA"},
		{"design.tap", "G90; G91;\r\nX1.0,2.0 Y\r\nM30\r\n", false, false, true, false, "TAP"},
	}
	for _, c := range cases {
		d, f, err := Read(c.name, []byte(c.data))
		if d != nil || f == nil || err == nil {
			t.Errorf("Read(%s) = %v, %v, %v; want the claimed format and an error", c.name, d != nil, f, err)
			continue
		}
		var re *ReadError
		if !errors.As(err, &re) || re.Name != c.name || !strings.Contains(re.Reason, c.reason) {
			t.Errorf("Read(%s): %v; want a ReadError for %s whose reason says %q", c.name, err, c.name, c.reason)
		}
		if errors.Is(err, ErrUnreadable) != c.unreadable || errors.Is(err, ErrNotDesign) != c.notDesign || errors.Is(err, ErrNoGeometry) != c.noGeometry {
			t.Errorf("Read(%s): %v: unreadable %v, not a design %v, kept as-is %v; want %v %v %v", c.name, err,
				errors.Is(err, ErrUnreadable), errors.Is(err, ErrNotDesign), errors.Is(err, ErrNoGeometry), c.unreadable, c.notDesign, c.noGeometry)
		}
		if _, ok := Unreadable(err); ok != c.unreadable {
			t.Errorf("Unreadable(Read(%s)) = %v", c.name, ok)
		}
		cerr := Check(c.name, []byte(c.data))
		if (cerr != nil) != c.check || cerr != nil && (!errors.Is(cerr, ErrNotDesign) || errors.Is(cerr, ErrUnreadable) != c.unreadable) {
			t.Errorf("Check(%s) = %v; want an error %v, unreadable %v", c.name, cerr, c.check, c.unreadable)
		}
	}
	// Real designs pass Check and Read.
	for name, data := range map[string]string{
		"a.qli": "#CAD2DMC\nVP 1000,0\nEN\n", "b.bqm": "N10G00X0Y0\nN11G01X1Y1\nM02\n",
		"c.hqf": "\x00\x01", "d.4dq": "%GPFVSM%", "e.qli": "NO INFO Designed by Zoë\xe9\nVMXY\nVP 1000,0\nVE\n",
	} {
		if err := Check(name, []byte(data)); err != nil {
			t.Errorf("Check(%s) = %v", name, err)
		}
	}
	if err := Check("readme.txt", []byte("Thank you for your purchase")); !errors.Is(err, ErrNotDesign) {
		t.Errorf("Check(readme.txt) = %v, want ErrNotDesign", err)
	}
}

// TestQLIDialect reads the Galil DMC dialect other QLI readers accept.
func TestQLIDialect(t *testing.T) {
	plain := "#CAD2DMC\nCS\nVMXY\nVP 1000,0\nCR 1000,-90,90\nVE\nNO NEEDLE OFF\nVP 0,2000\nVE\nEN\n"
	dialects := []string{
		// No spaces, speed suffixes, a query on VE, EN with a bit mask.
		"#CAD2DMC\nCS\nVMXY\nVP1000,0<500>400\nCR1000,-90,90<300\nVE?\nNO NEEDLE OFF\nVP0,2000>0\nVE\nEN 1\n",
		// Several commands on one line, lower case, remarks.
		"#CAD2DMC\ncs;vmxy\nvp 1000,0; cr 1000,-90,90 ; ve\nREM a remark; VP 5,5\nNO NEEDLE OFF;VP 0,2000;VE\nEN\n",
		// VM with the axes swapped: the first VP coordinate is Y, arcs turn the other way.
		"#CAD2DMC\nCS\nVMYX\nVP 0,1000\nCR 1000,180,-90\nVE\nNO NEEDLE OFF\nVP 2000,0\nVE\nEN\n",
		// VM with commas, a label and a variable.
		"#START\nVM X,Y\nspeed=400\nVP 1000,0\nCR 1000,-90,90\nVE\nNO NEEDLE OFF\nVP 0,2000\nVE\nEN\n",
	}
	want, err := QLI.Read([]byte(plain))
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range dialects {
		got, err := QLI.Read([]byte(src))
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if dev, err := compareDesigns(want, got, compareOptions{tol: 1e-9, pauses: true, pauseText: true, jumpRoutes: true}); err != nil || dev > 1e-9 {
			t.Errorf("%q: differs from the plain file by %v: %v", src, dev, err)
		}
	}
	// CS makes the current point the origin of the next VP, as VE does.
	d, err := QLI.Read([]byte("VMXY\nVP 1000,0\nCS\nVP 1000,0\nVE\n"))
	if err != nil || d.Paths[0].End().Dist(geom.Point{X: 2}) > 1e-12 {
		t.Errorf("CS: %v, ends at %v; want (2,0)", err, d.Paths[0].End())
	}
}

// TestSizeWarning: a design no quilt could hold is read with a warning.
func TestSizeWarning(t *testing.T) {
	d, _, err := Read("huge.qli", []byte("#CAD2DMC\nVP 941000,0\nVP 941000,1080000\nVE\nEN\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "941.0 × 1080.0 in") {
		t.Errorf("warnings %q, want one naming 941.0 × 1080.0 in", d.Warnings)
	}
	d, _, _ = Read("tiny.qli", []byte("#CAD2DMC\nVP 10,0\nVP 10,20\nVE\nEN\n"))
	if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "smaller than any") {
		t.Errorf("warnings %q, want one for a 0.01 × 0.02 in design", d.Warnings)
	}
	d, _, _ = Read("ok.qli", []byte("#CAD2DMC\nVP 12000,0\nVP 12000,110000\nVE\nEN\n"))
	if len(d.Warnings) != 0 {
		t.Errorf("a 12 × 110 in panel: warnings %q", d.Warnings)
	}
}

// TestLosses: each format says what it cannot carry of a design, and says
// nothing when the design has nothing it would lose.
func TestLosses(t *testing.T) {
	d := sample() // pauses with text, a jump, metadata
	want := map[string][]string{
		"qli": nil,
		"svg": nil,
		"bqm": {"BQM files have no pauses", "no place for the title"},
		"dxf": {"DXF files have no pauses", "no place for the title"},
		"csq": {"CSQ files have no pauses", "no place for the title"},
		"plt": {"PLT files keep pauses as pen changes without their messages", "no place for the title"},
		"qcc": {"QCC files have no pauses", "QCC files have no jumps: 1 jump", "no place for the title"},
	}
	for name, parts := range want {
		got := Losses(d, name)
		if len(got) != len(parts) {
			t.Errorf("Losses(%s) = %q, want %d notes", name, got, len(parts))
			continue
		}
		for i, p := range parts {
			if !strings.Contains(got[i], p) {
				t.Errorf("Losses(%s)[%d] = %q, want it to say %q", name, i, got[i], p)
			}
		}
	}
	bare := &geom.Design{Paths: []geom.Path{{Stitch: true, Segments: []geom.Segment{{Kind: geom.Line, End: geom.Point{X: 1}}}}}}
	for _, f := range All() {
		if f.Write != nil {
			if got := Losses(bare, f.Name); len(got) != 0 {
				t.Errorf("Losses(one line, %s) = %q, want none", f.Name, got)
			}
		}
	}
	if got := Losses(bare, "hqf"); len(got) != 1 || !strings.Contains(got[0], "cannot write HQF") {
		t.Errorf("Losses(hqf) = %q", got)
	}
}

// TestQCCJumps: QCC cannot tell a jump from a stitch, so a jump between
// stitches is sewn (and Losses says so with its length), but jumps before
// the first stitch and after the last are left out rather than sewn.
func TestQCCJumps(t *testing.T) {
	seg := func(x, y float64) []geom.Segment {
		return []geom.Segment{{Kind: geom.Line, End: geom.Point{X: x, Y: y}}}
	}
	d := &geom.Design{Paths: []geom.Path{
		{Start: geom.Point{}, Segments: seg(5, 0)},                           // from the origin to the design
		{Start: geom.Point{X: 5}, Stitch: true, Segments: seg(6, 0)},         // stitch
		{Start: geom.Point{X: 6}, Segments: seg(6, 3)},                       // a 3 in jump
		{Start: geom.Point{X: 6, Y: 3}, Stitch: true, Segments: seg(7, 3)},   // stitch
		{Start: geom.Point{X: 7.5, Y: 3}, Stitch: true, Segments: seg(8, 3)}, // a 0.5 in gap: a jump too
		{Start: geom.Point{X: 8, Y: 3}, Segments: seg(0, 0)},                 // back home
	}}
	var out bytes.Buffer
	if err := QCC.Write(&out, d); err != nil {
		t.Fatal(err)
	}
	back, err := QCC.Read(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if s := back.Paths[0].Start; s != (geom.Point{X: 5}) {
		t.Errorf("QCC starts at %v, want the first stitch (5,0)", s)
	}
	if l := back.StitchLength(); math.Abs(l-(1+3+1+0.5+0.5)) > 1e-9 {
		t.Errorf("QCC sews %v in, want 6 (the leading and trailing jumps left out)", l)
	}
	if got := Losses(d, "qcc"); len(got) != 1 || !strings.Contains(got[0], "2 jumps (3.5 in)") {
		t.Errorf("Losses = %q, want 2 jumps (3.5 in)", got)
	}
}

// TestBQMTackStitches: real BQM files hold zero-length G01 "tack"
// stitches where the QLI only jumps; they sew nothing and are not part of
// the stitched extent.
func TestBQMTackStitches(t *testing.T) {
	src := "N10G00X0.0000Y-0.0000\nN11G00X1.0000Y1.0000\nN12G01X2.0000Y1.0000\nN13G00X9.0000Y9.0000\nN14G01X9.0000Y9.0000\nN15G00X2.0000Y2.0000\nN16G01X2.0000Y3.0000\nN17M02\n"
	d, err := BQM.Read([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	b := d.StitchBounds()
	if b.Min != (geom.Point{X: 1, Y: 1}) || b.Max != (geom.Point{X: 2, Y: 3}) || d.StitchPathCount() != 2 {
		t.Errorf("stitched extent %v, %d stitched paths; want (1,1)-(2,3) and 2: the tack at (9,9) sews nothing", b, d.StitchPathCount())
	}
}
