package svg

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"github.com/patternvault/patternvault/internal/lazy"
	"io"
	"math"
	"strings"

	"github.com/patternvault/patternvault/internal/geom"
)

// svgNS is the SVG namespace; elements in other namespaces are skipped.
const svgNS = "http://www.w3.org/2000/svg"

// skipped lists SVG elements whose content never becomes stitching.
var skipped = map[string]bool{
	"defs": true, "style": true, "script": true, "text": true, "image": true,
	"clipPath": true, "mask": true, "marker": true, "pattern": true,
	"symbol": true, "metadata": true, "foreignObject": true, "use": true,
	"linearGradient": true, "radialGradient": true, "filter": true,
	"title": true, "desc": true,
}

// containers are elements whose children are drawn with their transform.
var containers = map[string]bool{"g": true, "a": true, "switch": true, "svg": true}

// reader holds the state of one Read.
type reader struct {
	dec    *xml.Decoder
	budget int
	// stack holds the user-space → inches (Y-up) transform of each open
	// container element; stack[0] belongs to the root <svg>.
	stack  []matrix
	paths  []geom.Path // stitched subpaths, before normalisation
	pauses []geom.Pause
	meta   geom.Meta
}

// Read parses an SVG document into a design in inches, Y up. See the
// package documentation for how SVG features map onto the design.
func Read(data []byte) (*geom.Design, error) {
	if len(data) > geom.MaxFileSize {
		return nil, fmt.Errorf("svg: %d bytes: %w", len(data), geom.ErrTooLarge)
	}
	r := &reader{budget: geom.MaxSegments, meta: geom.Meta{Format: "svg"}}
	r.dec = xml.NewDecoder(xml10(data))
	r.dec.Strict = false
	r.dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	if err := r.run(); err != nil {
		return nil, err
	}
	return r.design()
}

// xml10 returns the document for a decoder that only knows XML 1.0: an
// XML 1.1 declaration (which some drawing programs write; the documents
// are otherwise the same for SVG) is read as version 1.0. Nothing else
// is changed, so line and column numbers stay true.
func xml10(data []byte) io.Reader {
	start := len(data) - len(bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n"))
	rest := data[start:]
	end := bytes.Index(rest, []byte("?>"))
	if !bytes.HasPrefix(rest, []byte("<?xml")) || end < 0 || end > 512 {
		return bytes.NewReader(data)
	}
	m := xml11Version().FindSubmatchIndex(rest[:end])
	if m == nil {
		return bytes.NewReader(data)
	}
	fixed := bytes.Clone(data[:start+end])
	fixed[start+m[2]+2] = '0' // "1.1" → "1.0"
	return io.MultiReader(bytes.NewReader(fixed), bytes.NewReader(data[start+end:]))
}

// xml11Version finds the version number "1.1" of an XML declaration.
var xml11Version = lazy.Regexp(`\bversion\s*=\s*["'](1\.1)["']`)

// where names the current input position for error messages.
func (r *reader) where() string {
	line, col := r.dec.InputPos()
	return fmt.Sprintf("line %d:%d", line, col)
}

// run is the token loop.
func (r *reader) run() error {
	root := false
	for {
		tok, err := r.dec.Token()
		if err == io.EOF {
			if !root {
				return fmt.Errorf("%w: no <svg> element", ErrNotSVG)
			}
			return nil
		}
		if err != nil {
			if !root {
				return fmt.Errorf("%w: %v", ErrNotSVG, err)
			}
			return fmt.Errorf("svg: %s: %w", r.where(), err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !root {
				if t.Name.Local != "svg" {
					return fmt.Errorf("%w: root element is <%s>", ErrNotSVG, t.Name.Local)
				}
				root = true
				m, err := rootMatrix(t)
				if err != nil {
					return fmt.Errorf("svg: %s: <svg>: %w", r.where(), err)
				}
				r.stack = append(r.stack, m)
				continue
			}
			if err := r.start(t); err != nil {
				return err
			}
		case xml.EndElement:
			if len(r.stack) > 0 {
				r.stack = r.stack[:len(r.stack)-1]
			}
			if len(r.stack) == 0 && root {
				return nil
			}
		}
	}
}

// start handles an element inside the root <svg>.
func (r *reader) start(t xml.StartElement) error {
	name := t.Name.Local
	foreign := t.Name.Space != "" && t.Name.Space != svgNS
	if len(r.stack) == 1 && !foreign && (name == "title" || name == "desc") {
		return r.readMeta(name)
	}
	if foreign || skipped[name] || hidden(t) || hasClass(t, "jump") {
		return r.skip()
	}
	if p, ok := attr(t, "data-pause"); ok {
		r.pauses = append(r.pauses, geom.Pause{Before: len(r.paths), Text: p})
	}
	m := r.stack[len(r.stack)-1]
	if tr, ok := attr(t, "transform"); ok {
		tm, err := parseTransform(tr)
		if err != nil {
			return fmt.Errorf("svg: %s: <%s>: %w", r.where(), name, err)
		}
		m = m.mul(tm)
	}
	if containers[name] {
		if len(r.stack) >= maxDepth {
			return fmt.Errorf("svg: %s: elements nested deeper than %d", r.where(), maxDepth)
		}
		if name == "svg" {
			m = m.mul(translate(userLen(t, "x"), userLen(t, "y")))
		}
		r.stack = append(r.stack, m)
		return nil
	}
	d, err := shapePath(t)
	if err != nil {
		return fmt.Errorf("svg: %s: <%s>: %w", r.where(), name, err)
	}
	if d != "" {
		e := newEmitter(m, &r.budget)
		if err := parsePath(d, e); err != nil {
			if errors.Is(err, geom.ErrTooLarge) {
				return fmt.Errorf("svg: %s: <%s>: %w", r.where(), name, err)
			}
			return fmt.Errorf("svg: %s: <%s> path data: %w", r.where(), name, err)
		}
		e.flush()
		for i := range e.paths {
			if err := placed(&e.paths[i]); err != nil {
				return fmt.Errorf("svg: %s: <%s>: %w", r.where(), name, err)
			}
		}
		r.paths = append(r.paths, e.paths...)
	}
	return r.skip() // shapes' children (title, animate...) draw nothing
}

// skip discards the rest of the current element.
func (r *reader) skip() error {
	if err := r.dec.Skip(); err != nil {
		return fmt.Errorf("svg: %s: %w", r.where(), err)
	}
	return nil
}

// readMeta reads the root's <title> or <desc> text into the metadata.
func (r *reader) readMeta(name string) error {
	var b strings.Builder
	for depth := 1; depth > 0; {
		tok, err := r.dec.Token()
		if err != nil {
			return fmt.Errorf("svg: %s: <%s>: %w", r.where(), name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if b.Len() < 64<<10 {
				b.Write(t)
			}
		}
	}
	text := strings.ToValidUTF8(strings.TrimSpace(b.String()), "\uFFFD")
	if name == "title" {
		r.meta.Title = text
		return nil
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "Designer:"):
			r.meta.Designer = strings.TrimSpace(strings.TrimPrefix(line, "Designer:"))
		case strings.HasPrefix(line, "http://") || strings.HasPrefix(line, "https://"):
			r.meta.URLs = append(r.meta.URLs, line)
		default:
			r.meta.Notes = append(r.meta.Notes, line)
		}
	}
	return nil
}

// design normalises the collected paths (Y-up, lower left of the bounding
// box at the origin) and inserts jumps between paths that do not touch.
func (r *reader) design() (*geom.Design, error) {
	var b geom.Bounder
	for i := range r.paths {
		b.AddPath(&r.paths[i])
	}
	if w, h := b.Rect().Max.X-b.Rect().Min.X, b.Rect().Max.Y-b.Rect().Min.Y; !(w <= maxExtent && h <= maxExtent) {
		return nil, fmt.Errorf("svg: design extent %.6g x %.6g in exceeds %g in: %w", w, h, float64(maxExtent), geom.ErrTooLarge)
	}
	shift := geom.Point{}
	if !b.Empty() {
		shift = geom.Point{X: -b.Rect().Min.X, Y: -b.Rect().Min.Y}
	}
	d := &geom.Design{Meta: r.meta}
	pi := 0
	for i := range r.paths {
		p := r.paths[i]
		translatePath(&p, shift)
		for ; pi < len(r.pauses) && r.pauses[pi].Before <= i; pi++ {
			d.Pauses = append(d.Pauses, geom.Pause{Before: len(d.Paths), Text: r.pauses[pi].Text})
		}
		if n := len(d.Paths); n > 0 {
			if last := d.Paths[n-1].End(); last.Dist(p.Start) > joinTol {
				d.Paths = append(d.Paths, geom.Path{Start: last, Segments: []geom.Segment{{Kind: geom.Line, End: p.Start}}})
			}
		}
		d.Paths = append(d.Paths, p)
	}
	for ; pi < len(r.pauses); pi++ {
		d.Pauses = append(d.Pauses, geom.Pause{Before: len(d.Paths), Text: r.pauses[pi].Text})
	}
	return d, nil
}

// maxPlacement is how far from the page origin, in inches, a drawing may
// be placed before it is moved to the origin: further is not a drawing but
// a broken or hostile number.
const maxPlacement = 1e9

// placed refuses a path with a point that is not a finite number within
// maxPlacement of the page origin.
func placed(p *geom.Path) error {
	ok := func(q geom.Point) bool { return math.Abs(q.X) <= maxPlacement && math.Abs(q.Y) <= maxPlacement }
	bad := p.Start
	if ok(bad) {
		for i := range p.Segments {
			s := &p.Segments[i]
			for _, q := range []geom.Point{s.End, s.Center, s.C1, s.C2} {
				if !ok(q) {
					bad = q
					break
				}
			}
			if !ok(bad) {
				break
			}
		}
	}
	if !ok(bad) {
		return fmt.Errorf("point (%.6g, %.6g) in: %w (more than %g in from the page origin)", bad.X, bad.Y, geom.ErrOutOfRange, float64(maxPlacement))
	}
	return nil
}

// translatePath moves every point of p by v.
func translatePath(p *geom.Path, v geom.Point) {
	p.Start = p.Start.Add(v)
	for i := range p.Segments {
		s := &p.Segments[i]
		s.End = s.End.Add(v)
		switch s.Kind {
		case geom.Arc:
			s.Center = s.Center.Add(v)
		case geom.Cubic:
			s.C1 = s.C1.Add(v)
			s.C2 = s.C2.Add(v)
		}
	}
}

// attr returns the value of the unprefixed attribute name.
func attr(t xml.StartElement, name string) (string, bool) {
	for _, a := range t.Attr {
		if a.Name.Local == name && (a.Name.Space == "" || a.Name.Space == svgNS) {
			return a.Value, true
		}
	}
	return "", false
}

// hasClass reports whether the element's class list contains c.
func hasClass(t xml.StartElement, c string) bool {
	v, _ := attr(t, "class")
	for _, f := range strings.Fields(v) {
		if f == c {
			return true
		}
	}
	return false
}

// hidden reports whether the element is display:none (attribute or style).
func hidden(t xml.StartElement) bool {
	if v, _ := attr(t, "display"); strings.TrimSpace(v) == "none" {
		return true
	}
	style, _ := attr(t, "style")
	for _, decl := range strings.Split(style, ";") {
		k, v, ok := strings.Cut(decl, ":")
		if ok && strings.TrimSpace(k) == "display" && strings.TrimSpace(v) == "none" {
			return true
		}
	}
	return false
}

// emitter turns parsed path data into geom paths, mapping user units to
// inches (Y up) through m.
type emitter struct {
	m         matrix
	k         float64 // scale when m is conformal
	conformal bool
	mirror    bool // m reverses orientation
	budget    *int
	cur       *geom.Path
	paths     []geom.Path
	last      geom.Point // current point in user units
}

func newEmitter(m matrix, budget *int) *emitter {
	k, ok := m.conformal()
	return &emitter{m: m, k: k, conformal: ok, mirror: m.det() < 0, budget: budget}
}

// spend takes n segments from the budget.
func (e *emitter) spend(n int) error {
	*e.budget -= n
	if *e.budget < 0 {
		return fmt.Errorf("more than %d segments: %w", geom.MaxSegments, geom.ErrTooLarge)
	}
	return nil
}

// flush ends the current subpath, keeping it if it drew anything.
func (e *emitter) flush() {
	if e.cur != nil && len(e.cur.Segments) > 0 {
		e.paths = append(e.paths, *e.cur)
	}
	e.cur = nil
}

func (e *emitter) moveTo(p geom.Point) error {
	e.flush()
	e.cur = &geom.Path{Start: e.m.apply(p), Stitch: true}
	e.last = p
	return nil
}

// ensure starts an implicit subpath at the current point when a drawing
// command follows a close or arrives first.
func (e *emitter) ensure() {
	if e.cur == nil {
		e.cur = &geom.Path{Start: e.m.apply(e.last), Stitch: true}
	}
}

func (e *emitter) lineTo(p geom.Point) error {
	if err := e.spend(1); err != nil {
		return err
	}
	e.ensure()
	e.cur.Segments = append(e.cur.Segments, geom.Segment{Kind: geom.Line, End: e.m.apply(p)})
	e.last = p
	return nil
}

func (e *emitter) cubicTo(c1, c2, p geom.Point) error {
	if err := e.spend(1); err != nil {
		return err
	}
	e.ensure()
	e.cur.Segments = append(e.cur.Segments, geom.Segment{
		Kind: geom.Cubic, C1: e.m.apply(c1), C2: e.m.apply(c2), End: e.m.apply(p),
	})
	e.last = p
	return nil
}

func (e *emitter) arcTo(from geom.Point, rx, ry, phiDeg float64, large, sweep bool, p geom.Point) error {
	if from == p {
		return nil // SVG omits zero-length arcs
	}
	if rx == 0 || ry == 0 {
		return e.lineTo(p)
	}
	c, rx, ry, theta1, dtheta := arcCenter(from, rx, ry, phiDeg, large, sweep, p)
	if math.IsNaN(dtheta) || math.IsNaN(c.X) || math.IsNaN(c.Y) || math.IsInf(rx, 0) || math.IsInf(ry, 0) {
		return e.lineTo(p)
	}
	e.ensure()
	if e.conformal && math.Abs(rx-ry) <= 1e-9*math.Max(rx, ry) {
		if err := e.spend(1); err != nil {
			return err
		}
		s := dtheta
		if e.mirror {
			s = -s
		}
		e.cur.Segments = append(e.cur.Segments, geom.Segment{Kind: geom.Arc, Center: e.m.apply(c), Sweep: s, End: e.m.apply(p)})
		e.last = p
		return nil
	}
	if err := e.spend(8); err != nil {
		return err
	}
	segs := ellipseCubics(e.cur.Segments, e.m, c, rx, ry, phiDeg*math.Pi/180, theta1, dtheta)
	segs[len(segs)-1].End = e.m.apply(p)
	e.cur.Segments = segs
	e.last = p
	return nil
}
