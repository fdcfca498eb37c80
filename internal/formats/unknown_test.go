package formats

import (
	"encoding/binary"
	"errors"
	"image/color"
	"path/filepath"
	"testing"
)

// TestANSPreviewFixtures decodes the preview of every fixture ANS file. The
// oracle is the picture itself: a quilting design is dark lines on a light
// background, so the border is background and the middle holds line pixels.
func TestANSPreviewFixtures(t *testing.T) {
	n := 0
	for _, fd := range fixtureDesigns(t) {
		if fd.ANS == "" {
			continue
		}
		n++
		data := readFile(t, fd.ANS)
		img, err := ANSPreview(data)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(fd.ANS), err)
			continue
		}
		b := img.Bounds()
		// The BMP header declares the size; the decoder must honour it.
		w := int(binary.LittleEndian.Uint32(data[ansPreviewOffset+18:]))
		h := int(binary.LittleEndian.Uint32(data[ansPreviewOffset+22:]))
		if b.Dx() != w || b.Dy() != h {
			t.Errorf("%s: preview %v, header says %dx%d", filepath.Base(fd.ANS), b, w, h)
		}
		light, dark := 0, 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := color.GrayModel.Convert(img.At(x, y)).(color.Gray)
				if c.Y > 200 {
					light++
				} else {
					dark++
				}
			}
		}
		if light < dark || dark == 0 {
			t.Errorf("%s: %d light and %d dark pixels: not a design preview", filepath.Base(fd.ANS), light, dark)
		}
		// The ANS magic is the oracle for detection too.
		if f := Detect(filepath.Base(fd.ANS), data); f != ANS {
			t.Errorf("%s: detected as %v", filepath.Base(fd.ANS), f)
		}
	}
	if n == 0 {
		t.Skip("no ANS fixtures")
	}
}

func TestANSPreviewSynthetic(t *testing.T) {
	// A 2x2 bottom-up BMP: rows padded to 8 bytes.
	bmp := []byte("BM")
	bmp = append(bmp, make([]byte, 52)...)
	put := func(off int, v uint32) { binary.LittleEndian.PutUint32(bmp[off:], v) }
	put(10, 54)
	put(14, 40)
	put(18, 2)
	put(22, 2)
	binary.LittleEndian.PutUint16(bmp[26:], 1)
	binary.LittleEndian.PutUint16(bmp[28:], 24)
	// Bottom row: blue, green; top row: red, white (BGR order).
	bmp = append(bmp, 255, 0, 0, 0, 255, 0, 0, 0)
	bmp = append(bmp, 0, 0, 255, 255, 255, 255, 0, 0)
	data := append(append(append([]byte(nil), ansMagic...), make([]byte, ansPreviewOffset-len(ansMagic))...), bmp...)
	img, err := ANSPreview(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]int]color.RGBA{
		{0, 0}: {255, 0, 0, 255}, {1, 0}: {255, 255, 255, 255},
		{0, 1}: {0, 0, 255, 255}, {1, 1}: {0, 255, 0, 255},
	}
	for xy, c := range want {
		if got := color.RGBAModel.Convert(img.At(xy[0], xy[1])); got != c {
			t.Errorf("pixel %v = %v, want %v", xy, got, c)
		}
	}
	// Truncated pixels and absurd sizes are refused, not read past.
	if _, err := ANSPreview(data[:len(data)-1]); err == nil {
		t.Error("truncated preview accepted")
	}
	put(18, 1<<30)
	if _, err := ANSPreview(append(append([]byte(nil), data[:ansPreviewOffset]...), bmp...)); err == nil {
		t.Error("huge preview accepted")
	}
	if _, err := ANSPreview([]byte("GIF89a")); !errors.Is(err, ErrNotDesign) {
		t.Errorf("non-ANS data: %v", err)
	}
}
