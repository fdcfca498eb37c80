package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// JobWorkers is the queries of the job queue's liveness table,
// platform.job_workers: every process that works jobs says there that it
// is alive, and a live one takes over the running jobs of one that went
// silent (jobs.Queue.Rescue).
type JobWorkers struct {
	Pool *pgxpool.Pool
}

// Beat records that worker id is alive now.
func (w JobWorkers) Beat(ctx context.Context, id string) error {
	if _, err := w.Pool.Exec(ctx, `INSERT INTO platform.job_workers (id) VALUES ($1)
		ON CONFLICT (id) DO UPDATE SET seen_at = now()`, id); err != nil {
		return fmt.Errorf("db: heartbeat of job worker %s: %w", id, err)
	}
	return nil
}

// Others lists the workers other than self not yet marked stopped.
func (w JobWorkers) Others(ctx context.Context, self string) ([]string, error) {
	rows, err := w.Pool.Query(ctx, `SELECT id FROM platform.job_workers WHERE id <> $1 AND seen_at > '-infinity'`, self)
	if err != nil {
		return nil, fmt.Errorf("db: list job workers: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("db: list job workers: %w", err)
	}
	return ids, nil
}

// MarkStopped records that worker id is known to have stopped (it is
// seen at -infinity), so that its jobs are taken over at once.
func (w JobWorkers) MarkStopped(ctx context.Context, id string) error {
	if _, err := w.Pool.Exec(ctx, `UPDATE platform.job_workers SET seen_at = '-infinity' WHERE id = $1`, id); err != nil {
		return fmt.Errorf("db: mark job worker %s stopped: %w", id, err)
	}
	return nil
}

// TakeOver makes the jobs left running by workers silent for deadAfter
// (self excepted) available again, recording why in each job's errors,
// and returns how many it freed.
func (w JobWorkers) TakeOver(ctx context.Context, deadAfter time.Duration, self string) (int64, error) {
	tag, err := w.Pool.Exec(ctx, `UPDATE platform.river_job j SET state = 'available', scheduled_at = now(),
			errors = coalesce(j.errors, '{}') || jsonb_build_object('at', now(), 'attempt', j.attempt,
				'error', 'worker ' || w.id || ' stopped (no heartbeat since ' || w.seen_at || '); taken over', 'trace', '')
		FROM platform.job_workers w
		WHERE j.state = 'running' AND j.attempted_by[array_length(j.attempted_by, 1)] = w.id
		AND w.seen_at < now() - $1 * interval '1 millisecond' AND w.id <> $2`, deadAfter.Milliseconds(), self)
	if err != nil {
		return 0, fmt.Errorf("db: take over jobs of stopped workers: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Forget removes the workers silent for a day that no running job names.
func (w JobWorkers) Forget(ctx context.Context) error {
	if _, err := w.Pool.Exec(ctx, `DELETE FROM platform.job_workers w WHERE seen_at < now() - interval '1 day'
		AND NOT EXISTS (SELECT 1 FROM platform.river_job j WHERE j.state = 'running' AND w.id = ANY(j.attempted_by))`); err != nil {
		return fmt.Errorf("db: forget old job workers: %w", err)
	}
	return nil
}

// Silent reports whether worker id has been silent for deadAfter, and
// whether the table knows it at all.
func (w JobWorkers) Silent(ctx context.Context, id string, deadAfter time.Duration) (silent, known bool, err error) {
	err = w.Pool.QueryRow(ctx, `SELECT seen_at < now() - $2 * interval '1 millisecond' FROM platform.job_workers WHERE id = $1`,
		id, deadAfter.Milliseconds()).Scan(&silent)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("db: is job worker %s alive: %w", id, err)
	}
	return silent, true, nil
}

// Remove deletes worker id (it stopped cleanly: nothing of its runs).
func (w JobWorkers) Remove(ctx context.Context, id string) error {
	if _, err := w.Pool.Exec(ctx, `DELETE FROM platform.job_workers WHERE id = $1`, id); err != nil {
		return fmt.Errorf("db: remove job worker %s: %w", id, err)
	}
	return nil
}

// WithAdvisoryLock runs fn holding PostgreSQL's session advisory lock key
// (on one connection of pool), so that processes run it one at a time.
func WithAdvisoryLock(ctx context.Context, pool *pgxpool.Pool, key int64, fn func() error) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("db: advisory lock: acquire: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("db: take advisory lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
	return fn()
}

// CreateSchema creates schema name if it does not exist. name must be a
// constant of the program, never outside input.
func CreateSchema(ctx context.Context, pool *pgxpool.Pool, name string) error {
	if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("db: create schema %s: %w", name, err)
	}
	return nil
}
