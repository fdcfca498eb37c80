package svg

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/geom"
)

// milsPerInch is the viewBox unit Write uses: 1/1000 inch.
const milsPerInch = 1000

// margin is the space Write leaves around the design, in inches, so that
// the stroke is not clipped at the edges.
const margin = 0.01

// Write encodes d as an SVG document; see the package documentation.
func Write(w io.Writer, d *geom.Design) error {
	if err := d.Check(); err != nil {
		return fmt.Errorf("svg: write: %w", err)
	}
	// The canvas is the stitched extent: jumps are hidden and may lie
	// outside it. A design without stitches is sized by its jumps.
	var b geom.Bounder
	for i := range d.Paths {
		if d.Paths[i].Stitch {
			b.AddPath(&d.Paths[i])
		}
	}
	if b.Empty() {
		for i := range d.Paths {
			b.AddPath(&d.Paths[i])
		}
	}
	if b.Empty() {
		b.Add(geom.Point{})
	}
	if w, h := b.Rect().Max.X-b.Rect().Min.X, b.Rect().Max.Y-b.Rect().Min.Y; !(w <= maxExtent && h <= maxExtent) {
		return fmt.Errorf("svg: write: design extent %.6g x %.6g in exceeds %g in", w, h, float64(maxExtent))
	}
	sw := &svgWriter{w: bufio.NewWriter(w), ox: b.Rect().Min.X - margin, oy: b.Rect().Max.Y + margin}
	wIn := b.Rect().Max.X - b.Rect().Min.X + 2*margin
	hIn := b.Rect().Max.Y - b.Rect().Min.Y + 2*margin
	sw.printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	sw.printf("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%sin\" height=\"%sin\" viewBox=\"0 0 %s %s\">\n",
		finches(wIn), finches(hIn), fnum(wIn*milsPerInch), fnum(hIn*milsPerInch))
	sw.meta(d.Meta)
	sw.printf("<g class=\"stitch\" fill=\"none\" stroke=\"#000000\" stroke-width=\"10\" stroke-linecap=\"round\" stroke-linejoin=\"round\">\n")
	pi := 0
	for i := range d.Paths {
		p := &d.Paths[i]
		if !p.Stitch {
			continue
		}
		for ; pi < len(d.Pauses) && d.Pauses[pi].Before <= i; pi++ {
			sw.pause(d.Pauses[pi].Text)
		}
		sw.path(p)
	}
	for ; pi < len(d.Pauses); pi++ {
		sw.pause(d.Pauses[pi].Text)
	}
	sw.printf("</g>\n")
	if hasJumps(d) {
		sw.printf("<g class=\"jump\" display=\"none\" fill=\"none\" stroke=\"#888888\" stroke-width=\"5\" stroke-dasharray=\"40 40\">\n")
		for i := range d.Paths {
			if !d.Paths[i].Stitch {
				sw.path(&d.Paths[i])
			}
		}
		sw.printf("</g>\n")
	}
	sw.printf("</svg>\n")
	if sw.err != nil {
		return fmt.Errorf("svg: write: %w", sw.err)
	}
	if err := sw.w.Flush(); err != nil {
		return fmt.Errorf("svg: write: %w", err)
	}
	return nil
}

func hasJumps(d *geom.Design) bool {
	for i := range d.Paths {
		if !d.Paths[i].Stitch && len(d.Paths[i].Segments) > 0 {
			return true
		}
	}
	return false
}

// svgWriter writes SVG text, remembering the first error.
type svgWriter struct {
	w      *bufio.Writer
	err    error
	ox, oy float64 // design point (ox, oy) is the viewBox origin
	buf    []byte  // one element being formatted
}

func (sw *svgWriter) printf(format string, args ...any) {
	if sw.err == nil {
		_, sw.err = fmt.Fprintf(sw.w, format, args...)
	}
}

// appendXY appends a design point in viewBox units, Y down: "x y".
func (sw *svgWriter) appendXY(b []byte, p geom.Point) []byte {
	b = appendNum(b, (p.X-sw.ox)*milsPerInch)
	return appendNum(append(b, ' '), (sw.oy-p.Y)*milsPerInch)
}

func (sw *svgWriter) meta(m geom.Meta) {
	if m.Title != "" {
		sw.printf("<title>%s</title>\n", escape(m.Title))
	}
	var lines []string
	if m.Designer != "" {
		lines = append(lines, "Designer: "+m.Designer)
	}
	for _, n := range m.Notes {
		for _, l := range strings.Split(n, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
	}
	lines = append(lines, m.URLs...)
	if len(lines) > 0 {
		sw.printf("<desc>%s</desc>\n", escape(strings.Join(lines, "\n")))
	}
}

func (sw *svgWriter) pause(text string) {
	sw.printf("<g class=\"pause\" data-pause=\"%s\"/>\n", escape(text))
}

// path writes one <path> element.
func (sw *svgWriter) path(p *geom.Path) {
	b := append(sw.buf[:0], `<path d="M`...)
	b = sw.appendXY(b, p.Start)
	cur := p.Start
	for i := range p.Segments {
		s := &p.Segments[i]
		switch s.Kind {
		case geom.Arc:
			b = sw.arc(b, cur, s)
		case geom.Cubic:
			b = sw.appendXY(append(b, 'C'), s.C1)
			b = sw.appendXY(append(b, ' '), s.C2)
			b = sw.appendXY(append(b, ' '), s.End)
		default:
			b = sw.appendXY(append(b, 'L'), s.End)
		}
		cur = s.End
	}
	sw.buf = append(b, "\"/>\n"...)
	if sw.err == nil {
		_, sw.err = sw.w.Write(sw.buf)
	}
}

// arc appends a circular arc as one or two A commands (an SVG arc cannot
// turn a full circle, so sweeps over a half turn are split).
func (sw *svgWriter) arc(b []byte, from geom.Point, s *geom.Segment) []byte {
	r := from.Dist(s.Center)
	if r == 0 || s.Sweep == 0 {
		return sw.appendXY(append(b, 'L'), s.End)
	}
	n := 1
	if math.Abs(s.Sweep) > math.Pi {
		n = 2
	}
	a0 := math.Atan2(from.Y-s.Center.Y, from.X-s.Center.X)
	flag := byte('0') // CCW in Y-up is the negative-angle direction in Y-down
	if s.Sweep < 0 {
		flag = '1'
	}
	for i := 1; i <= n; i++ {
		end := s.End
		if i < n {
			sin, cos := math.Sincos(a0 + s.Sweep*float64(i)/float64(n))
			end = geom.Point{X: s.Center.X + r*cos, Y: s.Center.Y + r*sin}
		}
		b = appendNum(append(b, 'A'), r*milsPerInch)
		b = appendNum(append(b, ' '), r*milsPerInch)
		b = sw.appendXY(append(b, ' ', '0', ' ', '0', ' ', flag, ' '), end)
	}
	return b
}

// fnum formats a viewBox coordinate with at most two decimals (1e-5 in).
// finches formats a size in inches to 1/100,000 in, so width and height
// agree with the viewBox (in mils, to 1/100 mil) and the size reads back
// exactly.
func finches(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e5)/1e5, 'f', -1, 64)
}

func fnum(v float64) string { return string(appendNum(nil, v)) }

// appendNum appends v as fnum formats it.
func appendNum(b []byte, v float64) []byte {
	v = math.Round(v*100) / 100
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// escape makes text safe inside XML character data and attribute values.
func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(strings.ToValidUTF8(s, "\uFFFD")))
	return b.String()
}
