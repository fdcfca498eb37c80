package render

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

func TestFallbackThumbnailFixtures(t *testing.T) {
	n := 0
	for _, dir := range testfixtures.Stitchables(t) {
		for _, p := range testfixtures.Files(t, dir) {
			var img image.Image
			var err error
			switch ext := strings.ToLower(filepath.Ext(p)); ext {
			case ".jpg":
				img, err = decodeFile(p, func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) })
			case ".ans":
				img, err = decodeFile(p, formats.ANSPreview)
			default:
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			n++
			checkFallback(t, filepath.Base(p), img)
		}
	}
	if n == 0 {
		t.Skip("no fixture pictures")
	}
}

func decodeFile(path string, dec func([]byte) (image.Image, error)) (image.Image, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return dec(b)
}

// checkFallback renders a picture as a grid thumbnail and checks that the
// margin is white and something is drawn, centred.
func checkFallback(t *testing.T, name string, img image.Image) {
	t.Helper()
	out := FallbackThumbnail(img, SizeGrid)
	m := fitRect(1, 1, SizeGrid, DefaultMargin).Min.X - 2
	minX, minY, maxX, maxY := SizeGrid, SizeGrid, -1, -1
	for y := 0; y < SizeGrid; y++ {
		for x := 0; x < SizeGrid; x++ {
			c := out.NRGBAAt(x, y)
			if c.R == 255 && c.G == 255 && c.B == 255 {
				continue
			}
			if x < m || y < m || x >= SizeGrid-m || y >= SizeGrid-m {
				t.Errorf("%s: pixel (%d,%d) %v inside the white margin", name, x, y, c)
				return
			}
			minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
		}
	}
	if maxX < 0 {
		t.Errorf("%s: blank thumbnail", name)
		return
	}
	// The picture's own background may be white, so only the drawn area's
	// box must lie within the fitted rectangle.
	r := fitRect(img.Bounds().Dx(), img.Bounds().Dy(), SizeGrid, DefaultMargin)
	if minX < r.Min.X-1 || minY < r.Min.Y-1 || maxX > r.Max.X || maxY > r.Max.Y {
		t.Errorf("%s: drawn area (%d,%d)-(%d,%d) outside the fitted picture %v", name, minX, minY, maxX, maxY, r)
	}
}
