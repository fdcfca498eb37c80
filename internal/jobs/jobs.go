// Package jobs wires River, PatternVault's PostgreSQL-backed job queue
// (DESIGN decision 5): background work is a row in the database, inserted in
// the same transaction as the change that asks for it, so it runs only if
// that change commits, survives restarts and spreads over app servers.
//
// River's tables (river_job, river_leader, river_queue, ...) live in schema
// "platform" next to PatternVault's own platform tables. They are created
// by River's own migrations, run by Migrate, and are not part of
// internal/db's numbered files: Migrate runs after the platform migrations
// (it only needs schema platform, which it creates if missing), and no
// PatternVault migration refers to River's tables.
//
// A typical process:
//
//	workers := river.NewWorkers()
//	river.AddWorker(workers, mail.NewWorker(pool, transport, log))
//	q, err := jobs.New(pool, jobs.Config{Workers: workers, Logger: log})
//	q.Start(ctx)
//	defer q.Stop(context.Background())
package jobs

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/patternvault/patternvault/internal/db"
)

// Schema is the PostgreSQL schema that holds River's tables.
const Schema = "platform"

// Queue names. A job goes to QueueDefault unless its InsertOpts say
// otherwise; mail has its own queue so a slow SMTP server never holds up
// thumbnails or ingest; imports have theirs, so that at most a few (each
// using every core and its memory budget) run at once in a process; and
// background work nobody waits for (duplicate scans) runs on
// QueueBackground, with fewer workers than cores, so that requests always
// find a core.
const (
	QueueDefault    = river.QueueDefault // "default"
	QueueMail       = "mail"
	QueueImports    = "imports"
	QueueBackground = "background"
)

// DefaultMaxAttempts is how many times a job runs before River discards it.
// With River's default backoff (attempt⁴ seconds) the tenth attempt comes
// about three hours after the first.
const DefaultMaxAttempts = 10

// migrateLockKey keeps two processes from running River's migrations at
// once (River itself takes no lock). It differs from internal/db's key.
const migrateLockKey = 0x5056_7269_7672 // "PVrivr"

// Migrate brings River's tables in schema platform up to date. It is safe
// to call on every start and from several processes at once.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return db.WithAdvisoryLock(ctx, pool, migrateLockKey, func() error { return migrate(ctx, pool) })
}

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if err := db.CreateSchema(ctx, pool, Schema); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	m, err := migrator(pool)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate river tables in %s: %w", Schema, err)
	}
	return nil
}

// Behind reports whether River's tables need Migrate; messages say what is
// missing. Use it where internal/db's Migrator.Status is used, to refuse to
// start against an external database that was not migrated.
func Behind(ctx context.Context, pool *pgxpool.Pool) (behind bool, messages []string, err error) {
	m, err := migrator(pool)
	if err != nil {
		return false, nil, err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return false, nil, fmt.Errorf("jobs: check river tables in %s: %w", Schema, err)
	}
	return !res.OK, res.Messages, nil
}

func migrator(pool *pgxpool.Pool) (*rivermigrate.Migrator[pgx.Tx], error) {
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{
		Schema: Schema,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: river migrator: %w", err)
	}
	return m, nil
}

// Config says how a Queue works jobs. The zero value (plus Workers) is the
// production setting.
type Config struct {
	// Workers are the job kinds this process can run. Nil makes an
	// insert-only queue (for CLI commands); Start then fails.
	Workers *river.Workers
	// Logger receives River's logs; nil discards them.
	Logger *slog.Logger
	// Queues maps a queue name to how many of its jobs run at once here.
	// Nil means DefaultQueues(0).
	Queues map[string]int
	// ID names this process among the job workers (its heartbeat and the
	// jobs it runs); empty picks host name, process id and a random tag.
	ID string
	// Heartbeat is how often a working process says it is alive; 0 means
	// DefaultHeartbeat. Jobs a process left running are handed to a live
	// one when it has been silent for DeadAfter (0: DefaultDeadAfter).
	Heartbeat, DeadAfter time.Duration
	// MaxAttempts caps how often a job runs; 0 means DefaultMaxAttempts.
	MaxAttempts int
	// RetryPolicy decides when a failed job runs again; nil is River's
	// exponential backoff. Tests pass a fast one.
	RetryPolicy river.ClientRetryPolicy
	// PollInterval is how often idle queues look for work besides being
	// woken by LISTEN/NOTIFY; 0 means River's default (1 s).
	PollInterval time.Duration
	// PollOnly makes the queue poll for jobs instead of LISTENing, for a
	// pool that goes through pgbouncer in transaction mode.
	PollOnly bool
	// TestOnly turns off River's start-up jitter so tests start fast.
	TestOnly bool
	// Periodic are jobs the queue's leader inserts on a schedule.
	Periodic []*river.PeriodicJob
	// Middleware wraps every job this process works (see
	// rivertype.WorkerMiddleware): app makes jobs wait out an outage.
	Middleware []rivertype.Middleware
}

// DefaultQueues is how many jobs of each queue one process runs at once,
// with background workers for QueueBackground (0 means
// DefaultBackgroundWorkers).
func DefaultQueues(background int) map[string]int {
	if background <= 0 {
		background = DefaultBackgroundWorkers()
	}
	return map[string]int{QueueDefault: 4, QueueMail: 2, QueueImports: 2, QueueBackground: background}
}

// DefaultBackgroundWorkers leaves at least one core to requests: one
// worker on two cores, three on four.
func DefaultBackgroundWorkers() int { return max(1, runtime.NumCPU()-1) }

// Liveness defaults: a process says it is alive every DefaultHeartbeat;
// its running jobs go to another after DefaultDeadAfter of silence.
const (
	DefaultHeartbeat = 5 * time.Second
	DefaultDeadAfter = time.Minute
)

// RescueAfter is River's own rescue of jobs stuck running, the last resort
// (for a process that never said it was alive). It must outlast every job
// kind's timeout: the longest is an import's, ImportTimeout.
const RescueAfter = ImportTimeout + time.Hour

// ImportTimeout bounds one import job. An import of 15,000 designs takes
// a few minutes; a worker that dies is replaced through its heartbeat long
// before this.
const ImportTimeout = 6 * time.Hour

// Queue is PatternVault's handle on River: it inserts jobs and, when
// started, works them.
type Queue struct {
	// Client is the underlying River client, for what Queue does not wrap
	// (subscriptions, job listing, cancelling).
	Client *river.Client[pgx.Tx]
	// ID names this process among the job workers.
	ID string

	pool      *pgxpool.Pool
	log       *slog.Logger
	heartbeat time.Duration
	deadAfter time.Duration
	working   bool
	stopLive  context.CancelFunc
	liveDone  chan struct{}
}

// New returns a Queue on pool with River's tables in schema platform. It
// does not start working jobs; call Start.
func New(pool *pgxpool.Pool, cfg Config) (*Queue, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	id := cfg.ID
	if id == "" {
		id = processID()
	}
	rc := &river.Config{
		ID:                   id,
		Schema:               Schema,
		Logger:               log,
		MaxAttempts:          cmp.Or(cfg.MaxAttempts, DefaultMaxAttempts),
		RetryPolicy:          cfg.RetryPolicy,
		FetchPollInterval:    cfg.PollInterval,
		TestOnly:             cfg.TestOnly,
		PollOnly:             cfg.PollOnly,
		Workers:              cfg.Workers,
		RescueStuckJobsAfter: RescueAfter,
	}
	if cfg.Workers != nil {
		rc.PeriodicJobs = cfg.Periodic
	}
	if cfg.PollInterval > 0 && cfg.PollInterval < river.FetchCooldownDefault {
		rc.FetchCooldown = cfg.PollInterval // River wants cooldown ≤ poll interval
	}
	if cfg.Workers != nil {
		rc.Middleware = cfg.Middleware
		queues := cfg.Queues
		if queues == nil {
			queues = DefaultQueues(0)
		}
		rc.Queues = make(map[string]river.QueueConfig, len(queues))
		for name, n := range queues {
			rc.Queues[name] = river.QueueConfig{MaxWorkers: n}
		}
	}
	client, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: new river client: %w", err)
	}
	return &Queue{Client: client, ID: id, pool: pool, log: log,
		heartbeat: cmp.Or(cfg.Heartbeat, DefaultHeartbeat), deadAfter: cmp.Or(cfg.DeadAfter, DefaultDeadAfter)}, nil
}

// Start begins working jobs in the background until ctx ends or Stop is
// called. The process says it is alive every heartbeat, and hands to
// itself the jobs that silent processes left running (see Rescue).
func (q *Queue) Start(ctx context.Context) error {
	if err := q.beat(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	if err := q.Client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	if n, err := q.Rescue(ctx); err != nil {
		q.log.Warn("jobs: rescue jobs of stopped workers", "err", err)
	} else if n > 0 {
		q.log.Info("jobs: took over jobs of a stopped worker", "jobs", n)
	}
	liveCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	q.stopLive, q.liveDone, q.working = stop, make(chan struct{}), true
	go q.live(liveCtx)
	return nil
}

// Stop stops fetching new jobs and waits for running ones to finish, or
// for ctx to end. Unfinished jobs run again after a restart. Stopping a
// queue that was never started does nothing.
func (q *Queue) Stop(ctx context.Context) error {
	if err := q.Client.Stop(ctx); err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	if q.working {
		q.stopLive()
		<-q.liveDone
		q.working = false
		// Stopped cleanly: nothing of ours is running any more.
		if err := q.workers().Remove(context.WithoutCancel(ctx), q.ID); err != nil {
			q.log.Warn("jobs: stop", "err", err)
		}
	}
	return nil
}

// Insert adds a job in its own transaction. Prefer InsertTx when the job
// belongs to a change in the database.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	res, err := q.Client.Insert(ctx, args, opts)
	if err != nil {
		return nil, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return res, nil
}

// InsertTx adds a job inside tx: it becomes visible to workers when tx
// commits and vanishes if tx rolls back.
func (q *Queue) InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	res, err := q.Client.InsertTx(ctx, tx, args, opts)
	if err != nil {
		return nil, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return res, nil
}
