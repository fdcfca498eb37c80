// Package geom holds PatternVault's neutral design geometry: ordered paths of
// lines, circular arcs and cubic Bézier curves in inches with Y pointing up,
// each path either stitched or a jump, plus operator pauses and metadata.
//
// Every format reader produces a *Design and every writer consumes one, so
// thumbnails, conversions and shape analysis all work from the same model.
package geom

import (
	"errors"
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
