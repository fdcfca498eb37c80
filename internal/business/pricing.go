package business

import (
	"fmt"
	"strings"
)

// How the work is priced (the research across published studio
// price lists): quilting is the top's width × length in square inches
// times the chosen level's rate, never less than the level's minimum;
// plus batting (the customer's own, a flat price by bed size, or per
// square inch of the top), backing per seam, thread (flat per quilt or
// per bobbin), binding per linear inch or per foot of the perimeter
// 2 × (width + length) + 12 in for the corners, preparation and repair by
// the hour, the quilter's own lines, and sales tax on the line kinds she
// marks taxable.

// LineKind is what a priced line is for; tax is chosen per kind.
type LineKind string

// The kinds of priced lines.
const (
	KindQuilting LineKind = "quilting"
	KindBatting  LineKind = "batting"
	KindBacking  LineKind = "backing"
	KindThread   LineKind = "thread"
	KindBinding  LineKind = "binding"
	KindLabour   LineKind = "labour"
	KindOther    LineKind = "other"
)

// LineKinds lists every kind, in the order lines are shown.
var LineKinds = []LineKind{KindQuilting, KindBatting, KindBacking, KindThread, KindBinding, KindLabour, KindOther}

// Word is the kind as a person reads it.
func (k LineKind) Word() string {
	switch k {
	case KindLabour:
		return "Preparation and repair"
	case KindOther:
		return "Other"
	}
	return strings.ToUpper(string(k[:1])) + string(k[1:])
}

// Unit is what an item's rate is per.
type Unit string

// The units of a price item.
const (
	PerSqIn   Unit = "sq_in"  // per square inch of the top
	Flat      Unit = "flat"   // once per quilt
	PerBobbin Unit = "bobbin" // per bobbin of thread
	PerInch   Unit = "inch"   // per inch of the binding's length
	PerFoot   Unit = "foot"   // per started foot of the binding's length
)

// Item is one priced choice of the list: a quilting level, a batting, a
// thread or a binding.
type Item struct {
	ID int64 `json:"id"`
	// Group is which choice it is: "level", "batting", "thread", "binding".
	Group string `json:"group"`
	Name  string `json:"name"`
	Unit  Unit   `json:"unit"`
	// Rate is the price per Unit, in millionths (a flat price too).
	Rate Micros `json:"rate_micros"`
	// Minimum is the least a quilting level charges.
	Minimum  Cents `json:"minimum_cents"`
	Position int   `json:"position"`
}

// The groups of items.
const (
	GroupLevel   = "level"
	GroupBatting = "batting"
	GroupThread  = "thread"
	GroupBinding = "binding"
)

// units says which units each group may use.
var units = map[string][]Unit{
	GroupLevel:   {PerSqIn},
	GroupBatting: {Flat, PerSqIn},
	GroupThread:  {Flat, PerBobbin},
	GroupBinding: {PerInch, PerFoot},
}

// Machine holds the quilter's machine and queue settings that turn a
// design's geometry into rows, time and thread.
type Machine struct {
	// RowOverlap is how far rows of an edge-to-edge design nest into each
	// other, in hundredths of an inch.
	RowOverlap Hundredths `json:"row_overlap_hundredths"`
	// StitchesPerInch is the machine's stitch regulation.
	StitchesPerInch int `json:"stitches_per_inch"`
	// InchesPerMinute is how fast the machine sews a design.
	InchesPerMinute int `json:"inches_per_minute"`
	// RowAdvanceMinutes is the time to advance the quilt and line up the
	// next row, in hundredths of a minute.
	RowAdvanceMinutes Hundredths `json:"row_advance_hundredths"`
	// ThreadFactor is the thread each of the top and bobbin uses per inch
	// sewn (take-up through the sandwich), in hundredths: 150 is 1.5.
	ThreadFactor Hundredths `json:"thread_factor_hundredths"`
	// BobbinYards is how much thread one bobbin holds.
	BobbinYards int `json:"bobbin_yards"`
	// WeeklyHours is how many hours a week she quilts customers' work.
	WeeklyHours Hundredths `json:"weekly_hours_hundredths"`
	// SetupHours is the time per quilt for loading, unloading and
	// trimming, added to the stitching time in the queue's estimate.
	SetupHours Hundredths `json:"setup_hours_hundredths"`
}

// PriceList is a workspace's prices and settings.
type PriceList struct {
	Currency string `json:"currency"`
	// TaxRate is the sales tax on taxable lines.
	TaxRate PPM `json:"tax_rate_ppm"`
	// Taxable marks the line kinds that carry tax.
	Taxable map[LineKind]bool `json:"taxable"`
	// HourlyRate is the price of an hour of preparation and repair.
	HourlyRate Cents `json:"hourly_rate_cents"`
	// BackingSeam is the price of one seam pieced in a backing.
	BackingSeam Cents `json:"backing_seam_cents"`
	// BindingExtra is added to the perimeter for the corners and joins.
	BindingExtra Hundredths `json:"binding_extra_hundredths"`
	Items        []Item     `json:"items"`
	Machine      Machine    `json:"machine"`
}

// DefaultPriceList is what a new workspace starts with: the common
// figures of published studio price lists (edge-to-edge $0.02/in², dense
// $0.03, custom $0.06; minimum $40; thread $5 or $0.80 a bobbin; binding
// $0.10–0.25/in; backing $5.50 a seam; prep $25/h; no tax until she sets
// her rate). The tenant migration stores the same values.
func DefaultPriceList() *PriceList {
	all := map[LineKind]bool{}
	for _, k := range LineKinds {
		all[k] = true
	}
	return &PriceList{Currency: "USD", TaxRate: 0, Taxable: all, HourlyRate: 2500, BackingSeam: 550, BindingExtra: 1200,
		Items: []Item{
			{Group: GroupLevel, Name: "Light edge-to-edge", Unit: PerSqIn, Rate: 20000, Minimum: 4000, Position: 1},
			{Group: GroupLevel, Name: "Dense edge-to-edge", Unit: PerSqIn, Rate: 30000, Minimum: 4000, Position: 2},
			{Group: GroupLevel, Name: "Custom", Unit: PerSqIn, Rate: 60000, Minimum: 5000, Position: 3},
			{Group: GroupBatting, Name: "Crib (studio's)", Unit: Flat, Rate: 12_000000, Position: 1},
			{Group: GroupBatting, Name: "Throw (studio's)", Unit: Flat, Rate: 18_000000, Position: 2},
			{Group: GroupBatting, Name: "Twin (studio's)", Unit: Flat, Rate: 25_000000, Position: 3},
			{Group: GroupBatting, Name: "Queen (studio's)", Unit: Flat, Rate: 35_000000, Position: 4},
			{Group: GroupBatting, Name: "King (studio's)", Unit: Flat, Rate: 42_000000, Position: 5},
			{Group: GroupThread, Name: "Standard", Unit: Flat, Rate: 5_000000, Position: 1},
			{Group: GroupThread, Name: "Per bobbin", Unit: PerBobbin, Rate: 800000, Position: 2},
			{Group: GroupBinding, Name: "Attach one side", Unit: PerInch, Rate: 100000, Position: 1},
			{Group: GroupBinding, Name: "Machine finished", Unit: PerInch, Rate: 150000, Position: 2},
			{Group: GroupBinding, Name: "Hand finished", Unit: PerInch, Rate: 250000, Position: 3},
		},
		Machine: Machine{RowOverlap: 50, StitchesPerInch: 10, InchesPerMinute: 120, RowAdvanceMinutes: 300, ThreadFactor: 150,
			BobbinYards: 150, WeeklyHours: 2000, SetupHours: 50},
	}
}

// Find returns the item of group named name (case-insensitive), or nil.
func (pl *PriceList) Find(group, name string) *Item {
	for i := range pl.Items {
		it := &pl.Items[i]
		if it.Group == group && strings.EqualFold(it.Name, strings.TrimSpace(name)) {
			return it
		}
	}
	return nil
}

// Group returns the items of group in their order.
func (pl *PriceList) Group(group string) []Item {
	var out []Item
	for _, it := range pl.Items {
		if it.Group == group {
			out = append(out, it)
		}
	}
	return out
}

// Limits of what can be priced.
const (
	MinSide      = 100   // 1 in, in hundredths
	MaxSide      = 50000 // 500 in: no longarm frame is wider
	MaxPrepHours = 100_00
	MaxSeams     = 20
	MaxBobbins   = 500
	MaxLines     = 50
)

// QuoteInput is what a quote is priced from.
type QuoteInput struct {
	// Width and Length of the top, in hundredths of an inch.
	Width, Length Hundredths
	// Level, Batting, Thread and Binding name items of the price list;
	// "" leaves the line out (Batting "" is the customer's own).
	Level, Batting, Thread, Binding string
	// BackingSeams is how many seams she pieces in the backing.
	BackingSeams int
	// PrepHours of preparation and repair, in hundredths.
	PrepHours Hundredths
	// Bobbins for thread priced per bobbin; 0 takes the plan's, or 1.
	Bobbins int
	// TaxRate, when set, replaces the price list's rate.
	TaxRate *PPM
	// Extra are her own lines (a discount is a negative amount).
	Extra []Line
}

// Line is one priced line of a quote or an invoice.
type Line struct {
	Kind        LineKind `json:"kind"`
	Description string   `json:"description"`
	Amount      Cents    `json:"amount_cents"`
	Taxable     bool     `json:"taxable"`
}

// Priced is a quote's lines and totals.
type Priced struct {
	Lines    []Line `json:"lines"`
	Subtotal Cents  `json:"subtotal_cents"`
	// TaxableAmount is the sum of the taxable lines.
	TaxableAmount Cents  `json:"taxable_cents"`
	TaxRate       PPM    `json:"tax_rate_ppm"`
	Tax           Cents  `json:"tax_cents"`
	Total         Cents  `json:"total_cents"`
	Currency      string `json:"currency"`
}

// Totals sums lines and computes tax at rate: the rule every quote and
// invoice follows (tax once on the sum of the taxable lines, rounded half
// up to the cent).
func Totals(lines []Line, rate PPM, currency string) *Priced {
	p := &Priced{Lines: lines, TaxRate: rate, Currency: currency}
	for _, l := range lines {
		p.Subtotal += l.Amount
		if l.Taxable {
			p.TaxableAmount += l.Amount
		}
	}
	p.Tax = Cents(mulDivRound(int64(p.TaxableAmount), int64(rate), 1_000_000))
	p.Total = p.Subtotal + p.Tax
	return p
}

// Perimeter is the binding's length for a top: 2 × (width + length) plus
// the list's extra for corners and joins, in hundredths of an inch.
func (pl *PriceList) Perimeter(w, l Hundredths) Hundredths {
	return 2*(w+l) + pl.BindingExtra
}

// Price prices a quote on the list; plan (may be nil) gives the bobbins
// of a design's geometry. Every choice must name an item of the list.
func (pl *PriceList) Price(in QuoteInput, plan *Plan) (*Priced, error) {
	switch {
	case in.Width < MinSide || in.Width > MaxSide || in.Length < MinSide || in.Length > MaxSide:
		return nil, invalid("bad_size", "The quilt top's width and length must each be between 1 and 500 inches.")
	case in.BackingSeams < 0 || in.BackingSeams > MaxSeams:
		return nil, invalid("bad_seams", fmt.Sprintf("Backing seams must be between 0 and %d.", MaxSeams))
	case in.PrepHours < 0 || in.PrepHours > MaxPrepHours:
		return nil, invalid("bad_hours", "Preparation hours must be between 0 and 100.")
	case in.Bobbins < 0 || in.Bobbins > MaxBobbins:
		return nil, invalid("bad_bobbins", fmt.Sprintf("Bobbins must be between 0 and %d.", MaxBobbins))
	case len(in.Extra) > MaxLines:
		return nil, invalid("too_many_lines", fmt.Sprintf("A quote can have up to %d extra lines.", MaxLines))
	}
	rate := pl.TaxRate
	if in.TaxRate != nil {
		rate = *in.TaxRate
	}
	if rate < 0 || rate > 300_000 {
		return nil, invalid("bad_tax", "The tax rate must be between 0 and 30 %.")
	}
	area := int64(in.Width) * int64(in.Length) // hundredths² = 1/10,000 in²
	sqin := Hundredths(ceilDiv(area, 100)).String()
	if area%10_000 == 0 {
		sqin = fmt.Sprintf("%d", area/10_000)
	}
	var lines []Line
	add := func(kind LineKind, amount Cents, desc string) {
		lines = append(lines, Line{Kind: kind, Description: desc, Amount: amount, Taxable: pl.Taxable[kind]})
	}
	pick := func(group, name, what string) (*Item, error) {
		if strings.TrimSpace(name) == "" {
			return nil, nil
		}
		it := pl.Find(group, name)
		if it == nil {
			return nil, invalid("unknown_"+group, fmt.Sprintf("There is no %s called “%s” in your price list.", what, name))
		}
		return it, nil
	}
	size := fmt.Sprintf("%s × %s in", in.Width, in.Length)

	level, err := pick(GroupLevel, in.Level, "quilting level")
	if err != nil {
		return nil, err
	}
	if level != nil {
		amount := Cents(mulDivRound(area, int64(level.Rate), 100_000_000))
		desc := fmt.Sprintf("%s quilting, %s = %s sq in at $%s", level.Name, size, groupThousands(sqin), level.Rate)
		if amount < level.Minimum {
			amount = level.Minimum
			desc += fmt.Sprintf(" (minimum charge $%s)", level.Minimum)
		}
		add(KindQuilting, amount, desc)
	}
	batting, err := pick(GroupBatting, in.Batting, "batting")
	if err != nil {
		return nil, err
	}
	if batting != nil {
		if batting.Unit == PerSqIn {
			add(KindBatting, Cents(mulDivRound(area, int64(batting.Rate), 100_000_000)),
				fmt.Sprintf("Batting: %s, %s sq in at $%s", batting.Name, groupThousands(sqin), batting.Rate))
		} else {
			add(KindBatting, Cents(mulDivRound(int64(batting.Rate), 1, 10_000)), "Batting: "+batting.Name)
		}
	}
	if in.BackingSeams > 0 {
		add(KindBacking, Cents(in.BackingSeams)*pl.BackingSeam,
			fmt.Sprintf("Backing: %d seam%s at $%s", in.BackingSeams, plural(in.BackingSeams), pl.BackingSeam))
	}
	thread, err := pick(GroupThread, in.Thread, "thread")
	if err != nil {
		return nil, err
	}
	if thread != nil {
		if thread.Unit == PerBobbin {
			n := in.Bobbins
			if n == 0 && plan != nil {
				n = plan.Bobbins
			}
			if n == 0 {
				n = 1
			}
			add(KindThread, Cents(mulDivRound(int64(n), int64(thread.Rate), 10_000)),
				fmt.Sprintf("Thread: %s, %d bobbin%s at $%s", thread.Name, n, plural(n), thread.Rate))
		} else {
			add(KindThread, Cents(mulDivRound(int64(thread.Rate), 1, 10_000)), "Thread: "+thread.Name)
		}
	}
	binding, err := pick(GroupBinding, in.Binding, "binding")
	if err != nil {
		return nil, err
	}
	if binding != nil {
		per := pl.Perimeter(in.Width, in.Length)
		if binding.Unit == PerFoot {
			feet := ceilDiv(int64(per), 1200)
			add(KindBinding, Cents(mulDivRound(feet, int64(binding.Rate), 10_000)),
				fmt.Sprintf("Binding: %s, %s in = %d ft at $%s a foot", binding.Name, per, feet, binding.Rate))
		} else {
			add(KindBinding, Cents(mulDivRound(int64(per), int64(binding.Rate), 1_000_000)),
				fmt.Sprintf("Binding: %s, %s in at $%s", binding.Name, per, binding.Rate))
		}
	}
	if in.PrepHours > 0 {
		add(KindLabour, Cents(mulDivRound(int64(in.PrepHours), int64(pl.HourlyRate), 100)),
			fmt.Sprintf("Preparation and repair, %s h at $%s", in.PrepHours, pl.HourlyRate))
	}
	for _, l := range in.Extra {
		if strings.TrimSpace(l.Description) == "" {
			return nil, invalid("bad_line", "Each extra line needs a description.")
		}
		if l.Kind == "" {
			l.Kind = KindOther
		}
		if !validKind(l.Kind) {
			return nil, invalid("bad_line", fmt.Sprintf("“%s” is not a kind of line.", l.Kind))
		}
		l.Taxable = pl.Taxable[l.Kind]
		lines = append(lines, l)
	}
	return Totals(lines, rate, pl.Currency), nil
}

func validKind(k LineKind) bool {
	for _, x := range LineKinds {
		if x == k {
			return true
		}
	}
	return false
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// groupThousands puts thousands commas in the whole part of a decimal.
func groupThousands(s string) string {
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}
