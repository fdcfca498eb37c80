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

// PLT is HPGL as sold for QBot and other plotter-driven machines: PU moves
// with the pen up (a jump), PD with the pen down (a stitch), in plotter
// units of 1/40 mm, Y up. PA/PR switch between absolute and relative
// coordinates; a pen selection (SPn, n > 0) after drawing has begun is read
// as a pause for a thread change, and the writer encodes pauses that way
// (their text is lost). AA/AR arcs are read as arcs; CI circles are
// refused. LB labels are skipped; SC scaling and all other commands are
// ignored, so a file that scales its units is misread.
var PLT = &Format{
	Name:       "plt",
	Title:      "HPGL plotter file (PLT)",
	Extensions: []string{"plt", "hpgl", "hpg"},
	Sniff:      sniffPLT,
	Read:       readPLT,
	Write:      writePLT,
	keeps:      keepJumps | keepPauses,
	text:       true,
}

func init() { register(PLT) }

// pltUnit is one HPGL plotter unit in inches.
const pltUnit = 0.025 / 25.4

func sniffPLT(head []byte) bool {
	s := strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(string(head), "\ufeff")))
	s = strings.TrimPrefix(s, "\x1b.(")
	for _, p := range []string{"IN;", "IN\n", "IN\r", "DF;", "SP1;", "PU;", "PA;"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// hpglReader holds the state of one HPGL parse.
type hpglReader struct {
	b        builder
	down     bool
	relative bool
	seen     bool
	pen      int
}

func readPLT(data []byte) (*geom.Design, error) {
	if err := checkSize("plt", data); err != nil {
		return nil, err
	}
	h := &hpglReader{pen: -1}
	s := strings.TrimPrefix(string(data), "\ufeff")
	line := 1
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\n' {
			line++
		}
		if c == ';' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' {
			i++
			continue
		}
		if c == 0x1b { // device control: ESC . x ... up to ':' or a letter
			j := strings.IndexAny(s[i:], ":;\n")
			if j < 0 {
				break
			}
			i += j + 1
			continue
		}
		if i+1 >= len(s) || !isUpperASCII(c&^0x20) || !isUpperASCII(s[i+1]&^0x20) {
			return nil, h.fail(line, fmt.Errorf("unexpected %q", c))
		}
		cmd := strings.ToUpper(s[i : i+2])
		i += 2
		if cmd == "LB" { // a label runs to ETX
			j := strings.IndexByte(s[i:], 3)
			if j < 0 {
				return nil, h.fail(line, errors.New("unterminated label"))
			}
			line += strings.Count(s[i:i+j], "\n")
			i += j + 1
			continue
		}
		j := i
		for j < len(s) && strings.IndexByte("+-.0123456789, \t\r\n", s[j]) >= 0 {
			j++
		}
		args := s[i:j]
		if err := h.command(cmd, args); err != nil {
			return nil, h.fail(line, err)
		}
		line += strings.Count(args, "\n")
		i = j
	}
	if !h.seen {
		return nil, fmt.Errorf("plt: no HPGL commands: %w", ErrNotDesign)
	}
	return h.b.design("plt")
}

func isUpperASCII(c byte) bool { return c >= 'A' && c <= 'Z' }

// fail wraps err with the line number, as not-a-design before any command.
func (h *hpglReader) fail(line int, err error) error {
	if !h.seen {
		return fmt.Errorf("plt: line %d: %w: %w", line, err, ErrNotDesign)
	}
	return fmt.Errorf("plt: line %d: %w", line, err)
}

// command runs one HPGL instruction with its raw arguments.
func (h *hpglReader) command(cmd, args string) error {
	switch cmd {
	case "PU", "PD", "PA", "PR":
	case "SP":
		n, err := strconv.Atoi(strings.Trim(args, " \t\r\n,"))
		if err != nil && strings.TrimSpace(args) != "" {
			return fmt.Errorf("bad SP argument %q", args)
		}
		if n > 0 && h.pen > 0 && len(h.b.d.Paths) > 0 && n != h.pen {
			h.b.pause(fmt.Sprintf("pen %d", n))
		}
		if n > 0 {
			h.pen = n
		}
		h.seen = true
		return nil
	case "AA", "AR":
		return h.arc(cmd, args)
	case "CI":
		return errors.New("circles (CI) are not supported")
	default:
		if !hpglKnown[cmd] && !h.seen {
			return fmt.Errorf("unknown command %q", cmd)
		}
		h.seen = true
		return nil // IN, DF, LT, VS and the rest carry no geometry
	}
	h.seen = true
	switch cmd {
	case "PU":
		h.down = false
	case "PD":
		h.down = true
	case "PA":
		h.relative = false
	case "PR":
		h.relative = true
	}
	nums, err := hpglNumbers(args)
	if err != nil {
		return fmt.Errorf("bad %s coordinates: %w", cmd, err)
	}
	if len(nums)%2 != 0 {
		return fmt.Errorf("bad %s coordinates: odd count %d", cmd, len(nums))
	}
	for k := 0; k < len(nums); k += 2 {
		p := geom.Point{X: nums[k] * pltUnit, Y: nums[k+1] * pltUnit}
		if h.relative {
			p = h.b.cur.Add(p)
		}
		if err := h.b.lineTo(p, h.down); err != nil {
			return err
		}
	}
	return nil
}

// hpglKnown are HPGL commands without geometry, accepted and ignored; any
// of them, or a motion command, shows the data is HPGL. Other two-letter
// commands are ignored once the file is known to be HPGL.
var hpglKnown = map[string]bool{
	"IN": true, "DF": true, "IP": true, "SC": true, "LT": true, "VS": true,
	"PW": true, "WU": true, "FS": true, "RO": true, "PS": true, "DI": true,
	"DT": true, "SI": true, "SR": true, "CO": true, "PG": true, "NR": true,
}

// arc draws an AA (absolute centre) or AR (relative centre) arc of the
// given sweep in degrees, counter-clockwise positive, from the current
// point; an optional chord tolerance is ignored.
func (h *hpglReader) arc(cmd, args string) error {
	h.seen = true
	nums, err := hpglNumbers(args)
	if err != nil || len(nums) < 3 || len(nums) > 4 {
		return fmt.Errorf("bad %s arguments %q", cmd, args)
	}
	c := geom.Point{X: nums[0] * pltUnit, Y: nums[1] * pltUnit}
	if cmd == "AR" || h.relative {
		c = h.b.cur.Add(c)
	}
	sweep := nums[2] * math.Pi / 180
	if math.Abs(sweep) > 2*math.Pi {
		return fmt.Errorf("bad %s sweep %g", cmd, nums[2])
	}
	r := h.b.cur.Dist(c)
	a := math.Atan2(h.b.cur.Y-c.Y, h.b.cur.X-c.X) + sweep
	end := geom.Point{X: c.X + r*math.Cos(a), Y: c.Y + r*math.Sin(a)}
	return h.b.add(geom.Segment{Kind: geom.Arc, End: end, Center: c, Sweep: sweep}, h.down)
}

// hpglNumbers parses comma- or space-separated numbers.
func hpglNumbers(args string) ([]float64, error) {
	fields := strings.FieldsFunc(args, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\r' || r == '\n'
	})
	nums := make([]float64, 0, len(fields))
	for _, f := range fields {
		v, err := parseNumber(f)
		if err != nil {
			return nil, err
		}
		nums = append(nums, v)
	}
	return nums, nil
}

// writePLT writes IN;SP1; then PU/PD moves in absolute plotter units, arcs
// and curves flattened to within 0.00025 in. Each pause selects the next
// pen (SP2, SP3, ... cycling through 8 pens).
func writePLT(w io.Writer, d *geom.Design) error {
	if err := checkWritable("plt", d); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("IN;SP1;\n")
	pen := 1
	num := make([]byte, 0, 32)
	var cur [2]int64
	down := false
	started := false
	emit := func(pts []geom.Point, stitch bool) {
		cmd := "PU"
		if stitch {
			cmd = "PD"
		}
		count := 0
		for _, p := range pts {
			q := [2]int64{int64(math.Round(p.X / pltUnit)), int64(math.Round(p.Y / pltUnit))}
			if q == cur && started && down == stitch {
				continue
			}
			if count == 0 || count%16 == 0 {
				if count > 0 {
					bw.WriteString(";\n")
				}
				bw.WriteString(cmd)
			} else {
				bw.WriteByte(',')
			}
			num = strconv.AppendInt(num[:0], q[0], 10)
			num = strconv.AppendInt(append(num, ','), q[1], 10)
			bw.Write(num)
			cur, down, started = q, stitch, true
			count++
		}
		if count > 0 {
			bw.WriteString(";\n")
		}
	}
	budget := newPointBudget()
	err := walk(d, func(string) error {
		pen = pen%8 + 1
		fmt.Fprintf(bw, "SP%d;\n", pen)
		return nil
	}, func(_ int, p *geom.Path) error {
		pts, err := budget.flatten("plt", p)
		if err != nil {
			return err
		}
		emit([]geom.Point{p.Start}, false)
		emit(pts[1:], p.Stitch)
		return nil
	})
	if err != nil {
		return err
	}
	bw.WriteString("PU;\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("plt: %w", err)
	}
	return nil
}
