package formats

import (
	"bytes"
	"errors"
	"testing"

	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// fuzzSeeds adds the fixture files of the given extension (when the
// fixtures are present), the format's output for a synthetic design, and
// the extra seeds.
func fuzzSeeds(f *testing.F, format *Format, ext string, extra ...string) {
	if fixturesPresent() {
		for _, fd := range fixtureDesigns(f) {
			for _, name := range testfixtures.Files(f, fd.Dir) {
				if extension(name) == ext || ext == "bqm" && name == fd.BQM {
					f.Add(readFile(f, name))
				}
			}
		}
	}
	if format.Write != nil {
		var buf bytes.Buffer
		if err := format.Write(&buf, sample()); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// fixturesPresent reports whether the shared fixtures exist, without
// skipping the fuzz target when they do not.
func fixturesPresent() bool {
	_, err := testfixtures.Find()
	return err == nil
}

// fuzzRead checks the reader contract: no panic, an error or a design with
// finite coordinates within the segment limit.
func fuzzRead(t *testing.T, f *Format, data []byte) {
	d, err := f.Read(data)
	if err != nil {
		if d != nil {
			t.Fatalf("design and error %v", err)
		}
		return
	}
	if n := d.SegmentCount(); n > geom.MaxSegments {
		t.Fatalf("%d segments", n)
	}
	if err := checkWritable(f.Name, d); err != nil {
		t.Fatal(err)
	}
	for i := range d.Pauses {
		if b := d.Pauses[i].Before; b < 0 || b > len(d.Paths) {
			t.Fatalf("pause before path %d of %d", b, len(d.Paths))
		}
	}
	// Whatever was read can be written in every format without error.
	// Only small inputs: the fuzzer minimises large interesting inputs by
	// thousands of runs, which writing would make take minutes.
	if len(data) > 4096 {
		return
	}
	for _, w := range []*Format{QLI, BQM, PLT, CSQ, QCC} {
		if err := w.Write(&bytes.Buffer{}, d); err != nil && !errors.Is(err, geom.ErrTooLarge) {
			t.Fatalf("write %s: %v", w.Name, err)
		}
	}
}

func FuzzReadQLI(f *testing.F) {
	fuzzSeeds(f, QLI, "qli", "#CAD2DMC\nVP 1,2\nCR 100,0,360\nVE\nEN\n", "VMXY\nVP 1e308,1e308\nVE\nVP 1e308,0\n",
		"#CAD2DMC\nNO PAUSE x\nNO NEEDLE OFF\nVP 5,5\nCR 0,0,-360\n")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, QLI, data) })
}

func FuzzReadBQM(f *testing.F) {
	fuzzSeeds(f, BQM, "bqm", "N10G00X0Y0\nN11G02X1Y0I0.5J0\nM02\n", "G21 G1 X1 Y2 (c)\n;x\nG3X0Y0I1J1\n")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, BQM, data) })
}

func FuzzReadPLT(f *testing.F) {
	fuzzSeeds(f, PLT, "plt", "IN;SP1;PU0,0;PD100,100,200,0;SP2;PR;PD5,5;AA0,0,90;LBhi\x03PU;")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, PLT, data) })
}

func FuzzReadCSQ(f *testing.F) {
	fuzzSeeds(f, CSQ, "csq", "#CSQLI\n0,0,0\n1,1,1\n1,2,3\n2,2,3\n3,3,3\n")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, CSQ, data) })
}

func FuzzReadQCC(f *testing.F) {
	fuzzSeeds(f, QCC, "qcc", "c s\np X0.0000 Y0.0000\np X1.5 Y-2\nM02\n")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, QCC, data) })
}

func FuzzReadIQP(f *testing.F) {
	var seed []byte
	seed = append(seed, iqpMagic...)
	seed = append(seed, 7, 0, 0, 0, 16, 0, 0, 0)
	seed = append(seed, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 128, 63)
	seed = append(seed, 2, 0, 0, 0)
	fuzzSeeds(f, IQP, "iqp", string(seed), string(iqpMagic)+"\x07\x00\x00\x00\xff\xff\xff\x7f")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, IQP, data) })
}

func FuzzANSPreview(f *testing.F) {
	fuzzSeeds(f, ANS, "ans")
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := ANSPreview(data)
		if err == nil && (img.Bounds().Dx() > maxPreviewSide || img.Bounds().Dy() > maxPreviewSide) {
			t.Fatalf("preview %v", img.Bounds())
		}
	})
}

func FuzzDetect(f *testing.F) {
	f.Add("a.txt", []byte("Copyright 2020"))
	f.Add("b", []byte("N10G00X0Y0"))
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		Detect(name, head)
		IsNotes(name, head)
	})
}
