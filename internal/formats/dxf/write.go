package dxf

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/patternvault/patternvault/internal/geom"
)

// Write encodes d as an R12 polyline DXF in inches; see the package
// documentation.
func Write(w io.Writer, d *geom.Design) error {
	if err := d.Check(); err != nil {
		return fmt.Errorf("dxf: write: %w", err)
	}
	var b geom.Bounder
	for i := range d.Paths {
		if p := &d.Paths[i]; p.Stitch {
			b.AddPath(p)
		}
	}
	if b.Empty() {
		b.Add(geom.Point{})
	}
	dw := &dxfWriter{w: bufio.NewWriter(w)}
	dw.header(b)
	dw.group(0, "SECTION")
	dw.group(2, "ENTITIES")
	for i := range d.Paths {
		if d.Paths[i].Stitch && len(d.Paths[i].Segments) > 0 {
			dw.polyline(&d.Paths[i])
		}
	}
	dw.group(0, "ENDSEC")
	dw.group(0, "EOF")
	if dw.err == nil {
		dw.err = dw.w.Flush()
	}
	if dw.err != nil {
		return fmt.Errorf("dxf: write: %w", dw.err)
	}
	return nil
}

// dxfWriter writes group pairs, remembering the first error.
type dxfWriter struct {
	w   *bufio.Writer
	err error
	buf []byte
}

// code writes a group code right-aligned in three columns, as AutoCAD does.
func (dw *dxfWriter) code(code int) {
	b := dw.buf[:0]
	switch {
	case code < 10:
		b = append(b, ' ', ' ')
	case code < 100:
		b = append(b, ' ')
	}
	b = strconv.AppendInt(b, int64(code), 10)
	dw.buf = append(b, '\r', '\n')
	dw.write(dw.buf)
}

func (dw *dxfWriter) write(b []byte) {
	if dw.err == nil {
		_, dw.err = dw.w.Write(b)
	}
}

// group writes one code/value pair with CRLF line ends.
func (dw *dxfWriter) group(code int, value string) {
	dw.code(code)
	dw.buf = append(append(dw.buf[:0], value...), '\r', '\n')
	dw.write(dw.buf)
}

// num writes a number with six decimals (a millionth of an inch).
func (dw *dxfWriter) num(code int, v float64) {
	if math.Abs(v) < 5e-7 {
		v = 0 // no "-0.000000"
	}
	dw.code(code)
	dw.buf = append(geom.AppendFixed(dw.buf[:0], v, 6), '\r', '\n')
	dw.write(dw.buf)
}

func (dw *dxfWriter) point(code int, p geom.Point) {
	dw.num(code, p.X)
	dw.num(code+10, p.Y)
	dw.num(code+20, 0)
}

// header writes the HEADER section: version, units and extents.
func (dw *dxfWriter) header(b geom.Bounder) {
	dw.group(0, "SECTION")
	dw.group(2, "HEADER")
	dw.group(9, "$ACADVER")
	dw.group(1, "AC1009")
	dw.group(9, "$INSUNITS")
	dw.group(70, "1")
	dw.group(9, "$MEASUREMENT")
	dw.group(70, "0")
	dw.group(9, "$EXTMIN")
	dw.point(10, b.Rect().Min)
	dw.group(9, "$EXTMAX")
	dw.point(10, b.Rect().Max)
	dw.group(0, "ENDSEC")
}

// polyline writes one stitched path as POLYLINE/VERTEX.../SEQEND.
func (dw *dxfWriter) polyline(p *geom.Path) {
	vs := vertices(p)
	dw.group(0, "POLYLINE")
	dw.group(8, "0")
	dw.group(66, "1")
	dw.point(10, geom.Point{})
	dw.group(70, "0")
	for _, v := range vs {
		dw.group(0, "VERTEX")
		dw.group(8, "0")
		dw.point(10, v.p)
		if v.bulge != 0 {
			dw.num(42, v.bulge)
		}
	}
	dw.group(0, "SEQEND")
	dw.group(8, "0")
}

// vertices turns a path into polyline vertices: arcs become bulges on the
// vertex where they start (split so none exceeds a half turn), cubics are
// flattened within geom.DefaultTolerance.
func vertices(p *geom.Path) []vertex {
	vs := []vertex{{p: p.Start}}
	cur := p.Start
	var pts []geom.Point
	for i := range p.Segments {
		s := &p.Segments[i]
		switch s.Kind {
		case geom.Arc:
			r := cur.Dist(s.Center)
			n := int(math.Ceil(math.Abs(s.Sweep) / math.Pi))
			if r == 0 || n == 0 {
				vs = append(vs, vertex{p: s.End})
				break
			}
			a0 := math.Atan2(cur.Y-s.Center.Y, cur.X-s.Center.X)
			bulge := math.Tan(s.Sweep / float64(n) / 4)
			for k := 1; k <= n; k++ {
				vs[len(vs)-1].bulge = bulge
				end := s.End
				if k < n {
					sin, cos := math.Sincos(a0 + s.Sweep*float64(k)/float64(n))
					end = geom.Point{X: s.Center.X + r*cos, Y: s.Center.Y + r*sin}
				}
				vs = append(vs, vertex{p: end})
			}
		case geom.Cubic:
			pts = s.Flatten(pts[:0], cur, geom.DefaultTolerance)
			for _, q := range pts {
				vs = append(vs, vertex{p: q})
			}
		default:
			vs = append(vs, vertex{p: s.End})
		}
		cur = s.End
	}
	return vs
}
