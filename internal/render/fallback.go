package render

import (
	"image"
	"image/color"

	"golang.org/x/image/draw"
)

// FallbackThumbnail fits a design's companion picture (a JPG, PNG or GIF
// the caller decoded, or an ANS file's BMP preview) into a white size×size
// square with the same margin as Thumbnail, keeping its aspect ratio and
// resampling with Catmull-Rom. Transparent pixels show white. A nil or
// empty picture gives a blank square; size is clamped to [1, 8192].
func FallbackThumbnail(img image.Image, size int) *image.NRGBA {
	size = min(max(size, 1), 8192)
	dst := image.NewNRGBA(image.Rect(0, 0, size, size))
	draw.Draw(dst, dst.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
	if img == nil {
		return dst
	}
	sb := img.Bounds()
	if sb.Empty() {
		return dst
	}
	r := fitRect(sb.Dx(), sb.Dy(), size, DefaultMargin)
	draw.CatmullRom.Scale(dst, r, img, sb, draw.Over, nil)
	return dst
}

// fitRect returns the rectangle, centred in a size×size square with the
// given margin fraction, that a w×h picture fills when scaled uniformly.
func fitRect(w, h, size int, margin float64) image.Rectangle {
	avail := float64(size) * (1 - 2*margin)
	s := avail / float64(max(w, h))
	dw := max(1, int(float64(w)*s+0.5))
	dh := max(1, int(float64(h)*s+0.5))
	x0 := (size - dw) / 2
	y0 := (size - dh) / 2
	return image.Rect(x0, y0, x0+dw, y0+dh)
}
