// Package shape analyses a design's geometry: what kind of quilting design
// it is (edge-to-edge, border, corner, block, triangle, panel), how
// mirror-symmetric it is, which way up it reads, and a compact fingerprint
// that finds the same design again whatever its size or file format.
//
// Everything here is a pure function of the stitched paths of a
// *geom.Design (jumps are ignored) and every hint carries a confidence in
// [0, 1]: these are guesses from the outline of the ink, meant to pre-fill
// fields a quilter can correct, never facts.
package shape

import (
	"errors"
	"fmt"
	"math"

	"github.com/patternvault/patternvault/internal/geom"
)

// Design types reported by Classify.
const (
	// TypeE2E is an edge-to-edge (pantograph) row: it starts and ends on
	// opposite sides at the same height so that repeats join up.
	TypeE2E = "e2e"
	// TypeBorder is a long strip (aspect above about 3) for a border.
	TypeBorder = "border"
	// TypeCorner is an L-shaped design for a border's corner.
	TypeCorner = "corner"
	// TypeBlock is a square-ish design for a block.
	TypeBlock = "block"
	// TypeTriangle is a design whose ink fills a triangle (setting triangles).
	TypeTriangle = "triangle"
	// TypePanel is a large or tall design that does not repeat.
	TypePanel = "panel"
	// TypeUnknown is reported for a design with no stitched extent.
	TypeUnknown = "unknown"
)

// Analysis is what Classify guesses about a design.
type Analysis struct {
	// Type is one of the Type constants.
	Type string
	// TypeConfidence is how sure the guess is, 0..1.
	TypeConfidence float64
	// MirrorLR is how alike the design and its left-right mirror image
	// are, 0..1 (1: symmetric about the vertical centre line).
	MirrorLR float64
	// MirrorTB is the same for the top-bottom mirror image.
	MirrorTB float64
	// SuggestedRotation is 0, 90, 180 or 270: the counter-clockwise turn
	// in degrees that makes the design read upright (an e2e or border
	// running left to right, a triangle standing on its longest side, a
	// corner design hugging the bottom-left corner).
	SuggestedRotation int
	// RotationConfidence is how sure SuggestedRotation is, 0..1; low when
	// the outline gives no cue (most blocks).
	RotationConfidence float64
	// Width and Height are the stitched extent in inches.
	Width, Height float64
}

// Thresholds of the classifier, from the fixture designs and synthetic
// shapes in the tests.
const (
	borderAspect     = 3.0  // a tiling strip this long is a border
	borderAspectAny  = 6.0  // any strip this long is a border
	tileMin          = 0.5  // tiling score to count as repeating
	triangleMin      = 0.72 // largest inscribed triangle / hull area
	triangleSupport  = 0.85 // share of the hull outline that is inked
	triangleHullFill = 0.72 // hull / box area (a triangle fills half)
	cornerFarMax     = 0.12 // ink share allowed away from the L's two arms
	cornerReachMin   = 0.5  // both arms must run to the far edges
	panelAspect      = 1.6  // a non-repeating design this long is a panel
	panelSize        = 30.0 // inches: a design this big is a panel
)

// Classify guesses the type, symmetry and upright orientation of d from
// its stitched paths. A design without stitches, or one beyond
// DefaultBudget, is TypeUnknown with zero confidence.
func Classify(d *geom.Design) Analysis {
	a, _, err := Analyse(d, DefaultBudget)
	if err != nil {
		return Analysis{Type: TypeUnknown}
	}
	return a
}

// Analyse is Classify and Fingerprint in one pass over the geometry,
// within budget (zero fields take DefaultBudget's). A design without
// stitches gives TypeUnknown, a nil fingerprint and no error; one beyond
// the budget gives an error wrapping ErrTooComplex.
func Analyse(d *geom.Design, budget Budget) (Analysis, []byte, error) {
	s, err := sampleDesign(d, budget)
	if errors.Is(err, errNoInk) {
		return Analysis{Type: TypeUnknown}, nil, nil
	}
	if err != nil {
		return Analysis{Type: TypeUnknown}, nil, fmt.Errorf("shape: %w", err)
	}
	f := measure(s)
	defer free(s.occ, s.fine)
	a := Analysis{
		MirrorLR: round2(f.mirrorLR), MirrorTB: round2(f.mirrorTB),
		Width: f.w, Height: f.h,
	}
	a.Type, a.TypeConfidence = classify(&f)
	a.SuggestedRotation, a.RotationConfidence = rotation(a.Type, &f, s)
	a.TypeConfidence = round2(a.TypeConfidence)
	a.RotationConfidence = round2(a.RotationConfidence)
	return a, fingerprint(s), nil
}

// classify applies the rules in order of how specific they are.
func classify(f *features) (string, float64) {
	tileLong := f.tileX
	if f.h > f.w {
		tileLong = f.tileY
	}
	switch {
	case f.long >= borderAspect && tileLong >= tileMin:
		return TypeBorder, 0.6 + 0.4*tileLong*clamp01((f.long-borderAspect)/3)
	case f.long >= borderAspectAny:
		return TypeBorder, 0.5 + 0.3*clamp01((f.long-borderAspectAny)/6)
	case f.triangle >= triangleMin && f.support >= triangleSupport && f.hullFill <= triangleHullFill:
		return TypeTriangle, 0.5 + 0.5*clamp01((f.triangle-triangleMin)/0.2)
	case f.lFar <= cornerFarMax && f.lReach >= cornerReachMin:
		return TypeCorner, 0.5 + 0.5*clamp01((cornerFarMax-f.lFar)/cornerFarMax)*f.lReach
	case math.Max(f.tileX, f.tileY) >= tileMin:
		return TypeE2E, 0.4 + 0.6*math.Max(f.tileX, f.tileY)
	case f.long >= panelAspect || math.Max(f.w, f.h) >= panelSize:
		return TypePanel, 0.5 + 0.4*clamp01((f.long-panelAspect)/1.5)
	}
	return TypeBlock, 0.4 + 0.3*f.closed + 0.3*clamp01((panelAspect-f.long)/0.6)
}

// rotation suggests the counter-clockwise quarter turn that shows a design
// of type typ upright, with a confidence.
func rotation(typ string, f *features, s *samples) (int, float64) {
	switch typ {
	case TypeE2E, TypeBorder:
		vertical := f.tileY > f.tileX || (f.tileY == f.tileX && f.h > f.w)
		if !vertical {
			return 0, 0.5 + 0.5*math.Max(f.tileX, clamp01((f.long-1)/2))
		}
		conf := 0.5 + 0.4*f.tileY
		if s.first.Y > s.last.Y { // runs top to bottom: turn left
			return 90, conf
		}
		return 270, conf
	case TypeTriangle:
		// Stand the triangle on its longest side: turn its outward normal
		// to point down.
		ang := math.Atan2(f.triNormal.Y, f.triNormal.X) * 180 / math.Pi
		turn := -90 - ang
		q := math.Round(turn / 90)
		miss := math.Abs(turn - 90*q) // 0..45 degrees off a quarter turn
		return mod360(int(q) * 90), 0.8 * (1 - miss/45)
	case TypeCorner:
		return mod360((4 - f.lCorner) * 90), 0.6
	case TypePanel:
		if f.h >= f.w {
			return 0, 0.5
		}
		return 0, 0.3
	}
	return 0, 0.3
}

func mod360(a int) int { return ((a % 360) + 360) % 360 }

func round2(v float64) float64 { return math.Round(v*100) / 100 }
