package formats

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// fixtureDesign is one Stitchables design folder with the paths of its
// encodings ("" when absent).
type fixtureDesign struct {
	Dir, Name     string
	QLI, BQM, ANS string
}

// fixtureDesigns lists the Stitchables designs, or skips when the fixtures
// are absent. The G-code file is found by content, because the spiderweb
// design's has no extension.
func fixtureDesigns(t testing.TB) []fixtureDesign {
	t.Helper()
	var out []fixtureDesign
	for _, dir := range testfixtures.Stitchables(t) {
		fd := fixtureDesign{Dir: dir, Name: filepath.Base(dir)}
		for _, f := range testfixtures.Files(t, dir) {
			switch extension(f) {
			case "qli":
				fd.QLI = f
			case "bqm":
				fd.BQM = f
			case "ans":
				fd.ANS = f
			case "":
				if head := readHead(t, f); sniffBQM(head) {
					fd.BQM = f
				}
			}
		}
		out = append(out, fd)
	}
	return out
}

func readHead(t testing.TB, name string) []byte {
	t.Helper()
	b := readFile(t, name)
	if len(b) > SniffLen {
		b = b[:SniffLen]
	}
	return b
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureQLIs returns the fixture QLI files, skipping when absent.
func fixtureQLIs(t testing.TB) []string {
	var out []string
	for _, fd := range fixtureDesigns(t) {
		if fd.QLI != "" {
			out = append(out, fd.QLI)
		}
	}
	if len(out) == 0 {
		t.Skip("no QLI fixtures")
	}
	return out
}

func mustRead(t testing.TB, f *Format, name string) *geom.Design {
	t.Helper()
	d, err := f.Read(readFile(t, name))
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(name), err)
	}
	return d
}

// TestQLIAgainstBQM reads each design's QLI and its G-code companion, both
// made by the designer's software, and requires the same size and stitched
// length: the companion is the oracle for the QLI reading (VP relative to
// the end of the previous sequence, CR arc geometry, units).
func TestQLIAgainstBQM(t *testing.T) {
	pairs := 0
	var maxW, maxH, maxL float64
	for _, fd := range fixtureDesigns(t) {
		if fd.QLI == "" || fd.BQM == "" {
			continue
		}
		pairs++
		q, b := mustRead(t, QLI, fd.QLI), mustRead(t, BQM, fd.BQM)
		qb, bb := q.StitchBounds(), b.StitchBounds()
		dw, dh := math.Abs(qb.Width()-bb.Width()), math.Abs(qb.Height()-bb.Height())
		dl := math.Abs(q.StitchLength()-b.StitchLength()) / b.StitchLength()
		maxW, maxH, maxL = max(maxW, dw), max(maxH, dh), max(maxL, dl)
		t.Logf("%s: QLI %.4fx%.4f in, %.3f in; BQM %.4fx%.4f in, %.3f in; jumps %d/%d",
			fd.Name, qb.Width(), qb.Height(), q.StitchLength(), bb.Width(), bb.Height(), b.StitchLength(),
			q.JumpCount(), b.JumpCount())
		if dw > 0.01 || dh > 0.01 {
			t.Errorf("%s: size differs by %.4f x %.4f in", fd.Name, dw, dh)
		}
		if dl > 0.005 {
			t.Errorf("%s: stitched length differs by %.3f %%", fd.Name, 100*dl)
		}
		if q.JumpCount() != b.JumpCount() {
			t.Errorf("%s: %d jumps in QLI, %d in BQM", fd.Name, q.JumpCount(), b.JumpCount())
		}
		if d := q.Paths[0].Start.Dist(b.Paths[0].Start); d > 0.01 {
			t.Errorf("%s: start points differ by %.4f in", fd.Name, d)
		}
	}
	if pairs == 0 {
		t.Skip("no QLI/BQM pairs in the fixtures")
	}
	t.Logf("%d pairs: max width diff %.5f in, height %.5f in, length %.4f %%", pairs, maxW, maxH, 100*maxL)
}

// TestReadFixtures reads every fixture file through Read, by name.
func TestReadFixtures(t *testing.T) {
	for _, fd := range fixtureDesigns(t) {
		for _, f := range testfixtures.Files(t, fd.Dir) {
			data := readFile(t, f)
			d, format, err := Read(filepath.Base(f), data)
			base := filepath.Base(f)
			switch ext := extension(f); {
			case ext == "qli" || ext == "bqm" || f == fd.BQM:
				if err != nil {
					t.Errorf("%s: %v", base, err)
					continue
				}
				if d.StitchLength() <= 0 || d.StitchPathCount() == 0 {
					t.Errorf("%s: no stitching read", base)
				}
			case ext == "ans":
				if format == nil || format.Name != "ans" || err == nil {
					t.Errorf("%s: got %v, %v; want the ans format with ErrNoGeometry", base, format, err)
				}
			case IsPicture(f) || strings.HasSuffix(base, ".txt"):
				if format != nil {
					t.Errorf("%s: detected as %s, want not a design", base, format.Name)
				}
			}
		}
	}
}
