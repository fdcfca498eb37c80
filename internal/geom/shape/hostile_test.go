package shape

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	fn()
	runtime.ReadMemStats(&m1)
	return m1.TotalAlloc - m0.TotalAlloc
}

// TestAnalyseHostile analyses designs that once cost gigabytes (about 40
// KB of samples per retraced segment): the analysis now streams the ink
// through fixed grids, so it allocates a few megabytes whatever the
// design, and finishes within its budget.
func TestAnalyseHostile(t *testing.T) {
	cases := []struct {
		name string
		data []byte
	}{
		{"retraced.qli", testfixtures.RetracedQLI(20000)},
		{"repeated.iqp", testfixtures.RepeatedIQP(100000)},
		{"retraced.bqm", testfixtures.RetracedBQM(7 << 20)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, _, err := formats.Read(c.name, c.data)
			if err != nil {
				t.Fatal(err)
			}
			var a Analysis
			var fp []byte
			t0 := time.Now()
			n := allocated(func() { a, fp, err = Analyse(d, Budget{MaxTime: time.Minute}) })
			t.Logf("%d KB, %d paths: %s, allocated %d KB, type %s", len(c.data)>>10, len(d.Paths), time.Since(t0).Round(time.Millisecond), n>>10, a.Type)
			if err != nil {
				t.Fatal(err)
			}
			if len(fp) != FingerprintSize {
				t.Errorf("fingerprint of %d bytes", len(fp))
			}
			if n > 16<<20 {
				t.Errorf("analysis allocated %d MB, want a few", n>>20)
			}
		})
	}
}

// TestAnalyseBudget: past its time budget the analysis stops with
// ErrTooComplex; past its sample budget it samples more thinly and the
// fingerprint still finds the same design.
func TestAnalyseBudget(t *testing.T) {
	d, _, err := formats.Read("retraced.bqm", testfixtures.RetracedBQM(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Analyse(d, Budget{MaxTime: time.Nanosecond}); !errors.Is(err, ErrTooComplex) {
		t.Errorf("1 ns budget: %v, want ErrTooComplex", err)
	}
	if a := Classify(&geom.Design{}); a.Type != TypeUnknown {
		t.Errorf("empty design: %q", a.Type)
	}
	_, full, err := Analyse(d, Budget{})
	if err != nil {
		t.Fatal(err)
	}
	_, thin, err := Analyse(d, Budget{MaxSamples: 10000})
	if err != nil {
		t.Fatal(err)
	}
	if dist := FingerprintDistance(full, thin); dist >= SameDesignThreshold {
		t.Errorf("thinly sampled fingerprint at distance %.3f", dist)
	}
}
