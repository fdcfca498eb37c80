package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// fixtureFile is one geometry file of a Stitchables fixture design.
type fixtureFile struct {
	Kind string // folder kind: blocks, e2e, panels, triangles
	Name string // design folder name
	Path string
}

// fixtureFiles lists the QLI and G-code (BQM, and the spiderweb design's
// extension-less G-code) files of the fixture designs, skipping the test
// when the fixtures are absent.
func fixtureFiles(t testing.TB) []fixtureFile {
	t.Helper()
	var out []fixtureFile
	for _, dir := range testfixtures.Stitchables(t) {
		for _, p := range testfixtures.Files(t, dir) {
			switch strings.ToLower(filepath.Ext(p)) {
			case ".bqm", ".qli", "":
				out = append(out, fixtureFile{
					Kind: filepath.Base(filepath.Dir(dir)),
					Name: filepath.Base(dir),
					Path: p,
				})
			}
		}
	}
	if len(out) == 0 {
		t.Skip("fixtures: no QLI or G-code designs found")
	}
	return out
}

// readFixture reads a fixture file with formats.Read.
func readFixture(t testing.TB, f fixtureFile) *geom.Design {
	t.Helper()
	data, err := os.ReadFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := formats.Read(filepath.Base(f.Path), data)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
