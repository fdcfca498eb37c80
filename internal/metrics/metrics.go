// Package metrics exposes PatternVault's Prometheus metrics: HTTP latency
// by route, the job queue, imports, searches, share links and the
// database's health. They are served at /metrics on a separate address
// (PV_METRICS_ADDR), never on the public one.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Metrics holds the collectors of one process.
type Metrics struct {
	Registry *Registry
	// HTTP observes request latency by method, route pattern and status class.
	HTTP *HistogramVec
	// Events counts things that happen: imports, searches, share views, votes.
	Events *CounterVec

	// Imports counts finished imports by outcome (done, failed), and
	// ImportDesigns their designs by outcome (created, merged, duplicate,
	// failed: not imported).
	Imports, ImportDesigns *CounterVec

	storage *storage
	jobs    *jobRuns
}

// New registers the collectors; pool (may be nil) feeds the database's
// gauge at scrape time (RegisterQueue adds the job queue's).
func New(pool *pgxpool.Pool) *Metrics {
	m := &Metrics{Registry: &Registry{}}
	m.HTTP = NewHistogramVec("patternvault_http_request_duration_seconds", "Time to answer HTTP requests, by route.",
		[]float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}, "method", "route", "code")
	m.Events = NewCounterVec("patternvault_events_total", "Imports, searches, share views and votes.", "event")
	m.Imports = NewCounterVec("patternvault_imports_finished_total",
		"Imports finished, by outcome: done, or failed (nothing could be imported).", "outcome")
	m.ImportDesigns = NewCounterVec("patternvault_import_designs_total",
		"Designs of finished imports, by outcome: created, merged, duplicate, failed (a design or an upload not imported).", "outcome")
	m.Registry.add(m.HTTP, m.Events, m.Imports, m.ImportDesigns, collector(runtimeCollector))
	if pool != nil {
		m.Registry.add(gaugeFunc{"patternvault_database_up", "1 when PostgreSQL answers.", func() float64 { return up(pool) }})
	}
	return m
}

func up(pool *pgxpool.Pool) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if pool.Ping(ctx) != nil {
		return 0
	}
	return 1
}

// Count adds one to an event counter; a nil Metrics counts nothing.
func (m *Metrics) Count(event string) {
	if m != nil {
		m.Events.WithLabelValues(event).Inc()
	}
}

// ObserveImport records a finished import: its status (done or failed)
// and how many of its designs were created, merged, duplicates or failed.
// A nil Metrics records nothing.
func (m *Metrics) ObserveImport(status string, created, merged, duplicates, failed int) {
	if m == nil {
		return
	}
	m.Imports.WithLabelValues(status).Inc()
	for outcome, n := range map[string]int{"created": created, "merged": merged, "duplicate": duplicates, "failed": failed} {
		m.ImportDesigns.WithLabelValues(outcome).Add(float64(n))
	}
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return m.Registry
}
