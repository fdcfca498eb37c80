// Package svg reads and writes quilting designs as SVG drawings.
//
// # Reading
//
// Read walks the document (XML 1.0, or 1.1, which it reads alike) with a
// streaming XML token loop and turns every
// <path>, <line>, <polyline>, <polygon>, <rect>, <circle> and <ellipse> into
// stitched paths, one per subpath, in document order. Nested <g> (and <a>,
// <switch>, nested <svg>) transforms are composed; matrix, translate, scale,
// rotate, skewX and skewY are supported. The content of <defs>, <style>,
// <script>, <text>, <image>, <clipPath>, <mask>, <marker>, <pattern>,
// <symbol>, <metadata> and foreign-namespace elements (Inkscape, Sodipodi) is
// skipped, as is anything with display:none. <use> references are not
// followed.
//
// True size: the root's width and height (in, mm, cm, pt, pc or px at 96 px
// per inch; a bare number is px) together with its viewBox give the size of
// one user unit; without a viewBox one user unit is one px (1/96 in). With
// preserveAspectRatio other than "none" the uniform "meet" scale is used.
//
// Orientation: SVG is Y-down, PatternVault is Y-up. The reader negates Y
// (after all transforms), then translates the design so that the lower left
// corner of its bounding box is at (0, 0): the placement of a drawing on its
// page is not kept, its shape, size, handedness and start point are.
//
// Curves: quadratic Béziers become cubics. Elliptical arcs become circular
// geom.Arc segments when rx == ry and the transform to inches is conformal
// (no skew or non-uniform scale); otherwise cubics within 5e-6 of the radius.
// <circle> becomes two half-circle arcs starting at (cx+r, cy).
//
// Stitch and jump: each subpath is a stitched path; when a path does not
// start where the previous one ended (within 0.001 in) a straight jump path
// is inserted between them. Elements with class "jump" (as written by Write)
// are display aids and are ignored on reading, since the gaps imply them.
//
// Pauses: an element carrying data-pause="text" (Write emits an empty
// <g class="pause" data-pause="...">) records a pause before the next path,
// before the jump leading to it if there is one. The root's <title> becomes
// Meta.Title; its <desc> lines become Meta.Designer ("Designer: ..."),
// Meta.URLs (lines starting with http:// or https://) or Meta.Notes.
//
// # Writing
//
// Write produces a plain SVG 1.1 document whose width and height are in
// inches and whose viewBox is in 1/1000 inch (with a 0.01 in margin so the
// stroke is not clipped): the canvas is the stitched extent, so the
// picture's size is the quilted size. Y is flipped back to SVG's Y-down.
// Each stitched path is one <path> with stroke and no fill inside
// <g class="stitch">; arcs are written as A commands (split at half turns),
// cubics as C, lines as L. Jumps go in a hidden layer at the end,
// <g class="jump" display="none">, which programs that show layers can
// reveal and which nothing draws otherwise. Pauses are empty
// <g class="pause" data-pause="..."/> markers placed before the next
// stitched path. Metadata goes to <title> and <desc>. Designs with a point
// beyond geom.MaxCoordinate or an extent beyond geom.MaxExtent are refused.
package svg

import (
	"bytes"
	"errors"

	"github.com/patternvault/patternvault/internal/geom"
)

// ErrNotSVG is returned (wrapped) when the data is not an SVG document.
var ErrNotSVG = errors.New("svg: not an SVG document")

// joinTol is the distance in inches under which two path ends touch.
const joinTol = 0.001

// maxExtent is the largest width or height, in inches, a design may have
// (about 2.5 km): anything bigger is a broken or hostile file, and refusing
// it keeps every coordinate far from float overflow.
const maxExtent = geom.MaxExtent

// maxDepth bounds element nesting so hostile input cannot grow the stack.
const maxDepth = 512

// Sniff reports whether head, the start of a file, looks like an SVG
// document: markup (after an optional BOM and white space) that names an
// <svg element.
func Sniff(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 || head[0] != '<' {
		return false
	}
	return bytes.Contains(bytes.ToLower(head), []byte("<svg"))
}
