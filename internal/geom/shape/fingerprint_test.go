package shape

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/geom"
)

// copies returns re-encodings of d that must keep its fingerprint: scaled,
// moved, simplified (as a coarser format would store it) and re-read with
// coordinates rounded to 1/1000 inch.
func copies(d *geom.Design) map[string]*geom.Design {
	return map[string]*geom.Design{
		"x0.5":       d.Scale(0.5),
		"x2":         d.Scale(2),
		"moved":      d.Translate(-40, 17.5),
		"to width 9": d.ScaleToWidth(9),
		"simplified": d.Simplify(0.01),
		"rounded":    rounded(d, 0.001),
	}
}

// rounded snaps every point of d to a grid of step inches.
func rounded(d *geom.Design, step float64) *geom.Design {
	r := func(p geom.Point) geom.Point {
		return geom.Point{X: math.Round(p.X/step) * step, Y: math.Round(p.Y/step) * step}
	}
	out := d.Clone()
	for i := range out.Paths {
		p := &out.Paths[i]
		p.Start = r(p.Start)
		for j := range p.Segments {
			s := &p.Segments[j]
			s.End, s.C1, s.C2, s.Center = r(s.End), r(s.C1), r(s.C2), r(s.Center)
		}
	}
	return out
}

func TestFingerprintFixtures(t *testing.T) {
	fs := fixtureDesigns(t)
	fps := make([][]byte, len(fs))
	maxCopy := 0.0
	for i, f := range fs {
		d := readFixture(t, f)
		fps[i] = Fingerprint(d)
		if len(fps[i]) != FingerprintSize {
			t.Fatalf("%s: fingerprint of %d bytes, want %d", f.Name, len(fps[i]), FingerprintSize)
		}
		cs := copies(d)
		if f.QLI != "" {
			q, err := readDesignFile(f.QLI)
			if err != nil {
				t.Fatal(err)
			}
			cs["QLI"] = q
			cs["QLI x0.5"] = q.Scale(0.5)
		}
		for name, c := range cs {
			dist := FingerprintDistance(fps[i], Fingerprint(c))
			maxCopy = math.Max(maxCopy, dist)
			if !SameDesign(fps[i], Fingerprint(c)) {
				t.Errorf("%s %s: distance %.3f, want the same design (< %.2f)", f.Name, name, dist, SameDesignThreshold)
			}
		}
	}
	minOther := math.Inf(1)
	var tab strings.Builder
	for i := range fs {
		fmt.Fprintf(&tab, "\n%-22s", fs[i].Name)
		for j := range fs {
			dist := FingerprintDistance(fps[i], fps[j])
			fmt.Fprintf(&tab, " %5.2f", dist)
			if i != j {
				minOther = math.Min(minOther, dist)
				if SameDesign(fps[i], fps[j]) {
					t.Errorf("%s and %s: distance %.3f, taken for the same design", fs[i].Name, fs[j].Name, dist)
				}
			}
		}
	}
	t.Logf("distance matrix:%s\nmax distance between copies %.3f, min between different designs %.3f", tab.String(), maxCopy, minOther)
	if len(fs) > 1 && minOther < 2*SameDesignThreshold {
		t.Errorf("different designs only %.3f apart: less than twice the threshold %.2f", minOther, SameDesignThreshold)
	}
}

func TestFingerprintSVGFixtures(t *testing.T) {
	// Some fixture SVGs are the designer's work sheets holding several
	// variants; where the SVG's extent has the design's aspect ratio it is
	// the same drawing and must match, and an SVG never matches another
	// design.
	fs := fixtureDesigns(t)
	var fps [][]byte
	for _, f := range fs {
		fps = append(fps, Fingerprint(readFixture(t, f)))
	}
	same := 0
	for i, f := range fs {
		if f.SVG == "" {
			continue
		}
		d, err := readDesignFile(f.SVG)
		if err != nil {
			t.Fatalf("%s: %v", f.SVG, err)
		}
		fp := Fingerprint(d)
		b, s := readFixture(t, f).StitchBounds(), d.StitchBounds()
		alike := math.Abs(b.Width()/b.Height()-s.Width()/s.Height()) < 0.03*b.Width()/b.Height()
		for j := range fs {
			dist := FingerprintDistance(fps[j], fp)
			switch {
			case i == j && alike:
				same++
				t.Logf("%s: SVG drawing at distance %.3f from the G-code", f.Name, dist)
				if !SameDesign(fps[j], fp) {
					t.Errorf("%s: SVG at distance %.3f from the G-code, want the same design", f.Name, dist)
				}
			case i != j && SameDesign(fps[j], fp):
				t.Errorf("%s SVG matches %s (distance %.3f)", f.Name, fs[j].Name, dist)
			}
		}
	}
	t.Logf("%d fixture SVGs are single-design drawings", same)
	if same < 3 {
		t.Errorf("only %d fixture SVGs compared as the same design, want 3 (spiderweb, viking longship, 3-looped knot)", same)
	}
}

func TestFingerprintSynthetic(t *testing.T) {
	designs := map[string]*geom.Design{
		"border": borderDesign(), "corner": cornerDesign(), "L": lDesign(),
		"heart": heartDesign(), "rings": circleDesign(), "triangle": triangleDesign(),
	}
	for n, d := range designs {
		fp := Fingerprint(d)
		for cn, c := range copies(d) {
			if dist := FingerprintDistance(fp, Fingerprint(c)); dist >= SameDesignThreshold {
				t.Errorf("%s %s: distance %.3f", n, cn, dist)
			}
		}
		for m, e := range designs {
			if m != n && SameDesign(fp, Fingerprint(e)) {
				t.Errorf("%s matches %s", n, m)
			}
		}
	}
	// The fingerprint is not mirror-invariant: a mirrored L is another design.
	if dist := FingerprintDistance(Fingerprint(lDesign()), Fingerprint(lDesign().MirrorX())); dist < SameDesignThreshold {
		t.Errorf("mirrored L at distance %.3f, want a different design", dist)
	}
}

func TestFingerprintDegenerate(t *testing.T) {
	if fp := Fingerprint(&geom.Design{}); fp != nil {
		t.Errorf("empty design: %x, want nil", fp)
	}
	fp := Fingerprint(heartDesign())
	if d := FingerprintDistance(nil, fp); d != 2 || SameDesign(nil, nil) {
		t.Errorf("nil fingerprints: distance %.2f, same %v", d, SameDesign(nil, nil))
	}
	other := append([]byte(nil), fp...)
	other[0]++ // another version
	if SameDesign(fp, other) {
		t.Error("fingerprints of different versions compared as the same")
	}
	if d := FingerprintDistance(fp, fp); d != 0 {
		t.Errorf("self distance %.3f", d)
	}
}

func BenchmarkFingerprint(b *testing.B) {
	d := readFixture(b, fixtureDesigns(b)[0])
	for b.Loop() {
		Fingerprint(d)
	}
}

func BenchmarkClassify(b *testing.B) {
	d := readFixture(b, fixtureDesigns(b)[0])
	for b.Loop() {
		Classify(d)
	}
}
