package shape

import (
	"path/filepath"
	"testing"

	"github.com/patternvault/patternvault/internal/geom"
)

// kindType maps a fixture folder kind to the type Classify must report.
var kindType = map[string]string{
	"blocks":    TypeBlock,
	"e2e":       TypeE2E,
	"panels":    TypePanel,
	"triangles": TypeTriangle,
}

func TestClassifyFixtures(t *testing.T) {
	for _, f := range fixtureDesigns(t) {
		want, ok := kindType[f.Kind]
		if !ok {
			t.Errorf("%s: unknown fixture kind %q", f.Name, f.Kind)
			continue
		}
		for _, path := range []string{f.BQM, f.QLI} {
			if path == "" {
				continue
			}
			d, err := readDesignFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkFixtureClass(t, f.Name+" "+filepath.Ext(path), Classify(d), want)
		}
	}
}

func checkFixtureClass(t *testing.T, name string, a Analysis, want string) {
	t.Helper()
	t.Logf("%-27s %-8s conf %.2f mirrorLR %.2f mirrorTB %.2f rot %d (%.2f) %.2fx%.2f in",
		name, a.Type, a.TypeConfidence, a.MirrorLR, a.MirrorTB, a.SuggestedRotation, a.RotationConfidence, a.Width, a.Height)
	if a.Type != want {
		t.Errorf("%s: type %q, want %q", name, a.Type, want)
	}
	if a.TypeConfidence < 0.5 || a.TypeConfidence > 1 {
		t.Errorf("%s: type confidence %.2f, want 0.5..1", name, a.TypeConfidence)
	}
	if a.SuggestedRotation != 0 {
		t.Errorf("%s: suggested rotation %d, want 0 (the fixtures are upright)", name, a.SuggestedRotation)
	}
}

func TestClassifyFixturesTurned(t *testing.T) {
	// An e2e turned on its side is still an e2e, and the suggested
	// rotation turns it back.
	for _, f := range fixtureDesigns(t) {
		if f.Kind != "e2e" {
			continue
		}
		d := readFixture(t, f)
		for _, turn := range []int{90, 270} {
			a := Classify(d.Rotate(float64(turn)))
			if a.Type != TypeE2E {
				t.Errorf("%s turned %d°: type %q, want e2e", f.Name, turn, a.Type)
			}
			if got := mod360(turn + a.SuggestedRotation); got != 0 || a.RotationConfidence < 0.5 {
				t.Errorf("%s turned %d°: suggested rotation %d (%.2f) does not turn it back", f.Name, turn, a.SuggestedRotation, a.RotationConfidence)
			}
		}
	}
}

func TestClassifySynthetic(t *testing.T) {
	cases := []struct {
		name string
		d    *geom.Design
		want string
		rot  int
	}{
		{"wavy border strip", borderDesign(), TypeBorder, 0},
		{"vertical border strip", borderDesign().Rotate(90), TypeBorder, 270},
		{"L-shaped corner vine", cornerDesign(), TypeCorner, 0},
		{"corner vine in the bottom-right", cornerDesign().Rotate(90), TypeCorner, 270},
		{"corner vine in the top-right", cornerDesign().Rotate(180), TypeCorner, 180},
		{"letter L", lDesign(), TypeCorner, 0},
		{"rings", circleDesign(), TypeBlock, 0},
		{"heart", heartDesign(), TypeBlock, 0},
		{"hatched right triangle", triangleDesign(), TypeTriangle, -1},
	}
	for _, c := range cases {
		a := Classify(c.d)
		if a.Type != c.want {
			t.Errorf("%s: type %q (%.2f), want %q", c.name, a.Type, a.TypeConfidence, c.want)
		}
		if c.rot >= 0 && a.SuggestedRotation != c.rot {
			t.Errorf("%s: suggested rotation %d, want %d", c.name, a.SuggestedRotation, c.rot)
		}
	}
}

func TestClassifyTriangleRotation(t *testing.T) {
	// The 3-looped knot stands on its base; turned, it is turned back.
	for _, f := range fixtureDesigns(t) {
		if f.Kind != "triangles" {
			continue
		}
		d := readFixture(t, f)
		for _, turn := range []int{90, 180, 270} {
			a := Classify(d.Rotate(float64(turn)))
			if a.Type != TypeTriangle || mod360(turn+a.SuggestedRotation) != 0 {
				t.Errorf("%s turned %d°: %s, rotation %d", f.Name, turn, a.Type, a.SuggestedRotation)
			}
		}
	}
}

func TestClassifyEmpty(t *testing.T) {
	jumpOnly := &geom.Design{Paths: []geom.Path{{Segments: []geom.Segment{{End: geom.Point{X: 1}}}}}}
	for name, d := range map[string]*geom.Design{"nil": nil, "empty": {}, "jumps only": jumpOnly} {
		if a := Classify(d); a.Type != TypeUnknown || a.TypeConfidence != 0 {
			t.Errorf("%s: %+v, want unknown", name, a)
		}
	}
	// A straight stitched line has no height; it must not divide by zero.
	if a := Classify(polyDesign(geom.Point{}, geom.Point{X: 10})); a.Type != TypeBorder {
		t.Errorf("straight line: %+v, want a border", a)
	}
}

func TestSymmetry(t *testing.T) {
	heart := Classify(heartDesign())
	if heart.MirrorLR < 0.95 {
		t.Errorf("heart left-right symmetry %.2f, want ≥ 0.95", heart.MirrorLR)
	}
	if heart.MirrorTB > 0.5 {
		t.Errorf("heart top-bottom symmetry %.2f, want ≤ 0.5", heart.MirrorTB)
	}
	rings := Classify(circleDesign())
	if rings.MirrorLR < 0.95 || rings.MirrorTB < 0.95 {
		t.Errorf("rings symmetry %.2f / %.2f, want ≥ 0.95 both", rings.MirrorLR, rings.MirrorTB)
	}
	l := Classify(lDesign())
	if l.MirrorLR > 0.6 || l.MirrorTB > 0.7 {
		t.Errorf("L symmetry %.2f / %.2f, want low (≤ 0.6 / ≤ 0.7)", l.MirrorLR, l.MirrorTB)
	}
	// Mirroring a design swaps nothing in its own symmetry scores.
	m := Classify(lDesign().MirrorX())
	if m.MirrorLR != l.MirrorLR {
		t.Errorf("mirrored L: symmetry %.2f, want %.2f", m.MirrorLR, l.MirrorLR)
	}
}
