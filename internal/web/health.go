package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/health"
)

// healthz answers 200 while the process is up.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz tells a load balancer whether this server can serve: every
// dependency it needs answers (the database, at the schema version this
// binary expects; file storage) — 503 naming the failing ones otherwise.
// A dependency it can serve without (mail) makes it "degraded", still 200.
//
//	{"status": "unavailable", "failing": ["storage"], "reason": "storage: unreachable",
//	 "checks": {"database": "ok", "storage": "unreachable", "mail": "ok"}}
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	rep := s.ready.check(r.Context())
	code := http.StatusOK
	if rep.Status == "unavailable" {
		code = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "5")
	}
	writeJSON(w, code, rep)
}

// readyReport is /readyz's answer.
type readyReport struct {
	Status  string            `json:"status"` // ready, degraded or unavailable
	Failing []string          `json:"failing,omitempty"`
	Reason  string            `json:"reason,omitempty"`
	Checks  map[string]string `json:"checks"`
}

// readiness runs the dependency checks on every call, and re-checks the
// schema versions at most every schemaEvery, since that walks every
// tenant.
type readiness struct {
	checks      []*health.Check
	mig         *db.Migrator
	log         *slog.Logger
	schemaEvery time.Duration

	mu        sync.Mutex
	checkedAt time.Time
	schemaErr string
	failing   map[string]bool // what the last call found failing, to log changes once
}

// probeTimeout bounds each check, so that /readyz answers within about
// two seconds even when a dependency hangs.
const probeTimeout = 2 * time.Second

func newReadiness(d *db.DB, mig *db.Migrator, checks []*health.Check, log *slog.Logger) *readiness {
	if len(checks) == 0 {
		checks = []*health.Check{{Name: "database", Probe: func(ctx context.Context) error { return d.Pool.Ping(ctx) }}}
	}
	return &readiness{checks: checks, mig: mig, log: log, schemaEvery: 30 * time.Second, failing: map[string]bool{}}
}

func (r *readiness) check(ctx context.Context) readyReport {
	results := health.Run(ctx, r.checks, probeTimeout)
	rep := readyReport{Status: "ready", Checks: map[string]string{}}
	var reasons []string
	dbOK := true
	for _, res := range results {
		rep.Checks[res.Name] = res.Public()
		if res.Name == "database" && res.Err != nil {
			dbOK = false
		}
		r.noteChange(ctx, res)
		if res.Err == nil {
			continue
		}
		if res.Degraded {
			if rep.Status == "ready" {
				rep.Status = "degraded"
			}
			continue
		}
		rep.Status = "unavailable"
		rep.Failing = append(rep.Failing, res.Name)
		reasons = append(reasons, res.Name+": "+res.Public())
	}
	if dbOK && r.mig != nil {
		if msg := r.schema(ctx); msg != "" {
			rep.Status = "unavailable"
			rep.Checks["database"] = msg
			rep.Failing = append(rep.Failing, "database")
			reasons = append(reasons, "database: "+msg)
		}
	}
	rep.Reason = strings.Join(reasons, "; ")
	return rep
}

// noteChange logs a check that starts or stops failing, once each time.
func (r *readiness) noteChange(ctx context.Context, res health.Result) {
	r.mu.Lock()
	was := r.failing[res.Name]
	r.failing[res.Name] = res.Err != nil
	r.mu.Unlock()
	switch {
	case res.Err != nil && !was:
		r.log.WarnContext(ctx, "readiness: dependency failing", "dependency", res.Name, "degraded_only", res.Degraded, "err", res.Err)
	case res.Err == nil && was:
		r.log.InfoContext(ctx, "readiness: dependency back", "dependency", res.Name)
	}
}

// schema returns why the schemas are not ready ("" when they are).
func (r *readiness) schema(ctx context.Context) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.checkedAt) < r.schemaEvery {
		return r.schemaErr
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	behind, err := r.mig.Status(ctx)
	switch {
	case err != nil:
		// The database went away between the ping and here: say so, and
		// look again at the next call rather than after schemaEvery.
		return "cannot read schema versions"
	case len(behind) > 0:
		r.schemaErr = "migrations pending: " + strings.Join(behind, ", ")
	default:
		r.schemaErr = ""
	}
	r.checkedAt = time.Now()
	return r.schemaErr
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
