package dxf

import (
	"fmt"
	"math"

	"github.com/patternvault/patternvault/internal/geom"
)

// maxExtent is the largest width or height in inches a design may have
// (about 2.5 km); larger drawings are broken or hostile.
const maxExtent = 1e5

// unitInches maps $INSUNITS codes to the size of one unit in inches.
var unitInches = map[int]float64{
	1: 1, 2: 12, 4: 1 / 25.4, 5: 1 / 2.54, 6: 1000 / 25.4, 9: 0.001, 10: 36, 14: 100 / 25.4,
}

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
	ins  *entity // an INSERT
}

// reader holds the state of one Read.
type reader struct {
	lx          lexer
	budget      int
	insUnits    int
	measurement int
	blocks      map[string]*block
	pieces      []geom.Path // entities in file order, file units
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
	pcs, err := r.expand(items, affine{a: 1, d: 1}, 0)
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
		poly = nil
		if err != nil {
			return err
		}
		if pc != nil {
			out = append(out, item{path: *pc})
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
			out = append(out, item{path: *pc})
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
// content. Copies (depth > 0) count against the segment budget.
func (r *reader) expand(items []item, m affine, depth int) ([]geom.Path, error) {
	var out []geom.Path
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
			sub, err := r.expand(b.items, m.mul(mi), depth+1)
			out = append(out, sub...)
			if err != nil {
				return out, err
			}
			continue
		}
		if depth == 0 {
			out = append(out, it.path)
			continue
		}
		if err := r.spend(len(it.path.Segments)); err != nil {
			return out, fmt.Errorf("dxf: INSERT: %w", err)
		}
		pc, err := r.transform(&it.path, m)
		if err != nil {
			return out, fmt.Errorf("dxf: INSERT: %w", err)
		}
		out = append(out, pc)
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
		b.AddPath(&r.pieces[i])
	}
	w, h := b.Rect().Max.X-b.Rect().Min.X, b.Rect().Max.Y-b.Rect().Min.Y
	k := r.unitScale(w, h)
	if !(w*k <= maxExtent && h*k <= maxExtent) || !finite(b.Rect().Min) || !finite(b.Rect().Max) {
		return nil, fmt.Errorf("dxf: design extent %.6g x %.6g in exceeds %g in: %w", w*k, h*k, float64(maxExtent), geom.ErrTooLarge)
	}
	scaleBy := affine{a: k, d: k}
	for i := range r.pieces {
		pc, err := r.transform(&r.pieces[i], scaleBy)
		if err != nil {
			return nil, fmt.Errorf("dxf: %w", err)
		}
		r.pieces[i] = pc
	}
	return &geom.Design{Paths: chain(r.pieces), Meta: geom.Meta{Format: "dxf"}}, nil
}

// unitScale returns inches per drawing unit.
func (r *reader) unitScale(w, h float64) float64 {
	if k, ok := unitInches[r.insUnits]; ok {
		return k
	}
	if r.measurement == 1 || math.Max(w, h) > 200 {
		return 1 / 25.4
	}
	return 1
}

func finite(p geom.Point) bool {
	return !math.IsNaN(p.X) && !math.IsNaN(p.Y) && !math.IsInf(p.X, 0) && !math.IsInf(p.Y, 0)
}

// chain joins pieces whose ends touch into stitched paths, with straight
// jumps across the gaps.
func chain(pieces []geom.Path) []geom.Path {
	var out []geom.Path
	single := false // the last path is one piece, free to be reversed
	for _, pc := range pieces {
		pc.Stitch = true
		if len(out) == 0 {
			out = append(out, pc)
			single = true
			continue
		}
		last := &out[len(out)-1]
		end := last.End()
		switch {
		case end.Dist(pc.Start) <= joinTol:
		case end.Dist(pc.End()) <= joinTol:
			pc = reverse(pc)
		case single && last.Start.Dist(pc.Start) <= joinTol:
			*last = reverse(*last)
		case single && last.Start.Dist(pc.End()) <= joinTol:
			*last = reverse(*last)
			pc = reverse(pc)
		default:
			out = append(out, geom.Path{Start: end, Segments: []geom.Segment{{Kind: geom.Line, End: pc.Start}}}, pc)
			single = true
			continue
		}
		last.Segments = append(last.Segments, pc.Segments...)
		single = false
	}
	return out
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
