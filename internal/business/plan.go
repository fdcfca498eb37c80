package business

import (
	"fmt"
	"math"
)

// Design is what a plan needs of a design: its size and the length of
// thread one repeat sews, in inches (the library measures them from the
// design's geometry when it is imported).
type Design struct {
	PatternID    int64   `json:"pattern_id"`
	Name         string  `json:"name"`
	Width        float64 `json:"width_in"`
	Height       float64 `json:"height_in"`
	StitchLength float64 `json:"stitch_length_in"`
}

// Plan is how an edge-to-edge design covers a quilt, from its geometry:
//
//   - Repeats: the design repeats side by side across the quilt's width,
//     ⌈width ÷ design width⌉ times (a row is sewn whole, past the edges).
//   - Rows: each row after the first nests RowOverlap into the one
//     before, so n rows cover n × h − (n − 1) × overlap; Rows is the
//     least n that covers the quilt's length: ⌈(length − overlap) ÷
//     (h − overlap)⌉.
//   - StitchedLength: rows × repeats × the design's stitched length.
//   - Minutes: the stitched length at the machine's inches per minute,
//     plus RowAdvanceMinutes for each row.
//   - Thread: top and bobbin each use the stitched length × ThreadFactor;
//     ThreadYards is both together, Bobbins is the bobbin thread over
//     what one bobbin holds, rounded up.
type Plan struct {
	Design         Design  `json:"design"`
	Repeats        int     `json:"repeats"`
	Rows           int     `json:"rows"`
	StitchedLength float64 `json:"stitched_length_in"`
	Stitches       int64   `json:"stitches"`
	Minutes        float64 `json:"stitch_minutes"`
	TopYards       float64 `json:"top_yards"`
	BobbinYards    float64 `json:"bobbin_yards"`
	ThreadYards    float64 `json:"thread_yards"`
	Bobbins        int     `json:"bobbins"`
}

// Hours is the plan's stitching time in hours.
func (p *Plan) Hours() float64 { return p.Minutes / 60 }

// Summary is the plan in one sentence for a person.
func (p *Plan) Summary() string {
	return fmt.Sprintf("%d rows of %d repeats, %s in of stitching (%s stitches), about %s at the machine; %.0f yards of thread, %d bobbin%s",
		p.Rows, p.Repeats, groupThousands(fmt.Sprintf("%.0f", p.StitchedLength)), groupThousands(fmt.Sprint(p.Stitches)),
		Duration(p.Minutes), p.ThreadYards, p.Bobbins, plural(p.Bobbins))
}

// Duration writes minutes as "2 h 40 min".
func Duration(minutes float64) string {
	m := int(math.Round(minutes))
	if m < 60 {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d h %02d min", m/60, m%60)
}

// MakePlan plans design d on a top of width × length (hundredths of an
// inch) with machine settings m. A design without a size or a stitched
// length, or one whose height does not exceed the row overlap, cannot be
// planned.
func MakePlan(d Design, width, length Hundredths, m Machine) (*Plan, error) {
	overlap := float64(m.RowOverlap) / 100
	switch {
	case !(d.Width > 0.1) || !(d.Height > 0.1) || !(d.StitchLength > 0) || math.IsInf(d.Width+d.Height+d.StitchLength, 0):
		return nil, invalid("no_geometry", "That design has no measured size or stitching, so rows and thread cannot be worked out.")
	case d.Height <= overlap:
		return nil, invalid("overlap_too_big", fmt.Sprintf("The row overlap (%s in) must be less than the design's height (%.2f in).", m.RowOverlap, d.Height))
	case width < MinSide || width > MaxSide || length < MinSide || length > MaxSide:
		return nil, invalid("bad_size", "The quilt top's width and length must each be between 1 and 500 inches.")
	case m.InchesPerMinute <= 0 || m.StitchesPerInch <= 0 || m.BobbinYards <= 0 || m.ThreadFactor <= 0:
		return nil, invalid("bad_machine", "Set your machine's speed, stitches per inch, thread use and bobbin size first.")
	}
	w, l := float64(width)/100, float64(length)/100
	p := &Plan{Design: d}
	// A hair of tolerance, so that 90 ÷ 15 is 6 repeats and not 7 from a
	// float's last digit.
	const eps = 1e-9
	p.Repeats = int(math.Ceil(w/d.Width - eps))
	p.Rows = max(1, int(math.Ceil((l-overlap)/(d.Height-overlap)-eps)))
	p.StitchedLength = float64(p.Rows*p.Repeats) * d.StitchLength
	p.Stitches = int64(math.Round(p.StitchedLength * float64(m.StitchesPerInch)))
	p.Minutes = p.StitchedLength/float64(m.InchesPerMinute) + float64(p.Rows)*float64(m.RowAdvanceMinutes)/100
	factor := float64(m.ThreadFactor) / 100
	p.TopYards = p.StitchedLength * factor / 36
	p.BobbinYards = p.TopYards
	p.ThreadYards = p.TopYards + p.BobbinYards
	p.Bobbins = int(math.Ceil(p.BobbinYards/float64(m.BobbinYards) - eps))
	return p, nil
}
