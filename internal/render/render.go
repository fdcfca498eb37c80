// Package render draws PatternVault designs for people: square PNG
// thumbnails for grids and detail pages, SVG previews with a real-size scale
// bar for the browser, and fallback thumbnails from a design's companion
// picture when its geometry cannot be read.
//
// Designs are in inches with Y up (see package geom); images are Y down, so
// every renderer flips Y and never mirrors. Thumbnails keep the design's
// aspect ratio, centred on a white square with a margin.
package render

import (
	"image"
	"image/draw"
	"math"
	"sync"

	"golang.org/x/image/vector"

	"github.com/patternvault/patternvault/internal/geom"
)

// Standard thumbnail sizes in pixels.
const (
	// SizeGrid is the size of the thumbnails shown in design grids.
	SizeGrid = 256
	// SizeDetail is the size of the thumbnail on a design's own page.
	SizeDetail = 1024
)

// Options tunes Thumbnail. The zero value gives the standard look.
type Options struct {
	// LineWidth is the stitched line width in pixels; 0 picks one that
	// grows gently with the size (1.3 px at 256, 2.6 px at 1024, never
	// under 1 px).
	LineWidth float64
	// Margin is the blank border on each side as a fraction of the size;
	// 0 means DefaultMargin.
	Margin float64
	// ShowJumps draws jumps (needle up) as faint lines instead of hiding them.
	ShowJumps bool
}

// DefaultMargin is the blank border on each side of a thumbnail, as a
// fraction of its size.
const DefaultMargin = 0.06

// Ink levels: 255 is white paper, 0 black thread.
const (
	inkDepth  = 235 // how much a fully covered stitched pixel darkens
	jumpDepth = 70  // how much a fully covered jump pixel darkens
)

func (o Options) lineWidth(size int) float64 {
	if o.LineWidth > 0 {
		return o.LineWidth
	}
	return math.Max(1, 1.3*math.Sqrt(float64(size)/SizeGrid))
}

func (o Options) margin() float64 {
	if o.Margin > 0 && o.Margin < 0.5 {
		return o.Margin
	}
	return DefaultMargin
}

// Thumbnail renders d as a size×size grayscale image: white paper, dark
// anti-aliased stitched lines, the design centred and scaled uniformly to
// Jumps are hidden unless opt.ShowJumps (and then clipped to the canvas). A design
// with nothing to draw gives a blank image; size is clamped to [1, 8192].
func Thumbnail(d *geom.Design, size int, opt Options) *image.Gray {
	size = min(max(size, 1), 8192)
	img := image.NewGray(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	if d == nil {
		return img
	}
	r := rendererPool.Get().(*renderer)
	defer rendererPool.Put(r)
	r.draw(img, d, size, opt)
	return img
}

// renderer holds the buffers one thumbnail needs, reused through a pool so
// that batch thumbnailing does not allocate a canvas per design.
type renderer struct {
	ras    vector.Rasterizer
	mask   *image.Alpha
	stroke stroker
}

var rendererPool = sync.Pool{New: func() any { return new(renderer) }}

func (r *renderer) draw(img *image.Gray, d *geom.Design, size int, opt Options) {
	b, ok := stitchBounds(d)
	if !ok {
		return
	}
	m := opt.margin() * float64(size)
	avail := float64(size) - 2*m
	xf := fitTransform(b, float64(size), avail)
	// Flatten to a quarter of a pixel: finer is invisible, half a pixel
	// already shows facets on large circles.
	tol := 0.25 / xf.s
	lw := opt.lineWidth(size)
	if opt.ShowJumps {
		r.paint(img, d, size, xf, tol, lw*0.8, false, jumpDepth)
	}
	r.paint(img, d, size, xf, tol, lw, true, inkDepth)
}

// paint rasterises the stitched (or jump) paths of d, flattened within
// tol inches, into the reusable mask and darkens img by depth where the
// mask covers it.
func (r *renderer) paint(img *image.Gray, d *geom.Design, size int, xf transform, tol, lw float64, stitch bool, depth int) {
	r.ras.Reset(size, size)
	if r.mask == nil || r.mask.Rect.Dx() != size {
		r.mask = image.NewAlpha(image.Rect(0, 0, size, size))
	}
	r.stroke.z, r.stroke.xf, r.stroke.hw = &r.ras, xf, float32(lw/2)
	n := 0
	for i := range d.Paths {
		if p := &d.Paths[i]; p.Stitch == stitch {
			n += r.stroke.path(p, tol)
		}
	}
	if n == 0 {
		return
	}
	r.ras.DrawOp = draw.Src // overwrite the whole mask
	r.ras.Draw(r.mask, r.mask.Rect, image.Opaque, image.Point{})
	for i, a := range r.mask.Pix {
		if a == 0 {
			continue
		}
		v := 255 - (int(a)*depth+127)/255
		if uint8(v) < img.Pix[i] {
			img.Pix[i] = uint8(v)
		}
	}
}

// transform maps design inches to pixels: x' = (x-x0)*s + ox, y' = (y0-y)*s + oy.
type transform struct {
	x0, y0, s, ox, oy float64
}

func (t transform) apply(p geom.Point) (float32, float32) {
	return float32((p.X-t.x0)*t.s + t.ox), float32((t.y0-p.Y)*t.s + t.oy)
}

// fitTransform centres box b in a canvas of the given size, scaled
// uniformly so its larger side spans avail pixels. Y is flipped: the top of
// the design (largest Y) lands at the top of the image.
func fitTransform(b geom.Rect, size, avail float64) transform {
	ext := math.Max(b.Width(), b.Height())
	s := 1.0
	if ext > 0 {
		s = avail / ext
	}
	return transform{
		x0: b.Min.X, y0: b.Max.Y, s: s,
		ox: (size - b.Width()*s) / 2,
		oy: (size - b.Height()*s) / 2,
	}
}
