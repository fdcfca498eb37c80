package demo

import (
	"archive/zip"
	"bytes"
	"fmt"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/formats/dxf"
	"github.com/patternvault/patternvault/internal/formats/svg"
	"github.com/patternvault/patternvault/internal/geom"
)

// Helpers only the tests use.

// NewItemOfType is like NewItem but of type typ (one of Types) and, when
// motif is not nil, with that main motif.
func NewItemOfType(seed int64, i int, typ string, motif *Motif) Item {
	return newItemOfType(itemRand(seed, i), i, typ, motif)
}

// Motifs returns the motif library, in a fixed order.
func Motifs() []*Motif {
	out := make([]*Motif, len(motifs))
	copy(out, motifs)
	return out
}

// MotifByName returns the motif called name, or nil.
func MotifByName(name string) *Motif {
	for _, m := range motifs {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// FormatNames lists every format demo ZIPs may hold.
func FormatNames() []string {
	out := make([]string, len(allFormats))
	for i, f := range allFormats {
		out[i] = f.name
	}
	return out
}

// ReadFormat decodes data written by WriteFormat in the named format.
func ReadFormat(name string, data []byte) (*geom.Design, error) {
	if f := formats.ByName(name); f != nil && f.Read != nil {
		return f.Read(data)
	}
	switch name {
	case "dxf":
		return dxf.Read(data)
	case "svg":
		return svg.Read(data)
	}
	return nil, fmt.Errorf("demo: no reader for format %q", name)
}

// ZIPItem returns a store-like ZIP of one design: a folder "<Name>/" with
// "<Name>.<format>" for each of fmts (it.Formats when fmts is nil), the
// notes file and, when it.Picture is set, "<Name> (pic).png".
func ZIPItem(it Item, fmts []string) ([]byte, error) {
	es, err := entries(it, fmts)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if err := writeEntries(zw, es); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("demo: zip %s: %w", it.Name, err)
	}
	return buf.Bytes(), nil
}
