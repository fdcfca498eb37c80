package formats

import (
	"bytes"
	"math"
	"path/filepath"
	"testing"

	"github.com/patternvault/patternvault/internal/geom"
)

// keeps records what each writable format preserves, for comparisons.
var keeps = map[string]compareOptions{
	"qli": {tol: 0.001, pauses: true, pauseText: true, jumpRoutes: true},
	"bqm": {tol: 0.001, jumpRoutes: true},
	"plt": {tol: 0.001, pauses: true, jumpRoutes: true},
	"csq": {tol: 0.001},
}

func convert(t testing.TB, d *geom.Design, f *Format) *geom.Design {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf, d); err != nil {
		t.Fatalf("write %s: %v", f.Name, err)
	}
	got, err := f.Read(buf.Bytes())
	if err != nil {
		t.Fatalf("read back %s: %v\n%s", f.Name, err, head(buf.Bytes()))
	}
	if got := Detect("x", buf.Bytes()); got != f {
		t.Errorf("%s output detected as %v", f.Name, got)
	}
	return got
}

func head(b []byte) []byte {
	if len(b) > 400 {
		return b[:400]
	}
	return b
}

// TestRoundTripFixtures writes every fixture QLI in every writable format,
// reads it back and compares the flattened geometry, stitch flags and
// pauses with the input, within 0.001 in.
func TestRoundTripFixtures(t *testing.T) {
	for _, name := range fixtureQLIs(t) {
		d := mustRead(t, QLI, name)
		for _, f := range []*Format{QLI, BQM, PLT, CSQ} {
			got := convert(t, d, f)
			dev, err := compareDesigns(d, got, keeps[f.Name])
			if err != nil {
				t.Errorf("%s -> %s: %v", filepath.Base(name), f.Name, err)
				continue
			}
			t.Logf("%s -> %s: max deviation %.5f in", filepath.Base(name), f.Name, dev)
			if dev > keeps[f.Name].tol {
				t.Errorf("%s -> %s: geometry moved by %.5f in", filepath.Base(name), f.Name, dev)
			}
			if f == QLI && !equalMeta(d.Meta, got.Meta) {
				t.Errorf("%s -> qli: meta %+v, want %+v", filepath.Base(name), got.Meta, d.Meta)
			}
		}
		// QCC keeps only the sequence of points: compare one polyline.
		got := convert(t, d, QCC)
		if dev := polylineDeviation(allPoints(d), allPoints(got)); dev > 0.001 {
			t.Errorf("%s -> qcc: points moved by %.5f in", filepath.Base(name), dev)
		}
		if dev := polylineDeviation(allPoints(got), allPoints(d)); dev > 0.001 {
			t.Errorf("%s -> qcc: extra points %.5f in away", filepath.Base(name), dev)
		}
		if len(got.Paths) != 1 || !got.Paths[0].Stitch {
			t.Errorf("%s -> qcc: want one stitched path, got %d", filepath.Base(name), len(got.Paths))
		}
		if s, e := got.Paths[0].Start, d.Paths[0].Start; s.Dist(e) > 0.0001 {
			t.Errorf("%s -> qcc: starts at %v, want %v", filepath.Base(name), s, e)
		}
		total := d.StitchLength()
		for i := range d.Paths {
			if !d.Paths[i].Stitch {
				total += d.Paths[i].Length()
			}
		}
		if l := got.StitchLength(); math.Abs(l-total)/total > 0.001 {
			t.Errorf("%s -> qcc: length %.4f, want %.4f (stitches and jumps)", filepath.Base(name), l, total)
		}
	}
}

// TestConversionChains converts QLI to another format and back to QLI.
func TestConversionChains(t *testing.T) {
	for _, name := range fixtureQLIs(t) {
		d := mustRead(t, QLI, name)
		for _, f := range []*Format{BQM, PLT, CSQ} {
			back := convert(t, convert(t, d, f), QLI)
			o := keeps[f.Name]
			// Two roundings (the format's, then QLI's 0.001 in grid).
			o.tol = 0.0015
			dev, err := compareDesigns(d, back, o)
			if err != nil {
				t.Errorf("%s -> %s -> qli: %v", filepath.Base(name), f.Name, err)
				continue
			}
			t.Logf("%s -> %s -> qli: max deviation %.5f in", filepath.Base(name), f.Name, dev)
			if dev > o.tol {
				t.Errorf("%s -> %s -> qli: geometry moved by %.5f in", filepath.Base(name), f.Name, dev)
			}
		}
	}
}

func allPoints(d *geom.Design) []geom.Point {
	var pts []geom.Point
	for i := range d.Paths {
		pts = append(pts, d.Paths[i].Flatten(0.0001)...)
	}
	return pts
}

func equalMeta(a, b geom.Meta) bool {
	a.Format, b.Format = "", ""
	return a.Title == b.Title && a.Designer == b.Designer &&
		slicesEqual(a.Notes, b.Notes) && slicesEqual(a.URLs, b.URLs)
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
