package main

import (
	"encoding/json"
	"errors"
	"image/png"
	"math"
	"os"
	"os/exec"
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
	t.Parallel()
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
	t.Parallel()
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

// pvAll runs the binary and returns its standard output, standard error
// and exit code.
func pvAll(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%v: %v", args, err)
	}
	return o.String(), e.String(), code
}

// TestOverflowingNumbers is issue 14's must-show: a QLI with VP1e308,0 is
// refused by inspect (text and JSON) and by convert, with a one-line
// message naming the line, and convert writes nothing.
func TestOverflowingNumbers(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	bad := filepath.Join(tmp, "overflow.qli")
	os.WriteFile(bad, []byte("#CAD2DMC\r\nCS\r\nVMXY\r\nNO NEEDLE ON\r\nVP 1000,0\r\nVP1e308,0\r\nVE\r\nEN\r\n"), 0o644)
	for _, args := range [][]string{
		{"inspect", bad},
		{"inspect", "--json", bad},
		{"convert", bad, filepath.Join(tmp, "out.bqm")},
		{"convert", bad, filepath.Join(tmp, "out.qcc")},
		{"convert", bad, filepath.Join(tmp, "out.plt")},
		{"thumbnail", bad, filepath.Join(tmp, "out.png")},
	} {
		stdout, stderr, code := pvAll(t, args...)
		msg := strings.TrimSpace(stderr)
		if code == 0 || !strings.Contains(msg, "line 6") || !strings.Contains(msg, "out of range") || strings.Count(msg, "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want a failure naming line 6 in one line", args, code, msg)
		}
		if strings.Contains(stdout, "Inf") {
			t.Errorf("%v printed %q", args, stdout)
		}
	}
	for _, out := range []string{"out.bqm", "out.qcc", "out.plt", "out.png"} {
		if _, err := os.Stat(filepath.Join(tmp, out)); err == nil {
			t.Errorf("a refused conversion wrote %s", out)
		}
	}
}

// TestConvertWarnings: convert says what the target format cannot carry
// (issue 15: pauses dropped by BQM, jumps sewn by QCC) and inspect shows
// the reader's doubts (an implausible size), while still succeeding.
func TestConvertWarnings(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	in := filepath.Join(tmp, "two parts.qli")
	os.WriteFile(in, []byte("#CAD2DMC\r\nCS\r\nVMXY\r\nNO INFO Designed by Pam\r\nNO NEEDLE ON\r\nVP 4000,0\r\nVE\r\n"+
		"NO PAUSE Change to red thread\r\nNO NEEDLE OFF\r\nVP 0,3000\r\nVE\r\nNO NEEDLE ON\r\nVP -4000,0\r\nVE\r\nEN\r\n"), 0o644)
	cases := map[string][]string{
		"bqm": {`BQM files have no pauses: the pause ("Change to red thread") is left out`, "BQM files have no place for the title, designer and notes"},
		"qcc": {"QCC files have no pauses", "QCC files have no jumps: 1 jump (3.0 in) will be sewn as stitches"},
		"plt": {"PLT files keep pauses as pen changes without their messages"},
		"dxf": {"DXF files have no pauses"},
		"csq": {"CSQ files have no pauses"},
		"qli": nil,
		"svg": nil,
	}
	for ext, want := range cases {
		_, stderr, code := pvAll(t, "convert", in, filepath.Join(tmp, "out."+ext))
		if code != 0 {
			t.Errorf("convert to %s: exit %d: %s", ext, code, stderr)
			continue
		}
		for _, w := range want {
			if !strings.Contains(stderr, "warning: "+w) {
				t.Errorf("convert to %s: stderr %q, want a warning %q", ext, stderr, w)
			}
		}
		if want == nil && stderr != "" {
			t.Errorf("convert to %s keeps everything, yet warned: %q", ext, stderr)
		}
	}

	huge := filepath.Join(tmp, "huge.qli")
	os.WriteFile(huge, []byte("#CAD2DMC\r\nVMXY\r\nVP 941000,0\r\nVP 941000,1080000\r\nVE\r\nEN\r\n"), 0o644)
	out, _, code := pvAll(t, "inspect", huge)
	if code != 0 || !strings.Contains(out, "warning") || !strings.Contains(out, "941.0 × 1080.0 in") {
		t.Errorf("inspect of a 941 × 1080 in QLI: exit %d\n%s", code, out)
	}
	out, _, _ = pvAll(t, "inspect", "--json", huge)
	var r struct{ Warnings []string }
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Warnings) != 1 {
		t.Errorf("inspect --json: warnings %q (%v)", r.Warnings, err)
	}
}

// TestThumbnailPreview: a Compuquilter file, kept as-is without a reader,
// still gets a thumbnail from its preview (the layout one exporter writes),
// while inspect keeps saying it has no structure PatternVault reads.
func TestThumbnailPreview(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	in := filepath.Join(tmp, "zigzag.cqp")
	os.WriteFile(in, []byte("PU\r\nX0.0000,0.0000 Y\r\nPD\r\nX0.5000,-0.5000 Y\r\nX1.0000,0.0000 Y\r\nEND\r\n"), 0o644)
	out := filepath.Join(tmp, "zigzag.png")
	if _, stderr, code := pvAll(t, "thumbnail", "--size", "64", in, out); code != 0 {
		t.Fatalf("thumbnail of a CQP: exit %d: %s", code, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if img, err := png.Decode(f); err != nil || img.Bounds().Dx() != 64 {
		t.Errorf("thumbnail: %v", err)
	}
	if _, stderr, code := pvAll(t, "inspect", in); code == 0 || !strings.Contains(stderr, "kept as they are") {
		t.Errorf("inspect of a CQP: exit %d, %q", code, stderr)
	}
}
