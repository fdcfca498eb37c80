package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// JobCount is how many jobs of one kind are in one state.
type JobCount struct {
	Kind string
	// State is River's (available, pending, scheduled, retryable,
	// running, discarded, cancelled) or "stuck": running on a job worker
	// that stopped (see JobCounts).
	State string
	Count int64
}

// JobCounts counts the job queue's jobs by kind and state, completed ones
// excluded. A running job is "stuck" when the process running it has not
// said it is alive in platform.job_workers for silentFor, or is not there
// at all: a live process takes such a job over soon (jobs.Queue.Rescue),
// while a job that runs long on a live process (an import of hours) is
// not stuck.
func (d *DB) JobCounts(ctx context.Context, silentFor time.Duration) ([]JobCount, error) {
	rows, err := d.Pool.Query(ctx, `SELECT j.kind,
			CASE WHEN j.state = 'running' AND (w.id IS NULL OR w.seen_at < now() - $1 * interval '1 millisecond')
				THEN 'stuck' ELSE j.state::text END,
			count(*)
		FROM platform.river_job j
		LEFT JOIN platform.job_workers w ON w.id = j.attempted_by[array_length(j.attempted_by, 1)]
		WHERE j.state <> 'completed' GROUP BY 1, 2 ORDER BY 1, 2`, silentFor.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("db: count jobs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (JobCount, error) {
		var c JobCount
		err := row.Scan(&c.Kind, &c.State, &c.Count)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("db: count jobs: %w", err)
	}
	return out, nil
}

// Outbox is the mail outbox's backlog.
type Outbox struct {
	// Waiting are messages not sent yet; Failing those of them whose
	// last attempt failed.
	Waiting, Failing int64
	// Oldest is the age of the oldest unsent message (0 when none).
	Oldest time.Duration
}

// MailOutbox reads the mail outbox's backlog.
func (d *DB) MailOutbox(ctx context.Context) (Outbox, error) {
	var o Outbox
	var oldest float64
	err := d.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE last_error IS NOT NULL),
			coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
		FROM platform.mail_outbox WHERE sent_at IS NULL`).Scan(&o.Waiting, &o.Failing, &oldest)
	if err != nil {
		return o, fmt.Errorf("db: mail outbox: %w", err)
	}
	o.Oldest = time.Duration(oldest * float64(time.Second))
	return o, nil
}
