package formats

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
)

// Design formats with no public structure. They are recognised (by name,
// and ANS, 4DQ and QDATA also by content) so that callers can store, list
// and download them byte-exact as designs, but they have no reader or
// writer: Read returns ErrNoGeometry, and PatternVault never converts to
// them. What one third-party exporter writes for some of them is recorded
// in the shared FORMATS.md; it is enough to recognise them, not to write.
var (
	HQF = unknownFormat("hqf", "Handi Quilter Pro-Stitcher / HQ Fusion")
	SSD = unknownFormat("ssd", "Quilting Solutions Side Saddle")
	CQP = unknownFormat("cqp", "Compuquilter")
	CMD = unknownFormat("cmd", "Compuquilter command file")
	PAT = unknownFormat("pat", "ABM AutoPilot pattern")
	// TXT is the PC Quilter format. Ordinary notes files also end in .txt;
	// Detect tells them apart with IsNotes.
	TXT = unknownFormat("txt", "PC Quilter")
	MQR = unknownFormat("mqr", "Machine Quilting Robot")
	// FDQ is the 4DQ format; files start with the magic "%GPFVSM%" and
	// the rest is high-entropy (compressed or encrypted).
	FDQ = &Format{
		Name:       "4dq",
		Title:      "4DQ quilting design",
		Extensions: []string{"4dq"},
		Sniff:      func(head []byte) bool { return bytes.HasPrefix(head, []byte("%GPFVSM%")) },
	}
	// QDATA is a text format seen from one exporter: a "$Limit a,b,c,d"
	// header, "#COLR" thread lines, points in thousandths, "#END".
	QDATA = &Format{
		Name:       "qdata",
		Title:      "QDATA quilting design",
		Extensions: []string{"qdata"},
		Sniff: func(head []byte) bool {
			return bytes.HasPrefix(bytes.TrimPrefix(head, []byte("\ufeff")), []byte("$Limit"))
		},
	}
	// TAP is G-code-like with machine M-codes in one exporter's output;
	// .tap also names other machines' files, so it is kept by name only.
	TAP = unknownFormat("tap", "TAP quilting design")
	// XY is a plain "x y" point list, as PC Quilter TXT.
	XY = unknownFormat("xy", "XY point list")
	// ANS is believed to be Art & Stitch. Its geometry is unknown, but it
	// carries a small BMP preview: see ANSPreview.
	ANS = &Format{
		Name:       "ans",
		Title:      "Art & Stitch (ANS)",
		Extensions: []string{"ans"},
		Sniff:      func(head []byte) bool { return bytes.HasPrefix(head, ansMagic) },
	}
)

func unknownFormat(name, title string) *Format {
	return &Format{Name: name, Title: title, Extensions: []string{name}}
}

func init() {
	CQP.preview, CMD.preview = previewCMD, previewCMD
	TXT.preview, XY.preview = previewXY, previewXY
	QDATA.preview = previewQDATA
	for _, f := range []*Format{HQF, SSD, CQP, CMD, PAT, TXT, MQR, ANS, FDQ, QDATA, TAP, XY} {
		register(f)
	}
}

var ansMagic = []byte("X%\x14\x00")

// ansPreviewOffset is where the BMP preview of an ANS file begins.
const ansPreviewOffset = 0xA5

// ANSPreview decodes the 24-bit BMP preview (90x90 in known files) that an
// ANS file carries at offset 0xA5, for use as a fallback thumbnail.
func ANSPreview(data []byte) (image.Image, error) {
	if !bytes.HasPrefix(data, ansMagic) {
		return nil, fmt.Errorf("ans: %w", ErrNotDesign)
	}
	if len(data) < ansPreviewOffset {
		return nil, errors.New("ans: file too short for a preview")
	}
	img, err := decodeBMP24(data[ansPreviewOffset:])
	if err != nil {
		return nil, fmt.Errorf("ans: preview: %w", err)
	}
	return img, nil
}

// maxPreviewSide bounds the preview size a file may declare.
const maxPreviewSide = 4096

// decodeBMP24 decodes an uncompressed 24-bit Windows bitmap (BITMAPFILE-
// HEADER + BITMAPINFOHEADER), bottom-up or top-down, checking every size
// against the bytes present.
func decodeBMP24(b []byte) (image.Image, error) {
	if len(b) < 54 || b[0] != 'B' || b[1] != 'M' {
		return nil, errors.New("no BMP header")
	}
	le := binary.LittleEndian
	pixels := int64(le.Uint32(b[10:]))
	infoSize := le.Uint32(b[14:])
	w := int64(int32(le.Uint32(b[18:])))
	h := int64(int32(le.Uint32(b[22:])))
	planes, bpp, compression := le.Uint16(b[26:]), le.Uint16(b[28:]), le.Uint32(b[30:])
	if infoSize < 40 || planes != 1 || bpp != 24 || compression != 0 {
		return nil, fmt.Errorf("unsupported BMP (header %d, %d planes, %d bits, compression %d)", infoSize, planes, bpp, compression)
	}
	topDown := h < 0
	if topDown {
		h = -h
	}
	if w <= 0 || h <= 0 || w > maxPreviewSide || h > maxPreviewSide {
		return nil, fmt.Errorf("bad BMP size %dx%d", w, h)
	}
	stride := (w*3 + 3) &^ 3
	if pixels < 54 || pixels+stride*h > int64(len(b)) {
		return nil, fmt.Errorf("BMP pixels (%dx%d at %d) exceed the %d bytes present", w, h, pixels, len(b))
	}
	img := image.NewRGBA(image.Rect(0, 0, int(w), int(h)))
	for y := range h {
		row := y
		if !topDown {
			row = h - 1 - y
		}
		src := b[pixels+row*stride:]
		for x := range w {
			p := src[x*3:]
			img.SetRGBA(int(x), int(y), color.RGBA{R: p[2], G: p[1], B: p[0], A: 0xff})
		}
	}
	return img, nil
}
