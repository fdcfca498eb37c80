package jobs

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/patternvault/patternvault/internal/db"
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
	if err := q.workers().Beat(ctx, q.ID); err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	return nil
}

// workers is the queries of the job workers' table.
func (q *Queue) workers() db.JobWorkers { return db.JobWorkers{Pool: q.pool} }

// Rescue makes the jobs left running by processes silent for deadAfter
// (or, on this host, no longer running) available again, recording why in
// the job's errors, forgets processes silent for a day, and returns how
// many jobs it freed.
func (q *Queue) Rescue(ctx context.Context) (int, error) {
	w := q.workers()
	ids, err := w.Others(ctx, q.ID)
	if err != nil {
		return 0, fmt.Errorf("jobs: rescue: %w", err)
	}
	for _, id := range ids {
		if deadHere(id) {
			if err := w.MarkStopped(ctx, id); err != nil {
				return 0, fmt.Errorf("jobs: rescue: %w", err)
			}
		}
	}
	n, err := w.TakeOver(ctx, q.deadAfter, q.ID)
	if err != nil {
		return 0, fmt.Errorf("jobs: rescue: %w", err)
	}
	if err := w.Forget(ctx); err != nil {
		return 0, fmt.Errorf("jobs: %w", err)
	}
	return int(n), nil
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
	silent, known, err := q.workers().Silent(ctx, id, q.deadAfter)
	if err != nil {
		return false, fmt.Errorf("jobs: %w", err)
	}
	return !known || silent || deadHere(id), nil
}
