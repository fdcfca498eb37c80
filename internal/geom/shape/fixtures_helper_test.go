package shape

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/formats"
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
// or the extension-less G-code file of the spiderweb design), skipping the
// test when the fixtures are absent.
func fixtureDesigns(t testing.TB) []fixtureDesign {
	t.Helper()
	var out []fixtureDesign
	for _, dir := range testfixtures.Stitchables(t) {
		f := fixtureDesign{Kind: filepath.Base(filepath.Dir(dir)), Name: filepath.Base(dir)}
		for _, p := range testfixtures.Files(t, dir) {
			switch strings.ToLower(filepath.Ext(p)) {
			case ".bqm", "":
				f.BQM = p
			case ".qli":
				f.QLI = p
			case ".svg":
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

// readFixture reads a fixture's G-code file.
func readFixture(t testing.TB, f fixtureDesign) *geom.Design {
	t.Helper()
	d, err := readDesignFile(f.BQM)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// readDesignFile reads an SVG drawing with the SVG reader and anything
// else with formats.Read.
func readDesignFile(path string) (*geom.Design, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(filepath.Ext(path), ".svg") {
		d, err := svg.Read(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return d, nil
	}
	d, _, err := formats.Read(filepath.Base(path), data)
	return d, err
}
