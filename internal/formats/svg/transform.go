package svg

import (
	"fmt"
	"math"
	"strings"

	"github.com/patternvault/patternvault/internal/geom"
)

// matrix is a 2D affine transform mapping (x, y) to
// (a*x + c*y + e, b*x + d*y + f), as in SVG's matrix(a b c d e f).
type matrix struct {
	a, b, c, d, e, f float64
}

// identity is the transform that changes nothing.
var identity = matrix{a: 1, d: 1}

// mul returns m×n: the transform that applies n first, then m.
func (m matrix) mul(n matrix) matrix {
	return matrix{
		a: m.a*n.a + m.c*n.b,
		b: m.b*n.a + m.d*n.b,
		c: m.a*n.c + m.c*n.d,
		d: m.b*n.c + m.d*n.d,
		e: m.a*n.e + m.c*n.f + m.e,
		f: m.b*n.e + m.d*n.f + m.f,
	}
}

// apply maps p through m.
func (m matrix) apply(p geom.Point) geom.Point {
	return geom.Point{X: m.a*p.X + m.c*p.Y + m.e, Y: m.b*p.X + m.d*p.Y + m.f}
}

// det returns the determinant of the linear part; negative means m mirrors.
func (m matrix) det() float64 { return m.a*m.d - m.b*m.c }

// conformal reports whether m maps circles to circles (rotation, uniform
// scale, translation and possibly one mirror), and if so its scale factor.
func (m matrix) conformal() (scale float64, ok bool) {
	n := math.Abs(m.a) + math.Abs(m.b) + math.Abs(m.c) + math.Abs(m.d)
	eps := 1e-9 * n
	rot := math.Abs(m.a-m.d) <= eps && math.Abs(m.b+m.c) <= eps
	mir := math.Abs(m.a+m.d) <= eps && math.Abs(m.b-m.c) <= eps
	if !rot && !mir {
		return 0, false
	}
	s := math.Sqrt(math.Abs(m.det()))
	return s, s > 0 && !math.IsInf(s, 0) && !math.IsNaN(s)
}

func translate(x, y float64) matrix { return matrix{a: 1, d: 1, e: x, f: y} }
func scale(x, y float64) matrix     { return matrix{a: x, d: y} }

// rotate returns a rotation by deg degrees (positive turns +X towards +Y).
func rotate(deg float64) matrix {
	s, c := math.Sincos(deg * math.Pi / 180)
	return matrix{a: c, b: s, c: -s, d: c}
}

// parseTransform parses an SVG transform list such as
// "translate(10,20) rotate(45 5 5) scale(2)". The functions apply right to
// left, as SVG specifies, so the result is their product in written order.
func parseTransform(s string) (matrix, error) {
	m := identity
	rest := s
	for {
		rest = strings.TrimLeft(rest, " \t\r\n,")
		if rest == "" {
			return m, nil
		}
		open := strings.IndexByte(rest, '(')
		if open < 0 {
			return m, fmt.Errorf("transform %q: missing '('", s)
		}
		name := strings.TrimSpace(rest[:open])
		end := strings.IndexByte(rest[open:], ')')
		if end < 0 {
			return m, fmt.Errorf("transform %q: missing ')'", s)
		}
		args, err := parseNumberList(rest[open+1 : open+end])
		if err != nil {
			return m, fmt.Errorf("transform %q: %s: %w", s, name, err)
		}
		t, err := transformFunc(name, args)
		if err != nil {
			return m, fmt.Errorf("transform %q: %w", s, err)
		}
		m = m.mul(t)
		rest = rest[open+end+1:]
	}
}

// transformFunc builds the matrix of one transform function.
func transformFunc(name string, v []float64) (matrix, error) {
	bad := func() (matrix, error) {
		return identity, fmt.Errorf("%s: wrong number of arguments (%d)", name, len(v))
	}
	switch name {
	case "matrix":
		if len(v) != 6 {
			return bad()
		}
		return matrix{v[0], v[1], v[2], v[3], v[4], v[5]}, nil
	case "translate":
		switch len(v) {
		case 1:
			return translate(v[0], 0), nil
		case 2:
			return translate(v[0], v[1]), nil
		}
		return bad()
	case "scale":
		switch len(v) {
		case 1:
			return scale(v[0], v[0]), nil
		case 2:
			return scale(v[0], v[1]), nil
		}
		return bad()
	case "rotate":
		switch len(v) {
		case 1:
			return rotate(v[0]), nil
		case 3:
			return translate(v[1], v[2]).mul(rotate(v[0])).mul(translate(-v[1], -v[2])), nil
		}
		return bad()
	case "skewX":
		if len(v) != 1 {
			return bad()
		}
		return matrix{a: 1, d: 1, c: math.Tan(v[0] * math.Pi / 180)}, nil
	case "skewY":
		if len(v) != 1 {
			return bad()
		}
		return matrix{a: 1, d: 1, b: math.Tan(v[0] * math.Pi / 180)}, nil
	}
	return identity, fmt.Errorf("unknown transform function %q", name)
}

// parseNumberList parses numbers separated by white space and/or commas.
func parseNumberList(s string) ([]float64, error) {
	sc := scanner{s: s}
	var out []float64
	for {
		sc.skipSep()
		if sc.eof() {
			return out, nil
		}
		v, err := sc.number()
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}
