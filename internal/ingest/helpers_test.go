package ingest

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/patternvault/patternvault/internal/testfixtures"
)

// entry is a file to put in a test ZIP.
type entry struct {
	name string
	data []byte
}

// buildZip writes entries into a deflated ZIP.
func buildZip(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatalf("create %s: %v", e.name, err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fixtureDesign is one Stitchables design folder read into memory.
type fixtureDesign struct {
	kind, name string // "e2e", "viking-longship"
	files      []entry
}

// loadFixtures reads the Stitchables fixtures, skipping the test when they
// are absent.
func loadFixtures(t testing.TB) []fixtureDesign {
	t.Helper()
	var out []fixtureDesign
	for _, dir := range testfixtures.Stitchables(t) {
		d := fixtureDesign{kind: filepath.Base(filepath.Dir(dir)), name: filepath.Base(dir)}
		for _, p := range testfixtures.Files(t, dir) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			d.files = append(d.files, entry{filepath.Base(p), data})
		}
		out = append(out, d)
	}
	return out
}

// unpackBytes runs Unpack on an in-memory upload.
func unpackBytes(data []byte, name string, lim Limits) ([]File, error) {
	return Unpack(bytes.NewReader(data), int64(len(data)), name, lim)
}
