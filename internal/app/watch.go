package app

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/patternvault/patternvault/internal/health"
)

// WatchEvery is how often a serving process checks that its embedded
// PostgreSQL is alive.
const WatchEvery = time.Second

// dbState says why the database is known to be down ("" when it is not).
type dbState struct{ reason atomic.Pointer[string] }

func (s *dbState) set(reason string) { s.reason.Store(&reason) }
func (s *dbState) clear()            { s.reason.Store(nil) }

// err is the readiness error for the known state, or nil.
func (s *dbState) err() error {
	if r := s.reason.Load(); r != nil && *r != "" {
		return health.Reason(*r)
	}
	return nil
}

// watchEmbedded keeps the embedded PostgreSQL running: when its postmaster
// has died (a crash, kill -9, the out-of-memory killer), readiness says so
// at once, the cluster is restarted (its orphaned backends ended first,
// see pgserver.Recover; PostgreSQL's crash recovery replays the WAL), and
// the pools drop their dead connections.
func (a *App) watchEmbedded(ctx context.Context) {
	t := time.NewTicker(WatchEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if a.pg.Running() {
			continue
		}
		t0 := time.Now()
		a.dbDown.set("embedded PostgreSQL stopped unexpectedly; restarting it")
		a.Log.Error("app: embedded PostgreSQL is not running; restarting it")
		backoff := time.Second
		for ctx.Err() == nil {
			_, err := a.pg.Recover(ctx)
			if err == nil {
				break
			}
			a.Log.Error("app: restart embedded PostgreSQL", "err", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 30*time.Second)
		}
		if ctx.Err() != nil {
			return
		}
		a.DB.Reset()
		a.dbDown.clear()
		a.Log.Warn("app: embedded PostgreSQL restarted", "took", time.Since(t0).Round(time.Millisecond))
	}
}

// Checks are the dependencies readiness (/readyz) probes: the database
// (and whether the embedded one is being restarted).
func (a *App) Checks() []*health.Check {
	return []*health.Check{
		{Name: "database", Probe: func(ctx context.Context) error {
			if err := a.dbDown.err(); err != nil {
				return err
			}
			return a.DB.Pool.Ping(ctx)
		}},
	}
}
