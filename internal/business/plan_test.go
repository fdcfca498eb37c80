package business

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// near fails unless got is within tol of want.
func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.3f, want %.3f ± %g", what, got, want, tol)
	}
}

// TestPlanHandCalculation: a made-up 15 × 12 in design of 200 in of
// stitching on a 90 × 108 quilt, with 0.5 in row overlap, 10 stitches an
// inch, 120 in/min, 3 min a row, 1.5× thread take-up, 150-yard bobbins.
func TestPlanHandCalculation(t *testing.T) {
	m := DefaultPriceList().Machine
	p, err := MakePlan(Design{Width: 15, Height: 12, StitchLength: 200}, 9000, 10800, m)
	if err != nil {
		t.Fatal(err)
	}
	// 90 ÷ 15 = 6 repeats exactly (not 7 from rounding).
	// Rows: (108 − 0.5) ÷ (12 − 0.5) = 9.35 → 10; 10 rows cover 10×12 − 9×0.5 = 115.5 ≥ 108, 9 cover 103.5 < 108.
	if p.Repeats != 6 || p.Rows != 10 {
		t.Fatalf("repeats %d rows %d, want 6 and 10", p.Repeats, p.Rows)
	}
	near(t, "stitched length", p.StitchedLength, 60*200, 1e-9) // 12,000 in
	if p.Stitches != 120000 {
		t.Errorf("stitches %d, want 120,000", p.Stitches)
	}
	near(t, "minutes", p.Minutes, 12000.0/120+10*3, 1e-9) // 130 min
	near(t, "top yards", p.TopYards, 12000*1.5/36, 1e-9)  // 500 yd
	near(t, "thread yards", p.ThreadYards, 1000, 1e-9)    // top + bobbin
	if p.Bobbins != 4 {                                   // 500 ÷ 150 = 3.33 → 4
		t.Errorf("bobbins %d, want 4", p.Bobbins)
	}
	// A quilt shorter than one row still needs one.
	p, _ = MakePlan(Design{Width: 15, Height: 12, StitchLength: 200}, 1000, 1000, m)
	if p.Rows != 1 || p.Repeats != 1 {
		t.Errorf("10 × 10 quilt: %d rows of %d", p.Rows, p.Repeats)
	}
	for name, d := range map[string]Design{"no size": {StitchLength: 5}, "no stitching": {Width: 10, Height: 10},
		"overlap ≥ height": {Width: 10, Height: 0.4, StitchLength: 10}, "infinite": {Width: math.Inf(1), Height: 4, StitchLength: 3}} {
		if _, err := MakePlan(d, 9000, 10800, m); err == nil {
			t.Errorf("%s: planned", name)
		}
	}
}

// TestPlanRealDesign plans Stitchables' "atom electrons" edge-to-edge
// (a real QLI bought from a store) on a queen quilt, read by the format
// reader as the import does, against a hand calculation from its facts as
// `patternvault inspect` prints them: 14.363 × 12.268 in, 223.56 in of
// stitching.
func TestPlanRealDesign(t *testing.T) {
	dir := testfixtures.Dir(t)
	path := filepath.Join(dir, "stitchables", "e2e", "atom-electrons", "e2e - atom electrons v3.qli")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("fixture absent: %v", err)
	}
	g, _, err := formats.Read(filepath.Base(path), data)
	if err != nil {
		t.Fatal(err)
	}
	b := g.Bounds()
	d := Design{Width: b.Width(), Height: b.Height(), StitchLength: g.StitchLength()}
	near(t, "design width", d.Width, 14.363, 0.001)
	near(t, "design height", d.Height, 12.268, 0.001)
	near(t, "design stitched length", d.StitchLength, 223.56, 0.01)
	p, err := MakePlan(d, 9000, 10800, DefaultPriceList().Machine)
	if err != nil {
		t.Fatal(err)
	}
	// By hand: repeats ⌈90 ÷ 14.363⌉ = ⌈6.27⌉ = 7; rows ⌈(108 − 0.5) ÷
	// (12.268 − 0.5)⌉ = ⌈9.13⌉ = 10; stitched 10 × 7 × 223.56 = 15,649.2 in;
	// 156,492 stitches; 15,649.2 ÷ 120 + 10 × 3 = 160.4 min; thread
	// 2 × 15,649.2 × 1.5 ÷ 36 = 1,304.1 yd; bobbins ⌈652.05 ÷ 150⌉ = 5.
	if p.Repeats != 7 || p.Rows != 10 || p.Bobbins != 5 {
		t.Errorf("repeats %d rows %d bobbins %d, want 7, 10, 5", p.Repeats, p.Rows, p.Bobbins)
	}
	near(t, "stitched length", p.StitchedLength, 15649.2, 1)
	near(t, "stitches", float64(p.Stitches), 156492, 10)
	near(t, "minutes", p.Minutes, 160.41, 0.01)
	near(t, "thread yards", p.ThreadYards, 1304.1, 0.1)
	t.Logf("atom electrons on 90 × 108: %s", p.Summary())
}
