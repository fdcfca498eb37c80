package dxf

import (
	"fmt"
	"math"
	"strings"

	"github.com/patternvault/patternvault/internal/geom"
)

// maxExtent is the largest width or height in inches a design may have
// (about 2.5 km); larger drawings are broken or hostile.
const maxExtent = geom.MaxExtent

// unitInches maps $INSUNITS codes to the size of one unit in inches.
var unitInches = map[int]float64{
	1: 1, 2: 12, 3: 63360, 4: 1 / 25.4, 5: 1 / 2.54, 6: 1000 / 25.4, 7: 1e6 / 25.4, 8: 1e-6,
	9: 0.001, 10: 36, 11: 1e-7 / 25.4, 12: 1e-6 / 25.4, 13: 1e-3 / 25.4, 14: 100 / 25.4,
	15: 1e4 / 25.4, 16: 1e5 / 25.4,
}

// unitNames names the units of unitInches for warnings.
var unitNames = map[int]string{1: "inches", 4: "millimetres"}

// maxInsertDepth bounds nested block references (and breaks cycles).
const maxInsertDepth = 8

// block is a BLOCKS-section definition.
type block struct {
	base  geom.Point
	items []item
}

// item is an entity's geometry in file units, or a block reference to be
// expanded where it is used.
type item struct {
	path geom.Path
	typ  string  // the entity type, for errors
	line int     // where the entity starts
	ins  *entity // an INSERT
}

// piece is one entity's geometry placed in the drawing.
type piece struct {
	path geom.Path
	typ  string
	line int // the entity's line, or the INSERT's for a block copy
}

// free reports whether the piece's direction carries no intent: ARC,
// CIRCLE and ELLIPSE are counter-clockwise by definition, so they may be
// travelled backwards to continue a path. Lines, polylines and splines keep
// the direction the file gives them.
func (pc *piece) free() bool {
	return pc.typ == "ARC" || pc.typ == "CIRCLE" || pc.typ == "ELLIPSE"
}

// reader holds the state of one Read.
type reader struct {
	lx          lexer
	budget      int
	insUnits    int
	measurement int
	blocks      map[string]*block
	pieces      []piece // entities in file order, file units
}

// Read parses an ASCII DXF drawing into a design in inches, Y up. See the
// package documentation for the entities, units and stitch rules.
func Read(data []byte) (*geom.Design, error) {
	return read(data, geom.MaxSegments)
}

// read is Read with a segment budget, so tests can exercise the limit.
func read(data []byte, budget int) (*geom.Design, error) {
	if len(data) > geom.MaxFileSize {
		return nil, fmt.Errorf("dxf: %d bytes: %w", len(data), geom.ErrTooLarge)
	}
	if len(data) >= 18 && string(data[:18]) == binaryMagic[:18] {
		return nil, ErrBinary
	}
	r := &reader{lx: lexer{data: data}, budget: budget, measurement: -1, blocks: map[string]*block{}}
	if err := r.run(); err != nil {
		return nil, err
	}
	return r.design()
}

// run reads the sections of the file.
func (r *reader) run() error {
	seen := false
	for {
		p, err := r.lx.next()
		if err == errEOF {
			if !seen {
				return fmt.Errorf("%w: no sections or entities", ErrNotDXF)
			}
			return nil
		}
		if err != nil {
			if !seen {
				return fmt.Errorf("%w: %v", ErrNotDXF, err)
			}
			return err
		}
		if p.code != 0 {
			if !seen {
				return fmt.Errorf("%w: line %d: expected group code 0, got %d", ErrNotDXF, p.line, p.code)
			}
			continue // stray group between sections: tolerate
		}
		seen = true
		switch p.value {
		case "EOF":
			return nil
		case "SECTION":
			if err := r.section(); err != nil {
				return err
			}
		default:
			// Entities with no SECTION around them: read them as ENTITIES.
			r.lx.peeked = &p
			if err := r.entitySection(); err != nil {
				return err
			}
		}
	}
}

// section reads one section after its "0 SECTION".
func (r *reader) section() error {
	p, err := r.lx.next()
	if err != nil {
		return err
	}
	if p.code != 2 {
		return fmt.Errorf("dxf: line %d: SECTION without a name (group code %d)", p.line, p.code)
	}
	switch p.value {
	case "HEADER":
		return r.header()
	case "BLOCKS":
		return r.blockSection()
	case "ENTITIES":
		return r.entitySection()
	}
	return r.skipTo("ENDSEC")
}

// skipTo consumes pairs up to and including "0 <end>".
func (r *reader) skipTo(end string) error {
	for {
		p, err := r.lx.next()
		if err != nil {
			if err == errEOF {
				return nil // tolerate a missing ENDSEC at the end
			}
			return err
		}
		if p.code == 0 && (p.value == end || p.value == "EOF") {
			return nil
		}
	}
}

// header reads the variables PatternVault uses: $INSUNITS, $MEASUREMENT.
func (r *reader) header() error {
	name := ""
	for {
		p, err := r.lx.next()
		if err != nil {
			if err == errEOF {
				return nil
			}
			return err
		}
		switch {
		case p.code == 0 && (p.value == "ENDSEC" || p.value == "EOF"):
			return nil
		case p.code == 9:
			name = p.value
		case p.code == 70 && name == "$INSUNITS":
			if r.insUnits, err = p.int(); err != nil {
				return fmt.Errorf("dxf: HEADER $INSUNITS: %w", err)
			}
		case p.code == 70 && name == "$MEASUREMENT":
			if r.measurement, err = p.int(); err != nil {
				return fmt.Errorf("dxf: HEADER $MEASUREMENT: %w", err)
			}
		}
	}
}

// blockSection reads BLOCK ... ENDBLK definitions up to ENDSEC.
func (r *reader) blockSection() error {
	for {
		p, err := r.lx.next()
		if err != nil {
			if err == errEOF {
				return nil
			}
			return err
		}
		if p.code != 0 {
			continue
		}
		switch p.value {
		case "ENDSEC", "EOF":
			return nil
		case "BLOCK":
			e, err := r.readEntity("BLOCK", p.line)
			if err != nil {
				return err
			}
			b := &block{}
			name := e.str(2)
			if b.base, err = e.point(10, 20); err != nil {
				return fmt.Errorf("dxf: BLOCK at line %d: %w", e.line, err)
			}
			if b.items, err = r.entities("ENDBLK"); err != nil {
				return err
			}
			if name != "" {
				r.blocks[name] = b
			}
		}
	}
}

// entity is one entity's type and groups.
type entity struct {
	typ   string
	line  int
	pairs []pair
}

// readEntity collects the groups of an entity up to the next group 0.
func (r *reader) readEntity(typ string, line int) (*entity, error) {
	e := &entity{typ: typ, line: line}
	for {
		p, err := r.lx.peek()
		if err == errEOF {
			return e, nil
		}
		if err != nil {
			return nil, err
		}
		if p.code == 0 {
			return e, nil
		}
		r.lx.peeked = nil
		e.pairs = append(e.pairs, p)
	}
}

// str returns the value of the first group with code, or "".
func (e *entity) str(code int) string {
	for _, p := range e.pairs {
		if p.code == code {
			return p.value
		}
	}
	return ""
}

// num returns the first group with code as a number, or def when absent.
func (e *entity) num(code int, def float64) (float64, error) {
	for _, p := range e.pairs {
		if p.code == code {
			return p.float()
		}
	}
	return def, nil
}

// integer returns the first group with code as an integer, or 0.
func (e *entity) integer(code int) (int, error) {
	for _, p := range e.pairs {
		if p.code == code {
			return p.int()
		}
	}
	return 0, nil
}

// point returns the point made of groups xc and yc (0 when absent).
func (e *entity) point(xc, yc int) (geom.Point, error) {
	x, err := e.num(xc, 0)
	if err != nil {
		return geom.Point{}, err
	}
	y, err := e.num(yc, 0)
	return geom.Point{X: x, Y: y}, err
}

// mirrored reports whether the entity's extrusion is (0,0,-1), which in
// AutoCAD's arbitrary axis algorithm mirrors OCS X.
func (e *entity) mirrored() bool {
	z, err := e.num(230, 1)
	return err == nil && z < 0
}

// spend takes n segments from the budget.
func (r *reader) spend(n int) error {
	r.budget -= n
	if r.budget < 0 {
		return fmt.Errorf("more than %d segments: %w", geom.MaxSegments, geom.ErrTooLarge)
	}
	return nil
}

// entitySection reads the ENTITIES section, expanding block references.
func (r *reader) entitySection() error {
	items, err := r.entities("ENDSEC")
	if err != nil {
		return err
	}
	pcs, err := r.expand(items, affine{a: 1, d: 1}, 0, 0)
	r.pieces = append(r.pieces, pcs...)
	return err
}

// entities reads entities up to "0 <end>" (ENDSEC or ENDBLK) and returns
// their geometry in file units.
func (r *reader) entities(end string) ([]item, error) {
	var out []item
	var poly *polyline
	finishPoly := func() error {
		if poly == nil {
			return nil
		}
		pc, err := poly.path(r)
		line := poly.head.line
		poly = nil
		if err != nil {
			return err
		}
		if pc != nil {
			out = append(out, item{path: *pc, typ: "POLYLINE", line: line})
		}
		return nil
	}
	for {
		p, err := r.lx.next()
		if err == errEOF {
			return out, finishPoly()
		}
		if err != nil {
			return out, err
		}
		if p.code != 0 {
			continue
		}
		if p.value == end || p.value == "ENDSEC" || p.value == "EOF" {
			if p.value == "EOF" {
				r.lx.peeked = &p
			}
			return out, finishPoly()
		}
		e, err := r.readEntity(p.value, p.line)
		if err != nil {
			return out, err
		}
		switch e.typ {
		case "VERTEX":
			if poly != nil {
				if err := poly.addVertex(e); err != nil {
					return out, err
				}
			}
			continue
		case "SEQEND":
			if err := finishPoly(); err != nil {
				return out, err
			}
			continue
		}
		if err := finishPoly(); err != nil {
			return out, err
		}
		if e.typ == "POLYLINE" {
			if poly, err = newPolyline(e); err != nil {
				return out, err
			}
			continue
		}
		if e.typ == "INSERT" {
			out = append(out, item{ins: e})
			continue
		}
		pc, err := r.entityPath(e)
		if err != nil {
			return out, err
		}
		if pc != nil && len(pc.Segments) > 0 {
			out = append(out, item{path: *pc, typ: e.typ, line: e.line})
		}
	}
}

// entityPath converts one entity (other than POLYLINE and INSERT); nil
// when it draws nothing.
func (r *reader) entityPath(e *entity) (*geom.Path, error) {
	var pc *geom.Path
	var err error
	switch e.typ {
	case "LINE":
		pc, err = r.line(e)
	case "ARC", "CIRCLE":
		pc, err = r.arc(e)
	case "LWPOLYLINE":
		pc, err = r.lwpolyline(e)
	case "SPLINE":
		pc, err = r.spline(e)
	case "ELLIPSE":
		pc, err = r.ellipse(e)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dxf: %s at line %d: %w", e.typ, e.line, err)
	}
	return pc, nil
}

// expand maps items through m, replacing block references by the blocks'
// content. Copies (depth > 0) count against the segment budget and are
// placed at the line insLine of the outermost INSERT.
func (r *reader) expand(items []item, m affine, depth, insLine int) ([]piece, error) {
	var out []piece
	for i := range items {
		it := &items[i]
		if it.ins != nil {
			b := r.blocks[it.ins.str(2)]
			if b == nil || depth >= maxInsertDepth {
				continue // unknown block, or nested too deep (a cycle)
			}
			// Each expansion costs one segment so that deep fan-out
			// without geometry still ends.
			if err := r.spend(1); err != nil {
				return out, fmt.Errorf("dxf: INSERT at line %d: %w", it.ins.line, err)
			}
			mi, err := insertMatrix(it.ins, b.base)
			if err != nil {
				return out, err
			}
			at := insLine
			if depth == 0 {
				at = it.ins.line
			}
			sub, err := r.expand(b.items, m.mul(mi), depth+1, at)
			out = append(out, sub...)
			if err != nil {
				return out, err
			}
			continue
		}
		if depth == 0 {
			out = append(out, piece{path: it.path, typ: it.typ, line: it.line})
			continue
		}
		if err := r.spend(len(it.path.Segments)); err != nil {
			return out, fmt.Errorf("dxf: INSERT: %w", err)
		}
		pc, err := r.transform(&it.path, m)
		if err != nil {
			return out, fmt.Errorf("dxf: INSERT: %w", err)
		}
		out = append(out, piece{path: pc, typ: it.typ, line: insLine})
	}
	return out, nil
}

// insertMatrix returns the map from a block's coordinates to the
// coordinates the INSERT is in: base point to insertion point, X/Y scale,
// rotation, and the extrusion mirror.
func insertMatrix(e *entity, base geom.Point) (affine, error) {
	bad := func(err error) (affine, error) {
		return affine{}, fmt.Errorf("dxf: INSERT at line %d: %w", e.line, err)
	}
	at, err := e.point(10, 20)
	if err != nil {
		return bad(err)
	}
	sx, err := e.num(41, 1)
	if err != nil {
		return bad(err)
	}
	sy, err := e.num(42, sx)
	if err != nil {
		return bad(err)
	}
	rot, err := e.num(50, 0)
	if err != nil {
		return bad(err)
	}
	sin, cos := math.Sincos(rot * math.Pi / 180)
	m := affine{a: cos * sx, b: sin * sx, c: -sin * sy, d: cos * sy}
	m.e = at.X - (m.a*base.X + m.c*base.Y)
	m.f = at.Y - (m.b*base.X + m.d*base.Y)
	if e.mirrored() {
		m = mirrorX.mul(m)
	}
	return m, nil
}

// design converts the pieces to inches and chains them into paths.
func (r *reader) design() (*geom.Design, error) {
	var b geom.Bounder
	for i := range r.pieces {
		b.AddPath(&r.pieces[i].path)
	}
	w, h := b.Rect().Max.X-b.Rect().Min.X, b.Rect().Max.Y-b.Rect().Min.Y
	k, warning := r.unitScale(w, h)
	if !(w*k <= maxExtent && h*k <= maxExtent) || !finite(b.Rect().Min) || !finite(b.Rect().Max) {
		return nil, fmt.Errorf("dxf: design extent %.6g x %.6g in exceeds %g in: %w", w*k, h*k, float64(maxExtent), geom.ErrTooLarge)
	}
	scaleBy := affine{a: k, d: k}
	for i := range r.pieces {
		pc := &r.pieces[i]
		p, err := r.transform(&pc.path, scaleBy)
		if err != nil {
			return nil, fmt.Errorf("dxf: %s at line %d: %w", pc.typ, pc.line, err)
		}
		if err := checkRange(&p); err != nil {
			return nil, fmt.Errorf("dxf: %s at line %d: %w", pc.typ, pc.line, err)
		}
		pc.path = p
	}
	d := &geom.Design{Paths: chain(r.pieces), Meta: geom.Meta{Format: "dxf"}}
	if warning != "" {
		d.Warnings = append(d.Warnings, warning)
	}
	return d, nil
}

// checkRange refuses a path with a point beyond geom.MaxCoordinate.
func checkRange(p *geom.Path) error {
	bad := func(q geom.Point) error {
		return fmt.Errorf("point (%.6g, %.6g) in: %w (more than %g in from the origin)",
			q.X, q.Y, geom.ErrOutOfRange, float64(geom.MaxCoordinate))
	}
	if !geom.InRange(p.Start) {
		return bad(p.Start)
	}
	for i := range p.Segments {
		s := &p.Segments[i]
		switch {
		case !geom.InRange(s.End):
			return bad(s.End)
		case s.Kind == geom.Arc && !geom.InRange(s.Center):
			return bad(s.Center)
		case s.Kind == geom.Cubic && !geom.InRange(s.C1):
			return bad(s.C1)
		case s.Kind == geom.Cubic && !geom.InRange(s.C2):
			return bad(s.C2)
		case !s.InRange():
			return fmt.Errorf("arc sweep %g is not a number: %w", s.Sweep, geom.ErrOutOfRange)
		}
	}
	return nil
}

// unitScale returns inches per drawing unit and, when the file does not
// say its unit, a warning naming the unit assumed. $INSUNITS decides; when
// it is absent, 0 (unitless) or unknown, $MEASUREMENT does (0 imperial:
// inches, 1 metric: millimetres); with neither, a drawing wider or taller
// than 200 units is taken as millimetres, anything smaller as inches.
func (r *reader) unitScale(w, h float64) (float64, string) {
	if k, ok := unitInches[r.insUnits]; ok {
		return k, ""
	}
	unknown := ""
	if r.insUnits != 0 {
		unknown = fmt.Sprintf("its unit code $INSUNITS %d is not a length PatternVault knows", r.insUnits)
	}
	switch r.measurement {
	case 0, 1:
		unit := map[int]int{0: 1, 1: 4}[r.measurement]
		if unknown != "" {
			return unitInches[unit], fmt.Sprintf("This DXF drawing's %s: read in %s, as its $MEASUREMENT says; check the size.", unknown, unitNames[unit])
		}
		return unitInches[unit], ""
	}
	why := "the DXF drawing does not say its unit ($INSUNITS or $MEASUREMENT)"
	if unknown != "" {
		why = "this DXF drawing's " + unknown
	}
	if math.Max(w, h) > 200 {
		return 1 / 25.4, fmt.Sprintf("%s%s: read in millimetres, since %.0f units would be too large in inches; check the size.",
			strings.ToUpper(why[:1]), why[1:], math.Max(w, h))
	}
	return 1, fmt.Sprintf("%s%s: read in inches; check the size.", strings.ToUpper(why[:1]), why[1:])
}

func finite(p geom.Point) bool {
	return !math.IsNaN(p.X) && !math.IsNaN(p.Y) && !math.IsInf(p.X, 0) && !math.IsInf(p.Y, 0)
}

// chain joins pieces into stitched paths in file order, with straight
// jumps across the gaps. A piece continues the current path when its start
// touches the path's end; one whose direction is free (an ARC, CIRCLE or
// ELLIPSE, see piece.free) may also be turned round when its end touches,
// and a path that is a single free piece may be turned round to meet the
// next piece. A line, polyline or spline is never reversed: its direction
// is the sewing direction, and reversing it would change the order of
// stitching and hide the jump to its start.
func chain(pieces []piece) []geom.Path {
	var out []geom.Path
	single := false // the last path is one free piece, which may be reversed
	for i := range pieces {
		pc := pieces[i].path
		free := pieces[i].free()
		pc.Stitch = true
		if len(out) == 0 {
			out = append(out, pc)
			single = free
			continue
		}
		last := &out[len(out)-1]
		end := last.End()
		switch {
		case end.Dist(pc.Start) <= joinTol:
		case free && end.Dist(pc.End()) <= joinTol:
			pc = reverse(pc)
		case single && last.Start.Dist(pc.Start) <= joinTol:
			turn(out)
		case single && free && last.Start.Dist(pc.End()) <= joinTol:
			turn(out)
			pc = reverse(pc)
		default:
			out = append(out, geom.Path{Start: end, Segments: []geom.Segment{{Kind: geom.Line, End: pc.Start}}}, pc)
			single = free
			continue
		}
		last.Segments = append(last.Segments, pc.Segments...)
		single = false
	}
	return out
}

// turn reverses the last path of out, moving the end of the jump that leads
// to it, if any, to its new start.
func turn(out []geom.Path) {
	last := &out[len(out)-1]
	*last = reverse(*last)
	if n := len(out); n >= 2 && !out[n-2].Stitch {
		jump := &out[n-2]
		jump.Segments[len(jump.Segments)-1].End = last.Start
	}
}

// reverse returns p travelled backwards.
func reverse(p geom.Path) geom.Path {
	n := len(p.Segments)
	out := geom.Path{Start: p.End(), Stitch: p.Stitch, Segments: make([]geom.Segment, n)}
	for i, s := range p.Segments {
		from := p.Start
		if i > 0 {
			from = p.Segments[i-1].End
		}
		rs := geom.Segment{Kind: s.Kind, End: from}
		switch s.Kind {
		case geom.Arc:
			rs.Center, rs.Sweep = s.Center, -s.Sweep
		case geom.Cubic:
			rs.C1, rs.C2 = s.C2, s.C1
		}
		out.Segments[n-1-i] = rs
	}
	return out
}
