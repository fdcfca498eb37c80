package geom

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestAppendFixed compares AppendFixed with strconv on edge values and on
// a million random coordinates of every magnitude a design file holds.
func TestAppendFixed(t *testing.T) {
	check := func(v float64, prec int) {
		t.Helper()
		want := string(strconv.AppendFloat(nil, v, 'f', prec, 64))
		if got := string(AppendFixed([]byte("x"), v, prec)[1:]); got != want {
			t.Fatalf("AppendFixed(%v, %d) = %q, want %q", v, prec, got, want)
		}
	}
	edge := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, 1.5, 2.5, 0.00005, -0.00005, 0.00015, 1.23445, 1.23455,
		-0.000001, 0.999999999, 9.99995, 123456.78905, 1e11, -1e11, 1e12, 1 << 40, 1e20, math.NaN(), math.Inf(1), math.Inf(-1),
		math.MaxFloat64, math.SmallestNonzeroFloat64, 0.1, 0.2, 0.3, 2.675, 1.005, 1.015, 1.025}
	for _, v := range edge {
		for prec := -1; prec <= 10; prec++ {
			check(v, prec)
			check(-v, prec)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1_000_000 {
		v := (r.Float64()*2 - 1) * math.Pow(10, float64(r.IntN(14)-6))
		if r.IntN(4) == 0 {
			v = math.Round(v*1e4) / 1e4 // a value on the grid
		}
		if r.IntN(8) == 0 {
			v = (math.Round(v*2e4) + 1) / 2e4 // a tie, or next to one
		}
		check(v, r.IntN(9))
	}
}

func BenchmarkAppendFixed(b *testing.B) {
	buf := make([]byte, 0, 32)
	for i := 0; b.Loop(); i++ {
		buf = AppendFixed(buf[:0], float64(i)*0.0173-50, 4)
	}
}

func BenchmarkAppendFloat(b *testing.B) {
	buf := make([]byte, 0, 32)
	for i := 0; b.Loop(); i++ {
		buf = strconv.AppendFloat(buf[:0], float64(i)*0.0173-50, 'f', 4, 64)
	}
}
