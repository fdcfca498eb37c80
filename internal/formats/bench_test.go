package formats

import (
	"io"
	"slices"
	"testing"
)

// typicalQLI returns the median-sized fixture QLI, skipping when absent.
func typicalQLI(b *testing.B) []byte {
	names := fixtureQLIs(b)
	var files [][]byte
	for _, n := range names {
		files = append(files, readFile(b, n))
	}
	slices.SortFunc(files, func(a, b []byte) int { return len(a) - len(b) })
	return files[len(files)/2]
}

func BenchmarkReadQLI(b *testing.B) {
	data := typicalQLI(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := QLI.Read(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConvert reads a typical QLI and writes it in each writable
// format, as a conversion request does.
func BenchmarkConvert(b *testing.B) {
	data := typicalQLI(b)
	for _, f := range All() {
		if f.Write == nil {
			continue
		}
		b.Run(f.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d, err := QLI.Read(data)
				if err != nil {
					b.Fatal(err)
				}
				if err := f.Write(io.Discard, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkStitchLength(b *testing.B) {
	d, err := QLI.Read(typicalQLI(b))
	if err != nil {
		b.Fatal(err)
	}
	var sink float64
	for b.Loop() {
		sink += d.StitchLength() + d.Bounds().Width()
	}
	_ = sink
}
