package jobs_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

type pingArgs struct {
	Name string `json:"name"`
}

func (pingArgs) Kind() string { return "test_ping" }

type pingWorker struct {
	river.WorkerDefaults[pingArgs]
	ran chan string
}

func (w *pingWorker) Work(ctx context.Context, job *river.Job[pingArgs]) error {
	w.ran <- job.Args.Name
	return nil
}

func migrated(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := testdb.New(t).Pool
	if err := jobs.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	return pool
}

func newQueue(t *testing.T, pool *pgxpool.Pool, w *pingWorker) *jobs.Queue {
	t.Helper()
	cfg := jobs.Config{TestOnly: true, PollInterval: 50 * time.Millisecond}
	if w != nil {
		cfg.Workers = river.NewWorkers()
		river.AddWorker(cfg.Workers, w)
	}
	q, err := jobs.New(pool, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t).Pool
	behind, _, err := jobs.Behind(ctx, pool)
	if err != nil || !behind {
		t.Fatalf("before Migrate: behind = %v, %v; want true", behind, err)
	}
	for range 2 { // the second run has nothing to do
		if err := jobs.Migrate(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	behind, msgs, err := jobs.Behind(ctx, pool)
	if err != nil || behind {
		t.Fatalf("after Migrate: behind = %v (%v), %v; want false", behind, msgs, err)
	}
	var inPlatform bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass('platform.river_job') IS NOT NULL").Scan(&inPlatform); err != nil || !inPlatform {
		t.Fatalf("platform.river_job exists = %v, %v", inPlatform, err)
	}
	var inPublic bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass('public.river_job') IS NOT NULL").Scan(&inPublic); err != nil || inPublic {
		t.Fatalf("public.river_job exists = %v, %v; want River only in platform", inPublic, err)
	}
}

// A job inserted in a committed transaction while no worker runs is worked
// exactly once when a worker starts later; one in a rolled back transaction
// never runs.
func TestInsertTxSurvivesRestartAndRunsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := migrated(t)

	// A process that worked jobs and exited.
	w := &pingWorker{ran: make(chan string, 10)}
	first := newQueue(t, pool, w)
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	// An insert-only client (a CLI command) adds jobs while nothing works them.
	inserter := newQueue(t, pool, nil)
	var kept *rivertype.JobInsertResult
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var err error
		kept, err = inserter.InsertTx(ctx, tx, pingArgs{Name: "kept"}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inserter.InsertTx(ctx, tx, pingArgs{Name: "rolled back"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if kept.Job.Queue != jobs.QueueDefault || kept.Job.MaxAttempts != jobs.DefaultMaxAttempts {
		t.Errorf("job in queue %q with %d attempts; want %q, %d", kept.Job.Queue, kept.Job.MaxAttempts, jobs.QueueDefault, jobs.DefaultMaxAttempts)
	}
	select {
	case name := <-w.ran:
		t.Fatalf("job %q ran with no worker started", name)
	case <-time.After(200 * time.Millisecond):
	}

	// The next process starts and works the job.
	second := newQueue(t, pool, w)
	if err := second.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Stop(context.Background()) })
	select {
	case name := <-w.ran:
		if name != "kept" {
			t.Fatalf("ran %q; want kept", name)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("committed job did not run after restart")
	}
	select {
	case name := <-w.ran:
		t.Fatalf("a second run: %q", name)
	case <-time.After(500 * time.Millisecond):
	}
	job := waitState(t, second, kept.Job.ID, rivertype.JobStateCompleted)
	if job.Attempt != 1 {
		t.Errorf("attempt = %d; want 1", job.Attempt)
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM platform.river_job").Scan(&n); err != nil || n != 1 {
		t.Errorf("river_job rows = %d, %v; want 1 (the rolled back insert leaves none)", n, err)
	}
}

func waitState(t *testing.T, q *jobs.Queue, id int64, want rivertype.JobState) *rivertype.JobRow {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		job, err := q.Client.JobGet(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if job.State == want {
			return job
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s; want %s", id, job.State, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStartWithoutWorkersFails(t *testing.T) {
	t.Parallel()
	q := newQueue(t, migrated(t), nil)
	if err := q.Start(context.Background()); err == nil {
		q.Stop(context.Background())
		t.Fatal("an insert-only queue started")
	}
}

func TestStopUnstarted(t *testing.T) {
	t.Parallel()
	q := newQueue(t, migrated(t), &pingWorker{ran: make(chan string, 1)})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := q.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestRescueJobsOfStoppedWorkers: a job left running by a process that
// stopped saying it is alive (killed) is taken over by a live process
// within its dead-after, and one held by a live process is left alone.
func TestRescueJobsOfStoppedWorkers(t *testing.T) {
	ctx := context.Background()
	pool := migrated(t)
	inserter := newQueue(t, pool, nil)
	var ids []int64
	for _, name := range []string{"of the dead", "of the living"} {
		res, err := inserter.Insert(ctx, pingArgs{Name: name}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Job.ID)
	}
	// Both jobs were fetched: one by a process gone quiet two minutes
	// ago, one by a process that beat just now.
	for i, w := range []struct {
		id   string
		seen string
	}{{"ghost/1/x", "now() - interval '2 minutes'"}, {"alive/2/y", "now()"}} {
		if _, err := pool.Exec(ctx, `INSERT INTO platform.job_workers (id, seen_at) VALUES ($1, `+w.seen+`)`, w.id); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `UPDATE platform.river_job SET state = 'running', attempt = 1, attempted_at = now(),
			attempted_by = ARRAY[$2] WHERE id = $1`, ids[i], w.id); err != nil {
			t.Fatal(err)
		}
	}
	w := &pingWorker{ran: make(chan string, 10)}
	cfg := jobs.Config{TestOnly: true, PollInterval: 50 * time.Millisecond, Heartbeat: 100 * time.Millisecond,
		DeadAfter: time.Minute, Workers: river.NewWorkers()}
	river.AddWorker(cfg.Workers, w)
	q, err := jobs.New(pool, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background()) })
	select {
	case name := <-w.ran:
		if name != "of the dead" {
			t.Fatalf("ran %q", name)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the dead worker's job was not taken over")
	}
	job := waitState(t, q, ids[0], rivertype.JobStateCompleted)
	if len(job.Errors) != 1 || !strings.Contains(job.Errors[0].Error, "ghost/1/x stopped") {
		t.Errorf("errors of the rescued job: %+v", job.Errors)
	}
	if job, _ := q.Client.JobGet(ctx, ids[1]); job.State != rivertype.JobStateRunning {
		t.Errorf("the live worker's job is %s", job.State)
	}
	// This process beats, and forgets its row when it stops cleanly.
	var seen bool
	pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM platform.job_workers WHERE id = $1)`, q.ID).Scan(&seen)
	if !seen {
		t.Error("no heartbeat of the running queue")
	}
	q.Stop(ctx)
	pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM platform.job_workers WHERE id = $1)`, q.ID).Scan(&seen)
	if seen {
		t.Error("the stopped queue's heartbeat is still there")
	}
}

// TestRescueSameHost: a worker of this host whose process is gone is dead
// at once, without waiting for its silence.
func TestRescueSameHost(t *testing.T) {
	ctx := context.Background()
	pool := migrated(t)
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("cannot run a short-lived process:", err)
	}
	host, _ := os.Hostname()
	gone := fmt.Sprintf("%s/%d/abc", host, cmd.Process.Pid)
	inserter := newQueue(t, pool, nil)
	res, err := inserter.Insert(ctx, pingArgs{Name: "orphan"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pool.Exec(ctx, `INSERT INTO platform.job_workers (id) VALUES ($1)`, gone)
	pool.Exec(ctx, `UPDATE platform.river_job SET state = 'running', attempt = 1, attempted_at = now(), attempted_by = ARRAY[$2] WHERE id = $1`, res.Job.ID, gone)
	q := newQueue(t, pool, nil)
	n, err := q.Rescue(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Rescue = %d, %v; want 1", n, err)
	}
	if job, _ := q.Client.JobGet(ctx, res.Job.ID); job.State != rivertype.JobStateAvailable {
		t.Errorf("job is %s", job.State)
	}
}
