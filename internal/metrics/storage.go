package metrics

import (
	"time"
)

// storage holds the file-storage collectors (RegisterStorage).
type storage struct {
	ops     *CounterVec
	seconds *HistogramVec
}

// RegisterStorage adds the file-storage figures: every operation by kind
// and outcome and its duration (fed by ObserveStorage, the blob Guard's
// Observe hook), whether the circuit breaker is refusing calls (open), and
// the files waiting in the upload spool (waiting; nil when there is none).
func (m *Metrics) RegisterStorage(open func() bool, waiting func() (files int, bytes int64)) {
	m.storage = &storage{
		ops: NewCounterVec("patternvault_storage_operations_total",
			"File storage operations by op (get, put, sync, stat, delete, delete_prefix, list, check) and outcome (ok, not_found, error, unavailable, refused: answered by the open circuit).",
			"op", "outcome"),
		seconds: NewHistogramVec("patternvault_storage_operation_seconds",
			"Time file storage operations took (a get until the file starts to arrive).",
			[]float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}, "op"),
	}
	m.Registry.add(m.storage.ops, m.storage.seconds,
		gaugeFunc{"patternvault_storage_circuit_open",
			"1 while file storage is failing and calls are refused at once (the circuit breaker is open).",
			func() float64 {
				if open() {
					return 1
				}
				return 0
			}})
	if waiting != nil {
		m.Registry.add(
			gaugeFunc{"patternvault_storage_spooled_files",
				"Uploads kept on this server's disk while storage was unreachable, waiting to be moved there.",
				func() float64 { n, _ := waiting(); return float64(n) }},
			gaugeFunc{"patternvault_storage_spooled_bytes", "Bytes of those spooled uploads.",
				func() float64 { _, b := waiting(); return float64(b) }})
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
