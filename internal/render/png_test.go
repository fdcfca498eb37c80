package render

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func TestEncodePNGGray(t *testing.T) {
	img := Thumbnail(circleDesign(), SizeGrid, Options{})
	var buf bytes.Buffer
	if err := EncodePNG(&buf, img); err != nil {
		t.Fatal(err)
	}
	back, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := back.(*image.Paletted); !ok {
		t.Errorf("decoded %T, want a paletted (4-bit gray) PNG", back)
	}
	if back.Bounds() != img.Bounds() {
		t.Fatalf("bounds %v, want %v", back.Bounds(), img.Bounds())
	}
	for y := 0; y < SizeGrid; y++ {
		for x := 0; x < SizeGrid; x++ {
			g := color.GrayModel.Convert(back.At(x, y)).(color.Gray).Y
			if d := int(g) - int(img.GrayAt(x, y).Y); d > 9 || d < -9 {
				t.Fatalf("pixel (%d,%d) = %d, want %d ± 9", x, y, g, img.GrayAt(x, y).Y)
			}
		}
	}
}

func TestEncodePNGColour(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	img.SetNRGBA(1, 2, color.NRGBA{200, 10, 10, 255})
	var buf bytes.Buffer
	if err := EncodePNG(&buf, img); err != nil {
		t.Fatal(err)
	}
	back, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if r, g, _, _ := back.At(1, 2).RGBA(); r>>8 != 200 || g>>8 != 10 {
		t.Errorf("colour pixel lost: %v", back.At(1, 2))
	}
	// An NRGBA image that is all gray is written as gray.
	gray := FallbackThumbnail(image.NewGray(image.Rect(0, 0, 8, 8)), 16)
	buf.Reset()
	if err := EncodePNG(&buf, gray); err != nil {
		t.Fatal(err)
	}
	if back, _ := png.Decode(&buf); back == nil {
		t.Fatal("gray NRGBA not decodable")
	} else if _, ok := back.(*image.Paletted); !ok {
		t.Errorf("gray NRGBA decoded as %T, want paletted", back)
	}
	if err := EncodePNG(&buf, nil); err == nil {
		t.Error("nil image: no error")
	}
}

// TestEncodeGray4MatchesImagePNG: the direct 4-bit encoder decodes to
// exactly the pixels image/png writes for the quantized image, at even and
// odd widths and for a sub-image.
func TestEncodeGray4MatchesImagePNG(t *testing.T) {
	for _, size := range []int{256, 255, 17, 1} {
		img := Thumbnail(circleDesign(), size, Options{})
		var sub image.Image = img
		if size == 17 {
			sub = img.SubImage(image.Rect(3, 2, 16, 11))
		}
		g := sub.(*image.Gray)
		var mine, theirs bytes.Buffer
		if err := encodeGray4(&mine, g); err != nil {
			t.Fatal(err)
		}
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&theirs, quantizeGray(g)); err != nil {
			t.Fatal(err)
		}
		a, err := png.Decode(&mine)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		b, _ := png.Decode(&theirs)
		pa, pb := a.(*image.Paletted), b.(*image.Paletted)
		if pa.Rect.Dx() != pb.Rect.Dx() || pa.Rect.Dy() != pb.Rect.Dy() {
			t.Fatalf("size %d: %v vs %v", size, pa.Rect, pb.Rect)
		}
		for y := range pa.Rect.Dy() {
			for x := range pa.Rect.Dx() {
				if pa.ColorIndexAt(x, y) != pb.ColorIndexAt(x, y) || pa.At(x, y) != pb.At(x, y) {
					t.Fatalf("size %d: pixel (%d,%d) differs", size, x, y)
				}
			}
		}
	}
}
