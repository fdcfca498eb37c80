// Package formatstest holds checks shared by the format packages' tests
// and fuzz tests: what every writer's output must never contain.
package formatstest

import (
	"bytes"
	"fmt"

	"github.com/patternvault/patternvault/internal/geom"
)

// MaxDigits is the longest run of digits a writer may print: a coordinate
// within geom.MaxCoordinate (1e5 in) in the finest unit written (1/40 mm,
// or 1/100,000 in for SVG's width) has at most 10 digits before or after
// the point.
const MaxDigits = 12

// WithoutText returns a copy of d without metadata or pause messages, so
// that a writer's output holds only numbers and the format's own words
// for CheckOutput to look at.
func WithoutText(d *geom.Design) *geom.Design {
	c := d.Clone()
	c.Meta = geom.Meta{Format: d.Meta.Format}
	for i := range c.Pauses {
		c.Pauses[i].Text = ""
	}
	return c
}

// CheckOutput returns an error when a writer's output (of a design without
// text, see WithoutText) holds a number that is not finite (Inf, NaN) or
// has overflowed into an absurd run of digits (a 300-digit coordinate,
// -9223372036854775808): writers must refuse such designs rather than
// write them.
func CheckOutput(out []byte) error {
	for _, bad := range []string{"Inf", "inf", "NaN", "nan"} {
		if i := bytes.Index(out, []byte(bad)); i >= 0 {
			return fmt.Errorf("output holds %q at byte %d: %q", bad, i, context(out, i))
		}
	}
	run := 0
	for i, c := range out {
		if c >= '0' && c <= '9' {
			if run++; run > MaxDigits {
				return fmt.Errorf("output holds a number of more than %d digits at byte %d: %q", MaxDigits, i, context(out, i))
			}
			continue
		}
		run = 0
	}
	return nil
}

func context(out []byte, i int) string {
	lo, hi := max(0, i-20), min(len(out), i+20)
	return string(out[lo:hi])
}
