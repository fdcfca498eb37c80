package dxf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/patternvault/patternvault/internal/formats/formatstest"
	"github.com/patternvault/patternvault/internal/formats/svg"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// FuzzReadDXF checks that Read never panics, keeps within the segment limit
// and that whatever it reads can be written and read again.
func FuzzReadDXF(f *testing.F) {
	var buf bytes.Buffer
	if err := Write(&buf, sample()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	seeds := []string{
		drawing(1, groups(0, "LWPOLYLINE", 90, 3, 70, 1, 10, 0, 20, 0, 42, 1, 10, 2, 20, 0, 42, -0.5, 10, 2, 20, 2)),
		drawing(4, groups(0, "LINE", 10, 0, 20, 0, 11, 300, 21, 0)+groups(0, "ARC", 10, 300, 20, 10, 40, 10, 50, 270, 51, 90, 230, -1)+
			groups(0, "CIRCLE", 10, 5, 20, 5, 40, 2)),
		drawing(-1, groups(0, "POLYLINE", 70, 1)+groups(0, "VERTEX", 10, 0, 20, 0, 42, 0.3)+groups(0, "VERTEX", 10, 1, 20, 1)+groups(0, "SEQEND")),
		drawing(1, splineEntity(3, []float64{0, 0, 0, 0, 1, 2, 2, 2, 2}, nil, []geom.Point{{X: 0}, {X: 1, Y: 1}, {X: 2}, {X: 3, Y: 1}, {X: 4}})),
		drawing(1, splineEntity(2, []float64{0, 0, 0, 1, 1, 1}, []float64{1, 0.7, 1}, []geom.Point{{X: 1}, {X: 1, Y: 1}, {Y: 1}})),
		drawing(1, groups(0, "SPLINE", 71, 3, 11, 0, 21, 0, 11, 1, 21, 1, 11, 2, 21, 0)),
		drawing(1, groups(0, "ELLIPSE", 10, 0, 20, 0, 11, 3, 21, 1, 40, 0.5, 41, 1, 42, 4)),
		groups(0, "SECTION", 2, "BLOCKS", 0, "BLOCK", 2, "a", 10, 1, 20, 1, 0, "LINE", 11, 1, 0, "INSERT", 2, "a", 0, "ENDBLK", 0, "ENDSEC") +
			drawing(1, groups(0, "INSERT", 2, "a", 10, 5, 20, 5, 41, 2, 42, -1, 50, 30)),
		"0\nLINE\n10\n1\n11\n2\n0\nEOF\n",
		binaryMagic,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	// Real designs, as DXF: there are no DXF fixtures, so the smallest
	// fixture SVGs (a real designer's drawings) are written as DXF.
	if fx, err := testfixtures.Find(); err == nil {
		files, _ := filepath.Glob(filepath.Join(fx, "stitchables", "*", "*", "*.svg"))
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil || len(data) > 64<<10 {
				continue
			}
			d, err := svg.Read(data)
			if err != nil {
				f.Fatalf("%s: %v", name, err)
			}
			var buf bytes.Buffer
			if err := Write(&buf, d); err != nil {
				f.Fatalf("%s: %v", name, err)
			}
			f.Add(buf.Bytes())
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Read(data)
		if err != nil {
			return
		}
		n := 0
		for _, p := range d.Paths {
			n += len(p.Segments)
		}
		if n > geom.MaxSegments+len(d.Paths) {
			t.Fatalf("%d segments read, limit %d", n, geom.MaxSegments)
		}
		if err := d.Check(); err != nil {
			t.Fatalf("design read outside the guard: %v", err)
		}
		var out bytes.Buffer
		if err := Write(&out, formatstest.WithoutText(d)); err != nil {
			t.Fatalf("writing what was read: %v", err)
		}
		if err := formatstest.CheckOutput(out.Bytes()); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(out.Bytes()); err != nil {
			t.Fatalf("re-reading written DXF: %v", err)
		}
	})
}
