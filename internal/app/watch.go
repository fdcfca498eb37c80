package app

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/patternvault/patternvault/internal/blob"
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
// (and whether the embedded one is being restarted), file storage, and
// mail, which only degrades the server (messages wait in the outbox).
func (a *App) Checks() []*health.Check {
	checks := []*health.Check{
		{Name: "database", Probe: func(ctx context.Context) error {
			if err := a.dbDown.err(); err != nil {
				return err
			}
			return a.DB.Pool.Ping(ctx)
		}},
		{Name: "storage", Probe: a.guard.Check},
	}
	if c, ok := a.mail.(interface{ Check(context.Context) error }); ok {
		checks = append(checks, &health.Check{Name: "mail", Degraded: true, Every: 30 * time.Second, Probe: c.Check})
	}
	return checks
}

// openBlobs opens the file store behind a Guard (fail fast while it is
// down, see blob.Guard) and, for S3, a Spool under the data directory that
// keeps uploads safe through an outage. A store that does not answer at
// start-up is logged, not fatal: the server serves what it can and
// /readyz names the storage until it is back.
func (a *App) openBlobs(ctx context.Context) error {
	raw, err := blob.Open(ctx, a.Config.BlobURL, a.Config.DataDir)
	if err != nil {
		return err
	}
	a.guard = blob.NewGuard(raw, blob.GuardOptions{Log: a.Log, Observe: a.Metrics.ObserveStorage})
	a.Blobs = a.guard
	var waiting func() (int, int64)
	if a.Config.BlobURL != "" {
		if a.spool, err = blob.NewSpool(a.guard, filepath.Join(a.Config.DataDir, "spool"), a.Log); err != nil {
			return err
		}
		a.Blobs, waiting = a.spool, a.spool.Waiting
	}
	a.Metrics.RegisterStorage(a.guard.Open, waiting)
	if err := a.guard.Check(ctx); err != nil {
		a.Log.Warn("app: file storage does not answer at start-up; serving what can be served, /readyz reports it until it is back", "err", err)
	}
	return nil
}

// observeJobs feeds the job metrics from River's events until ctx ends.
func (a *App) observeJobs(ctx context.Context) {
	events, cancel := a.Queue.Client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	go func() {
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-events:
				if !ok {
					return
				}
				if e.Job == nil {
					continue
				}
				outcome := "completed"
				switch {
				case e.Kind == river.EventKindJobCancelled:
					outcome = "cancelled"
				case e.Kind == river.EventKindJobSnoozed:
					outcome = "snoozed"
				case e.Kind == river.EventKindJobFailed && e.Job.State == rivertype.JobStateDiscarded:
					outcome = "discarded"
				case e.Kind == river.EventKindJobFailed:
					outcome = "failed"
				}
				var took time.Duration
				if e.JobStats != nil {
					took = e.JobStats.RunDuration
				}
				a.Metrics.ObserveJob(e.Job.Kind, outcome, took)
			}
		}
	}()
}
