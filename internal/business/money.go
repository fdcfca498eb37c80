package business

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Money and measures are integers, so that every sum is exact and every
// rounding is one written rule:
//
//   - Cents: an amount in the currency's smallest unit ($276.24 is 27624).
//   - Micros: a rate in millionths of the currency unit ($0.02 a square
//     inch is 20000; $0.0075 is 7500), so a rate below a cent is exact.
//   - Hundredths: a length in hundredths of an inch (90.5 in is 9050), or
//     hours in hundredths (1.25 h is 125).
//   - PPM: a tax rate in parts per million (6 % is 60000; 8.875 % is 88750).
//
// Rounding rule (the only one): a line's amount and the tax are each
// rounded once, to the nearest cent, halves away from zero ("half up", as
// a till does). Tax is computed once on the sum of the taxable lines, not
// line by line.

// Cents is an amount of money in the currency's smallest unit.
type Cents int64

// Micros is a rate in millionths of the currency unit.
type Micros int64

// Hundredths is a length in hundredths of an inch, or hours in hundredths.
type Hundredths int64

// PPM is a rate in parts per million (a tax rate).
type PPM int64

// String writes c as a plain decimal with thousands separators: "1,234.56".
func (c Cents) String() string {
	neg := c < 0
	if neg {
		c = -c
	}
	whole := strconv.FormatInt(int64(c)/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	fmt.Fprintf(&b, ".%02d", int64(c)%100)
	return b.String()
}

// Plain writes c without separators, for CSV and forms: "1234.56".
func (c Cents) Plain() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, int64(c)/100, int64(c)%100)
}

// String writes a rate with as many decimals as it needs, at least two:
// "0.02", "0.0075".
func (m Micros) String() string {
	s := fmt.Sprintf("%d.%06d", int64(m)/1_000_000, int64(m)%1_000_000)
	s = strings.TrimRight(s, "0")
	if i := strings.IndexByte(s, '.'); len(s)-i-1 < 2 {
		s += strings.Repeat("0", 2-(len(s)-i-1))
	}
	return s
}

// String writes hundredths as a decimal without needless zeros: "90",
// "90.5", "0.25".
func (h Hundredths) String() string {
	s := fmt.Sprintf("%d.%02d", int64(h)/100, int64(h)%100)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// Percent writes a tax rate as a percentage: "6", "8.875".
func (p PPM) Percent() string {
	s := fmt.Sprintf("%d.%04d", int64(p)/10_000, int64(p)%10_000)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// mulDivRound returns a×b÷den rounded to the nearest integer, halves away
// from zero, exactly (no overflow, no floating point).
func mulDivRound(a, b, den int64) int64 {
	n := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	d := big.NewInt(den)
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	// |2r| ≥ |den| rounds away from zero.
	r2 := new(big.Int).Abs(r)
	r2.Lsh(r2, 1)
	if r2.Cmp(new(big.Int).Abs(d)) >= 0 {
		if n.Sign()*d.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64()
}

// ceilDiv returns ⌈a÷b⌉ for a ≥ 0, b > 0.
func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// ParseCents reads an amount typed by a person ("276.24", "$1,234.5",
// "40") into cents. More than two decimals is refused rather than rounded.
func ParseCents(s string) (Cents, error) {
	v, err := parseFixed(s, 2)
	return Cents(v), err
}

// ParseMicros reads a rate ("0.02", "0.0075") into millionths.
func ParseMicros(s string) (Micros, error) {
	v, err := parseFixed(s, 6)
	return Micros(v), err
}

// ParseHundredths reads a length or hours ("90", "90.25") into hundredths.
func ParseHundredths(s string) (Hundredths, error) {
	v, err := parseFixed(s, 2)
	return Hundredths(v), err
}

// ParsePercent reads a percentage ("6", "8.875") into parts per million.
func ParsePercent(s string) (PPM, error) {
	v, err := parseFixed(strings.TrimSuffix(strings.TrimSpace(s), "%"), 4)
	return PPM(v), err
}

// parseFixed reads a non-negative decimal with at most places decimals
// into an integer scaled by 10^places, exactly. A currency sign, spaces
// and thousands commas are allowed.
func parseFixed(s string, places int) (int64, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimLeft(t, "$€£ ")
	t = strings.ReplaceAll(t, ",", "")
	if t == "" {
		return 0, fmt.Errorf("empty number")
	}
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > places {
		return 0, fmt.Errorf("%q has more than %d decimals", s, places)
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, fmt.Errorf("%q is not a number", s)
			}
		}
	}
	if len(whole) > 12 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	frac += strings.Repeat("0", places-len(frac))
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*int64(math.Pow10(places)) + f, nil
}

// HundredthsOf converts a measure given as a float (the JSON API's
// width_in) to hundredths, rounding to the nearest hundredth; a value
// beyond ±10⁹ becomes −1, which every rule refuses.
func HundredthsOf(f float64) Hundredths {
	if !(f >= -1e9 && f <= 1e9) {
		return -1
	}
	return Hundredths(math.Round(f * 100))
}

// PPMOf converts a rate given as a fraction (0.06) to parts per million;
// a value beyond ±1,000 becomes −1, which every rule refuses.
func PPMOf(f float64) PPM {
	if !(f >= -1000 && f <= 1000) {
		return -1
	}
	return PPM(math.Round(f * 1_000_000))
}

// CentsOf converts an amount given as a float (12.5) to cents; a value
// beyond ±10¹² becomes −1.
func CentsOf(f float64) Cents {
	if !(f >= -1e12 && f <= 1e12) {
		return -1
	}
	return Cents(math.Round(f * 100))
}
