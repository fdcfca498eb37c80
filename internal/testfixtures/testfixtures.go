// Package testfixtures locates the shared real-world design fixtures for
// tests. The fixtures live outside the repository, in ../shared/fixtures
// beside the module root; tests that need them skip when they are absent.
package testfixtures

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// root returns the directory holding go.mod, searching up from the working
// directory.
func root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Find returns the shared fixtures directory (../shared/fixtures from the
// module root), or an error when it is absent. Most tests want Dir.
func Find() (string, error) {
	r, err := root()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(r, "..", "shared", "fixtures")
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("%s absent", dir)
	}
	return dir, nil
}

// Dir returns the shared fixtures directory (../shared/fixtures from the
// module root), or skips the test when it is absent.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := Find()
	if err != nil {
		t.Skipf("testfixtures: %v; skipping", err)
	}
	return dir
}

// Stitchables returns the design folders of the Stitchables fixtures
// (stitchables/<kind>/<design>), sorted, or skips the test when absent.
// Each folder holds one design in several encodings plus pictures.
func Stitchables(t testing.TB) []string {
	t.Helper()
	base := filepath.Join(Dir(t), "stitchables")
	dirs, err := filepath.Glob(filepath.Join(base, "*", "*"))
	if err != nil {
		t.Fatalf("testfixtures: %v", err)
	}
	var out []string
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Skipf("testfixtures: no design folders under %s; skipping", base)
	}
	slices.Sort(out)
	return out
}

// Files returns the regular files in dir, sorted, failing the test on error.
func Files(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("testfixtures: %v", err)
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}
