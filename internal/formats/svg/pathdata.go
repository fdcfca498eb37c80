package svg

import (
	"fmt"
	"math"
	"strconv"

	"github.com/patternvault/patternvault/internal/geom"
)

// scanner reads numbers, flags and command letters from SVG attribute text.
type scanner struct {
	s string
	i int
}

func (sc *scanner) eof() bool { return sc.i >= len(sc.s) }

// skipSep skips white space and at most... any commas between tokens.
func (sc *scanner) skipSep() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\r', '\n', '\f', ',':
			sc.i++
		default:
			return
		}
	}
}

// number reads one SVG number: [+-]digits[.digits][e[+-]digits]. A second
// '.' ends the number, so "-.5.5" is -0.5 followed by 0.5.
func (sc *scanner) number() (float64, error) {
	sc.skipSep()
	start := sc.i
	s := sc.s
	i := sc.i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, fmt.Errorf("offset %d: expected a number", start)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	v, err := strconv.ParseFloat(s[start:i], 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("offset %d: bad number %q", start, s[start:i])
	}
	sc.i = i
	return v, nil
}

// flag reads an arc flag, a single '0' or '1' that needs no separator.
func (sc *scanner) flag() (bool, error) {
	sc.skipSep()
	if sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case '0':
			sc.i++
			return false, nil
		case '1':
			sc.i++
			return true, nil
		}
	}
	return false, fmt.Errorf("offset %d: expected an arc flag 0 or 1", sc.i)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// pathSink receives the pieces of parsed path data, in user units.
type pathSink interface {
	moveTo(p geom.Point) error
	lineTo(p geom.Point) error
	cubicTo(c1, c2, p geom.Point) error
	// arcTo is an SVG elliptical arc from the current point to p.
	arcTo(from geom.Point, rx, ry, phiDeg float64, large, sweep bool, p geom.Point) error
}

// argCount is how many numbers each path command takes.
var argCount = map[byte]int{
	'M': 2, 'L': 2, 'H': 1, 'V': 1, 'C': 6, 'S': 4, 'Q': 4, 'T': 2, 'A': 7, 'Z': 0,
}

// parsePath parses SVG path data d and sends it to sink. It supports every
// command in both absolute and relative form with implicit repeats.
func parsePath(d string, sink pathSink) error {
	sc := scanner{s: d}
	var cur, start, ctrl geom.Point // ctrl: last control point for S/T
	var cmd, prev byte
	for {
		sc.skipSep()
		if sc.eof() {
			return nil
		}
		c := sc.s[sc.i]
		if _, ok := argCount[upper(c)]; ok {
			cmd = c
			sc.i++
		} else if isLetter(c) {
			return fmt.Errorf("offset %d: unknown path command %q", sc.i, c)
		} else if cmd == 0 || upper(cmd) == 'Z' {
			return fmt.Errorf("offset %d: number without a command", sc.i)
		}
		rel := cmd >= 'a'
		base := geom.Point{}
		if rel {
			base = cur
		}
		var a [7]float64
		n := argCount[upper(cmd)]
		for k := 0; k < n; k++ {
			var err error
			if upper(cmd) == 'A' && (k == 3 || k == 4) {
				var f bool
				f, err = sc.flag()
				if f {
					a[k] = 1
				}
			} else {
				a[k], err = sc.number()
			}
			if err != nil {
				return fmt.Errorf("command %c: %w", cmd, err)
			}
		}
		pt := func(i int) geom.Point { return geom.Point{X: base.X + a[i], Y: base.Y + a[i+1]} }
		var err error
		switch upper(cmd) {
		case 'M':
			cur = pt(0)
			start = cur
			err = sink.moveTo(cur)
			// Further coordinate pairs are implicit line-tos.
			if rel {
				cmd = 'l'
			} else {
				cmd = 'L'
			}
		case 'Z':
			if cur != start {
				err = sink.lineTo(start)
			}
			cur = start
		case 'L':
			cur = pt(0)
			err = sink.lineTo(cur)
		case 'H':
			cur = geom.Point{X: base.X + a[0], Y: cur.Y}
			err = sink.lineTo(cur)
		case 'V':
			cur = geom.Point{X: cur.X, Y: base.Y + a[0]}
			err = sink.lineTo(cur)
		case 'C':
			ctrl = pt(2)
			p := pt(4)
			err = sink.cubicTo(pt(0), ctrl, p)
			cur = p
		case 'S':
			c1 := cur
			if u := upper(prev); u == 'C' || u == 'S' {
				c1 = cur.Add(cur.Sub(ctrl))
			}
			ctrl = pt(0)
			p := pt(2)
			err = sink.cubicTo(c1, ctrl, p)
			cur = p
		case 'Q':
			ctrl = pt(0)
			p := pt(2)
			err = quadTo(sink, cur, ctrl, p)
			cur = p
		case 'T':
			q := cur
			if u := upper(prev); u == 'Q' || u == 'T' {
				q = cur.Add(cur.Sub(ctrl))
			}
			ctrl = q
			p := pt(0)
			err = quadTo(sink, cur, q, p)
			cur = p
		case 'A':
			p := pt(5)
			err = sink.arcTo(cur, a[0], a[1], a[2], a[3] != 0, a[4] != 0, p)
			cur = p
		}
		if err != nil {
			return err
		}
		prev = cmd
	}
}

// quadTo sends the quadratic Bézier p0,q,p as the equivalent cubic.
func quadTo(sink pathSink, p0, q, p geom.Point) error {
	c1 := p0.Add(q.Sub(p0).Scale(2.0 / 3))
	c2 := p.Add(q.Sub(p).Scale(2.0 / 3))
	return sink.cubicTo(c1, c2, p)
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// arcCenter converts an SVG endpoint arc to centre form (SVG 1.1 appendix
// F.6.5), scaling radii up when they are too small to reach. Angles are in
// radians in user space; dtheta > 0 when sweep is set.
func arcCenter(p1 geom.Point, rx, ry, phiDeg float64, large, sweep bool, p2 geom.Point) (c geom.Point, rxo, ryo, theta1, dtheta float64) {
	rx, ry = math.Abs(rx), math.Abs(ry)
	sinPhi, cosPhi := math.Sincos(phiDeg * math.Pi / 180)
	dx, dy := (p1.X-p2.X)/2, (p1.Y-p2.Y)/2
	x1 := cosPhi*dx + sinPhi*dy
	y1 := -sinPhi*dx + cosPhi*dy
	if l := x1*x1/(rx*rx) + y1*y1/(ry*ry); l > 1 {
		s := math.Sqrt(l)
		rx, ry = rx*s, ry*s
	}
	num := rx*rx*ry*ry - rx*rx*y1*y1 - ry*ry*x1*x1
	den := rx*rx*y1*y1 + ry*ry*x1*x1
	k := 0.0
	if den > 0 && num > 0 {
		k = math.Sqrt(num / den)
	}
	if large == sweep {
		k = -k
	}
	cx1 := k * rx * y1 / ry
	cy1 := -k * ry * x1 / rx
	c = geom.Point{
		X: cosPhi*cx1 - sinPhi*cy1 + (p1.X+p2.X)/2,
		Y: sinPhi*cx1 + cosPhi*cy1 + (p1.Y+p2.Y)/2,
	}
	ux, uy := (x1-cx1)/rx, (y1-cy1)/ry
	vx, vy := (-x1-cx1)/rx, (-y1-cy1)/ry
	theta1 = math.Atan2(uy, ux)
	dtheta = math.Atan2(ux*vy-uy*vx, ux*vx+uy*vy)
	if !sweep && dtheta > 0 {
		dtheta -= 2 * math.Pi
	} else if sweep && dtheta < 0 {
		dtheta += 2 * math.Pi
	}
	return c, rx, ry, theta1, dtheta
}

// ellipseCubics appends cubic segments approximating the elliptical arc with
// centre c, radii rx, ry, x-axis rotation phi (radians), from angle theta1
// sweeping dtheta, each mapped through m. Pieces span at most π/4, which
// keeps the error below 5e-6 of the radius.
func ellipseCubics(dst []geom.Segment, m matrix, c geom.Point, rx, ry, phi, theta1, dtheta float64) []geom.Segment {
	e := m.mul(translate(c.X, c.Y)).mul(matrix{a: math.Cos(phi), b: math.Sin(phi), c: -math.Sin(phi), d: math.Cos(phi)}).mul(scale(rx, ry))
	n := int(math.Ceil(math.Abs(dtheta) / (math.Pi / 4)))
	if n < 1 {
		n = 1
	}
	step := dtheta / float64(n)
	k := 4.0 / 3 * math.Tan(step/4)
	for i := 0; i < n; i++ {
		a0 := theta1 + step*float64(i)
		a1 := a0 + step
		s0, c0 := math.Sincos(a0)
		s1, c1 := math.Sincos(a1)
		dst = append(dst, geom.Segment{
			Kind: geom.Cubic,
			C1:   e.apply(geom.Point{X: c0 - k*s0, Y: s0 + k*c0}),
			C2:   e.apply(geom.Point{X: c1 + k*s1, Y: s1 - k*c1}),
			End:  e.apply(geom.Point{X: c1, Y: s1}),
		})
	}
	return dst
}
