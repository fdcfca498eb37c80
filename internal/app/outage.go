package app

import (
	"context"
	"encoding/json"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/db"
)

// OutageWindow is how long a run of a background job waits for storage
// that cannot be reached before it gives up that run: an import made
// during an outage (or running when it began) goes on by itself after
// storage comes back, without a new upload.
const OutageWindow = time.Hour

// outageSnooze is how long a job whose run still ended on an outage waits
// before running again, and outageRuns how many such runs it may take in
// a row (each waits up to OutageWindow for the storage, or fails at once
// on a database that cannot be reached, then the 30 s snooze): about an
// hour of database outage, and longer for storage. Past that, the error
// counts as a failed attempt and the job's own retries (with backoff,
// over hours) take over.
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
	if snoozes(job) >= outageRuns {
		return err // a long outage: the job's own retries take over
	}
	what := "storage"
	if !blob.Unavailable(err) {
		what = "database"
	}
	m.log.WarnContext(ctx, "jobs: waiting for "+what+"; the job runs again by itself", "kind", job.Kind, "job", job.ID,
		"retry_in", outageSnooze, "err", err)
	return river.JobSnooze(outageSnooze)
}

// snoozes is how often the job was snoozed: River counts it in the job's
// metadata (a snooze does not count as an attempt).
func snoozes(job *rivertype.JobRow) int {
	var md struct {
		Snoozes int `json:"snoozes"`
	}
	json.Unmarshal(job.Metadata, &md)
	return md.Snoozes
}
