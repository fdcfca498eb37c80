// Package formats reads and writes quilting machine formats to and from the
// neutral geometry of package geom. Each format lives in its own file and
// registers a Format in the table below; detection looks at content first
// and the file name second.
//
// Every reader refuses files larger than geom.MaxFileSize bytes or holding
// more than geom.MaxSegments segments (geom.ErrTooLarge), refuses a
// coordinate that is not finite or lies beyond geom.MaxCoordinate inches
// (geom.ErrOutOfRange) and a design wider or taller than geom.MaxExtent,
// reports errors as "<format>: line <n>: <what>" (an offset for binary
// formats), and wraps ErrNotDesign when the data is not in that format at
// all. Every writer applies the same guard (geom.Design.Check), so no file
// PatternVault writes holds Inf, NaN or an overflowed number. Coordinates
// are inches with Y up throughout.
//
// Read tells a design it could not read (ErrUnreadable, with the reason in
// a *ReadError) from a file that is plainly something else (ErrNotDesign)
// and from a format it only keeps as-is (ErrNoGeometry); Check does the
// same from a file's first bytes. Losses says what a target format cannot
// carry of a design; Preview draws formats kept as-is whose layout one
// exporter was seen to write.
package formats

import (
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/patternvault/patternvault/internal/formats/dxf"
	"github.com/patternvault/patternvault/internal/formats/svg"
	"github.com/patternvault/patternvault/internal/geom"
)

// ErrNotDesign is returned (wrapped) when data is not a design in the format.
var ErrNotDesign = errors.New("not a design file")

// ErrNoGeometry is returned (wrapped) by Read for a recognised design format
// whose structure is unknown: the file is a design, but has no preview.
var ErrNoGeometry = errors.New("design format has no known structure")

// Format describes one machine format.
type Format struct {
	// Name is the short lower-case name, also the usual extension ("qli").
	Name string
	// Title is the human name ("Gammill / Statler Stitcher QLI").
	Title string
	// Extensions lists file extensions without the dot, lower case.
	Extensions []string
	// Sniff reports whether the start of a file (up to 512 bytes) looks like
	// this format. Nil when the format cannot be recognised by content.
	Sniff func(head []byte) bool
	// Read parses a whole file. Nil when the structure is unknown.
	Read func(data []byte) (*geom.Design, error)
	// Write encodes a design. Nil when the format cannot be written.
	Write func(w io.Writer, d *geom.Design) error
	// keeps says what of a design the writer carries (see Losses).
	keeps keep
	// text is set for formats that are always text files, so binary data
	// under their name is refused at once (see Check).
	text bool
	// preview reads a format without a reader the way one exporter was
	// seen to write it, for a picture only (see Preview).
	preview func(data []byte) (*geom.Design, error)
}

// SVG and DXF live in their own packages; these entries wire them into the
// registry, marking their "not this format" errors as ErrNotDesign.
var (
	SVG = &Format{
		Name:       "svg",
		Title:      "SVG vector drawing",
		Extensions: []string{"svg"},
		Sniff:      svg.Sniff,
		Read:       notDesignAs(svg.Read, svg.ErrNotSVG),
		Write:      svg.Write,
		keeps:      keepAll,
		text:       true,
	}
	DXF = &Format{
		Name:       "dxf",
		Title:      "AutoCAD DXF",
		Extensions: []string{"dxf"},
		Sniff:      dxf.Sniff,
		Read:       notDesignAs(dxf.Read, dxf.ErrNotDXF),
		Write:      dxf.Write,
		keeps:      keepJumps,
	}
)

func init() {
	register(SVG)
	register(DXF)
}

// notDesignAs wraps read so that its sentinel error also matches
// ErrNotDesign.
func notDesignAs(read func([]byte) (*geom.Design, error), sentinel error) func([]byte) (*geom.Design, error) {
	return func(data []byte) (*geom.Design, error) {
		d, err := read(data)
		if err != nil && errors.Is(err, sentinel) && !errors.Is(err, ErrNotDesign) {
			return nil, fmt.Errorf("%w (%w)", err, ErrNotDesign)
		}
		return d, err
	}
}

// SniffLen is how many leading bytes Detect needs to look at.
const SniffLen = 512

var (
	mu       sync.RWMutex
	registry []*Format
)

// register adds f to the table. It panics on a duplicate name, which is a
// programming error caught by any test.
func register(f *Format) {
	mu.Lock()
	defer mu.Unlock()
	for _, g := range registry {
		if g.Name == f.Name {
			panic("formats: duplicate format " + f.Name)
		}
	}
	registry = append(registry, f)
	slices.SortFunc(registry, func(a, b *Format) int { return strings.Compare(a.Name, b.Name) })
}

// All returns every registered format, sorted by name.
func All() []*Format {
	mu.RLock()
	defer mu.RUnlock()
	return slices.Clone(registry)
}

// ByName returns the format with the given name (case-insensitive), or nil.
func ByName(name string) *Format {
	name = strings.ToLower(name)
	for _, f := range All() {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// ByExtension returns the format that owns the file extension ext (with or
// without the dot, any case), or nil.
func ByExtension(ext string) *Format {
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	if ext == "" {
		return nil
	}
	for _, f := range All() {
		if slices.Contains(f.Extensions, ext) {
			return f
		}
	}
	return nil
}

// Detect returns the format of the file called name whose first bytes are
// head (SniffLen bytes are enough), or nil when it is not a design file.
// Content decides first; the extension second. Pictures and notes files are
// never designs, even when a notes file ends in .txt like PC Quilter files.
func Detect(name string, head []byte) *Format {
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	for _, f := range All() {
		if f.Sniff != nil && f.Sniff(head) {
			return f
		}
	}
	if IsPicture(name) || IsNotes(name, head) {
		return nil
	}
	return ByExtension(filepath.Ext(name))
}

// Read detects the format of the file called name and parses it. The format
// is returned whenever it was recognised, even with an error. Errors are
// *ReadError values that tell three cases apart (see ReadError):
//   - ErrUnreadable: the file claims a format with a reader, and it could
//     not be read (the reason says why, with the line or offset);
//   - ErrNotDesign: the content is plainly another kind of file (an HTML
//     page named .hqf), or neither name nor content is a design format
//     (then the format is nil and the error is not a *ReadError);
//   - ErrNoGeometry: a format whose structure is unknown, kept as-is
//     without a preview.
//
// A design that is read may carry warnings (geom.Design.Warnings), among
// them one for a size no quilting design has.
func Read(name string, data []byte) (*geom.Design, *Format, error) {
	f := Detect(name, data)
	if f == nil {
		return nil, nil, fmt.Errorf("formats: %s: %w", filepath.Base(name), ErrNotDesign)
	}
	head := data[:min(len(data), SniffLen)]
	if reason := mismatch(f, head); reason != "" {
		return nil, f, notDesignError(name, f, reason)
	}
	if f.Read == nil {
		return nil, f, &ReadError{Name: filepath.Base(name), Format: f, kinds: []error{ErrNoGeometry},
			Reason: fmt.Sprintf("%s files are kept as they are: their structure is not public, so there is no preview", f.Title)}
	}
	d, err := f.Read(data)
	if err == nil {
		// The guard every reader applies, checked once more on the whole.
		if cerr := d.Check(); cerr != nil {
			d, err = nil, fmt.Errorf("%s: %w", f.Name, cerr)
		}
	}
	if err != nil {
		return nil, f, &ReadError{Name: filepath.Base(name), Format: f, Reason: err.Error(), Err: err, kinds: []error{ErrUnreadable}}
	}
	d.Meta.Format = f.Name
	d.Warnings = append(d.Warnings, sizeWarnings(d)...)
	return d, f, nil
}

// Write encodes d in the named format.
func Write(w io.Writer, formatName string, d *geom.Design) error {
	f := ByName(formatName)
	switch {
	case f == nil:
		return fmt.Errorf("formats: unknown format %q", formatName)
	case f.Write == nil:
		return fmt.Errorf("formats: cannot write %s files", f.Name)
	}
	return f.Write(w, d)
}

// checkSize refuses data larger than geom.MaxFileSize.
func checkSize(format string, data []byte) error {
	if len(data) > geom.MaxFileSize {
		return fmt.Errorf("%s: %d bytes: %w", format, len(data), geom.ErrTooLarge)
	}
	return nil
}

// eachLine calls fn with every line of a text file, numbered from 1, with a
// UTF-8 byte-order mark, the line ending and surrounding blanks removed. It
// stops at the first error or when fn returns errStop.
func eachLine(data []byte, fn func(n int, line string) error) error {
	s := strings.TrimPrefix(string(data), "\ufeff")
	for n := 1; s != ""; n++ {
		line, rest, _ := strings.Cut(s, "\n")
		s = rest
		if err := fn(n, strings.TrimSpace(line)); err != nil {
			if err == errStop {
				return nil
			}
			return err
		}
	}
	return nil
}

// errStop tells eachLine to stop without error (an end-of-program command).
var errStop = errors.New("stop")

// builder assembles a Design while a reader walks a file. The needle starts
// at the origin; consecutive segments with the same stitch flag join one
// path until breakPath or a pause.
type builder struct {
	d    geom.Design
	cur  geom.Point
	open bool // the last path may be extended
	n    int  // segments so far
	hull geom.Hull
}

// add appends s, starting at the current point, to a stitched or jump path.
// Zero-length lines are dropped; coordinates that are not finite or lie
// beyond geom.MaxCoordinate are refused (geom.ErrOutOfRange).
func (b *builder) add(s geom.Segment, stitch bool) error {
	if !s.InRange() {
		return outOfRange(&s)
	}
	if s.Kind == geom.Line && s.End == b.cur {
		return nil
	}
	if b.n++; b.n > geom.MaxSegments {
		return fmt.Errorf("more than %d segments: %w", geom.MaxSegments, geom.ErrTooLarge)
	}
	paths := b.d.Paths
	if !b.open || len(paths) == 0 || paths[len(paths)-1].Stitch != stitch {
		b.d.Paths = append(b.d.Paths, geom.Path{Start: b.cur, Stitch: stitch})
		b.open = true
		b.hull.Add(b.cur)
	}
	b.hull.AddSegment(b.cur, &s)
	p := &b.d.Paths[len(b.d.Paths)-1]
	p.Segments = append(p.Segments, s)
	b.cur = s.End
	return nil
}

// moveTo puts the needle at p without sewing or jumping there: the start
// of a file that begins with a position rather than a move.
func (b *builder) moveTo(p geom.Point) error {
	if !geom.InRange(p) {
		return outOfRange(&geom.Segment{End: p})
	}
	b.cur = p
	return nil
}

// lineTo adds a straight segment to p.
func (b *builder) lineTo(p geom.Point, stitch bool) error {
	return b.add(geom.Segment{Kind: geom.Line, End: p}, stitch)
}

// breakPath makes the next segment start a new path.
func (b *builder) breakPath() { b.open = false }

// pause records an operator stop before the next path.
func (b *builder) pause(text string) {
	b.breakPath()
	b.d.Pauses = append(b.d.Pauses, geom.Pause{Before: len(b.d.Paths), Text: text})
}

// design returns the finished design, refusing one wider or taller than
// geom.MaxExtent (geom.ErrTooLarge). The box add grew holds the design and
// is cheap; the exact bounds are only computed when the box is too large.
func (b *builder) design(format string) (*geom.Design, error) {
	if b.hull.TooWide(geom.MaxExtent) {
		if r := b.d.Bounds(); !(r.Width() <= geom.MaxExtent && r.Height() <= geom.MaxExtent) {
			return nil, fmt.Errorf("%s: design extent %.6g × %.6g in exceeds %g in: %w", format, r.Width(), r.Height(), float64(geom.MaxExtent), geom.ErrTooLarge)
		}
	}
	return &b.d, nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// parseNumber parses a decimal number of a text format. A number beyond
// float64 (a 310-digit coordinate) is refused with geom.ErrOutOfRange, one
// too small for it reads as 0, and "Inf" or "NaN" spelled out are refused.
func parseNumber(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err == nil && finite(v):
		return v, nil
	case errors.Is(err, strconv.ErrRange) && v == 0:
		return 0, nil
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("%s: %w", clip(s), geom.ErrOutOfRange)
	}
	return 0, fmt.Errorf("%q", clip(s))
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 24 {
		return s[:20] + "…"
	}
	return s
}

// checkWritable applies the writers' guard (geom.Design.Check): a design
// with a coordinate that is not finite or beyond geom.MaxCoordinate, or
// wider or taller than geom.MaxExtent, is refused rather than written as
// Inf, NaN or an overflowed number.
func checkWritable(format string, d *geom.Design) error {
	if err := d.Check(); err != nil {
		return fmt.Errorf("%s: cannot write this design: %w", format, err)
	}
	return nil
}

// outOfRange describes the first unusable point of s for a reader's error,
// which the reader prefixes with the line (or offset) it came from.
func outOfRange(s *geom.Segment) error {
	p := s.End
	switch {
	case !geom.InRange(p):
	case s.Kind == geom.Arc && !geom.InRange(s.Center):
		p = s.Center
	case s.Kind == geom.Cubic && !geom.InRange(s.C1):
		p = s.C1
	case s.Kind == geom.Cubic && !geom.InRange(s.C2):
		p = s.C2
	default:
		return fmt.Errorf("arc sweep %g is not a number: %w", s.Sweep, geom.ErrOutOfRange)
	}
	return fmt.Errorf("point (%.6g, %.6g) in: %w (more than %g in from the origin)",
		p.X, p.Y, geom.ErrOutOfRange, float64(geom.MaxCoordinate))
}

// polylineTolerance is the flattening tolerance, in inches, of writers for
// formats without arcs or curves. It leaves room for the format's own
// rounding within the 0.001 in that conversions promise.
const polylineTolerance = 0.00025

// pointBudget bounds how many points a writer may produce by flattening,
// so that a hostile design (huge arcs in every segment) cannot make a
// conversion run away: past geom.MaxSegments points it gives ErrTooLarge.
type pointBudget struct{ left int }

func newPointBudget() *pointBudget { return &pointBudget{left: geom.MaxSegments} }

// flatten returns p as a polyline within polylineTolerance.
func (b *pointBudget) flatten(format string, p *geom.Path) ([]geom.Point, error) {
	pts := p.Flatten(polylineTolerance)
	return pts, b.spend(format, len(pts))
}

// segment returns the points of s (starting at from), as Segment.Flatten.
func (b *pointBudget) segment(format string, s *geom.Segment, from geom.Point) ([]geom.Point, error) {
	pts := s.Flatten(nil, from, polylineTolerance)
	return pts, b.spend(format, len(pts))
}

func (b *pointBudget) spend(format string, n int) error {
	if b.left -= n; b.left < 0 {
		return fmt.Errorf("%s: more than %d points once flattened: %w", format, geom.MaxSegments, geom.ErrTooLarge)
	}
	return nil
}

// walk calls fn for every path of d with its pauses, in order: pauses
// before path i are reported through pause first.
func walk(d *geom.Design, pause func(text string) error, fn func(i int, p *geom.Path) error) error {
	k := 0
	pauses := slices.Clone(d.Pauses)
	slices.SortStableFunc(pauses, func(a, b geom.Pause) int { return a.Before - b.Before })
	for i := 0; i <= len(d.Paths); i++ {
		for ; k < len(pauses) && pauses[k].Before <= i; k++ {
			if err := pause(pauses[k].Text); err != nil {
				return err
			}
		}
		if i < len(d.Paths) {
			if err := fn(i, &d.Paths[i]); err != nil {
				return err
			}
		}
	}
	return nil
}
