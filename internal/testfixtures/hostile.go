package testfixtures

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Hostile design files, generated rather than committed (some are large).
// Each reproduces a file that once exhausted the server's memory or CPU;
// the tests that use them check that it no longer does.

// RetracedQLI returns a QLI file whose single stitched path runs n times
// over the same 10-inch line, back and forth (about 11 bytes a segment:
// 20,000 segments make a 220 KB file).
func RetracedQLI(n int) []byte {
	var b bytes.Buffer
	b.WriteString("#CAD2DMC\nCS\nVMXY\nNO NEEDLE ON\n")
	for i := range n {
		if i%2 == 0 {
			b.WriteString("VP 10000,0\n")
		} else {
			b.WriteString("VP 0,0\n")
		}
	}
	b.WriteString("VE\nEN\n")
	return b.Bytes()
}

// RepeatedIQP returns an IQP file of n identical stitch records, each a
// line from (0,0) to (10,10) (24 bytes a record: 100,000 make 2.4 MB).
func RepeatedIQP(n int) []byte {
	var b bytes.Buffer
	b.WriteString("StitchV2        \x00\x00\x00\x00\x00\x00\x00\x00")
	rec := make([]byte, 24)
	binary.LittleEndian.PutUint32(rec[0:], 7)
	binary.LittleEndian.PutUint32(rec[4:], 16)
	binary.LittleEndian.PutUint32(rec[16:], math.Float32bits(10))
	binary.LittleEndian.PutUint32(rec[20:], math.Float32bits(-10))
	for range n {
		b.Write(rec)
	}
	binary.Write(&b, binary.LittleEndian, int32(2))
	return b.Bytes()
}

// RetracedBQM returns a G-code (BQM) file of about size bytes that sews a
// full 10-inch circle and its diameter over and over (a 7 MB file holds
// about 290,000 segments, half of them arcs).
func RetracedBQM(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 64)
	b.WriteString("N10G00X0.0000Y-0.0000\n")
	for b.Len() < size {
		b.WriteString("G02X0.0000Y0.0001I5.0000J0.0000\nG01X10.0000Y0.0000\nG01X0.0000Y0.0000\n")
	}
	b.WriteString("M02\n")
	return b.Bytes()
}

// WriteLinesDXF writes an ASCII DXF drawing of n LINE entities (about 34
// bytes each: one million make a 34 MB file) to w.
func WriteLinesDXF(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("0\nSECTION\n2\nENTITIES\n")
	var num []byte
	for i := range n {
		bw.WriteString("0\nLINE\n8\n0\n10\n")
		num = strconv.AppendInt(num[:0], int64(i%1000), 10)
		bw.Write(num)
		bw.WriteString("\n20\n")
		num = strconv.AppendInt(num[:0], int64(i%777), 10)
		bw.Write(num)
		bw.WriteString("\n11\n")
		num = strconv.AppendInt(num[:0], int64((i+3)%1000), 10)
		bw.Write(num)
		bw.WriteString("\n21\n")
		num = strconv.AppendInt(num[:0], int64((i+5)%777), 10)
		bw.Write(num)
		bw.WriteByte('\n')
	}
	bw.WriteString("0\nENDSEC\n0\nEOF\n")
	return bw.Flush()
}

// WriteExpandingZIP writes to w a ZIP of files entries that together
// unpack to about total bytes; ratio steers how compressible they are (40
// compresses about 43 times, within the ZIP-bomb limits a normal upload
// is held to): WriteExpandingZIP(w, 1<<30, 40, 40) writes a 24 MB ZIP
// that unpacks to 1 GB.
// The entries are QLI design files of pseudo-random lines, so every one is
// a design an import must store and try to read.
func WriteExpandingZIP(w io.Writer, total int64, files int, ratio int) error {
	zw := zip.NewWriter(w)
	per := total / int64(files)
	line := make([]byte, 0, 64)
	seed := uint64(1)
	for f := range files {
		fw, err := zw.Create(fmt.Sprintf("huge/design %03d.qli", f))
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(fw, 1<<16)
		bw.WriteString("#CAD2DMC\nCS\nVMXY\nNO NEEDLE ON\n")
		var n int64
		for n < per {
			// Mostly repeated lines with a little noise, for the ratio.
			seed = seed*6364136223846793005 + 1442695040888963407
			v := int64(seed>>33) % int64(max(ratio/5, 2))
			line = append(line[:0], "VP "...)
			line = strconv.AppendInt(line, v%1000, 10)
			line = append(line, ",0\nVP 0,0\nVP 1000,1000\nVP 0,1000\nVP 0,0\nVP 1000,1000\nVP 0,1000\nVP 0,0\n"...)
			bw.Write(line)
			n += int64(len(line))
		}
		bw.WriteString("VE\nEN\n")
		if err := bw.Flush(); err != nil {
			return err
		}
	}
	return zw.Close()
}
