package render

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func TestFallbackThumbnail(t *testing.T) {
	red := color.NRGBA{220, 20, 20, 255}
	src := image.NewNRGBA(image.Rect(10, 10, 210, 110)) // 200 × 100, offset origin
	for y := 10; y < 110; y++ {
		for x := 10; x < 210; x++ {
			src.SetNRGBA(x, y, red)
		}
	}
	img := FallbackThumbnail(src, SizeGrid)
	if img.Bounds() != image.Rect(0, 0, SizeGrid, SizeGrid) {
		t.Fatalf("bounds %v", img.Bounds())
	}
	minX, minY, maxX, maxY := SizeGrid, SizeGrid, -1, -1
	for y := 0; y < SizeGrid; y++ {
		for x := 0; x < SizeGrid; x++ {
			if c := img.NRGBAAt(x, y); c.G < 128 {
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
			}
		}
	}
	w, h := maxX-minX+1, maxY-minY+1
	avail := float64(SizeGrid) * (1 - 2*DefaultMargin)
	if math.Abs(float64(w)-avail) > 2 || math.Abs(float64(h)-avail/2) > 2 {
		t.Errorf("picture drawn %d × %d, want %.0f × %.0f", w, h, avail, avail/2)
	}
	if abs(minX-(SizeGrid-1-maxX)) > 1 || abs(minY-(SizeGrid-1-maxY)) > 1 {
		t.Errorf("picture not centred: x %d..%d, y %d..%d", minX, maxX, minY, maxY)
	}
	if c := img.NRGBAAt(2, 2); c != (color.NRGBA{255, 255, 255, 255}) {
		t.Errorf("corner %v, want white paper", c)
	}
	if c := img.NRGBAAt(SizeGrid/2, SizeGrid/2); c != red {
		t.Errorf("centre %v, want %v", c, red)
	}
}

func TestFallbackThumbnailTransparentAndEmpty(t *testing.T) {
	clear := image.NewNRGBA(image.Rect(0, 0, 90, 90)) // fully transparent
	if c := FallbackThumbnail(clear, 64).NRGBAAt(32, 32); c != (color.NRGBA{255, 255, 255, 255}) {
		t.Errorf("transparent picture shows %v, want white", c)
	}
	if img := FallbackThumbnail(nil, 64); img.NRGBAAt(32, 32) != (color.NRGBA{255, 255, 255, 255}) {
		t.Error("nil picture: not a blank square")
	}
}
