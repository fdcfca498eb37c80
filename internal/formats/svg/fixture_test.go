package svg

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/geom"
)

// fixtureDir finds ../shared/fixtures/stitchables next to the module root.
func fixtureDir(t testing.TB) string {
	t.Helper()
	fx := fixtureDirOrEmpty()
	if fx == "" {
		t.Skip("fixtures not found: expected ../shared/fixtures/stitchables next to the directory holding go.mod")
	}
	return fx
}

// fixtureDirOrEmpty is fixtureDir for callers that cannot skip: it
// returns "" when the fixtures are absent.
func fixtureDirOrEmpty() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	fx := filepath.Join(dir, "..", "shared", "fixtures", "stitchables")
	if _, err := os.Stat(fx); err != nil {
		return ""
	}
	return fx
}

// fixtureGlob lists the SVG files under the fixture directory.
func fixtureGlob(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*.svg"))
	return files
}

// fixtureSVGs returns the fixture SVG files.
func fixtureSVGs(t testing.TB) []string {
	files := fixtureGlob(fixtureDir(t))
	if len(files) == 0 {
		t.Skip("no fixture SVGs found")
	}
	return files
}

var bqmXY = regexp.MustCompile(`X(-?[0-9.]+)Y(-?[0-9.]+)`)

// bqmSize returns the width and height in inches of the end points in a
// BQM (G-code) file, or ok=false when there is no companion.
func bqmSize(t *testing.T, svgPath string) (w, h float64, ok bool) {
	dir := filepath.Dir(svgPath)
	cands, _ := filepath.Glob(filepath.Join(dir, "*.bqm"))
	if len(cands) == 0 {
		all, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range all {
			if filepath.Ext(f) == "" {
				cands = append(cands, f)
			}
		}
	}
	if len(cands) == 0 {
		return 0, 0, false
	}
	data, err := os.ReadFile(cands[0])
	if err != nil {
		t.Fatal(err)
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, m := range bqmXY.FindAllStringSubmatch(string(data), -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	return maxX - minX, maxY - minY, maxX > minX
}

// designSize returns the exact width and height of the stitched paths.
func designSize(d *geom.Design) (w, h float64, b geom.Bounder) {
	for i := range d.Paths {
		if d.Paths[i].Stitch {
			b.AddPath(&d.Paths[i])
		}
	}
	return b.Rect().Max.X - b.Rect().Min.X, b.Rect().Max.Y - b.Rect().Min.Y, b
}

func TestFixtures(t *testing.T) {
	for _, f := range fixtureSVGs(t) {
		name := strings.TrimSuffix(filepath.Base(f), ".svg")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !Sniff(data[:min(512, len(data))]) {
				t.Errorf("Sniff = false")
			}
			d, err := Read(data)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			w, h, b := designSize(d)
			stitched := 0
			for _, p := range d.Paths {
				if p.Stitch {
					stitched++
				}
			}
			bw, bh, ok := bqmSize(t, f)
			t.Logf("%d paths (%d stitched), svg %.3f x %.3f in (min %.3f,%.3f); bqm %.3f x %.3f in; ratio %.4f %.4f",
				len(d.Paths), stitched, w, h, b.Rect().Min.X, b.Rect().Min.Y, bw, bh, w/bw, h/bh)
			if w < 0.5 || h < 0.5 || w > 60 || h > 60 {
				t.Errorf("implausible size %.3f x %.3f in", w, h)
			}
			if !ok || stitched != 1 {
				// Drafting sheets with several variants: only the size check.
				return
			}
			// Single-path drawings are the design itself, drawn at another
			// scale than the one stitched: the aspect ratio must agree.
			if r := (w / h) / (bw / bh); r < 0.97 || r > 1.03 {
				t.Errorf("aspect ratio %.4f differs from BQM's %.4f", w/h, bw/bh)
			}
			good, mirrored := shapeMatch(t, f, d)
			t.Logf("normalised shape distance to BQM: %.4f (Y-mirrored: %.4f)", good, mirrored)
			if good > 0.02 || good*3 > mirrored {
				t.Errorf("shape does not match BQM (%.4f) better than its mirror (%.4f)", good, mirrored)
			}
		})
	}
}

// shapeMatch compares the BQM's end points with the SVG design, both scaled
// to a unit box: it returns the mean distance from each BQM point to the
// nearest flattened SVG point, for the design as read and mirrored in Y.
func shapeMatch(t *testing.T, svgPath string, d *geom.Design) (good, mirrored float64) {
	dir := filepath.Dir(svgPath)
	cands, _ := filepath.Glob(filepath.Join(dir, "*.bqm"))
	if len(cands) == 0 {
		all, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range all {
			if filepath.Ext(f) == "" {
				cands = append(cands, f)
			}
		}
	}
	data, err := os.ReadFile(cands[0])
	if err != nil {
		t.Fatal(err)
	}
	var bq []geom.Point
	for _, m := range bqmXY.FindAllStringSubmatch(string(data), -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		bq = append(bq, geom.Point{X: x, Y: y})
	}
	var sv []geom.Point
	for i := range d.Paths {
		if d.Paths[i].Stitch {
			sv = append(sv, d.Paths[i].Flatten(0.005)...)
		}
	}
	norm := func(pts []geom.Point) {
		var b geom.Bounder
		for _, p := range pts {
			b.Add(p)
		}
		for i := range pts {
			pts[i] = geom.Point{X: (pts[i].X - b.Rect().Min.X) / (b.Rect().Max.X - b.Rect().Min.X), Y: (pts[i].Y - b.Rect().Min.Y) / (b.Rect().Max.Y - b.Rect().Min.Y)}
		}
	}
	norm(bq)
	norm(sv)
	mean := func(flipY bool) float64 {
		sum := 0.0
		for _, p := range bq {
			if flipY {
				p.Y = 1 - p.Y
			}
			best := math.Inf(1)
			for _, q := range sv {
				best = math.Min(best, p.Dist(q))
			}
			sum += best
		}
		return sum / float64(len(bq))
	}
	return mean(false), mean(true)
}

func readFile(name string) ([]byte, error) { return os.ReadFile(name) }
