package business

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/patternvault/patternvault/internal/problem"
)

// Limits of a photo: it is outside data. Its size and pixel count are
// checked from its header before anything is decoded, so a small file
// that claims a huge picture costs nothing.
const (
	MaxPhotoBytes  = 25 << 20
	MaxPhotoPixels = 50_000_000 // a 48-megapixel phone photo fits
	MaxPhotoSide   = 16000
)

// The sizes of a photo's resized copies (longest side, pixels).
const (
	PhotoLarge = 1600
	PhotoSmall = 480
)

var errNotPhoto = problem.Invalid("bad_photo", "That file is not a photo we can read: send a JPEG, PNG or WebP picture.")

// Processed is a photo read and its resized copies, upright.
type Processed struct {
	Format        string // jpeg, png, webp
	ContentType   string
	Width, Height int // upright, of the original
	Orientation   int // the EXIF orientation applied (1: none)
	// Large and Small are JPEGs of at most PhotoLarge and PhotoSmall.
	Large, Small []byte
}

// ProcessPhoto reads a JPEG, PNG or WebP photo, turns it upright by its
// EXIF orientation and makes its two resized JPEG copies. Anything it
// cannot read or that exceeds the limits is a clear problem.
func ProcessPhoto(data []byte) (*Processed, error) { return processPhoto(data, MaxPhotoPixels) }

// processPhoto is ProcessPhoto with a pixel limit (the fuzz test's is
// small, so that it explores the parsers rather than big allocations).
func processPhoto(data []byte, maxPixels int64) (*Processed, error) {
	if len(data) > MaxPhotoBytes {
		return nil, problem.TooLarge("photo_too_large", fmt.Sprintf("A photo can be up to %d MB.", MaxPhotoBytes>>20))
	}
	p := &Processed{}
	var cfg image.Config
	var err error
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		p.Format, p.ContentType = "jpeg", "image/jpeg"
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		p.Format, p.ContentType = "png", "image/png"
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		p.Format, p.ContentType = "webp", "image/webp"
		cfg, err = webp.DecodeConfig(bytes.NewReader(data))
	default:
		return nil, errNotPhoto
	}
	if err != nil {
		return nil, errNotPhoto.Wrap(err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxPhotoSide || cfg.Height > MaxPhotoSide ||
		int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, problem.TooLarge("photo_too_many_pixels",
			fmt.Sprintf("That photo is %d × %d pixels; photos can have up to %d megapixels.", cfg.Width, cfg.Height, MaxPhotoPixels/1_000_000))
	}
	var img image.Image
	switch p.Format {
	case "jpeg":
		img, err = jpeg.Decode(bytes.NewReader(data))
	case "png":
		img, err = png.Decode(bytes.NewReader(data))
	default:
		img, err = webp.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, errNotPhoto.Wrap(err)
	}
	p.Orientation = Orientation(data)
	b := img.Bounds()
	p.Width, p.Height = b.Dx(), b.Dy()
	if p.Orientation >= 5 {
		p.Width, p.Height = p.Height, p.Width
	}
	// Resized first, then turned: turning the small copies is cheap.
	large := resized(img, PhotoLarge)
	if p.Large, err = encodeJPEG(upright(large, p.Orientation)); err != nil {
		return nil, err
	}
	if p.Small, err = encodeJPEG(upright(resized(large, PhotoSmall), p.Orientation)); err != nil {
		return nil, err
	}
	return p, nil
}

// resized scales img so its longest side is at most side (never up): a
// fast pass down to twice the size, then Catmull-Rom for a sharp result.
func resized(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	scale := min(1, float64(side)/float64(max(w, h)))
	tw, th := max(1, int(float64(w)*scale+0.5)), max(1, int(float64(h)*scale+0.5))
	if tw == w && th == h {
		return img
	}
	src := img
	if w > 2*tw {
		mid := image.NewRGBA(image.Rect(0, 0, 2*tw, 2*th))
		draw.ApproxBiLinear.Scale(mid, mid.Bounds(), img, b, draw.Src, nil)
		src = mid
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst
}

// encodeJPEG writes img as a JPEG of quality 85.
func encodeJPEG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		return nil, fmt.Errorf("business: encode photo: %w", err)
	}
	return buf.Bytes(), nil
}

// upright turns img by EXIF orientation o (2–8 mirror and/or rotate; 1
// or anything else leaves it).
func upright(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			dst.Set(dx, dy, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

// Orientation reads the EXIF orientation (1–8) of a JPEG (APP1 "Exif"),
// a WebP ("EXIF" chunk) or a PNG ("eXIf" chunk); 1 when there is none or
// it cannot be read. It reads at most the file's headers, bounded.
func Orientation(data []byte) int {
	var tiff []byte
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xd8")):
		tiff = jpegExif(data)
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		tiff = riffChunk(data[12:], "EXIF")
		tiff = bytes.TrimPrefix(tiff, []byte("Exif\x00\x00"))
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		tiff = pngChunk(data[8:], "eXIf")
	}
	return tiffOrientation(tiff)
}

// jpegExif finds the TIFF block of a JPEG's Exif APP1 segment, looking
// through the segments before the image data.
func jpegExif(data []byte) []byte {
	i := 2
	for n := 0; n < 64 && i+4 <= len(data); n++ {
		if data[i] != 0xff {
			return nil
		}
		marker := data[i+1]
		if marker == 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker == 0x01 || marker == 0xff {
			i++
			continue
		}
		if marker == 0xda || marker == 0xd9 { // start of scan, end of image
			return nil
		}
		size := int(binary.BigEndian.Uint16(data[i+2:]))
		if size < 2 || i+2+size > len(data) {
			return nil
		}
		seg := data[i+4 : i+2+size]
		if marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return seg[6:]
		}
		i += 2 + size
	}
	return nil
}

// riffChunk returns the payload of the first RIFF chunk named id.
func riffChunk(data []byte, id string) []byte {
	for n := 0; n < 64 && len(data) >= 8; n++ {
		size := int(binary.LittleEndian.Uint32(data[4:8]))
		if size < 0 || size > len(data)-8 {
			return nil
		}
		if string(data[:4]) == id {
			return data[8 : 8+size]
		}
		next := 8 + size + size%2 // chunks are padded to an even size
		if next > len(data) {
			return nil
		}
		data = data[next:]
	}
	return nil
}

// pngChunk returns the payload of the first PNG chunk of type typ.
func pngChunk(data []byte, typ string) []byte {
	for n := 0; n < 256 && len(data) >= 12; n++ {
		size := int(binary.BigEndian.Uint32(data[:4]))
		if size < 0 || size > len(data)-12 {
			return nil
		}
		switch string(data[4:8]) {
		case typ:
			return data[8 : 8+size]
		case "IDAT", "IEND":
			return nil
		}
		data = data[12+size:]
	}
	return nil
}

// tiffOrientation reads tag 0x0112 of a TIFF block's first directory.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off > len(t)-2 {
		return 1
	}
	n := int(bo.Uint16(t[off:]))
	for i := 0; i < n && i < 512; i++ {
		e := off + 2 + 12*i
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 { // SHORT
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}
