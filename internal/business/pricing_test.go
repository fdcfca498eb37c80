package business

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/problem"
)

func ppm(p PPM) *PPM { return &p }

// The worked example: a queen 90 × 108 in, light edge-to-edge at
// $0.02, machine-finished binding at $0.15/in, thread $5, the customer's
// own batting, 6 % tax on everything: $194.40 + $61.20 + $5.00 = $260.60,
// tax $15.64, total $276.24.
func TestWorkedExample(t *testing.T) {
	pl := DefaultPriceList()
	got, err := pl.Price(QuoteInput{Width: 9000, Length: 10800, Level: "Light edge-to-edge", Binding: "Machine finished",
		Thread: "Standard", TaxRate: ppm(60000)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind   LineKind
		amount Cents
		words  string
	}{
		{KindQuilting, 19440, "9,720 sq in at $0.02"},
		{KindThread, 500, "Standard"},
		{KindBinding, 6120, "408 in at $0.15"},
	}
	if len(got.Lines) != len(want) {
		t.Fatalf("lines %+v, want %d", got.Lines, len(want))
	}
	for i, w := range want {
		l := got.Lines[i]
		if l.Kind != w.kind || l.Amount != w.amount || !strings.Contains(l.Description, w.words) || !l.Taxable {
			t.Errorf("line %d = %+v, want %s %d taxable with %q", i, l, w.kind, w.amount, w.words)
		}
	}
	if got.Subtotal != 26060 || got.Tax != 1564 || got.Total != 27624 {
		t.Errorf("subtotal %d tax %d total %d, want 26060 1564 27624", got.Subtotal, got.Tax, got.Total)
	}
	if s := got.Total.String(); s != "276.24" {
		t.Errorf("total reads %q", s)
	}
}

func TestMinimumCharge(t *testing.T) {
	pl := DefaultPriceList()
	// A 30 × 36 baby quilt: 1,080 in² × $0.02 = $21.60, under the $40 minimum.
	got, err := pl.Price(QuoteInput{Width: 3000, Length: 3600, Level: "Light edge-to-edge"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lines[0].Amount != 4000 || !strings.Contains(got.Lines[0].Description, "minimum charge $40.00") {
		t.Errorf("baby quilt line %+v, want the $40.00 minimum", got.Lines[0])
	}
	// At exactly the minimum (2,000 in² × $0.02 = $40) the rate applies, no note.
	got, _ = pl.Price(QuoteInput{Width: 4000, Length: 5000, Level: "Light edge-to-edge"}, nil)
	if got.Lines[0].Amount != 4000 || strings.Contains(got.Lines[0].Description, "minimum") {
		t.Errorf("40 × 50 line %+v, want $40.00 from the rate", got.Lines[0])
	}
	// Above it, the rate.
	got, _ = pl.Price(QuoteInput{Width: 4000, Length: 5100, Level: "Light edge-to-edge"}, nil)
	if got.Lines[0].Amount != 4080 {
		t.Errorf("40 × 51 = %d, want 4080", got.Lines[0].Amount)
	}
}

func TestBindingPerFoot(t *testing.T) {
	pl := DefaultPriceList()
	pl.Items = append(pl.Items, Item{Group: GroupBinding, Name: "Machine per foot", Unit: PerFoot, Rate: 1_800000})
	// 90 × 108: 408 in is exactly 34 ft → $61.20.
	got, err := pl.Price(QuoteInput{Width: 9000, Length: 10800, Binding: "machine per foot"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l := got.Lines[0]; l.Amount != 6120 || !strings.Contains(l.Description, "34 ft") {
		t.Errorf("per-foot binding %+v, want 34 ft = 6120", l)
	}
	// 90.5 × 108: 409 in is 34.08 ft; a started foot is charged: 35 ft → $63.00.
	got, _ = pl.Price(QuoteInput{Width: 9050, Length: 10800, Binding: "Machine per foot"}, nil)
	if l := got.Lines[0]; l.Amount != 6300 || !strings.Contains(l.Description, "409 in = 35 ft") {
		t.Errorf("per-foot binding of 409 in %+v, want 35 ft = 6300", l)
	}
	// Per inch, the same 409 in: 409 × 0.15 = $61.35.
	got, _ = pl.Price(QuoteInput{Width: 9050, Length: 10800, Binding: "Machine finished"}, nil)
	if got.Lines[0].Amount != 6135 {
		t.Errorf("per-inch binding of 409 in = %d, want 6135", got.Lines[0].Amount)
	}
}

func TestTaxableFlags(t *testing.T) {
	pl := DefaultPriceList()
	pl.Taxable[KindThread] = false
	pl.Taxable[KindBinding] = false
	in := QuoteInput{Width: 9000, Length: 10800, Level: "Light edge-to-edge", Binding: "Machine finished", Thread: "Standard", TaxRate: ppm(60000)}
	got, err := pl.Price(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Only the quilting ($194.40) is taxed: 1166.4 → $11.66.
	if got.TaxableAmount != 19440 || got.Tax != 1166 || got.Total != 26060+1166 {
		t.Errorf("taxable %d tax %d total %d, want 19440 1166 27226", got.TaxableAmount, got.Tax, got.Total)
	}
	for _, l := range got.Lines {
		if l.Taxable != (l.Kind == KindQuilting) {
			t.Errorf("line %s taxable=%v", l.Kind, l.Taxable)
		}
	}
	// The list's own rate applies when the quote gives none.
	pl.TaxRate = 88750 // 8.875 %
	in.TaxRate = nil
	got, _ = pl.Price(in, nil)
	if got.TaxRate != 88750 || got.Tax != 1725 { // 19440 × 0.08875 = 1725.3
		t.Errorf("8.875 %% of 19440 = %d (rate %d), want 1725", got.Tax, got.TaxRate)
	}
	// Nothing taxable: no tax at any rate.
	for k := range pl.Taxable {
		pl.Taxable[k] = false
	}
	got, _ = pl.Price(in, nil)
	if got.Tax != 0 || got.Total != got.Subtotal {
		t.Errorf("nothing taxable but tax %d", got.Tax)
	}
}

func TestRounding(t *testing.T) {
	for _, c := range []struct {
		a, b, den, want int64
	}{
		{15, 1, 10, 2},                  // 1.5 → 2 (half up)
		{25, 1, 10, 3},                  // 2.5 → 3 (not to even)
		{14, 1, 10, 1},                  // 1.4 → 1
		{-15, 1, 10, -2},                // −1.5 → −2 (away from zero)
		{-14, 1, 10, -1},                // −1.4 → −1
		{1, 1, 3, 0},                    // 0.333 → 0
		{2, 1, 3, 1},                    // 0.667 → 1
		{26060, 60000, 1_000_000, 1564}, // 1563.6 → 1564
		{math.MaxInt64 / 2, 4, 8, math.MaxInt64/4 + 1}, // x.5 with no overflow in between
	} {
		if got := mulDivRound(c.a, c.b, c.den); got != c.want {
			t.Errorf("mulDivRound(%d, %d, %d) = %d, want %d", c.a, c.b, c.den, got, c.want)
		}
	}
	pl := DefaultPriceList()
	pl.Items = append(pl.Items, Item{Group: GroupLevel, Name: "Simple", Unit: PerSqIn, Rate: 7500}) // $0.0075
	// 2 × 1 in at $0.0075 = 1.5 cents → 2 cents (no minimum on this level).
	got, err := pl.Price(QuoteInput{Width: 200, Length: 100, Level: "Simple"}, nil)
	if err != nil || got.Lines[0].Amount != 2 {
		t.Errorf("2 sq in at $0.0075 = %+v %v, want 2 cents", got, err)
	}
	// 90.5 × 108.25 = 9,796.625 sq in at $0.0075 = 7347.47 cents → 7347.
	got, _ = pl.Price(QuoteInput{Width: 9050, Length: 10825, Level: "Simple"}, nil)
	if got.Lines[0].Amount != 7347 {
		t.Errorf("90.5 × 108.25 at $0.0075 = %d, want 7347", got.Lines[0].Amount)
	}
	// Tax is rounded once on the sum, not per line: three $0.25 lines at
	// 6 % are 4.5 cents → 5; per line it would be 3 × 1.5 → 3 × 2 = 6.
	p := Totals([]Line{{Amount: 25, Taxable: true}, {Amount: 25, Taxable: true}, {Amount: 25, Taxable: true}}, 60000, "USD")
	if p.Tax != 5 || p.Total != 80 {
		t.Errorf("tax on 3 × 25 cents at 6 %% = %d (total %d), want 5 (80)", p.Tax, p.Total)
	}
	// Prep 1.25 h at $25 = $31.25; 0.33 h = 8.25 → 825 cents exactly; 0.07 h = 175 cents.
	got, _ = pl.Price(QuoteInput{Width: 9000, Length: 10800, PrepHours: 125}, nil)
	if got.Lines[0].Amount != 3125 {
		t.Errorf("1.25 h at $25 = %d", got.Lines[0].Amount)
	}
}

func TestPriceRefusesBadInput(t *testing.T) {
	pl := DefaultPriceList()
	for name, in := range map[string]QuoteInput{
		"zero width":     {Width: 0, Length: 10800},
		"huge length":    {Width: 9000, Length: 10_000_00},
		"unknown level":  {Width: 9000, Length: 10800, Level: "Ultra dense"},
		"unknown thread": {Width: 9000, Length: 10800, Thread: "Gold"},
		"seams":          {Width: 9000, Length: 10800, BackingSeams: -1},
		"tax":            {Width: 9000, Length: 10800, TaxRate: ppm(900000)},
		"empty line":     {Width: 9000, Length: 10800, Extra: []Line{{Amount: 100}}},
	} {
		_, err := pl.Price(in, nil)
		var p *problem.Error
		if !errors.As(err, &p) || p.Status != 422 || p.Message == "" {
			t.Errorf("%s: err %v, want a 422 problem", name, err)
		}
	}
}

func TestPerBobbinThreadFromPlan(t *testing.T) {
	pl := DefaultPriceList()
	plan := &Plan{Bobbins: 5}
	got, err := pl.Price(QuoteInput{Width: 9000, Length: 10800, Thread: "Per bobbin"}, plan)
	if err != nil || got.Lines[0].Amount != 400 || !strings.Contains(got.Lines[0].Description, "5 bobbins") {
		t.Errorf("per-bobbin thread %+v %v, want 5 × $0.80", got, err)
	}
	got, _ = pl.Price(QuoteInput{Width: 9000, Length: 10800, Thread: "Per bobbin", Bobbins: 2}, plan)
	if got.Lines[0].Amount != 160 {
		t.Errorf("2 bobbins typed = %d, want 160", got.Lines[0].Amount)
	}
}

func TestParseAndFormat(t *testing.T) {
	for s, want := range map[string]Cents{"276.24": 27624, "$1,234.5": 123450, "40": 4000, ".5": 50} {
		if got, err := ParseCents(s); err != nil || got != want {
			t.Errorf("ParseCents(%q) = %d %v, want %d", s, got, err, want)
		}
	}
	for _, bad := range []string{"1.234", "abc", "", "-5", "1e3", "9999999999999"} {
		if _, err := ParseCents(bad); err == nil {
			t.Errorf("ParseCents(%q) accepted", bad)
		}
	}
	if m, _ := ParseMicros("0.0075"); m != 7500 || m.String() != "0.0075" {
		t.Errorf("0.0075 → %d %s", m, m)
	}
	if p, _ := ParsePercent("8.875 %"); p != 88750 || p.Percent() != "8.875" {
		t.Errorf("8.875 %% → %d %s", p, p.Percent())
	}
	if s := Cents(123456789).String(); s != "1,234,567.89" {
		t.Errorf("%s", s)
	}
	if s := Cents(-5).String(); s != "-0.05" {
		t.Errorf("%s", s)
	}
	if s := Hundredths(9050).String(); s != "90.5" {
		t.Errorf("%s", s)
	}
}
