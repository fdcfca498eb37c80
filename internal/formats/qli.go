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

// QLI is the Gammill / Statler Stitcher format: a subset of the Galil DMC
// motion language in text, one command per line, in 1/1000 inch, Y up.
//
//   - VP x,y moves in a straight line to (x,y), relative to the point where
//     the previous vector sequence ended (verified on the fixtures against
//     their G-code companions).
//   - CR r,a,d sweeps an arc of radius r from the current point, whose angle
//     seen from the centre is a degrees, by d degrees (positive is
//     counter-clockwise).
//   - VE ends a vector sequence (BGS, AMS follow); EN ends the file.
//   - NO NEEDLE ON / NO NEEDLE OFF switch between stitching and jumping,
//     NO PAUSE text stops for the operator, NO INFO text carries metadata;
//     any other NO line is a Galil no-op (a comment).
//   - REM, ' and #label lines, var=value assignments and the set-up commands
//     CS, VM, WW, AN, VS, VA, VD, VT, BG, AM, WT, MG are accepted and ignored.
var QLI = &Format{
	Name:       "qli",
	Title:      "Gammill / Statler Stitcher QLI",
	Extensions: []string{"qli"},
	Sniff:      sniffQLI,
	Read:       readQLI,
	Write:      writeQLI,
}

func init() { register(QLI) }

// qliUnit is the size of one QLI unit in inches.
const qliUnit = 0.001

func sniffQLI(head []byte) bool {
	lines := headLines(head, 20)
	if len(lines) == 0 {
		return false
	}
	if strings.EqualFold(lines[0], "#CAD2DMC") {
		return true
	}
	var motion, setup bool
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "VP ") || strings.HasPrefix(l, "CR "):
			motion = true
		case strings.HasPrefix(l, "NO NEEDLE") || l == "VMXY" || l == "VE":
			setup = true
		}
	}
	return motion && setup
}

// qliIgnored are the commands that carry no geometry.
var qliIgnored = map[string]bool{
	"CS": true, "VM": true, "VMXY": true, "WW": true, "AN": true, "VS": true,
	"VA": true, "VD": true, "VT": true, "BG": true, "BGS": true, "AM": true,
	"AMS": true, "WT": true, "MG": true, "SH": true,
}

// qliReader holds the state of one QLI parse.
type qliReader struct {
	b      builder
	origin geom.Point // where the previous vector sequence ended
	stitch bool
	seen   bool // a QLI command has been recognised
}

func readQLI(data []byte) (*geom.Design, error) {
	if err := checkSize("qli", data); err != nil {
		return nil, err
	}
	r := &qliReader{stitch: true}
	err := eachLine(data, func(n int, line string) error {
		if err := r.line(line); err != nil {
			if err == errStop {
				return err
			}
			if !r.seen {
				return fmt.Errorf("qli: line %d: %w: %w", n, err, ErrNotDesign)
			}
			return fmt.Errorf("qli: line %d: %w", n, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !r.seen {
		return nil, fmt.Errorf("qli: no QLI commands: %w", ErrNotDesign)
	}
	return r.b.design(), nil
}

// line interprets one trimmed line.
func (r *qliReader) line(line string) error {
	if line == "" || line[0] == '\'' || line[0] == '#' {
		r.seen = r.seen || strings.EqualFold(line, "#CAD2DMC")
		return nil
	}
	if strings.ContainsRune(line, 0) {
		return errors.New("binary data")
	}
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch cmd = strings.ToUpper(cmd); {
	case cmd == "REM":
	case cmd == "NO":
		r.no(arg)
	case cmd == "VP":
		x, y, err := qliPair(arg)
		if err != nil {
			return fmt.Errorf("bad VP coordinates %q", arg)
		}
		p := r.origin.Add(geom.Point{X: x * qliUnit, Y: y * qliUnit})
		if err := r.b.lineTo(p, r.stitch); err != nil {
			return err
		}
	case cmd == "CR":
		if err := r.arc(arg); err != nil {
			return err
		}
	case cmd == "VE":
		r.origin = r.b.cur
		r.b.breakPath()
	case cmd == "EN":
		r.seen = true
		return errStop
	case qliIgnored[cmd]:
	case strings.Contains(line, "="):
		// A variable assignment.
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	r.seen = true
	return nil
}

// no interprets the text after NO: needle state, pauses and metadata.
func (r *qliReader) no(arg string) {
	word, text, _ := strings.Cut(arg, " ")
	text = strings.TrimSpace(text)
	switch strings.ToUpper(word) {
	case "NEEDLE":
		switch strings.ToUpper(text) {
		case "ON":
			r.stitch = true
		case "OFF":
			r.stitch = false
		}
		r.b.breakPath()
	case "PAUSE":
		r.b.pause(text)
	case "INFO":
		addInfo(&r.b.d.Meta, text)
	}
}

// addInfo files one line of metadata: a designer credit, a URL, a title or
// a free note.
func addInfo(m *geom.Meta, text string) {
	lower := strings.ToLower(text)
	switch {
	case text == "":
	case strings.HasPrefix(lower, "designed by"):
		m.Designer = strings.TrimSpace(text[len("designed by"):])
	case strings.HasPrefix(lower, "title:"):
		m.Title = strings.TrimSpace(text[len("title:"):])
	case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "www."):
		m.URLs = append(m.URLs, text)
	default:
		m.Notes = append(m.Notes, text)
	}
}

// arc interprets "r,a,d" after CR.
func (r *qliReader) arc(arg string) error {
	f := strings.Split(arg, ",")
	if len(f) != 3 {
		return fmt.Errorf("bad CR arguments %q", arg)
	}
	var v [3]float64
	for i, s := range f {
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || !finite(x) {
			return fmt.Errorf("bad CR arguments %q", arg)
		}
		v[i] = x
	}
	rad, a, d := v[0]*qliUnit, v[1]*math.Pi/180, v[2]*math.Pi/180
	if rad < 0 || math.Abs(d) > 2*math.Pi+1e-9 {
		return fmt.Errorf("bad CR arguments %q", arg)
	}
	c := r.b.cur.Sub(geom.Point{X: rad * math.Cos(a), Y: rad * math.Sin(a)})
	end := c.Add(geom.Point{X: rad * math.Cos(a+d), Y: rad * math.Sin(a+d)})
	return r.b.add(geom.Segment{Kind: geom.Arc, End: end, Center: c, Sweep: d}, r.stitch)
}

// qliPair parses "x,y".
func qliPair(s string) (x, y float64, err error) {
	xs, ys, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0, errors.New("want x,y")
	}
	if x, err = strconv.ParseFloat(strings.TrimSpace(xs), 64); err != nil {
		return 0, 0, err
	}
	if y, err = strconv.ParseFloat(strings.TrimSpace(ys), 64); err != nil {
		return 0, 0, err
	}
	if !finite(x) || !finite(y) {
		return 0, 0, errors.New("not finite")
	}
	return x, y, nil
}

// qliWriter emits a design the way the Statler software does. It tracks
// the point a reader will compute after each rounded command, so rounding
// never accumulates: every VP and CR aims at the true point.
type qliWriter struct {
	w      *bufio.Writer
	needle int // 0 unknown, 1 on, -1 off
	budget *pointBudget
	cur    geom.Point // where a reader will be
	origin geom.Point // where a reader's current sequence started
}

func writeQLI(w io.Writer, d *geom.Design) error {
	if err := checkWritable("qli", d); err != nil {
		return err
	}
	q := &qliWriter{w: bufio.NewWriter(w), budget: newPointBudget()}
	q.print("#CAD2DMC\r\nCS\r\nVMXY\r\n")
	q.print("REM FIRST_MACRO ---------------\r\nREM end macro -----------------\r\n")
	q.info(d.Meta)
	err := walk(d, func(text string) error {
		q.print("REM PAUSE ---------------------\r\nNO PAUSE %s\r\nREM end macro -----------------\r\n", oneLine(text))
		return nil
	}, func(_ int, p *geom.Path) error {
		if p.Stitch && p.Start.Dist(q.cur) > qliUnit/2 {
			// Reach a stitched path's start with a jump of its own.
			q.setNeedle(false)
			q.vp(p.Start)
			q.endSequence()
		}
		q.setNeedle(p.Stitch)
		return q.path(p)
	})
	if err != nil {
		return err
	}
	q.print("EN\r\n")
	if err := q.w.Flush(); err != nil {
		return fmt.Errorf("qli: %w", err)
	}
	return nil
}

func (q *qliWriter) print(format string, args ...any) {
	fmt.Fprintf(q.w, format, args...)
}

// info writes the metadata as NO INFO lines.
func (q *qliWriter) info(m geom.Meta) {
	if m.Title != "" {
		q.print("NO INFO Title: %s\r\n", oneLine(m.Title))
	}
	if m.Designer != "" {
		q.print("NO INFO Designed by %s\r\n", oneLine(m.Designer))
	}
	for _, s := range m.URLs {
		q.print("NO INFO %s\r\n", oneLine(s))
	}
	for _, s := range m.Notes {
		q.print("NO INFO %s\r\n", oneLine(s))
	}
}

// setNeedle switches the needle on (stitch) or off (jump) if needed.
func (q *qliWriter) setNeedle(on bool) {
	want := -1
	if on {
		want = 1
	}
	if want == q.needle {
		return
	}
	if on {
		q.print("REM CONTINUOUS ----------------\r\nNO NEEDLE ON\r\nREM end macro -----------------\r\n")
	} else {
		q.print("REM HIDDEN --------------------\r\nNO NEEDLE OFF\r\nREM end macro -----------------\r\n")
	}
	q.needle = want
}

// endSequence closes a vector sequence: the next VP is relative to here.
func (q *qliWriter) endSequence() {
	q.print("VE\r\nBGS\r\nAMS\r\n")
	q.origin = q.cur
}

// path writes one path as one vector sequence. A jump path that does not
// start where the needle is moves there first, as part of the jump.
func (q *qliWriter) path(p *geom.Path) error {
	if p.Start.Dist(q.cur) > qliUnit/2 {
		q.vp(p.Start)
	}
	cur := p.Start
	for i := range p.Segments {
		s := &p.Segments[i]
		switch s.Kind {
		case geom.Arc:
			q.cr(s)
		case geom.Cubic:
			pts, err := q.budget.segment("qli", s, cur)
			if err != nil {
				return err
			}
			for _, pt := range pts {
				q.vp(pt)
			}
		default:
			q.vp(s.End)
		}
		cur = s.End
	}
	q.endSequence()
	return nil
}

// vp writes a straight move to p, relative to the sequence origin.
func (q *qliWriter) vp(p geom.Point) {
	x := math.Round((p.X - q.origin.X) / qliUnit)
	y := math.Round((p.Y - q.origin.Y) / qliUnit)
	next := q.origin.Add(geom.Point{X: x * qliUnit, Y: y * qliUnit})
	if next == q.cur {
		return
	}
	q.print("VP %.0f,%.0f\r\n", x+0, y+0) // +0 turns -0 into 0
	q.cur = next
}

// cr writes the arc s as a CR command starting at
// the reader's current point and ending as near s.End as rounding allows.
func (q *qliWriter) cr(s *geom.Segment) {
	r := math.Round(q.cur.Dist(s.Center) / qliUnit)
	if r == 0 {
		q.vp(s.End)
		return
	}
	a := math.Atan2(q.cur.Y-s.Center.Y, q.cur.X-s.Center.X)
	// Aim the sweep at the true end point, keeping the arc's direction
	// and its number of turns.
	aEnd := math.Atan2(s.End.Y-s.Center.Y, s.End.X-s.Center.X)
	d := aEnd - a
	d -= 2 * math.Pi * math.Round((d-s.Sweep)/(2*math.Pi))
	for d > 2*math.Pi {
		d -= 2 * math.Pi
	}
	for d < -2*math.Pi {
		d += 2 * math.Pi
	}
	deg, ddeg := math.Mod(a*180/math.Pi+360, 360), d*180/math.Pi
	deg, ddeg = round4(deg), round4(ddeg)
	q.print("CR %.0f,%.4f,%.4f\r\n", r, deg, ddeg+0)
	// Follow exactly what a reader will compute.
	rad, ar, dr := r*qliUnit, deg*math.Pi/180, ddeg*math.Pi/180
	c := q.cur.Sub(geom.Point{X: rad * math.Cos(ar), Y: rad * math.Sin(ar)})
	q.cur = c.Add(geom.Point{X: rad * math.Cos(ar+dr), Y: rad * math.Sin(ar+dr)})
}

// round4 rounds to the four decimals the writers print.
func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }

// oneLine makes text safe to write on a single line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
