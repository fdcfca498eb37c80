package render

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

// PreviewSVG writes an SVG preview of d for the browser. Its user unit is
// the inch (the viewBox is in inches, Y flipped so the design reads as on
// the machine, never mirrored); lines keep a constant on-screen width
// whatever the zoom (vector-effect="non-scaling-stroke"). Arcs and Béziers
// stay curves. Under the design it draws a real-size scale bar with its
// length and prints the design's width × height in inches. Jumps are drawn
// as faint lines of class "jump", stitches as class "stitch".
func PreviewSVG(w io.Writer, d *geom.Design) error {
	if d == nil {
		return fmt.Errorf("render: svg preview: nil design")
	}
	b, ok := stitchBounds(d)
	if !ok {
		b = geom.Rect{Max: geom.Point{X: 1, Y: 1}}
	}
	lay := newSVGLayout(b)
	bw := bufio.NewWriter(w)
	lay.writeHeader(bw, d.Meta.Title)
	writeSVGPaths(bw, d, false, `class="jump" fill="none" stroke="#c0392b" stroke-opacity="0.35" stroke-width="1"`)
	writeSVGPaths(bw, d, true, `class="stitch" fill="none" stroke="#222" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"`)
	lay.writeScale(bw)
	bw.WriteString("</svg>\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("render: write svg preview: %w", err)
	}
	return nil
}

// svgLayout places the design, the scale bar and the size label.
type svgLayout struct {
	b        geom.Rect
	pad, fs  float64 // padding and font size, inches
	bar      float64 // scale bar length, inches
	vx, vy   float64 // viewBox origin
	vw, vh   float64 // viewBox size
	sizeText string
	barText  string
}

func newSVGLayout(b geom.Rect) svgLayout {
	ext := math.Max(math.Max(b.Width(), b.Height()), 0.01)
	l := svgLayout{b: b, pad: 0.05 * ext, fs: 0.035 * ext}
	l.bar = scaleBarLength(b.Width())
	l.barText = fmtInches(l.bar)
	l.sizeText = fmtNum(b.Width(), 2) + " × " + fmtNum(b.Height(), 2) + " in"
	l.vx = b.Min.X - l.pad
	l.vy = -b.Max.Y - l.pad
	textW := 0.6 * l.fs * float64(max(len(l.sizeText), len(l.barText)+4))
	l.vw = math.Max(b.Width(), math.Max(l.bar+l.fs*0.5+0.6*l.fs*float64(len(l.barText)), textW)) + 2*l.pad
	l.vh = b.Height() + 2*l.pad + 3.6*l.fs
	return l
}

// scaleBarLength picks a round ruler length at most half the design's
// width (but at least a quarter inch).
func scaleBarLength(width float64) float64 {
	best := 0.25
	for _, v := range []float64{0.5, 1, 2, 5, 10, 20, 50, 100} {
		if v <= width/2 {
			best = v
		}
	}
	return best
}

func (l svgLayout) writeHeader(w *bufio.Writer, title string) {
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="%s %s %s %s" data-width-in="%s" data-height-in="%s">`+"\n",
		fmtNum(l.vx, 4), fmtNum(l.vy, 4), fmtNum(l.vw, 4), fmtNum(l.vh, 4), fmtNum(l.b.Width(), 4), fmtNum(l.b.Height(), 4))
	if title != "" {
		w.WriteString("<title>")
		xml.EscapeText(w, []byte(title))
		w.WriteString("</title>\n")
	}
	fmt.Fprintf(w, `<rect x="%s" y="%s" width="%s" height="%s" fill="#fff"/>`+"\n",
		fmtNum(l.vx, 4), fmtNum(l.vy, 4), fmtNum(l.vw, 4), fmtNum(l.vh, 4))
}

// writeScale draws the ruler (ticks every inch when that is readable) and
// the two labels below the design.
func (l svgLayout) writeScale(w *bufio.Writer) {
	x0 := l.b.Min.X
	y := -l.b.Min.Y + l.pad + 0.9*l.fs // SVG y of the ruler line
	tick := 0.4 * l.fs
	var d strings.Builder
	fmt.Fprintf(&d, "M%s %sH%s", fmtNum(x0, 4), fmtNum(y, 4), fmtNum(x0+l.bar, 4))
	step := l.bar
	if l.bar >= 2 && l.bar <= 10 {
		step = 1
	}
	for t := 0.0; t <= l.bar+1e-9; t += step {
		fmt.Fprintf(&d, "M%s %sv%s", fmtNum(x0+t, 4), fmtNum(y-tick, 4), fmtNum(tick, 4))
	}
	fmt.Fprintf(w, `<g class="scale" fill="#444" stroke="#444"><path d="%s" fill="none" stroke-width="1.5" vector-effect="non-scaling-stroke"/>`+"\n", d.String())
	fmt.Fprintf(w, `<text x="%s" y="%s" font-family="sans-serif" font-size="%s" stroke="none">%s</text>`+"\n",
		fmtNum(x0+l.bar+0.5*l.fs, 4), fmtNum(y+0.35*l.fs, 4), fmtNum(l.fs, 4), l.barText)
	fmt.Fprintf(w, `<text class="size" x="%s" y="%s" font-family="sans-serif" font-size="%s" stroke="none">%s</text></g>`+"\n",
		fmtNum(x0, 4), fmtNum(y+1.9*l.fs, 4), fmtNum(l.fs, 4), l.sizeText)
}

// writeSVGPaths writes the stitched (or jump) paths of d as one group.
func writeSVGPaths(w *bufio.Writer, d *geom.Design, stitch bool, attrs string) {
	open := false
	for i := range d.Paths {
		p := &d.Paths[i]
		if p.Stitch != stitch || len(p.Segments) == 0 || (!stitch && stationary(p)) {
			continue
		}
		if !open {
			fmt.Fprintf(w, "<g %s>\n", attrs)
			open = true
		}
		w.WriteString(`<path vector-effect="non-scaling-stroke" d="`)
		writePathData(w, p)
		w.WriteString("\"/>\n")
	}
	if open {
		w.WriteString("</g>\n")
	}
}

// stationary reports whether p never leaves its start point (readers emit
// such zero-length jumps at the start of many files).
func stationary(p *geom.Path) bool {
	for i := range p.Segments {
		if p.Segments[i].End != p.Start {
			return false
		}
	}
	return true
}

// writePathData writes p as SVG path data with Y flipped (y' = -y). Arcs
// are split into pieces of at most 90° so no flag is ambiguous; a
// counter-clockwise arc on the machine (Sweep > 0) stays counter-clockwise
// on screen, which in SVG's Y-down space is sweep-flag 0.
func writePathData(w *bufio.Writer, p *geom.Path) {
	w.WriteString("M")
	writeXY(w, p.Start)
	cur := p.Start
	for i := range p.Segments {
		s := &p.Segments[i]
		switch s.Kind {
		case geom.Arc:
			writeArc(w, cur, s)
		case geom.Cubic:
			w.WriteString("C")
			writeXY(w, s.C1)
			w.WriteByte(' ')
			writeXY(w, s.C2)
			w.WriteByte(' ')
			writeXY(w, s.End)
		default:
			w.WriteString("L")
			writeXY(w, s.End)
		}
		cur = s.End
	}
}

func writeArc(w *bufio.Writer, from geom.Point, s *geom.Segment) {
	r := from.Dist(s.Center)
	if r == 0 || s.Sweep == 0 || math.IsNaN(r+s.Sweep) {
		w.WriteString("L")
		writeXY(w, s.End)
		return
	}
	n := int(math.Ceil(math.Abs(s.Sweep) / (math.Pi / 2)))
	a0 := math.Atan2(from.Y-s.Center.Y, from.X-s.Center.X)
	flag := "0"
	if s.Sweep < 0 {
		flag = "1"
	}
	rs := fmtNum(r, 4)
	for i := 1; i <= n; i++ {
		end := s.End
		if i < n {
			a := a0 + s.Sweep*float64(i)/float64(n)
			end = geom.Point{X: s.Center.X + r*math.Cos(a), Y: s.Center.Y + r*math.Sin(a)}
		}
		w.WriteString("A" + rs + " " + rs + " 0 0 " + flag + " ")
		writeXY(w, end)
	}
}

func writeXY(w *bufio.Writer, p geom.Point) {
	w.WriteString(fmtNum(p.X, 4))
	w.WriteByte(' ')
	w.WriteString(fmtNum(-p.Y, 4))
}

// fmtNum formats v with at most prec decimals and no trailing zeros.
func fmtNum(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// fmtInches labels a ruler length: "1 inch", "5 inches", "0.5 inch".
func fmtInches(v float64) string {
	if v == 1 || v < 1 {
		return fmtNum(v, 2) + " inch"
	}
	return fmtNum(v, 2) + " inches"
}
