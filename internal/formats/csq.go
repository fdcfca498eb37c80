package formats

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/geom"
)

// CSQ is the Gammill CreativeStudio export, following the open "CSQ Open
// Source File Format Specification V1.0" (CSQV1, Gianni Mariani, CC BY 2.0):
// a first line "#CSQLI", then one "x,y,code" per line, where code 0 moves,
// 1 draws a line and 3 is one Bézier point (three consecutive code-3 lines
// are control 1, control 2 and the end point).
//
// Assumptions, because the published excerpts do not settle them: units are
// decimal inches (CreativeStudio works in inches, and writers print plain
// decimals rather than the integer thousandths of QLI), Y up; a move (code 0)
// is a jump with the needle up; lines starting with '#' are comments. The
// reader and writer follow the same assumptions, so conversions round-trip.
// CSQ has no arcs (written as Béziers within 0.00001 in per inch of radius),
// no pauses (dropped) and no jump routes (a jump is a single move).
var CSQ = &Format{
	Name:       "csq",
	Title:      "Gammill CreativeStudio CSQ",
	Extensions: []string{"csq"},
	Sniff:      sniffCSQ,
	Read:       readCSQ,
	Write:      writeCSQ,
	keeps:      keepJumps,
	text:       true,
}

func init() { register(CSQ) }

func sniffCSQ(head []byte) bool {
	lines := headLines(head, 1)
	return len(lines) == 1 && strings.EqualFold(lines[0], "#CSQLI")
}

func readCSQ(data []byte) (*geom.Design, error) {
	if err := checkSize("csq", data); err != nil {
		return nil, err
	}
	var b builder
	var bez []geom.Point // pending code-3 points
	started, header := false, false
	err := eachLine(data, func(n int, line string) error {
		if !header {
			if !strings.EqualFold(line, "#CSQLI") {
				return fmt.Errorf("csq: line %d: missing #CSQLI header: %w", n, ErrNotDesign)
			}
			header = true
			return nil
		}
		if line == "" || line[0] == '#' {
			return nil
		}
		f := strings.Split(line, ",")
		if len(f) != 3 {
			return fmt.Errorf("csq: line %d: want x,y,code, got %q", n, line)
		}
		x, err1 := parseNumber(strings.TrimSpace(f[0]))
		y, err2 := parseNumber(strings.TrimSpace(f[1]))
		code, err3 := strconv.Atoi(strings.TrimSpace(f[2]))
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("csq: line %d: bad point %q: %w", n, clip(line), err)
		}
		if err3 != nil {
			return fmt.Errorf("csq: line %d: bad point %q", n, clip(line))
		}
		p := geom.Point{X: x, Y: y}
		if code != 3 && len(bez) > 0 {
			return fmt.Errorf("csq: line %d: Bézier cut short after %d points", n, len(bez))
		}
		var err error
		switch code {
		case 0:
			if started {
				err = b.lineTo(p, false)
			} else {
				err = b.moveTo(p)
			}
		case 1:
			err = b.lineTo(p, true)
		case 3:
			if bez = append(bez, p); len(bez) == 3 {
				err = b.add(geom.Segment{Kind: geom.Cubic, C1: bez[0], C2: bez[1], End: bez[2]}, true)
				bez = bez[:0]
			}
		default:
			return fmt.Errorf("csq: line %d: unknown code %d", n, code)
		}
		started = true
		if err != nil {
			return fmt.Errorf("csq: line %d: %w", n, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !header {
		return nil, fmt.Errorf("csq: empty file: %w", ErrNotDesign)
	}
	if len(bez) > 0 {
		return nil, fmt.Errorf("csq: Bézier cut short at end of file")
	}
	return b.design("csq")
}

// writeCSQ writes the design in inches with five decimals.
func writeCSQ(w io.Writer, d *geom.Design) error {
	if err := checkWritable("csq", d); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("#CSQLI\r\n")
	var cur geom.Point
	first := true
	b := make([]byte, 0, 48)
	pt := func(p geom.Point, code int) {
		b = appendCSQNum(b[:0], p.X)
		b = appendCSQNum(append(b, ','), p.Y)
		bw.Write(append(b, ',', byte('0'+code), '\r', '\n'))
	}
	for i := range d.Paths {
		p := &d.Paths[i]
		if !p.Stitch {
			if len(p.Segments) > 0 {
				pt(p.End(), 0)
				cur, first = p.End(), false
			}
			continue
		}
		if first || p.Start != cur {
			pt(p.Start, 0)
			first = false
		}
		from := p.Start
		for j := range p.Segments {
			s := &p.Segments[j]
			switch s.Kind {
			case geom.Line:
				pt(s.End, 1)
			case geom.Cubic:
				pt(s.C1, 3)
				pt(s.C2, 3)
				pt(s.End, 3)
			case geom.Arc:
				for _, c := range arcToCubics(from, s) {
					pt(c.C1, 3)
					pt(c.C2, 3)
					pt(c.End, 3)
				}
			}
			from = s.End
		}
		cur = p.End()
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("csq: %w", err)
	}
	return nil
}

// appendCSQNum appends an inch value with five decimals and no trailing
// zeros ("1.5", "0", never "-0").
func appendCSQNum(b []byte, f float64) []byte {
	start := len(b)
	b = geom.AppendFixed(b, f, 5)
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	if s := string(b[start:]); s == "-0" || s == "" || s == "-" {
		b = append(b[:start], '0')
	}
	return b
}

// arcToCubics approximates the arc s starting at from with cubic Béziers of
// at most 45 degrees each; the radial error is below 5e-6 of the radius.
func arcToCubics(from geom.Point, s *geom.Segment) []geom.Segment {
	r := from.Dist(s.Center)
	a0 := math.Atan2(from.Y-s.Center.Y, from.X-s.Center.X)
	n := int(math.Ceil(math.Abs(s.Sweep) / (math.Pi / 4)))
	if n < 1 {
		n = 1
	}
	step := s.Sweep / float64(n)
	k := 4.0 / 3 * math.Tan(step/4) * r
	out := make([]geom.Segment, n)
	for i := range n {
		a, b := a0+step*float64(i), a0+step*float64(i+1)
		p0 := geom.Point{X: s.Center.X + r*math.Cos(a), Y: s.Center.Y + r*math.Sin(a)}
		p1 := geom.Point{X: s.Center.X + r*math.Cos(b), Y: s.Center.Y + r*math.Sin(b)}
		out[i] = geom.Segment{
			Kind: geom.Cubic,
			C1:   geom.Point{X: p0.X - k*math.Sin(a), Y: p0.Y + k*math.Cos(a)},
			C2:   geom.Point{X: p1.X + k*math.Sin(b), Y: p1.Y - k*math.Cos(b)},
			End:  p1,
		}
	}
	out[n-1].End = s.End
	return out
}
