// Package geom holds PatternVault's neutral design geometry: ordered paths of
// lines, circular arcs and cubic Bézier curves in inches with Y pointing up,
// each path either stitched or a jump, plus operator pauses and metadata.
//
// Every format reader produces a *Design and every writer consumes one, so
// thumbnails, conversions and shape analysis all work from the same model.
package geom

import (
	"errors"
	"fmt"
	"math"
)

// Point is a position in inches. Y points up, as on a quilting machine.
type Point struct {
	X, Y float64
}

// Add returns p+q.
func (p Point) Add(q Point) Point { return Point{p.X + q.X, p.Y + q.Y} }

// Sub returns p-q.
func (p Point) Sub(q Point) Point { return Point{p.X - q.X, p.Y - q.Y} }

// Scale returns p scaled by f.
func (p Point) Scale(f float64) Point { return Point{p.X * f, p.Y * f} }

// Dist returns the Euclidean distance between p and q.
func (p Point) Dist(q Point) float64 { return math.Hypot(p.X-q.X, p.Y-q.Y) }

// SegmentKind tells how a segment travels from the previous point to End.
type SegmentKind uint8

// The segment kinds.
const (
	// Line is a straight move to End.
	Line SegmentKind = iota
	// Arc is a circular arc around Center sweeping Sweep radians to End.
	Arc
	// Cubic is a cubic Bézier curve with control points C1 and C2 ending at End.
	Cubic
)

// String names the kind.
func (k SegmentKind) String() string {
	switch k {
	case Line:
		return "line"
	case Arc:
		return "arc"
	case Cubic:
		return "cubic"
	}
	return "unknown"
}

// Segment is one piece of a path. It starts where the previous segment (or
// the path's Start) ended.
type Segment struct {
	Kind SegmentKind
	// End is where the segment finishes.
	End Point
	// Center is the arc centre (Arc only).
	Center Point
	// Sweep is the arc's signed sweep in radians, positive counter-clockwise
	// (Arc only). Its magnitude may exceed 2π for nothing; readers keep it
	// within [-2π, 2π].
	Sweep float64
	// C1 and C2 are the Bézier control points (Cubic only).
	C1, C2 Point
}

// Path is a run of connected segments that is either stitched or a jump
// (needle up, thread not sewn).
type Path struct {
	Start    Point
	Segments []Segment
	// Stitch is true when the needle sews along the path, false for a jump.
	Stitch bool
}

// End returns where the path finishes.
func (p *Path) End() Point {
	if len(p.Segments) == 0 {
		return p.Start
	}
	return p.Segments[len(p.Segments)-1].End
}

// Pause is an operator stop (for example a thread change) that happens
// before path Before starts; Before == len(Paths) means after the last path.
type Pause struct {
	Before int
	Text   string
}

// Meta is the descriptive information a design file may carry.
type Meta struct {
	// Format is the name of the format the design was read from ("qli", ...).
	Format   string
	Title    string
	Designer string
	Notes    []string
	URLs     []string
}

// Design is one quilting design in neutral form.
type Design struct {
	Paths  []Path
	Pauses []Pause
	Meta   Meta
	// Warnings are doubts a reader had about the file, in plain words for
	// the quilter: a unit it had to assume, a size no quilt has. A design
	// with warnings is still read; callers show them beside it.
	Warnings []string
}

// Limits every reader enforces so that hostile input cannot exhaust memory.
const (
	// MaxFileSize is the largest design file a reader accepts, in bytes.
	MaxFileSize = 64 << 20
	// MaxSegments is the most segments (points) a reader accepts in one design.
	MaxSegments = 4 << 20
)

// ErrTooLarge is returned (wrapped) by readers when a file declares or holds
// more than MaxFileSize bytes or MaxSegments segments.
var ErrTooLarge = errors.New("design too large")

// MaxCoordinate is the largest distance from the origin, in inches, that
// any point of a design (end point, arc centre, Bézier control point) may
// have: about 2.5 km. Anything further is a broken or hostile file. Within
// it every curve stays within 4·MaxCoordinate of the origin, so no writer's
// units (1/1000 in, 1/40 mm) come anywhere near overflow. Readers refuse
// coordinates beyond it (ErrOutOfRange) and writers refuse designs that
// hold them, so nothing infinite or absurd is stored, served or written.
const MaxCoordinate = 1e5

// MaxExtent is the largest width or height, in inches, of a design that a
// reader accepts or a writer writes.
const MaxExtent = 1e5

// ErrOutOfRange is returned (wrapped) for a coordinate that is not a
// finite number within MaxCoordinate of the origin.
var ErrOutOfRange = errors.New("coordinates out of range")

// InRange reports whether p is finite and within MaxCoordinate of the
// origin on both axes. NaN is never in range.
func InRange(p Point) bool {
	return math.Abs(p.X) <= MaxCoordinate && math.Abs(p.Y) <= MaxCoordinate
}

// InRange reports whether every point the segment uses is in range
// (InRange) and, for an arc, whether its sweep is a finite number.
func (s *Segment) InRange() bool {
	if !InRange(s.End) {
		return false
	}
	switch s.Kind {
	case Arc:
		return InRange(s.Center) && !math.IsNaN(s.Sweep) && !math.IsInf(s.Sweep, 0)
	case Cubic:
		return InRange(s.C1) && InRange(s.C2)
	}
	return true
}

// Check verifies the guard every reader and writer applies: each point,
// arc centre and control point is in range (ErrOutOfRange), the extent is
// at most MaxExtent, and every pause refers to a path of d. The error names
// the first offending path and segment.
func (d *Design) Check() error {
	// A box that holds the design (every point, each arc's whole circle,
	// each cubic's control points) is cheap; the exact bounds are only
	// needed when that box is too large.
	var box hull
	for i := range d.Paths {
		p := &d.Paths[i]
		if !InRange(p.Start) {
			return fmt.Errorf("path %d: start point (%g, %g): %w", i+1, p.Start.X, p.Start.Y, ErrOutOfRange)
		}
		box.add(p.Start)
		cur := p.Start
		for j := range p.Segments {
			s := &p.Segments[j]
			if !s.InRange() {
				return fmt.Errorf("path %d segment %d: end point (%g, %g): %w", i+1, j+1, s.End.X, s.End.Y, ErrOutOfRange)
			}
			box.addSegment(cur, s)
			cur = s.End
		}
	}
	if box.tooWide(MaxExtent) {
		if b := d.Bounds(); !(b.Width() <= MaxExtent && b.Height() <= MaxExtent) {
			return fmt.Errorf("extent %.6g × %.6g in exceeds %g in: %w", b.Width(), b.Height(), float64(MaxExtent), ErrOutOfRange)
		}
	}
	for _, ps := range d.Pauses {
		if ps.Before < 0 || ps.Before > len(d.Paths) {
			return fmt.Errorf("pause before path %d of %d", ps.Before, len(d.Paths))
		}
	}
	return nil
}
