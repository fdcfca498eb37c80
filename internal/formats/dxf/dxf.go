// Package dxf reads and writes quilting designs as AutoCAD DXF drawings.
//
// # Reading
//
// Read accepts ASCII group-code DXF of any version, with or without a HEADER
// section. Binary DXF is recognised and refused with ErrBinary. These
// entities become geometry: LINE, ARC, CIRCLE, LWPOLYLINE and
// POLYLINE/VERTEX/SEQEND (bulges become circular arcs, the closed flag adds
// the closing segment), SPLINE, ELLIPSE, and INSERT of blocks from the
// BLOCKS section (insertion point, X/Y scale and rotation; nested up to 8
// deep, which also stops cycles; column/row arrays are not expanded; every
// copy counts against geom.MaxSegments). Other entities (TEXT, HATCH,
// DIMENSION, 3D meshes...) are ignored. Entities whose extrusion direction
// is (0,0,-1) are mirrored as AutoCAD's arbitrary axis algorithm says; other
// tilted extrusions are projected onto the XY plane unchanged.
//
// Splines: non-rational splines of degree 1 to 3 are converted exactly into
// lines, or cubic Béziers (degree 2 elevated), one per knot span. Rational
// splines (NURBS) and higher degrees are flattened into 32 lines per knot
// span. A spline given only by fit points becomes a Catmull-Rom curve of
// cubics through them. Ellipses become cubics of at most π/4 each (error
// below 5e-6 of the radius).
//
// Units: $INSUNITS 1 = inches, 2 = feet, 3 = miles, 4 = mm, 5 = cm, 6 = m,
// 7 = km, 8 = microinches, 9 = mils, 10 = yards, 11 = ångströms,
// 12 = nanometres, 13 = microns, 14 = dm, 15 = dam, 16 = hm. When $INSUNITS
// is absent, 0 (unitless) or unknown, $MEASUREMENT decides: 0 (imperial)
// means inches, 1 (metric) millimetres. With neither hint, a drawing whose
// width or height exceeds 200 units is taken as millimetres (a 200 inch
// design would be over 5 m wide, while 200 mm is under 8 in) and anything
// smaller as inches, and the design carries a warning (geom.Design.Warnings)
// saying which unit was assumed, so the quilter is told to check the size.
// Every point must lie within geom.MaxCoordinate inches of the origin and
// the drawing within geom.MaxExtent: an entity beyond is refused with an
// error naming its line.
//
// Stitch and jump: DXF has no needle state, so it is implied by continuity.
// Entities are taken in the file's order and direction: an entity whose
// start touches the end of the current path within 0.001 in continues that
// path; otherwise a straight jump path leads to its start, and it starts a
// new stitched path. Lines, polylines and splines are never reversed, since
// their direction is the sewing direction (reversing one whose end touches
// the previous end would hide the jump to its start). ARC, CIRCLE and
// ELLIPSE entities are counter-clockwise by definition, so their direction
// says nothing: one whose end touches the current path's end is travelled
// backwards, and a path made of one of them alone may be turned round to
// meet the next entity. DXF carries no pauses or metadata; Meta.Format is
// "dxf".
//
// # Writing
//
// Write produces the polyline DXF that Statler Stitcher and Gammill software
// accept: R12 (AC1009) with a HEADER holding $INSUNITS = 1 (inches) and
// $MEASUREMENT = 0, and an ENTITIES section with one POLYLINE/VERTEX/SEQEND
// per stitched path. Arcs are written as vertex bulges (split so no bulge
// exceeds a half turn), cubics are flattened into vertices within 0.001 in.
// Jumps are not written: they are implied by the gap between one polyline's
// end and the next one's start, which is how these machines read DXF.
// Pauses and metadata are dropped. Coordinates are inches, Y up, with CRLF
// line ends.
package dxf

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// ErrNotDXF is returned (wrapped) when the data is not a DXF drawing.
var ErrNotDXF = errors.New("dxf: not a DXF drawing")

// ErrBinary is returned (wrapped) for binary DXF, which is not supported.
var ErrBinary = errors.New("dxf: binary DXF is not supported; save the drawing as ASCII DXF")

// binaryMagic starts every binary DXF file.
const binaryMagic = "AutoCAD Binary DXF\r\n\x1a\x00"

// joinTol is the distance in inches under which entity ends touch.
const joinTol = 0.001

// Sniff reports whether head, the start of a file, looks like DXF: binary
// DXF (so that Read can refuse it clearly) or ASCII group codes whose first
// entry, after any 999 comments, is "0 SECTION".
func Sniff(head []byte) bool {
	if bytes.HasPrefix(head, []byte(binaryMagic[:18])) {
		return true
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	lines := strings.Split(string(head), "\n")
	for i := 0; i+1 < len(lines); i += 2 {
		code, err := strconv.Atoi(strings.TrimSpace(lines[i]))
		if err != nil {
			return false
		}
		switch code {
		case 999:
			continue
		case 0:
			return strings.TrimSpace(lines[i+1]) == "SECTION"
		}
		return false
	}
	return false
}
