package formats

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/patternvault/patternvault/internal/formats/formatstest"
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

// fuzzRead checks the reader contract: no panic; an error, or a design
// within the segment limit that passes the guard (every coordinate finite
// and within geom.MaxCoordinate, the extent within geom.MaxExtent); and
// whatever was read is written by every writer without error and without
// Inf, NaN or overflowed numbers in the output. Read through the registry,
// the same data gives the same verdict with a *ReadError.
func fuzzRead(t *testing.T, f *Format, data []byte) {
	d, err := f.Read(data)
	if err != nil {
		if d != nil {
			t.Fatalf("design and error %v", err)
		}
		if Detect("fuzz."+f.Name, data) != f {
			return
		}
		if _, _, rerr := Read("fuzz."+f.Name, data); rerr == nil {
			t.Fatalf("%s reader refused the data (%v) but Read accepted it", f.Name, err)
		}
		return
	}
	if n := d.SegmentCount(); n > geom.MaxSegments {
		t.Fatalf("%d segments", n)
	}
	if err := d.Check(); err != nil {
		t.Fatalf("design read outside the guard: %v", err)
	}
	// Whatever was read can be written in every format without error.
	// Only small inputs: the fuzzer minimises large interesting inputs by
	// thousands of runs, which writing would make take minutes.
	if len(data) > 4096 {
		return
	}
	bare := formatstest.WithoutText(d)
	for _, w := range All() {
		if w.Write == nil {
			continue
		}
		var out bytes.Buffer
		if err := w.Write(&out, bare); err != nil {
			if !errors.Is(err, geom.ErrTooLarge) {
				t.Fatalf("write %s: %v", w.Name, err)
			}
			continue
		}
		if err := formatstest.CheckOutput(out.Bytes()); err != nil {
			t.Fatalf("write %s: %v", w.Name, err)
		}
	}
}

func FuzzReadQLI(f *testing.F) {
	fuzzSeeds(f, QLI, "qli", "#CAD2DMC\nVP 1,2\nCR 100,0,360\nVE\nEN\n", "VMXY\nVP 1e308,1e308\nVE\nVP 1e308,0\n",
		"#CAD2DMC\nNO PAUSE x\nNO NEEDLE OFF\nVP 5,5\nCR 0,0,-360\n", "#CAD2DMC\nVP1e308,0\nVE\nEN\n",
		"#CAD2DMC\nVMYX;CS\nVP99999000,1<100>50;VE?\nCR 99999000,90,180<5\nEN 1\n")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, QLI, data) })
}

func FuzzReadBQM(f *testing.F) {
	fuzzSeeds(f, BQM, "bqm", "N10G00X0Y0\nN11G02X1Y0I0.5J0\nM02\n", "G21 G1 X1 Y2 (c)\n;x\nG3X0Y0I1J1\n",
		"N10G00X99999Y-99999\nN11G01X-99999Y99999\nN12G02X1e5Y0I-1e5J0\nM02\n")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, BQM, data) })
}

func FuzzReadPLT(f *testing.F) {
	fuzzSeeds(f, PLT, "plt", "IN;SP1;PU0,0;PD100,100,200,0;SP2;PR;PD5,5;AA0,0,90;LBhi\x03PU;")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, PLT, data) })
}

func FuzzReadCSQ(f *testing.F) {
	fuzzSeeds(f, CSQ, "csq", "#CSQLI\n0,0,0\n1,1,1\n1,2,3\n2,2,3\n3,3,3\n", "#CSQLI\n1e308,0,0\n1,1,1\n")
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

// FuzzWriteGuard builds a design from arbitrary numbers (infinities,
// NaN, 1e308 included) and checks that every writer either refuses it or
// writes only finite, reasonably sized numbers, and that a design that
// passes the guard is never refused for its coordinates.
func FuzzWriteGuard(f *testing.F) {
	f.Add(0.0, 0.0, 1.0, 1.0, 0.5, 0.5, 1.0, uint8(1), true)
	f.Add(1e308, 0.0, 1e308, 1.0, 0.0, 0.0, 3.0, uint8(0), true)
	f.Add(math.Inf(1), 0.0, 1.0, math.NaN(), 0.0, 0.0, 0.0, uint8(2), false)
	f.Add(-99999.0, 99999.0, 99999.0, -99999.0, 0.0, 0.0, -6.3, uint8(1), true)
	f.Add(1e5, 0.0, -1e5, 0.0, 0.0, 1e5, 3.0, uint8(2), true)
	f.Fuzz(func(t *testing.T, x0, y0, x1, y1, cx, cy, sweep float64, kind uint8, stitch bool) {
		s := geom.Segment{Kind: geom.SegmentKind(kind % 3), End: geom.Point{X: x1, Y: y1}}
		switch s.Kind {
		case geom.Arc:
			s.Center, s.Sweep = geom.Point{X: cx, Y: cy}, sweep
		case geom.Cubic:
			s.C1, s.C2 = geom.Point{X: cx, Y: cy}, geom.Point{X: cy, Y: cx}
		}
		d := &geom.Design{Paths: []geom.Path{
			{Start: geom.Point{X: x0, Y: y0}, Stitch: stitch, Segments: []geom.Segment{s}},
			{Start: geom.Point{X: x1, Y: y1}, Stitch: true, Segments: []geom.Segment{{Kind: geom.Line, End: geom.Point{X: x0, Y: y0}}}},
		}}
		guard := d.Check()
		for _, w := range All() {
			if w.Write == nil {
				continue
			}
			var out bytes.Buffer
			err := w.Write(&out, d)
			switch {
			case err == nil && guard != nil:
				t.Fatalf("%s wrote a design outside the guard (%v)", w.Name, guard)
			case err != nil && guard == nil && !errors.Is(err, geom.ErrTooLarge):
				t.Fatalf("%s refused a design within the guard: %v", w.Name, err)
			case err == nil:
				if cerr := formatstest.CheckOutput(out.Bytes()); cerr != nil {
					t.Fatalf("%s: %v", w.Name, cerr)
				}
			}
		}
	})
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
	f.Add("p.hqf", []byte("<!DOCTYPE html><html>"))
	f.Add("x.qli", []byte("\xff\xd8\xff\xe0"))
	f.Add("y.4dq", []byte("%GPFVSM%"))
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		got := Detect(name, head)
		IsNotes(name, head)
		// Check agrees with Detect: no format, not a design; a file it
		// refuses is refused as not a design, with a reason.
		err := Check(name, head)
		if got == nil && !errors.Is(err, ErrNotDesign) {
			t.Fatalf("Check(%q) = %v for data that is no design format", name, err)
		}
		var re *ReadError
		if err != nil && got != nil && (!errors.As(err, &re) || re.Reason == "" || !errors.Is(err, ErrNotDesign)) {
			t.Fatalf("Check(%q) = %v, want a ReadError with a reason", name, err)
		}
	})
}
