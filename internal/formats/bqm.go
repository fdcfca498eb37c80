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

// BQM is G-code in inches, Y up, as sold alongside QLI files (believed to be
// for the BERNINA Q-matic): G00 jumps, G01 stitches a line, G02/G03 stitch a
// clockwise/counter-clockwise arc whose I,J are the ABSOLUTE centre
// (verified on the fixtures), M02 ends the program. The reader also accepts
// lines without N numbers, spaces between words, (comments) and ;comments,
// modal G codes and coordinates, G20/G21 (inches/millimetres), G90, and
// M00/M01 program stops as pauses; relative G91 is refused. The writer drops
// pauses, as the designers' own BQM files do.
var BQM = &Format{
	Name:       "bqm",
	Title:      "G-code (BQM)",
	Extensions: []string{"bqm"},
	Sniff:      sniffBQM,
	Read:       readBQM,
	Write:      writeBQM,
	keeps:      keepJumps,
	text:       true,
}

func init() { register(BQM) }

// sniffBQM accepts a first line like "N10G00X0.0000Y-0.0000".
func sniffBQM(head []byte) bool {
	lines := headLines(head, 1)
	if len(lines) == 0 {
		return false
	}
	l := strings.ToUpper(strings.ReplaceAll(lines[0], " ", ""))
	if !strings.HasPrefix(l, "N") {
		return false
	}
	l = strings.TrimLeft(l[1:], "0123456789")
	return len(l) < len(lines[0])-1 && (strings.HasPrefix(l, "G0") || strings.HasPrefix(l, "G1") ||
		strings.HasPrefix(l, "G2") || strings.HasPrefix(l, "G3"))
}

// gcodeReader holds the modal state of one G-code parse.
type gcodeReader struct {
	b      builder
	motion int     // 0..3, -1 before any motion code
	unit   float64 // inches per file unit
	seen   bool
}

func readBQM(data []byte) (*geom.Design, error) {
	if err := checkSize("bqm", data); err != nil {
		return nil, err
	}
	g := &gcodeReader{motion: -1, unit: 1}
	err := eachLine(data, func(n int, line string) error {
		if err := g.line(line); err != nil {
			if err == errStop {
				return err
			}
			if !g.seen {
				return fmt.Errorf("bqm: line %d: %w: %w", n, err, ErrNotDesign)
			}
			return fmt.Errorf("bqm: line %d: %w", n, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !g.seen {
		return nil, fmt.Errorf("bqm: no G-code motion: %w", ErrNotDesign)
	}
	return g.b.design("bqm")
}

// gcodeWords splits a G-code line into letter/value words, dropping
// comments.
func gcodeWords(line string) ([]gcodeWord, error) {
	if i := strings.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	var words []gcodeWord
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '%':
			i++
			continue
		case c == '(':
			j := strings.IndexByte(line[i:], ')')
			if j < 0 {
				return nil, errors.New("unclosed comment")
			}
			i += j + 1
			continue
		}
		letter := c &^ 0x20 // upper case
		if letter < 'A' || letter > 'Z' {
			return nil, fmt.Errorf("unexpected %q", c)
		}
		j := i + 1
		for j < len(line) && strings.IndexByte("+-.0123456789", line[j]) >= 0 {
			j++
		}
		v, err := parseNumber(line[i+1 : j])
		if err != nil {
			return nil, fmt.Errorf("bad number after %c: %w", letter, err)
		}
		words = append(words, gcodeWord{letter, v})
		i = j
	}
	return words, nil
}

type gcodeWord struct {
	letter byte
	value  float64
}

// line interprets one G-code block.
func (g *gcodeReader) line(line string) error {
	if strings.ContainsRune(line, 0) {
		return errors.New("binary data")
	}
	words, err := gcodeWords(line)
	if err != nil {
		return err
	}
	var x, y, i, j float64
	var hasXY, hasIJ bool
	x, y = g.b.cur.X, g.b.cur.Y
	i, j = math.NaN(), math.NaN()
	for _, w := range words {
		switch w.letter {
		case 'G':
			switch w.value {
			case 0, 1, 2, 3:
				g.motion = int(w.value)
			case 20:
				g.unit = 1
			case 21:
				g.unit = 1 / 25.4
			case 90, 17, 40, 49, 80, 94:
			case 91:
				return errors.New("relative coordinates (G91) are not supported")
			default:
				return fmt.Errorf("unsupported G%g", w.value)
			}
		case 'M':
			switch w.value {
			case 0, 1:
				g.b.pause("")
			case 2, 30:
				return errStop
			}
		case 'X':
			x, hasXY = w.value*g.unit, true
		case 'Y':
			y, hasXY = w.value*g.unit, true
		case 'I':
			i, hasIJ = w.value*g.unit, true
		case 'J':
			j, hasIJ = w.value*g.unit, true
		case 'N', 'F', 'S', 'T', 'Z':
		default:
			return fmt.Errorf("unsupported word %c", w.letter)
		}
	}
	if len(words) > 0 {
		g.seen = true
	}
	if !hasXY && !hasIJ {
		return nil
	}
	end := geom.Point{X: x, Y: y}
	switch g.motion {
	case 0:
		return g.b.lineTo(end, false)
	case 1:
		return g.b.lineTo(end, true)
	case 2, 3:
		if math.IsNaN(i) || math.IsNaN(j) {
			return errors.New("arc without I and J centre")
		}
		c := geom.Point{X: i, Y: j}
		return g.b.add(geom.Segment{Kind: geom.Arc, End: end, Center: c, Sweep: sweep(g.b.cur, end, c, g.motion == 3)}, true)
	}
	return errors.New("coordinates before any G00/G01/G02/G03")
}

// sweep returns the signed sweep of the arc from a to b around c, counter-
// clockwise when ccw. Equal end points make a full circle.
func sweep(a, b, c geom.Point, ccw bool) float64 {
	d := math.Atan2(b.Y-c.Y, b.X-c.X) - math.Atan2(a.Y-c.Y, a.X-c.X)
	if ccw {
		for d <= 0 {
			d += 2 * math.Pi
		}
		return d
	}
	for d >= 0 {
		d -= 2 * math.Pi
	}
	return d
}

// writeBQM writes N-numbered G-code in inches with four decimals, starting
// with a jump from the origin and ending with M02. Arcs stay arcs; cubics
// and jump arcs become lines. Pauses are dropped (see BQM).
func writeBQM(w io.Writer, d *geom.Design) error {
	if err := checkWritable("bqm", d); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	n := 10
	var cur geom.Point // as a reader will see it
	b := make([]byte, 0, 64)
	// line writes "N<n><g>" and letter/value words with four decimals.
	line := func(g string, words ...gcodeWord) {
		b = append(strconv.AppendInt(append(b[:0], 'N'), int64(n), 10), g...)
		for _, w := range words {
			b = geom.AppendFixed(append(b, w.letter), w.value, 4)
		}
		bw.Write(append(b, '\r', '\n'))
		n++
	}
	move := func(g string, p geom.Point) {
		x, y := round4(p.X), round4(p.Y)
		if (geom.Point{X: x, Y: y}) == cur && n > 10 {
			return
		}
		line(g, gcodeWord{'X', x}, gcodeWord{'Y', y})
		cur = geom.Point{X: x, Y: y}
	}
	move("G00", geom.Point{})
	budget := newPointBudget()
	for pi := range d.Paths {
		p := &d.Paths[pi]
		move("G00", p.Start)
		from := p.Start
		for si := range p.Segments {
			s := &p.Segments[si]
			switch {
			case s.Kind == geom.Arc && p.Stitch:
				x, y := round4(s.End.X), round4(s.End.Y)
				if (geom.Point{X: x, Y: y}) == cur && math.Abs(s.Sweep) < math.Pi {
					break // a tiny arc a reader would take for a full circle
				}
				g := "G03"
				if s.Sweep < 0 {
					g = "G02"
				}
				line(g, gcodeWord{'X', x}, gcodeWord{'Y', y}, gcodeWord{'I', round4(s.Center.X)}, gcodeWord{'J', round4(s.Center.Y)})
				cur = geom.Point{X: x, Y: y}
			case s.Kind == geom.Line:
				move(gcodeMotion(p.Stitch), s.End)
			default:
				pts, err := budget.segment("bqm", s, from)
				if err != nil {
					return err
				}
				for _, pt := range pts {
					move(gcodeMotion(p.Stitch), pt)
				}
			}
			from = s.End
		}
	}
	line("M02")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("bqm: %w", err)
	}
	return nil
}

func gcodeMotion(stitch bool) string {
	if stitch {
		return "G01"
	}
	return "G00"
}
