package shape

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/formats/svg"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// fixtureDesign is one design folder of the shared Stitchables fixtures
// with the paths of its vector encodings ("" when absent).
type fixtureDesign struct {
	Kind          string // folder kind: blocks, e2e, panels, triangles
	Name          string
	BQM, QLI, SVG string
}

// fixtureDesigns lists the fixture designs that have a G-code file (.bqm,
// or the extension-less G-code file of the spiderweb design).
func fixtureDesigns(t testing.TB) []fixtureDesign {
	t.Helper()
	var out []fixtureDesign
	for _, dir := range testfixtures.Stitchables(t) {
		f := fixtureDesign{Kind: filepath.Base(filepath.Dir(dir)), Name: filepath.Base(dir)}
		for _, p := range testfixtures.Files(t, dir) {
			switch ext := strings.ToLower(filepath.Ext(p)); {
			case ext == ".bqm" || ext == "" && isGcode(p):
				f.BQM = p
			case ext == ".qli":
				f.QLI = p
			case ext == ".svg":
				f.SVG = p
			}
		}
		if f.BQM != "" {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		t.Skip("fixtures: no G-code designs found")
	}
	return out
}

func isGcode(path string) bool {
	data, err := os.ReadFile(path)
	return err == nil && bytes.HasPrefix(data, []byte("N10G00"))
}

// readFixture reads a fixture's G-code file.
func readFixture(t testing.TB, f fixtureDesign) *geom.Design {
	t.Helper()
	d, err := readDesignFile(f.BQM)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// readDesignFile reads an SVG design with the SVG reader and G-code with
// readBQM; other files give errNoReader.
func readDesignFile(path string) (*geom.Design, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.EqualFold(filepath.Ext(path), ".svg"):
		return svg.Read(data)
	case bytes.HasPrefix(data, []byte("N10G00")):
		d, err := readBQM(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return d, nil
	}
	return nil, errNoReader
}

var errNoReader = fmt.Errorf("no reader yet")

// readBQM is a minimal G-code reader for tests, until package formats has
// one: G00 jump, G01 line, G02/G03 arcs with absolute centre I,J.
func readBQM(data []byte) (*geom.Design, error) {
	d := &geom.Design{}
	var cur geom.Point
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		f := gcodeFields(sc.Text())
		g, ok := f['G']
		if !ok {
			continue
		}
		end := geom.Point{X: f['X'], Y: f['Y']}
		seg := geom.Segment{Kind: geom.Line, End: end}
		switch g {
		case 0, 1:
		case 2, 3:
			seg = gcodeArc(cur, end, geom.Point{X: f['I'], Y: f['J']}, g == 3)
		default:
			return nil, fmt.Errorf("line %d: unknown G%v", line, g)
		}
		stitch := g != 0
		n := len(d.Paths)
		if n == 0 || d.Paths[n-1].Stitch != stitch {
			d.Paths = append(d.Paths, geom.Path{Start: cur, Stitch: stitch})
			n++
		}
		d.Paths[n-1].Segments = append(d.Paths[n-1].Segments, seg)
		cur = end
	}
	return d, sc.Err()
}

// gcodeArc is the arc from cur to end about c, counter-clockwise when ccw.
func gcodeArc(cur, end, c geom.Point, ccw bool) geom.Segment {
	a0 := math.Atan2(cur.Y-c.Y, cur.X-c.X)
	a1 := math.Atan2(end.Y-c.Y, end.X-c.X)
	sw := a1 - a0
	if ccw {
		for sw <= 1e-9 {
			sw += 2 * math.Pi
		}
	} else {
		for sw >= -1e-9 {
			sw -= 2 * math.Pi
		}
	}
	return geom.Segment{Kind: geom.Arc, End: end, Center: c, Sweep: sw}
}

// gcodeFields splits "N11G03X1.0Y0.3I-0.04J1.79" into letter → value.
func gcodeFields(s string) map[byte]float64 {
	out := map[byte]float64{}
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); {
		c := s[i]
		j := i + 1
		for j < len(s) && (s[j] == '-' || s[j] == '.' || s[j] == '+' || (s[j] >= '0' && s[j] <= '9')) {
			j++
		}
		if v, err := strconv.ParseFloat(s[i+1:j], 64); err == nil {
			out[c] = v
		}
		i = j
	}
	return out
}
