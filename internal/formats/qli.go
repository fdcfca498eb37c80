package formats

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode"

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
//
// The reader also accepts the Galil dialect other QLI readers accept:
// commands written without a space ("VP100,200"), several commands on one
// line separated by ";", VP and CR with a "<speed" and ">final speed"
// suffix (ignored), "VE?", EN with a bit mask, VM with any axis letters
// ("VMYX" swaps the axes of the VP and CR that follow), and CS, which
// makes the current point the origin of the next VP, as VE does.
//
// Every coordinate must stay within geom.MaxCoordinate of the origin: a
// file with "VP 1e308,0" is refused with an error naming its line.
var QLI = &Format{
	Name:       "qli",
	Title:      "Gammill / Statler Stitcher QLI",
	Extensions: []string{"qli"},
	Sniff:      sniffQLI,
	Read:       readQLI,
	Write:      writeQLI,
	keeps:      keepAll,
	text:       true,
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
		case qliArgs(l, "VP") || qliArgs(l, "CR"):
			motion = true
		case strings.HasPrefix(l, "NO NEEDLE") || strings.HasPrefix(l, "VM") || l == "VE" || l == "VE?":
			setup = true
		}
	}
	return motion && setup
}

// qliArgs reports whether line is the command cmd followed by a number
// (with or without a space).
func qliArgs(line, cmd string) bool {
	rest, ok := strings.CutPrefix(line, cmd)
	rest = strings.TrimLeft(rest, " \t")
	return ok && rest != "" && strings.IndexByte("+-.0123456789", rest[0]) >= 0
}

// qliIgnored are the two-letter commands that carry no geometry.
var qliIgnored = map[string]bool{
	"WW": true, "AN": true, "VS": true, "VA": true, "VD": true, "VT": true,
	"BG": true, "AM": true, "WT": true, "MG": true, "SH": true,
}

// qliReader holds the state of one QLI parse.
type qliReader struct {
	b      builder
	origin geom.Point // where the previous vector sequence ended
	stitch bool
	swap   bool // VMYX: the first VP coordinate is Y
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
	return r.b.design("qli")
}

// line interprets one trimmed line: a comment, or commands separated by
// semicolons.
func (r *qliReader) line(line string) error {
	if line == "" || line[0] == '\'' || line[0] == '"' || line[0] == '#' {
		r.seen = r.seen || strings.EqualFold(line, "#CAD2DMC")
		return nil
	}
	if strings.ContainsRune(line, 0) {
		return errors.New("binary data")
	}
	if strings.IndexByte(line, ';') < 0 && !(len(line) >= 3 && strings.EqualFold(line[:3], "REM")) {
		return r.command(line) // one command: the usual case
	}
	for line != "" {
		c, rest, _ := strings.Cut(line, ";")
		line = rest
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if len(c) >= 3 && strings.EqualFold(c[:3], "REM") {
			break // a remark runs to the end of the line
		}
		if err := r.command(c); err != nil {
			return err
		}
	}
	return nil
}

// command interprets one command: two letters, then its arguments with or
// without a space.
func (r *qliReader) command(c string) error {
	if i := strings.IndexByte(c, '='); i > 0 && isIdent(strings.TrimSpace(c[:i])) {
		r.seen = true
		return nil // a variable assignment
	}
	if len(c) < 2 || !isLetter(c[0]) || !isLetter(c[1]) {
		return fmt.Errorf("unknown command %q", firstWord(c))
	}
	cmd, arg := strings.ToUpper(c[:2]), strings.TrimSpace(c[2:])
	switch {
	case cmd == "NO":
		r.no(arg)
	case cmd == "VP":
		u, v, err := qliPair(arg)
		if err != nil {
			return fmt.Errorf("bad VP coordinates %q: %w", clip(arg), err)
		}
		if r.swap {
			u, v = v, u
		}
		p := r.origin.Add(geom.Point{X: u * qliUnit, Y: v * qliUnit})
		if err := r.b.lineTo(p, r.stitch); err != nil {
			return err
		}
	case cmd == "CR":
		if err := r.arc(arg); err != nil {
			return err
		}
	case cmd == "VE":
		if arg != "" && arg != "?" {
			return fmt.Errorf("bad VE argument %q", arg)
		}
		r.origin = r.b.cur
		r.b.breakPath()
	case cmd == "CS":
		r.origin = r.b.cur
	case cmd == "VM":
		axes := strings.Map(func(r rune) rune {
			if r == 'X' || r == 'Y' || r == 'x' || r == 'y' {
				return unicode.ToUpper(r)
			}
			return -1
		}, arg)
		r.swap = strings.HasPrefix(axes, "YX")
	case cmd == "EN":
		r.seen = true
		return errStop
	case qliIgnored[cmd]:
	default:
		return fmt.Errorf("unknown command %q", firstWord(c))
	}
	r.seen = true
	return nil
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// isIdent reports a Galil variable name: a letter, then letters or digits.
func isIdent(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLetter(s[i]) && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// firstWord returns the start of c up to a space, at most 16 bytes, for
// error messages.
func firstWord(c string) string {
	w, _, _ := strings.Cut(c, " ")
	if len(w) > 16 {
		w = w[:16]
	}
	return w
}

// qliArgs3 strips the "<speed" and ">final" suffixes of VP and CR and
// returns up to three comma-separated arguments and how many there were
// (4 meaning more than three), without allocating.
func qliArgs3(arg string) (f [3]string, n int) {
	start := 0
	for i := 0; i <= len(arg); i++ {
		c := byte(',')
		if i < len(arg) {
			c = arg[i]
		}
		if c == '<' || c == '>' {
			c, arg = ',', arg[:i] // the suffixes end the arguments
		}
		if c != ',' {
			continue
		}
		if n == 3 {
			return f, 4
		}
		f[n] = strings.TrimSpace(arg[start:i])
		n++
		start = i + 1
	}
	return f, n
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

// arc interprets "r,a,d" after CR. With swapped axes (VMYX) the angles are
// measured in the Y,X plane, which turns the sweep's direction over.
func (r *qliReader) arc(arg string) error {
	f, n := qliArgs3(arg)
	if n != 3 {
		return fmt.Errorf("bad CR arguments %q", clip(arg))
	}
	var v [3]float64
	for i, s := range f {
		x, err := parseNumber(s)
		if err != nil {
			return fmt.Errorf("bad CR arguments %q: %w", clip(arg), err)
		}
		v[i] = x
	}
	rad, a, d := v[0]*qliUnit, v[1]*math.Pi/180, v[2]*math.Pi/180
	if rad < 0 || math.Abs(d) > 2*math.Pi+1e-9 {
		return fmt.Errorf("bad CR arguments %q", arg)
	}
	cur := r.b.cur
	if r.swap {
		cur.X, cur.Y = cur.Y, cur.X
	}
	c := cur.Sub(geom.Point{X: rad * math.Cos(a), Y: rad * math.Sin(a)})
	end := c.Add(geom.Point{X: rad * math.Cos(a+d), Y: rad * math.Sin(a+d)})
	if r.swap {
		c.X, c.Y = c.Y, c.X
		end.X, end.Y = end.Y, end.X
		d = -d
	}
	return r.b.add(geom.Segment{Kind: geom.Arc, End: end, Center: c, Sweep: d}, r.stitch)
}

// qliPair parses "x,y", with optional speed suffixes.
func qliPair(s string) (x, y float64, err error) {
	f, n := qliArgs3(s)
	if n != 2 {
		return 0, 0, errors.New("want x,y")
	}
	if x, err = parseNumber(f[0]); err != nil {
		return 0, 0, err
	}
	if y, err = parseNumber(f[1]); err != nil {
		return 0, 0, err
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
	buf    []byte     // one command being formatted
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
	b := geom.AppendFixed(append(q.buf[:0], "VP "...), x+0, 0) // +0 turns -0 into 0
	b = geom.AppendFixed(append(b, ','), y+0, 0)
	q.buf = append(b, '\r', '\n')
	q.w.Write(q.buf)
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
	b := geom.AppendFixed(append(q.buf[:0], "CR "...), r, 0)
	b = geom.AppendFixed(append(b, ','), deg, 4)
	b = geom.AppendFixed(append(b, ','), ddeg+0, 4)
	q.buf = append(b, '\r', '\n')
	q.w.Write(q.buf)
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
