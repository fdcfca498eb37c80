package ingest

import (
	"bufio"
	"encoding/binary"
	"io"
)

// countEntries counts the central directory headers of a ZIP, stopping as
// soon as the count passes limit, so that an archive with millions of
// entries is refused before zip.NewReader allocates a File for each.
//
// archive/zip reads headers until the first bad one, whatever the end
// record says, so the end record's count cannot be trusted; this walks the
// directory from where archive/zip starts (the logic mirrors its
// readDirectoryEnd). ok is false when no directory is found, in which case
// zip.NewReader fails as well.
func countEntries(r io.ReaderAt, size int64, limit int) (n int, ok bool) {
	start, ok := directoryStart(r, size)
	if !ok {
		return 0, false
	}
	br := bufio.NewReader(io.NewSectionReader(r, start, size-start))
	var hdr [46]byte
	for n <= limit {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			break
		}
		if binary.LittleEndian.Uint32(hdr[0:]) != 0x02014b50 {
			break
		}
		rest := int(binary.LittleEndian.Uint16(hdr[28:])) +
			int(binary.LittleEndian.Uint16(hdr[30:])) +
			int(binary.LittleEndian.Uint16(hdr[32:]))
		if d, err := br.Discard(rest); err != nil || d != rest {
			break
		}
		n++
	}
	return n, true
}

// directoryStart returns the offset of the first central directory header,
// computed as archive/zip does.
func directoryStart(r io.ReaderAt, size int64) (int64, bool) {
	endOff, end, ok := findEnd(r, size)
	if !ok {
		return 0, false
	}
	records := uint64(binary.LittleEndian.Uint16(end[10:]))
	dirSize := uint64(binary.LittleEndian.Uint32(end[12:]))
	dirOff := uint64(binary.LittleEndian.Uint32(end[16:]))
	if records == 0xffff || dirSize == 0xffff || dirOff == 0xffffffff {
		if p, ok64 := findEnd64(r, endOff); ok64 {
			var b [56]byte
			if _, err := r.ReadAt(b[:], p); err != nil || binary.LittleEndian.Uint32(b[0:]) != 0x06064b50 {
				return 0, false
			}
			endOff = p
			dirSize = binary.LittleEndian.Uint64(b[40:])
			dirOff = binary.LittleEndian.Uint64(b[48:])
		}
	}
	const maxInt64 = 1<<63 - 1
	if dirSize > maxInt64 || dirOff > maxInt64 {
		return 0, false
	}
	base := endOff - int64(dirSize) - int64(dirOff)
	start := base + int64(dirOff)
	if start < 0 || start >= size {
		return 0, false
	}
	if base > 0 && int64(dirOff) < size {
		// archive/zip prefers a base of 0 when a header is found there.
		if headerAt(r, size, int64(dirOff)) {
			start = int64(dirOff)
		}
	}
	return start, true
}

// findEnd locates the end-of-central-directory record in the last 1 KiB,
// then the last 65 KiB, as archive/zip does.
func findEnd(r io.ReaderAt, size int64) (int64, []byte, bool) {
	for _, n := range []int64{1024, 65 * 1024} {
		n = min(n, size)
		buf := make([]byte, n)
		if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
			return 0, nil, false
		}
		if i := endSignature(buf); i >= 0 {
			return size - n + int64(i), buf[i : i+22], true
		}
		if n == size {
			break
		}
	}
	return 0, nil, false
}

// findEnd64 reads the zip64 locator just before the end record.
func findEnd64(r io.ReaderAt, endOff int64) (int64, bool) {
	loc := endOff - 20
	if loc < 0 {
		return 0, false
	}
	var b [20]byte
	if _, err := r.ReadAt(b[:], loc); err != nil {
		return 0, false
	}
	if binary.LittleEndian.Uint32(b[0:]) != 0x07064b50 || binary.LittleEndian.Uint32(b[4:]) != 0 || binary.LittleEndian.Uint32(b[16:]) != 1 {
		return 0, false
	}
	p := binary.LittleEndian.Uint64(b[8:])
	if p > 1<<62 {
		return 0, false
	}
	return int64(p), true
}

// endSignature returns the offset of the last end-record signature in b,
// or -1 when there is none or its comment is truncated.
func endSignature(b []byte) int {
	for i := len(b) - 22; i >= 0; i-- {
		if b[i] == 'P' && b[i+1] == 'K' && b[i+2] == 5 && b[i+3] == 6 {
			if int(binary.LittleEndian.Uint16(b[i+20:]))+22+i > len(b) {
				return -1
			}
			return i
		}
	}
	return -1
}

// headerAt reports whether a whole central directory header starts at off.
func headerAt(r io.ReaderAt, size, off int64) bool {
	var h [46]byte
	if _, err := r.ReadAt(h[:], off); err != nil || binary.LittleEndian.Uint32(h[0:]) != 0x02014b50 {
		return false
	}
	rest := int64(binary.LittleEndian.Uint16(h[28:])) + int64(binary.LittleEndian.Uint16(h[30:])) + int64(binary.LittleEndian.Uint16(h[32:]))
	return off+46+rest <= size
}
