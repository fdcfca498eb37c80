package dxf

import (
	"bytes"
	"testing"

	"github.com/patternvault/patternvault/internal/geom"
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
		var out bytes.Buffer
		if err := Write(&out, d); err != nil {
			t.Fatalf("writing what was read: %v", err)
		}
		if _, err := Read(out.Bytes()); err != nil {
			t.Fatalf("re-reading written DXF: %v", err)
		}
	})
}
