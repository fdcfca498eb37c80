package app

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/db"
)

// OutageWindow is how long background work waits out a storage or
// database outage before it counts as failed: an import made during an
// outage (or running when it began) goes on by itself within this window
// after storage comes back, without a new upload.
const OutageWindow = time.Hour

// outageSnooze is how long a job that met an outage waits before running
// again, and outageRuns how many such runs it may take (about
// OutageWindow of them, on top of each run's own patient wait).
const (
	outageSnooze = 30 * time.Second
	outageRuns   = int(OutageWindow / outageSnooze)
)

// outageMiddleware makes every job wait out outages instead of failing:
// its context is patient (blob.WithPatience: a storage call waits for the
// storage to come back, for up to OutageWindow), and a run that still ends
// on an outage — storage or the database unreachable — is snoozed, which
// does not use up one of its attempts, rather than failed. Imports resume
// from the last design they recorded.
type outageMiddleware struct {
	river.MiddlewareDefaults
	log interface {
		WarnContext(ctx context.Context, msg string, args ...any)
	}
}

var _ rivertype.WorkerMiddleware = (*outageMiddleware)(nil)

func (m *outageMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	err := doInner(blob.WithPatience(ctx, OutageWindow))
	if err == nil || !(blob.Unavailable(err) || db.Unavailable(err)) {
		return err
	}
	if job.Attempt > outageRuns {
		return err // an outage of over an hour: the job's own retries take over
	}
	what := "storage"
	if !blob.Unavailable(err) {
		what = "database"
	}
	m.log.WarnContext(ctx, "jobs: waiting for "+what+"; the job runs again by itself", "kind", job.Kind, "job", job.ID,
		"retry_in", outageSnooze, "err", err)
	return river.JobSnooze(outageSnooze)
}
