package jobs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Liveness. River rescues a job stuck "running" only after
// RescueStuckJobsAfter, which must outlast the longest job (an import's
// hours), so a job whose process was killed would sit "running" for hours.
// Instead, every working process records in platform.job_workers that it
// is alive, every heartbeat; every process, every heartbeat, makes the
// jobs left running by a process silent for deadAfter available again, so
// a live process (this one or another) takes them within about a minute.
// A job that runs twice by mistake (a process that was only stalled) is
// safe: an import holds its batch by a lease, and the other jobs are
// idempotent.

// processID names this process: host, process id and a random tag (a
// restarted process must not pass for the one it replaces).
func processID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), rand.Text()[:8])
}

// deadHere reports whether worker id names a process of this host that no
// longer runs, so that a server restarted on the same machine takes back
// its predecessor's jobs at once instead of after deadAfter. (A process id
// reused by another process only delays that.)
func deadHere(id string) bool {
	host, _ := os.Hostname()
	h, rest, ok := strings.Cut(id, "/")
	if !ok || h != host {
		return false
	}
	pidText, _, ok := strings.Cut(rest, "/")
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return syscall.Kill(pid, 0) == syscall.ESRCH
}

// live beats and rescues until ctx ends.
func (q *Queue) live(ctx context.Context) {
	defer close(q.liveDone)
	t := time.NewTicker(q.heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := q.beat(ctx); err != nil && ctx.Err() == nil {
			q.log.Warn("jobs: heartbeat", "err", err)
		}
		if n, err := q.Rescue(ctx); err != nil && ctx.Err() == nil {
			q.log.Warn("jobs: rescue jobs of stopped workers", "err", err)
		} else if n > 0 {
			q.log.Info("jobs: took over jobs of a stopped worker", "jobs", n)
		}
	}
}

// beat records that this process is alive.
func (q *Queue) beat(ctx context.Context) error {
	_, err := q.pool.Exec(ctx, `INSERT INTO platform.job_workers (id) VALUES ($1)
		ON CONFLICT (id) DO UPDATE SET seen_at = now()`, q.ID)
	if err != nil {
		return fmt.Errorf("jobs: heartbeat of %s: %w", q.ID, err)
	}
	return nil
}

// Rescue makes the jobs left running by processes silent for deadAfter
// (or, on this host, no longer running) available again, recording why in
// the job's errors, forgets processes silent for a day, and returns how
// many jobs it freed.
func (q *Queue) Rescue(ctx context.Context) (int, error) {
	rows, err := q.pool.Query(ctx, `SELECT id FROM platform.job_workers WHERE id <> $1 AND seen_at > '-infinity'`, q.ID)
	if err != nil {
		return 0, fmt.Errorf("jobs: rescue: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("jobs: rescue: %w", err)
	}
	for _, id := range ids {
		if deadHere(id) {
			if _, err := q.pool.Exec(ctx, `UPDATE platform.job_workers SET seen_at = '-infinity' WHERE id = $1`, id); err != nil {
				return 0, fmt.Errorf("jobs: rescue: %w", err)
			}
		}
	}
	tag, err := q.pool.Exec(ctx, `UPDATE `+Schema+`.river_job j SET state = 'available', scheduled_at = now(),
			errors = coalesce(j.errors, '{}') || jsonb_build_object('at', now(), 'attempt', j.attempt,
				'error', 'worker ' || w.id || ' stopped (no heartbeat since ' || w.seen_at || '); taken over', 'trace', '')
		FROM platform.job_workers w
		WHERE j.state = 'running' AND j.attempted_by[array_length(j.attempted_by, 1)] = w.id
		AND w.seen_at < now() - $1 * interval '1 millisecond' AND w.id <> $2`, q.deadAfter.Milliseconds(), q.ID)
	if err != nil {
		return 0, fmt.Errorf("jobs: rescue: %w", err)
	}
	if _, err := q.pool.Exec(ctx, `DELETE FROM platform.job_workers w WHERE seen_at < now() - interval '1 day'
		AND NOT EXISTS (SELECT 1 FROM `+Schema+`.river_job j WHERE j.state = 'running' AND w.id = ANY(j.attempted_by))`); err != nil {
		return 0, fmt.Errorf("jobs: forget old workers: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Stopped reports whether the job worker id has stopped: silent for
// deadAfter, or gone from platform.job_workers (a worker that stops
// cleanly removes itself, and a silent one is forgotten after a day).
// Ids that are not a job worker's ("host/pid/tag") never count as
// stopped.
func (q *Queue) Stopped(ctx context.Context, id string) (bool, error) {
	if strings.Count(id, "/") != 2 {
		return false, nil
	}
	var silent bool
	err := q.pool.QueryRow(ctx, `SELECT seen_at < now() - $2 * interval '1 millisecond' FROM platform.job_workers WHERE id = $1`,
		id, q.deadAfter.Milliseconds()).Scan(&silent)
	if errors.Is(err, pgx.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("jobs: is %s alive: %w", id, err)
	}
	return silent || deadHere(id), nil
}
