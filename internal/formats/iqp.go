package formats

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/patternvault/patternvault/internal/geom"
)

// IQP is the IntelliQuilter binary format, read only. What is known: the
// ASCII magic "StitchV2", 8 bytes of 0x20 and 8 bytes of 0x00, then records
// of int32 LE type and int32 LE length. Type 2 ends the file (no length);
// types 4 and 8 are strings of length bytes; type 7 holds float32 LE x,y
// pairs in inches with Y negated.
//
// Unverified, so handled defensively: whether a type-7 length counts bytes
// or points. The reader takes it as a byte count when that is a whole number
// of points that fits, else as a point count that fits, and refuses the
// record otherwise. Each type-7 record is read as one stitched run; moving
// between runs is a jump. Records of other types are skipped by their
// length. No length is ever trusted beyond the bytes present.
var IQP = &Format{
	Name:       "iqp",
	Title:      "IntelliQuilter IQP",
	Extensions: []string{"iqp"},
	Sniff:      sniffIQP,
	Read:       readIQP,
}

func init() { register(IQP) }

var iqpMagic = []byte("StitchV2        \x00\x00\x00\x00\x00\x00\x00\x00")

func sniffIQP(head []byte) bool { return bytes.HasPrefix(head, []byte("StitchV2")) }

func readIQP(data []byte) (*geom.Design, error) {
	if err := checkSize("iqp", data); err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(data, []byte("StitchV2")) {
		return nil, fmt.Errorf("iqp: missing StitchV2 magic: %w", ErrNotDesign)
	}
	if len(data) < len(iqpMagic) {
		return nil, fmt.Errorf("iqp: header cut short at %d bytes", len(data))
	}
	var b builder
	off := len(iqpMagic)
	for off < len(data) {
		if len(data)-off < 4 {
			return nil, fmt.Errorf("iqp: offset %d: record cut short", off)
		}
		typ := int32(binary.LittleEndian.Uint32(data[off:]))
		off += 4
		if typ == 2 {
			return b.design("iqp")
		}
		if len(data)-off < 4 {
			return nil, fmt.Errorf("iqp: offset %d: record length cut short", off)
		}
		n := int64(int32(binary.LittleEndian.Uint32(data[off:])))
		off += 4
		rest := int64(len(data) - off)
		if n < 0 {
			return nil, fmt.Errorf("iqp: offset %d: negative length %d in record type %d", off-4, n, typ)
		}
		size := n
		if typ == 7 {
			switch {
			case n%8 == 0 && n <= rest:
			case n <= rest/8:
				size = n * 8
			default:
				return nil, fmt.Errorf("iqp: offset %d: %d points do not fit in %d bytes", off-4, n, rest)
			}
			if size/8 > geom.MaxSegments {
				return nil, fmt.Errorf("iqp: %d points: %w", size/8, geom.ErrTooLarge)
			}
			if err := iqpPoints(&b, data[off:off+int(size)], off); err != nil {
				return nil, fmt.Errorf("iqp: record at offset %d: %w", off-8, err)
			}
		} else if n > rest {
			return nil, fmt.Errorf("iqp: offset %d: record type %d claims %d bytes, %d left", off-4, typ, n, rest)
		}
		off += int(size)
	}
	return nil, errors.New("iqp: no end-of-file record")
}

// iqpPoints adds one run of float32 x, -y pairs found at offset base of
// the file: a jump to its first point, then stitches through the rest.
func iqpPoints(b *builder, rec []byte, base int) error {
	for i := 0; i+8 <= len(rec); i += 8 {
		x := float64(math.Float32frombits(binary.LittleEndian.Uint32(rec[i:])))
		y := -float64(math.Float32frombits(binary.LittleEndian.Uint32(rec[i+4:])))
		if err := b.lineTo(geom.Point{X: x, Y: y}, i > 0); err != nil {
			return fmt.Errorf("point at offset %d: %w", base+i, err)
		}
	}
	b.breakPath()
	return nil
}
