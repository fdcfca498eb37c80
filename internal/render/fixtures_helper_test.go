package render

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

	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// fixtureDesign is one design folder of the shared Stitchables fixtures.
type fixtureDesign struct {
	Kind string // folder kind: blocks, e2e, panels, triangles
	Name string
	BQM  string // path of the G-code file
}

// fixtureDesigns lists the fixture designs that have a G-code file (.bqm,
// or the extension-less G-code file of the spiderweb design), skipping the
// test when the fixtures are absent.
func fixtureDesigns(t testing.TB) []fixtureDesign {
	t.Helper()
	var out []fixtureDesign
	for _, dir := range testfixtures.Stitchables(t) {
		for _, p := range testfixtures.Files(t, dir) {
			if ext := strings.ToLower(filepath.Ext(p)); ext == ".bqm" || ext == "" && isGcode(p) {
				out = append(out, fixtureDesign{
					Kind: filepath.Base(filepath.Dir(dir)),
					Name: filepath.Base(dir),
					BQM:  p,
				})
				break
			}
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

// readFixture reads a fixture's G-code with readBQM.
func readFixture(t testing.TB, f fixtureDesign) *geom.Design {
	t.Helper()
	data, err := os.ReadFile(f.BQM)
	if err != nil {
		t.Fatal(err)
	}
	d, err := readBQM(data)
	if err != nil {
		t.Fatalf("%s: %v", f.BQM, err)
	}
	return d
}

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
			c := geom.Point{X: f['I'], Y: f['J']}
			a0 := math.Atan2(cur.Y-c.Y, cur.X-c.X)
			a1 := math.Atan2(end.Y-c.Y, end.X-c.X)
			sw := a1 - a0
			if g == 3 {
				for sw <= 1e-9 {
					sw += 2 * math.Pi
				}
			} else {
				for sw >= -1e-9 {
					sw -= 2 * math.Pi
				}
			}
			seg = geom.Segment{Kind: geom.Arc, End: end, Center: c, Sweep: sw}
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
