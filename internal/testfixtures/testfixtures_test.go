package testfixtures

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStitchables(t *testing.T) {
	dirs := Stitchables(t)
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "copyright-license-info.txt")); err != nil {
			t.Errorf("%s: expected a licence file: %v", d, err)
		}
		if len(Files(t, d)) < 2 {
			t.Errorf("%s: expected several files", d)
		}
	}
}

func TestRoot(t *testing.T) {
	r, err := root()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r, "go.mod")); err != nil {
		t.Errorf("root %s has no go.mod", r)
	}
}
