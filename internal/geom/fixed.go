package geom

import (
	"math"
	"strconv"
)

// pow10 are the scales AppendFixed handles itself.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8}

// AppendFixed appends v with prec digits after the point, byte for byte
// as strconv.AppendFloat(b, v, 'f', prec, 64) does, several times faster
// for the coordinates design writers print: the value is scaled and
// rounded in floating point when that cannot change the digits (the scaled
// value well below 2^40, not within a thousandth of a tie), and left to
// strconv otherwise.
func AppendFixed(b []byte, v float64, prec int) []byte {
	if prec < 0 || prec >= len(pow10) {
		return strconv.AppendFloat(b, v, 'f', prec, 64)
	}
	x := math.Abs(v) * pow10[prec]
	if !(x < 1<<40) { // also NaN and infinities
		return strconv.AppendFloat(b, v, 'f', prec, 64)
	}
	r := math.Floor(x)
	switch frac := x - r; {
	case frac > 0.499 && frac < 0.501:
		return strconv.AppendFloat(b, v, 'f', prec, 64)
	case frac > 0.5:
		r++
	}
	n := uint64(r)
	if math.Signbit(v) {
		b = append(b, '-')
	}
	if prec == 0 {
		return strconv.AppendUint(b, n, 10)
	}
	scale := uint64(pow10[prec])
	b = strconv.AppendUint(b, n/scale, 10)
	b = append(b, '.')
	f := n % scale
	start := len(b)
	for range prec {
		b = append(b, '0')
	}
	for i := len(b) - 1; i >= start && f > 0; i-- {
		b[i] = byte('0' + f%10)
		f /= 10
	}
	return b
}
