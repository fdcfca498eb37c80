package demo

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/geom/shape"
)

// finite reports whether every coordinate of d is a finite number.
func finite(d *geom.Design) bool {
	ok := func(p geom.Point) bool {
		return !math.IsNaN(p.X) && !math.IsNaN(p.Y) && !math.IsInf(p.X, 0) && !math.IsInf(p.Y, 0)
	}
	for _, p := range d.Paths {
		if !ok(p.Start) {
			return false
		}
		for _, s := range p.Segments {
			if !ok(s.End) || !ok(s.Center) || !ok(s.C1) || !ok(s.C2) || math.IsNaN(s.Sweep) {
				return false
			}
		}
	}
	return true
}

func TestMotifs(t *testing.T) {
	if len(Motifs()) < 16 {
		t.Fatalf("%d motifs, want at least 16", len(Motifs()))
	}
	for _, m := range Motifs() {
		arcs := 0
		for i := 0; i < 40; i++ {
			u := m.Unit(itemRand(11, i))
			bb := u.StitchBounds()
			if !finite(u) || u.SegmentCount() == 0 || bb.Width() <= 0 || bb.Height() <= 0 || u.StitchLength() <= 0 {
				t.Fatalf("%s #%d: empty or not finite: %v, %d segments", m.Name, i, bb, u.SegmentCount())
			}
			first, last := u.Paths[0].Start, u.Paths[len(u.Paths)-1].End()
			if first.Dist(pt(0, 0)) > 1e-9 || math.Abs(last.Y) > 1e-9 || last.X <= 0 {
				t.Fatalf("%s #%d: runs from %v to %v, want (0,0) to (adv,0)", m.Name, i, first, last)
			}
			if a := bb.Width() / bb.Height(); a < 0.3 || a > 3 {
				t.Errorf("%s #%d: unit aspect %.2f", m.Name, i, a)
			}
			for _, p := range u.Paths {
				for _, s := range p.Segments {
					if s.Kind == geom.Arc {
						arcs++
					}
				}
			}
		}
		if MotifByName(m.Name) != m {
			t.Errorf("MotifByName(%q) is not the motif", m.Name)
		}
		t.Logf("%-12s arcs per unit %.1f", m.Name, float64(arcs)/40)
	}
}

func TestDeterministic(t *testing.T) {
	zips := func() [][]byte {
		var out [][]byte
		err := StreamZIPs(42, 30, 7, func(name string, data []byte) error {
			out = append(out, append([]byte(name+"\n"), data...))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := zips(), zips()
	if len(a) != 5 || len(b) != 5 {
		t.Fatalf("%d and %d ZIPs of 30 designs by 7, want 5", len(a), len(b))
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("ZIP %d differs between runs", i)
		}
	}
	var c [][]byte
	StreamZIPs(43, 7, 7, func(_ string, data []byte) error { c = append(c, data); return nil })
	if bytes.Equal(c[0], a[0][bytes.IndexByte(a[0], '\n')+1:]) {
		t.Error("another seed gives the same designs")
	}
}

// sizeOK checks the size of a design of type typ.
func sizeOK(typ string, w, h float64) error {
	long, short := math.Max(w, h), math.Min(w, h)
	in := func(v, lo, hi float64) bool { return v >= lo-0.01 && v <= hi+0.01 }
	ok := true
	switch typ {
	case shape.TypeE2E:
		ok = in(w, 10, 14) && in(h, 4, 12)
	case shape.TypeBorder:
		ok = w/h >= 3.5 && in(h, 2.5, 7) && in(w, 12, 48)
	case shape.TypeCorner:
		ok = in(long, 8, 18) && long/short < 1.3
	case shape.TypeBlock:
		ok = in(long, 6, 14) && long/short < 1.5
	case shape.TypeTriangle:
		ok = in(long, 8, 24)
	case shape.TypePanel:
		ok = in(long, 20, 42) && (long >= 30 || long/short >= 1.6)
	}
	if !ok {
		return fmt.Errorf("%s is %.2f × %.2f in", typ, w, h)
	}
	return nil
}

// TestClassify lays out designs of every type and checks that shape.Classify
// recognises the type in at least 80% of them; it logs the confusion matrix.
func TestClassify(t *testing.T) {
	const per = 150
	conf := map[string]map[string]int{}
	for ti, typ := range Types {
		conf[typ] = map[string]int{}
		for i := 0; i < per; i++ {
			it := NewItemOfType(5, ti*1000+i, typ, nil)
			bb := it.Design.StitchBounds()
			if err := sizeOK(typ, bb.Width(), bb.Height()); err != nil {
				t.Errorf("%s %v: %v", it.Name, it.Motifs, err)
			}
			conf[typ][shape.Classify(it.Design).Type]++
		}
	}
	cols := append(slices.Clone(Types), shape.TypeUnknown)
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n%-9s", "made\\got")
	for _, c := range cols {
		fmt.Fprintf(&sb, "%9s", c)
	}
	for _, typ := range Types {
		fmt.Fprintf(&sb, "\n%-9s", typ)
		for _, c := range cols {
			fmt.Fprintf(&sb, "%9d", conf[typ][c])
		}
	}
	t.Log(sb.String())
	for _, typ := range Types {
		if got := conf[typ][typ]; got < per*80/100 {
			t.Errorf("%s: Classify agrees on %d of %d", typ, got, per)
		}
	}
}

// TestRoundTrip writes designs in every format and reads them back through
// formats.Read (DXF and SVG through their packages when formats does not
// know them), checking the stitched size.
func TestRoundTrip(t *testing.T) {
	err := Generate(7, 60, func(it Item) error {
		want := it.Design.StitchBounds()
		for _, f := range FormatNames() {
			var buf bytes.Buffer
			if err := WriteFormat(&buf, f, it.Design); err != nil {
				return fmt.Errorf("write %s: %w", f, err)
			}
			d, err := readBack(it.Name+"."+f, f, buf.Bytes())
			if err != nil {
				return fmt.Errorf("read %s: %w", f, err)
			}
			got := d.StitchBounds()
			tol := 0.01
			if f == "svg" {
				// The SVG writer rounds the root width and height to 0.01
				// in while the viewBox keeps 0.01 mil, so large designs
				// read back up to 0.13% small.
				tol = math.Max(tol, 0.0015*math.Max(want.Width(), want.Height()))
			}
			if math.Abs(got.Width()-want.Width()) > tol || math.Abs(got.Height()-want.Height()) > tol {
				t.Errorf("%s as %s: %.3f × %.3f in, wrote %.3f × %.3f", it.Name, f, got.Width(), got.Height(), want.Width(), want.Height())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// readBack reads a file by detection when formats knows the format.
func readBack(name, format string, data []byte) (*geom.Design, error) {
	if f := formats.ByName(format); f != nil && f.Read != nil {
		d, got, err := formats.Read(name, data)
		if err == nil && got.Name != format {
			return nil, fmt.Errorf("detected as %s", got.Name)
		}
		return d, err
	}
	return ReadFormat(format, data)
}

func TestNamesAndMetadata(t *testing.T) {
	const n = 2000
	names := map[string]int{}
	types := map[string]int{}
	designersSeen := map[string]bool{}
	jumps, pauses := 0, 0
	err := Generate(2024, n, func(it Item) error {
		if it.Design.JumpCount() > 0 {
			jumps++
		}
		if len(it.Design.Pauses) > 0 {
			pauses++
		}
		for _, p := range it.Design.Pauses {
			if p.Before < 0 || p.Before > len(it.Design.Paths) {
				t.Errorf("%s: pause before path %d of %d", it.Name, p.Before, len(it.Design.Paths))
			}
		}
		names[it.Name]++
		types[it.Type]++
		designersSeen[it.Designer] = true
		if !strings.Contains(it.DesignerURL, "example.com") {
			t.Errorf("%s: designer URL %q", it.Name, it.DesignerURL)
		}
		if len(it.Keywords) < 3 || len(it.Formats) < 3 || len(it.Formats) > 6 {
			t.Errorf("%s: keywords %v, formats %v", it.Name, it.Keywords, it.Formats)
		}
		if !slices.Contains(it.Formats, "qli") && !slices.Contains(it.Formats, "bqm") {
			t.Errorf("%s: formats %v lack qli and bqm", it.Name, it.Formats)
		}
		if it.Design.Meta.Title != it.Name || it.Design.Meta.Designer != it.Designer {
			t.Errorf("%s: meta %+v", it.Name, it.Design.Meta)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if dups := n - len(names); dups > n/100 {
		t.Errorf("%d duplicate names in %d", dups, n)
	}
	natural := map[string]bool{}
	for i := 0; i < n; i++ {
		natural[NewItem(2024, i).Name] = true
	}
	t.Logf("%d of %d names drawn twice (renamed by Generate)", n-len(natural), n)
	if jumps < n/20 || pauses < n/100 {
		t.Errorf("%d designs with jumps, %d with pauses in %d", jumps, pauses, n)
	}
	if len(designersSeen) < 10 {
		t.Errorf("%d designers", len(designersSeen))
	}
	for _, typ := range Types {
		if types[typ] < n/40 {
			t.Errorf("only %d %s designs in %d", types[typ], typ, n)
		}
	}
	t.Logf("types %v; %d with jumps, %d with pauses", types, jumps, pauses)
}

func TestZIPs(t *testing.T) {
	var zips int
	designs := map[string]bool{}
	err := StreamZIPs(9, 25, 10, func(name string, data []byte) error {
		zips++
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for _, f := range zr.File {
			dir, file, _ := strings.Cut(f.Name, "/")
			designs[dir] = true
			b, err := readEntry(f)
			if err != nil {
				return err
			}
			switch {
			case file == NotesFile:
				if !formats.IsNotes(file, b) || !bytes.Contains(b, []byte("Designed by ")) {
					t.Errorf("%s: not a notes file: %q", f.Name, b)
				}
			case strings.HasSuffix(file, " (pic).png"):
				if !bytes.HasPrefix(b, []byte("\x89PNG")) {
					t.Errorf("%s: not a PNG", f.Name)
				}
			case !strings.HasPrefix(file, dir+"."):
				t.Errorf("%s: unexpected file", f.Name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if zips != 3 || len(designs) != 25 {
		t.Errorf("%d ZIPs holding %d designs, want 3 and 25", zips, len(designs))
	}

	it := NewItem(1, 1)
	data, err := ZIPItem(it, []string{"qli", "dxf", "svg"})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range zr.File {
		got = append(got, f.Name)
	}
	want := []string{it.Name + "/" + it.Name + ".qli", it.Name + "/" + it.Name + ".dxf", it.Name + "/" + it.Name + ".svg", it.Name + "/" + NotesFile}
	if it.Picture {
		want = append(want, it.Name+"/"+it.Name+" (pic).png")
	}
	if !slices.Equal(got, want) {
		t.Errorf("ZIPItem holds %q, want %q", got, want)
	}
}

func TestGenerateStops(t *testing.T) {
	stop := fmt.Errorf("enough")
	n := 0
	err := Generate(1, 100, func(Item) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if n != 3 || err == nil || !strings.Contains(err.Error(), "enough") {
		t.Errorf("after %d items: %v", n, err)
	}
}

// BenchmarkGenerateZIP measures designs per second, ZIPs included (100
// designs a ZIP, as for an import).
func BenchmarkGenerateZIP(b *testing.B) {
	const perZip = 100
	b.ReportAllocs()
	var bytesOut int64
	for i := 0; b.Loop(); i++ {
		err := StreamZIPs(int64(i), perZip, perZip, func(_ string, data []byte) error {
			bytesOut += int64(len(data))
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*perZip)/b.Elapsed().Seconds(), "designs/s")
	b.ReportMetric(float64(bytesOut)/float64(b.N*perZip), "B/design")
}

func TestThemesNamed(t *testing.T) {
	for _, m := range Motifs() {
		for _, th := range m.Themes {
			if themeWords[th] == "" {
				t.Errorf("%s: theme %q has no name word", m.Name, th)
			}
		}
	}
}

// TestStoredZIPs checks that StreamStoredZIPs gives the ZIPs of
// StreamZIPs with every file stored instead of deflated: the same names,
// in the same order, with the same content.
func TestStoredZIPs(t *testing.T) {
	read := func(stream func(int64, int, int, func(string, []byte) error) error, method uint16) []string {
		var out []string
		err := stream(5, 12, 5, func(name string, data []byte) error {
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				return err
			}
			for _, f := range zr.File {
				if f.Method != method {
					t.Errorf("%s: method %d, want %d", f.Name, f.Method, method)
				}
				b, err := readEntry(f)
				if err != nil {
					return err
				}
				out = append(out, name+": "+f.Name+": "+fmt.Sprintf("%x", sha256.Sum256(b)))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	deflated, stored := read(StreamZIPs, zip.Deflate), read(StreamStoredZIPs, zip.Store)
	if len(deflated) < 12*3 || !slices.Equal(deflated, stored) {
		t.Errorf("stored ZIPs hold\n%s\nwant\n%s", strings.Join(stored, "\n"), strings.Join(deflated, "\n"))
	}
}

// readEntry returns the unpacked bytes of one ZIP entry.
func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	return b, nil
}
