package formats

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/geom"
)

// The samples follow FORMATS.md's account of one exporter's output: the
// same small design (a 1 × 0.5 in zig-zag, then a jump and a 0.5 in line).
const (
	cmdSample   = "PU\r\nX0.0000,0.0000 Y\r\nPD\r\nX0.5000,-0.5000 Y\r\nX1.0000,0.0000 Y\r\nPU\r\nX1.0000,-2.0000 Y\r\nPD\r\nX1.5000,-2.0000 Y\r\nEND\r\nMIN X=0.0000\r\nMAX X=1.5000\r\nMIN Y=-2.0000\r\nMAX Y=0.0000\r\n"
	xySample    = "0.0000 0.0000\r\n0.5000 0.5000\r\n1.0000 0.0000\r\n"
	qdataSample = "$Limit 0,0,1000,500\r\n#COLR R:0,G:0,B:0, Black\r\n0, 0\r\n500, 500\r\n500, -500\r\n#COLR R:255,G:0,B:0, Red\r\n0, 100\r\n#END\r\n"
)

func TestPreview(t *testing.T) {
	cases := []struct {
		name, data    string
		w, h, length  float64
		jumps, pauses int
	}{
		{"design.cqp", cmdSample, 1.5, 2, 2*math.Hypot(0.5, 0.5) + 0.5, 1, 0},
		{"design.cmd", cmdSample, 1.5, 2, 2*math.Hypot(0.5, 0.5) + 0.5, 1, 0},
		{"design.xy", xySample, 1, 0.5, 2 * math.Hypot(0.5, 0.5), 0, 0},
		{"design.txt", xySample, 1, 0.5, 2 * math.Hypot(0.5, 0.5), 0, 0},
		{"design.qdata", qdataSample, 1, 0.5, 2*math.Hypot(0.5, 0.5) + 0.1, 0, 1},
	}
	for _, c := range cases {
		// Read still keeps them as-is: a preview is not a reading.
		if _, _, err := Read(c.name, []byte(c.data)); !errors.Is(err, ErrNoGeometry) {
			t.Errorf("Read(%s) = %v, want ErrNoGeometry", c.name, err)
		}
		d, f, err := Preview(c.name, []byte(c.data))
		if err != nil || f == nil {
			t.Errorf("Preview(%s): %v", c.name, err)
			continue
		}
		if got := Detect(c.name, []byte(c.data)); got != f {
			t.Errorf("Detect(%s) = %v, want %v", c.name, got, f)
		}
		b := d.StitchBounds()
		if math.Abs(b.Width()-c.w) > 1e-9 || math.Abs(b.Height()-c.h) > 1e-9 || math.Abs(d.StitchLength()-c.length) > 1e-9 ||
			d.JumpCount() != c.jumps || len(d.Pauses) != c.pauses {
			t.Errorf("Preview(%s): %v × %v in, %v in sewn, %d jumps, %d pauses; want %v × %v, %v, %d, %d", c.name,
				b.Width(), b.Height(), d.StitchLength(), d.JumpCount(), len(d.Pauses), c.w, c.h, c.length, c.jumps, c.pauses)
		}
		if len(d.Warnings) == 0 || !strings.Contains(d.Warnings[0], "preview") || d.Meta.Format != f.Name {
			t.Errorf("Preview(%s): warnings %q, format %q", c.name, d.Warnings, d.Meta.Format)
		}
	}
	// Y is down in CMD and up in XY: the zig-zag points the same way in both.
	cmd, _, _ := Preview("a.cmd", []byte(cmdSample))
	xy, _, _ := Preview("a.xy", []byte(xySample))
	if got, want := cmd.Paths[0].Segments[0].End, xy.Paths[0].Segments[0].End; got != want {
		t.Errorf("CMD's second point %v, XY's %v: one of them is mirrored", got, want)
	}
	// The QDATA thread change is a pause with the thread's name.
	q, _, _ := Preview("a.qdata", []byte(qdataSample))
	if q.Pauses[0].Text != "Red" || len(q.Meta.Notes) != 1 || q.Meta.Notes[0] != "Thread: Black" {
		t.Errorf("QDATA pauses %+v, notes %q", q.Pauses, q.Meta.Notes)
	}
	// A file that does not follow the exporter's layout has no preview,
	// and is still a design kept as-is, not an unreadable one.
	for name, data := range map[string]string{
		"real.cqp": "\x01\x02\x03binary Compuquilter", "notes.xy": "hello there world\n",
		"far.xy": "0 0\n1e300 0\n", "big.qdata": "0, 0\n99999999999, 0\n",
	} {
		d, f, err := Preview(name, []byte(data))
		if d != nil || f == nil || !errors.Is(err, ErrNoGeometry) || errors.Is(err, ErrUnreadable) {
			t.Errorf("Preview(%s) = %v, %v, %v; want no preview, kept as-is", name, d != nil, f, err)
		}
	}
	// Formats with a reader preview what they read; others have none.
	if d, f, err := Preview("a.qli", []byte("#CAD2DMC\nVP 1000,0\nEN\n")); err != nil || f != QLI || len(d.Warnings) != 0 {
		t.Errorf("Preview(qli) = %v, %v", f, err)
	}
	if _, f, err := Preview("a.hqf", []byte("\x00\x01")); f != HQF || !errors.Is(err, ErrNoGeometry) {
		t.Errorf("Preview(hqf) = %v, %v", f, err)
	}
}

// FuzzPreview checks the preview readers (CMD/CQP, XY/TXT, QDATA): no
// panic; no preview, or one within the segment limit and the guard.
func FuzzPreview(f *testing.F) {
	for _, s := range []string{cmdSample, xySample, qdataSample, "PD\nX1e308,0 Y\n", "0 0\n" + strings.Repeat("9", 320) + " 1\n", "1, 1\n#COLR\n2, 2\n"} {
		f.Add(uint8(0), []byte(s))
		f.Add(uint8(1), []byte(s))
		f.Add(uint8(2), []byte(s))
	}
	names := []string{"f.cqp", "f.xy", "f.qdata"}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		d, _, err := Preview(names[int(which)%len(names)], data)
		if err != nil {
			if d != nil {
				t.Fatalf("design and error %v", err)
			}
			return
		}
		if n := d.SegmentCount(); n > geom.MaxSegments {
			t.Fatalf("%d segments", n)
		}
		if err := d.Check(); err != nil {
			t.Fatalf("preview outside the guard: %v", err)
		}
	})
}
