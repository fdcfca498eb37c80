package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// storage holds the file-storage collectors (RegisterStorage).
type storage struct {
	ops     *prometheus.CounterVec
	seconds *prometheus.HistogramVec
}

// RegisterStorage adds the file-storage figures: every operation by kind
// and outcome and its duration (fed by ObserveStorage, the blob Guard's
// Observe hook), whether the circuit breaker is refusing calls (open), and
// the files waiting in the upload spool (waiting; nil when there is none).
func (m *Metrics) RegisterStorage(open func() bool, waiting func() (files int, bytes int64)) {
	m.storage = &storage{
		ops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "patternvault_storage_operations_total",
			Help: "File storage operations by op (get, put, sync, stat, delete, delete_prefix, list, check) and outcome (ok, not_found, error, unavailable, refused: answered by the open circuit).",
		}, []string{"op", "outcome"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "patternvault_storage_operation_seconds",
			Help:    "Time file storage operations took (a get until the file starts to arrive).",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"op"}),
	}
	m.Registry.MustRegister(m.storage.ops, m.storage.seconds,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "patternvault_storage_circuit_open",
			Help: "1 while file storage is failing and calls are refused at once (the circuit breaker is open)."},
			func() float64 {
				if open() {
					return 1
				}
				return 0
			}))
	if waiting != nil {
		m.Registry.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "patternvault_storage_spooled_files",
				Help: "Uploads kept on this server's disk while storage was unreachable, waiting to be moved there."},
				func() float64 { n, _ := waiting(); return float64(n) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "patternvault_storage_spooled_bytes",
				Help: "Bytes of those spooled uploads."},
				func() float64 { _, b := waiting(); return float64(b) }))
	}
}

// ObserveStorage records one file-storage operation; a nil Metrics, or
// one without RegisterStorage, records nothing.
func (m *Metrics) ObserveStorage(op string, took time.Duration, outcome string) {
	if m == nil || m.storage == nil {
		return
	}
	m.storage.ops.WithLabelValues(op, outcome).Inc()
	m.storage.seconds.WithLabelValues(op).Observe(took.Seconds())
}
