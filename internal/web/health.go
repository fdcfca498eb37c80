package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/patternvault/patternvault/internal/db"
)

// healthz answers 200 while the process is up.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the database answers and every schema is at the
// version this binary expects, 503 with the reason otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.ready.check(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// readiness pings the database on every call and re-checks the schema
// versions at most every schemaEvery, since that walks every tenant.
type readiness struct {
	db          *db.DB
	mig         *db.Migrator
	schemaEvery time.Duration

	mu        sync.Mutex
	checkedAt time.Time
	schemaErr error
}

func newReadiness(d *db.DB, mig *db.Migrator) *readiness {
	return &readiness{db: d, mig: mig, schemaEvery: 30 * time.Second}
}

type notReady string

func (e notReady) Error() string { return string(e) }

func (r *readiness) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := r.db.Pool.Ping(ctx); err != nil {
		return notReady("database unreachable")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.checkedAt) < r.schemaEvery {
		return r.schemaErr
	}
	behind, err := r.mig.Status(ctx)
	switch {
	case err != nil:
		// The database went away between the ping and here: say so, and
		// look again at the next call rather than for schemaEvery.
		return notReady("cannot read schema versions")
	case len(behind) > 0:
		r.schemaErr = notReady("migrations pending: " + strings.Join(behind, ", "))
	default:
		r.schemaErr = nil
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
