package demo

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/formats/dxf"
	"github.com/patternvault/patternvault/internal/formats/svg"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/render"
)

// NotesFile is the name of the notes file in every design folder.
const NotesFile = "copyright-license-info.txt"

// PictureSize is the width and height in pixels of the PNG pictures.
const PictureSize = 128

// WriteFormat encodes d in the named format: any writer registered in
// package formats, or DXF and SVG from their own packages.
func WriteFormat(w io.Writer, name string, d *geom.Design) error {
	if f := formats.ByName(name); f != nil && f.Write != nil {
		return f.Write(w, d)
	}
	switch name {
	case "dxf":
		return dxf.Write(w, d)
	case "svg":
		return svg.Write(w, d)
	}
	return fmt.Errorf("demo: no writer for format %q", name)
}

// WriteZIP writes one ZIP holding every item, each in its own folder as
// ZIPItem lays it out, in the items' formats. Items are encoded on all
// CPUs; the ZIP is the same whatever their number.
func WriteZIP(w io.Writer, items ...Item) error {
	return writeZIP(w, deflated, items)
}

// writeZIP is WriteZIP with each file packed by pack.
func writeZIP(w io.Writer, pack packer, items []Item) error {
	zw := zip.NewWriter(w)
	type result struct {
		es  []entry
		err error
	}
	err := ordered(len(items), workers(), func(i int) result {
		es, err := packEntries(items[i], nil, pack)
		return result{es, err}
	}, func(r result) error {
		if r.err != nil {
			return r.err
		}
		return writeEntries(zw, r.es)
	})
	if err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("demo: zip: %w", err)
	}
	return nil
}

// StreamZIPs generates n designs from seed and hands them to fn in ZIPs of
// perZip designs each (the last may hold fewer), named
// "patternvault-demo-<seed>-<batch>.zip", as a user would import them.
func StreamZIPs(seed int64, n, perZip int, fn func(name string, data []byte) error) error {
	return streamZIPs(seed, n, perZip, deflated, false, fn)
}

// StreamStoredZIPs is StreamZIPs with every file stored as it is, not
// deflated: the same designs and files, for a caller that imports the
// ZIPs at once in the same process (demo seed), where deflating them only
// to inflate them again was a third of the work besides the import itself
// (3,000 designs: about 4 s of CPU time of 25). The ZIPs are about three
// times the size, so one buffer holds each in turn: data is fn's only
// until fn returns (a fresh 20 MB buffer a ZIP cost more to clear and map
// than writing the ZIP).
func StreamStoredZIPs(seed int64, n, perZip int, fn func(name string, data []byte) error) error {
	return streamZIPs(seed, n, perZip, stored, true, fn)
}

// streamZIPs is StreamZIPs with each file packed by pack, and, when reuse
// is set, every ZIP written to the same buffer.
func streamZIPs(seed int64, n, perZip int, pack packer, reuse bool, fn func(name string, data []byte) error) error {
	if perZip <= 0 {
		return fmt.Errorf("demo: %d designs per ZIP", perZip)
	}
	batch := make([]Item, 0, perZip)
	count, last := 0, 0
	var shared bytes.Buffer
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		count++
		buf := &shared
		if reuse {
			buf.Reset()
		} else {
			buf = new(bytes.Buffer)
		}
		buf.Grow(last + last/4)
		defer func() { last = buf.Len() }()
		if err := writeZIP(buf, pack, batch); err != nil {
			return err
		}
		batch = batch[:0]
		return fn(fmt.Sprintf("patternvault-demo-%d-%04d.zip", seed, count), buf.Bytes())
	}
	err := Generate(seed, n, func(it Item) error {
		batch = append(batch, it)
		if len(batch) == perZip {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// entry is one file of a ZIP, already packed (deflated or stored).
type entry struct {
	hdr  zip.FileHeader
	data []byte
}

// entries encodes and deflates the files of one design's folder.
func entries(it Item, fmts []string) ([]entry, error) {
	return packEntries(it, fmts, deflated)
}

// packer makes a ZIP entry called name of data (which it must not keep).
type packer func(name string, data []byte, it Item) entry

// packEntries encodes the files of one design's folder and packs them.
func packEntries(it Item, fmts []string, pack packer) ([]entry, error) {
	if fmts == nil {
		fmts = it.Formats
	}
	dir := it.Name + "/"
	var es []entry
	raw := rawBuffers.Get().(*bytes.Buffer)
	defer rawBuffers.Put(raw)
	raw.Reset()
	add := func(name string) {
		es = append(es, pack(dir+name, raw.Bytes(), it))
		raw.Reset()
	}
	for _, f := range fmts {
		if err := WriteFormat(raw, f, it.Design); err != nil {
			return nil, fmt.Errorf("demo: write %s as %s: %w", it.Name, f, err)
		}
		add(it.Name + "." + f)
	}
	raw.WriteString(notes(it))
	add(NotesFile)
	if it.Picture {
		img := render.Thumbnail(it.Design, PictureSize, render.Options{})
		if err := render.EncodePNG(raw, img); err != nil {
			return nil, fmt.Errorf("demo: picture of %s: %w", it.Name, err)
		}
		add(it.Name + " (pic).png")
	}
	return es, nil
}

// rawBuffers hold files while they are encoded, before deflating.
var rawBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// flaters are reusable deflate compressors. They find repeats (LZ77, at
// klauspost/compress's fastest level), as every ZIP tool does, so that
// the demo's ZIPs inflate like real ones (Huffman codes alone, as before,
// made entries half their size instead of a third, and slower to
// inflate); that level costs about the same CPU to write and read back
// as Huffman codes alone did with the standard library's encoder.
var flaters = sync.Pool{New: func() any {
	fw, _ := flate.NewWriter(io.Discard, flate.BestSpeed)
	return fw
}}

// deflated compresses data into a ZIP entry called name.
func deflated(name string, data []byte, it Item) entry {
	var buf bytes.Buffer
	buf.Grow(len(data)/2 + 64)
	fw := flaters.Get().(*flate.Writer)
	fw.Reset(&buf)
	fw.Write(data) // writes to a bytes.Buffer do not fail
	fw.Close()
	flaters.Put(fw)
	return entry{
		hdr: zip.FileHeader{
			Name: name, Method: zip.Deflate, Modified: it.Released,
			CRC32:              crc32.ChecksumIEEE(data),
			CompressedSize64:   uint64(buf.Len()),
			UncompressedSize64: uint64(len(data)),
		},
		data: buf.Bytes(),
	}
}

// stored makes a ZIP entry called name holding a copy of data as it is.
func stored(name string, data []byte, it Item) entry {
	return entry{
		hdr: zip.FileHeader{
			Name: name, Method: zip.Store, Modified: it.Released,
			CRC32:              crc32.ChecksumIEEE(data),
			CompressedSize64:   uint64(len(data)),
			UncompressedSize64: uint64(len(data)),
		},
		data: bytes.Clone(data),
	}
}

// writeEntries adds packed entries to zw.
func writeEntries(zw *zip.Writer, es []entry) error {
	for i := range es {
		w, err := zw.CreateRaw(&es[i].hdr)
		if err == nil {
			_, err = w.Write(es[i].data)
		}
		if err != nil {
			return fmt.Errorf("demo: zip %s: %w", es[i].hdr.Name, err)
		}
	}
	return nil
}

// notes is the text of the notes file.
func notes(it Item) string {
	kind := map[string]string{
		"e2e": "edge-to-edge pantograph", "border": "border", "corner": "border corner",
		"block": "block", "triangle": "setting triangle", "panel": "panel",
	}[it.Type]
	return fmt.Sprintf("%s\r\n"+
		"Designed by %s, %s\r\n\r\n"+
		"Copyright %s %s. All rights reserved.\r\n"+
		"This %s design is licensed to one longarm quilting business. You may\r\n"+
		"stitch it on quilts you make, sell or quilt for customers. You may not\r\n"+
		"share, sell or give away the design files.\r\n\r\n"+
		"Included formats: %s.\r\n",
		it.Name, it.Designer, it.DesignerURL,
		it.Released.Format("2006"), it.Designer, kind, strings.ToUpper(strings.Join(it.Formats, ", ")))
}
