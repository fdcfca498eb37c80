package main

import (
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/testfixtures"
)

type inspected struct {
	Format         string  `json:"format"`
	WidthIn        float64 `json:"width_in"`
	HeightIn       float64 `json:"height_in"`
	StitchLengthIn float64 `json:"stitch_length_in"`
	Paths          int     `json:"paths"`
	Analysis       struct {
		Type string `json:"type"`
	} `json:"analysis"`
}

func inspectJSON(t *testing.T, file string) inspected {
	t.Helper()
	out, err := pv(t, nil, "inspect", "--json", file)
	if err != nil {
		t.Fatalf("inspect %s: %v", file, err)
	}
	var r inspected
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("inspect --json %s: %v\n%s", file, err, out)
	}
	return r
}

// TestDesignCommandsOnFixtures is the format engine's outside check: every
// real QLI inspected agrees with its BQM companion (0.01 in, 0.5 %), each
// conversion keeps the size, and thumbnail makes a PNG.
func TestDesignCommandsOnFixtures(t *testing.T) {
	dir := testfixtures.Dir(t)
	qlis, _ := filepath.Glob(filepath.Join(dir, "stitchables", "*", "*", "*.qli"))
	if len(qlis) == 0 {
		t.Skip("no QLI fixtures in " + dir)
	}
	tmp := t.TempDir()
	for _, qli := range qlis {
		bqms, _ := filepath.Glob(filepath.Join(filepath.Dir(qli), "*.bqm"))
		if len(bqms) != 1 {
			continue
		}
		q, b := inspectJSON(t, qli), inspectJSON(t, bqms[0])
		if q.Format != "qli" || b.Format != "bqm" {
			t.Fatalf("formats %q, %q", q.Format, b.Format)
		}
		if math.Abs(q.WidthIn-b.WidthIn) > 0.01 || math.Abs(q.HeightIn-b.HeightIn) > 0.01 ||
			math.Abs(q.StitchLengthIn-b.StitchLengthIn) > 0.005*b.StitchLengthIn {
			t.Errorf("%s: QLI %.4f×%.4f len %.2f vs BQM %.4f×%.4f len %.2f", filepath.Base(qli),
				q.WidthIn, q.HeightIn, q.StitchLengthIn, b.WidthIn, b.HeightIn, b.StitchLengthIn)
		}
		for _, ext := range []string{"bqm", "plt", "dxf", "svg", "csq", "qcc", "qli"} {
			out := filepath.Join(tmp, strings.TrimSuffix(filepath.Base(qli), ".qli")+"."+ext)
			if _, err := pv(t, nil, "convert", qli, out); err != nil {
				t.Errorf("convert %s to %s: %v", filepath.Base(qli), ext, err)
				continue
			}
			c := inspectJSON(t, out)
			if c.Format != ext || math.Abs(c.WidthIn-q.WidthIn) > 0.01 || math.Abs(c.HeightIn-q.HeightIn) > 0.01 {
				t.Errorf("%s as %s: %s %.4f×%.4f, want %.4f×%.4f", filepath.Base(qli), ext, c.Format, c.WidthIn, c.HeightIn, q.WidthIn, q.HeightIn)
			}
		}
		thumb := filepath.Join(tmp, "thumb.png")
		if _, err := pv(t, nil, "thumbnail", "--size", "128", qli, thumb); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(thumb)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() != 128 || img.Bounds().Dy() != 128 {
			t.Errorf("thumbnail of %s: %v %v", filepath.Base(qli), img.Bounds(), err)
		}
	}
}

func TestDesignCommandsRefuseBadFiles(t *testing.T) {
	tmp := t.TempDir()
	notes := filepath.Join(tmp, "readme.txt")
	os.WriteFile(notes, []byte("Thank you for your purchase!\nDesigned by Pam.\n"), 0o644)
	corrupt := filepath.Join(tmp, "broken.qli")
	os.WriteFile(corrupt, []byte("#CAD2DMC\nVP 10,abc\nEN\n"), 0o644)
	for _, c := range []struct{ args []string }{
		{[]string{"inspect", notes}},
		{[]string{"inspect", corrupt}},
		{[]string{"inspect", filepath.Join(tmp, "missing.qli")}},
		{[]string{"convert", corrupt, filepath.Join(tmp, "out.bqm")}},
		{[]string{"convert", corrupt, filepath.Join(tmp, "out.hqf")}},
		{[]string{"thumbnail", notes, filepath.Join(tmp, "out.png")}},
	} {
		_, err := pv(t, nil, c.args...)
		if err == nil {
			t.Errorf("%v succeeded", c.args)
			continue
		}
		msg := strings.TrimSpace(err.Error())
		if lines := strings.Count(msg, "\n"); lines > 1 {
			t.Errorf("%v: want a one-line reason, got %q", c.args, msg)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "out.bqm")); err == nil {
		t.Error("a failed convert left an output file")
	}
}
