package app

import (
	"context"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/health"
)

// Checks are the dependencies readiness (/readyz) probes: the database
// (the embedded one fails it while pgserver.Watch restarts it), file
// storage, and mail, which only degrades the server (messages wait in the
// outbox).
func (a *App) Checks() []*health.Check {
	checks := []*health.Check{
		{Name: "database", Probe: func(ctx context.Context) error { return a.DB.Pool.Ping(ctx) }},
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
