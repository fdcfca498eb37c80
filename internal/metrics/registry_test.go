package metrics_test

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/patternvault/patternvault/internal/metrics"
	"github.com/patternvault/patternvault/internal/metrics/metricstest"
)

// TestExpositionIsPrometheus: counters, histograms, gauges and the
// runtime's figures, with labels that need escaping, written as text
// that Prometheus' parser reads back to the same values.
func TestExpositionIsPrometheus(t *testing.T) {
	t.Parallel()
	m := metrics.New(nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				m.Count(`say "hi"\ now`)
				m.HTTP.WithLabelValues("GET", "/t/{slug}/", "2xx").Observe(0.004)
			}
		})
	}
	wg.Wait()
	m.HTTP.WithLabelValues("GET", "/t/{slug}/", "2xx").Observe(99) // above every bound: only +Inf
	m.ObserveImport("done", 3, 0, 1, 0)

	got := map[string]float64{}
	buckets := map[float64]uint64{}
	var sum float64
	for _, f := range metricstest.Gather(t, m.Registry) {
		for _, mt := range f.GetMetric() {
			var labels []string
			for _, l := range mt.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			slices.Sort(labels)
			key := f.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case mt.GetCounter() != nil:
				got[key] = mt.GetCounter().GetValue()
			case mt.GetGauge() != nil:
				got[key] = mt.GetGauge().GetValue()
			case mt.GetHistogram() != nil:
				h := mt.GetHistogram()
				got[key] = float64(h.GetSampleCount())
				sum = h.GetSampleSum()
				for _, b := range h.GetBucket() {
					buckets[b.GetUpperBound()] = b.GetCumulativeCount()
				}
			}
		}
	}
	for key, want := range map[string]float64{
		`patternvault_events_total{event=say "hi"\ now}`:                                   8000,
		"patternvault_import_designs_total{outcome=created}":                               3,
		"patternvault_import_designs_total{outcome=duplicate}":                             1,
		"patternvault_imports_finished_total{outcome=done}":                                1,
		"patternvault_http_request_duration_seconds{code=2xx,method=GET,route=/t/{slug}/}": 8001,
		"go_info{version=" + runtime.Version() + "}":                                       1,
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v", key, got[key], want)
		}
	}
	if want := 8000*0.004 + 99; math.Abs(sum-want) > 1e-6 {
		t.Errorf("histogram sum = %v, want %v", sum, want)
	}
	for bound, want := range map[float64]uint64{0.0025: 0, 0.005: 8000, 10: 8000} {
		if buckets[bound] != want {
			t.Errorf("bucket le=%v = %d, want %d (buckets %v)", bound, buckets[bound], want, buckets)
		}
	}
	for _, proc := range []string{"process_resident_memory_bytes{}", "process_cpu_seconds_total{}", "go_goroutines{}", "process_start_time_seconds{}", "process_open_fds{}"} {
		if got[proc] <= 0 {
			t.Errorf("%s = %v, want > 0", proc, got[proc])
		}
	}
}
