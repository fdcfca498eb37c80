package render

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"sync"
)

// pngBuffers lets successive encodes reuse the encoder's compression state,
// which otherwise dominates the cost of a small PNG.
type pngBuffers struct{ pool sync.Pool }

func (p *pngBuffers) Get() *png.EncoderBuffer {
	b, _ := p.pool.Get().(*png.EncoderBuffer)
	return b
}

func (p *pngBuffers) Put(b *png.EncoderBuffer) { p.pool.Put(b) }

var pngBufferPool = &pngBuffers{}

// grayLevels is the number of gray levels EncodePNG keeps for grayscale
// images: 16 levels (4 bits a pixel) are plenty for anti-aliased line art
// and keep a 256 px thumbnail to a few kilobytes.
const grayLevels = 16

// grayPalette holds the grayLevels evenly spaced grays, black first.
var grayPalette = func() color.Palette {
	p := make(color.Palette, grayLevels)
	for i := range p {
		v := uint8(i * 255 / (grayLevels - 1))
		p[i] = color.Gray{Y: v}
	}
	return p
}()

// EncodePNG writes img as a PNG with fast compression. Grayscale images
// (as Thumbnail makes) and colour images whose pixels are all gray are
// written as 16-level paletted PNGs (4 bits a pixel); other images are
// written as they are.
func EncodePNG(w io.Writer, img image.Image) error {
	if img == nil {
		return fmt.Errorf("render: encode png: nil image")
	}
	out := img
	if g, ok := asGray(img); ok {
		out = quantizeGray(g)
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: pngBufferPool}
	if err := enc.Encode(w, out); err != nil {
		return fmt.Errorf("render: encode png %dx%d: %w", img.Bounds().Dx(), img.Bounds().Dy(), err)
	}
	return nil
}

// asGray returns img as a *image.Gray when it is one, or when it is an
// opaque NRGBA image whose every pixel is gray.
func asGray(img image.Image) (*image.Gray, bool) {
	switch m := img.(type) {
	case *image.Gray:
		return m, true
	case *image.NRGBA:
		g := image.NewGray(m.Rect)
		for y := m.Rect.Min.Y; y < m.Rect.Max.Y; y++ {
			row := m.Pix[m.PixOffset(m.Rect.Min.X, y):]
			grow := g.Pix[g.PixOffset(m.Rect.Min.X, y):]
			for x := 0; x < m.Rect.Dx(); x++ {
				r, gg, b, a := row[4*x], row[4*x+1], row[4*x+2], row[4*x+3]
				if a != 255 || r != gg || gg != b {
					return nil, false
				}
				grow[x] = r
			}
		}
		return g, true
	}
	return nil, false
}

// quantizeGray maps g onto grayPalette, rounding to the nearest level.
func quantizeGray(g *image.Gray) *image.Paletted {
	p := image.NewPaletted(g.Rect, grayPalette)
	var lut [256]uint8
	for v := range lut {
		lut[v] = uint8((v*(grayLevels-1) + 127) / 255)
	}
	for y := g.Rect.Min.Y; y < g.Rect.Max.Y; y++ {
		src := g.Pix[g.PixOffset(g.Rect.Min.X, y):][:g.Rect.Dx()]
		dst := p.Pix[p.PixOffset(g.Rect.Min.X, y):][:g.Rect.Dx()]
		for x, v := range src {
			dst[x] = lut[v]
		}
	}
	return p
}
