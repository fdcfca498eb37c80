package business

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// halfRed is a w × h picture whose left half is red and right half blue.
func halfRed(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{0, 0, 255, 255}
			if x < w/2 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// withOrientation puts an Exif APP1 segment with orientation o (in the
// byte order bo) right after a JPEG's SOI marker, as a phone camera does.
func withOrientation(jpg []byte, o uint16, bo binary.ByteOrder) []byte {
	tiff := make([]byte, 8+2+12+4)
	if bo == binary.LittleEndian {
		copy(tiff, "II")
	} else {
		copy(tiff, "MM")
	}
	bo.PutUint16(tiff[2:], 42)
	bo.PutUint32(tiff[4:], 8)
	bo.PutUint16(tiff[8:], 1)
	bo.PutUint16(tiff[10:], 0x0112)
	bo.PutUint16(tiff[12:], 3)
	bo.PutUint32(tiff[14:], 1)
	bo.PutUint16(tiff[18:], o)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func TestPhotoOrientation(t *testing.T) {
	var buf bytes.Buffer
	jpeg.Encode(&buf, halfRed(400, 200), &jpeg.Options{Quality: 95})
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		data := withOrientation(buf.Bytes(), 6, bo) // "rotate 90° clockwise to show"
		if o := Orientation(data); o != 6 {
			t.Fatalf("%v: orientation %d, want 6", bo, o)
		}
		p, err := ProcessPhoto(data)
		if err != nil {
			t.Fatal(err)
		}
		if p.Width != 200 || p.Height != 400 || p.Format != "jpeg" {
			t.Fatalf("upright size %d × %d (%s), want 200 × 400", p.Width, p.Height, p.Format)
		}
		small, err := jpeg.Decode(bytes.NewReader(p.Small))
		if err != nil {
			t.Fatal(err)
		}
		b := small.Bounds()
		if b.Dx() != 200 || b.Dy() != 400 { // never scaled up
			t.Errorf("small copy %v, want 200 × 400", b)
		}
		// The red left half is on top once turned clockwise.
		top, bottom := small.At(b.Dx()/2, b.Dy()/4), small.At(b.Dx()/2, 3*b.Dy()/4)
		if r, _, bl, _ := top.RGBA(); r < 0xc000 || bl > 0x4000 {
			t.Errorf("top is %v, want red", top)
		}
		if r, _, bl, _ := bottom.RGBA(); r > 0x4000 || bl < 0xc000 {
			t.Errorf("bottom is %v, want blue", bottom)
		}
	}
	if o := Orientation(buf.Bytes()); o != 1 {
		t.Errorf("no Exif: orientation %d", o)
	}
}

// pngClaiming is a valid PNG header (with CRC) claiming w × h pixels,
// followed by nothing.
func pngClaiming(w, h uint32) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b[:33]
}

func TestPhotoRefusals(t *testing.T) {
	for name, data := range map[string][]byte{
		"pixel bomb":  pngClaiming(100000, 100000),
		"wide":        pngClaiming(20000, 10),
		"not a photo": []byte("GIF89a...."),
		"html":        []byte("<html>hello</html>"),
		"truncated":   pngClaiming(10, 10),
		"too large":   append([]byte("\xff\xd8\xff"), make([]byte, MaxPhotoBytes)...),
	} {
		_, err := ProcessPhoto(data)
		p, ok := problem.As(err)
		if !ok || p.Status < 400 || p.Status >= 500 {
			t.Errorf("%s: %v, want a 4xx problem", name, err)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, halfRed(3000, 1000))
	p, err := ProcessPhoto(buf.Bytes())
	if err != nil || p.Format != "png" || p.Width != 3000 {
		t.Fatalf("png: %+v %v", p, err)
	}
	large, _ := jpeg.DecodeConfig(bytes.NewReader(p.Large))
	if large.Width != PhotoLarge || large.Height != 533 {
		t.Errorf("large copy %d × %d, want 1600 × 533", large.Width, large.Height)
	}
}

// photoSeeds are the real pictures of the Stitchables fixtures (JPEGs a
// store ships) when present, and made ones.
func photoSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	if dir, err := testfixtures.Find(); err == nil {
		files, _ := filepath.Glob(filepath.Join(dir, "stitchables", "*", "*", "*.jpg"))
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil && len(data) < 300<<10 {
				seeds = append(seeds, data)
			}
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, halfRed(64, 32), nil)
	seeds = append(seeds, withOrientation(buf.Bytes(), 8, binary.BigEndian))
	buf.Reset()
	png.Encode(&buf, halfRed(32, 16))
	seeds = append(seeds, buf.Bytes())
	seeds = append(seeds, []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"))
	return seeds
}

// FuzzProcessPhoto: whatever the bytes, reading a photo never panics,
// answers a problem or upright copies within the limits.
func FuzzProcessPhoto(f *testing.F) {
	for _, s := range photoSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := Orientation(data); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
		p, err := processPhoto(data, 1<<16)
		if err != nil {
			if _, ok := problem.As(err); !ok {
				t.Fatalf("error that is not a problem: %v", err)
			}
			return
		}
		if p.Width*p.Height > 1<<16 || len(p.Large) == 0 || len(p.Small) == 0 {
			t.Fatalf("%+v", p)
		}
	})
}
