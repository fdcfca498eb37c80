package metrics_test

import (
	"context"
	"os"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/metrics"
	"github.com/patternvault/patternvault/internal/metrics/metricstest"
	"github.com/patternvault/patternvault/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

type testArgs struct{}

func (testArgs) Kind() string { return "test_kind" }

// gather returns every series' value by name and labels ("name{k=v,...}").
func gather(t *testing.T, m *metrics.Metrics) map[string]float64 {
	t.Helper()
	families := metricstest.Gather(t, m.Registry)
	out := map[string]float64{}
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			key := f.GetName()
			for i, l := range mt.GetLabel() {
				if i == 0 {
					key += "{"
				} else {
					key += ","
				}
				key += l.GetName() + "=" + l.GetValue()
				if i == len(mt.GetLabel())-1 {
					key += "}"
				}
			}
			out[key] = value(mt)
		}
	}
	return out
}

func value(m *dto.Metric) float64 {
	switch {
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	}
	return 0
}

// TestQueueFiguresAreTrue: a job stuck running (its process stopped)
// counts as stuck and as waiting (it read 0 before), one running long on
// a live process as running, the mail outbox's backlog shows, and while
// the database cannot be read the queue's gauges are left out instead of
// reading -1.
func TestQueueFiguresAreTrue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.New(t)
	if err := jobs.Migrate(ctx, d.Session); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(d.Pool, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if _, err := q.Insert(ctx, testArgs{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Of four jobs: one running on a process gone without a trace, one
	// on a process silent for two minutes (both stuck), one running for
	// two hours on a live process (an import's hours: not stuck), one
	// waiting.
	if _, err := d.Pool.Exec(ctx, `INSERT INTO platform.job_workers (id, seen_at) VALUES
		('host/2/silent', now() - interval '2 minutes'), ('host/3/live', now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `WITH j AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM platform.river_job)
		UPDATE platform.river_job r SET state = 'running', attempt = 1, attempted_at = now() - interval '2 hours',
			attempted_by = ARRAY[(ARRAY['gone/1/x', 'host/2/silent', 'host/3/live'])[j.n]]
		FROM j WHERE r.id = j.id AND j.n <= 3`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `INSERT INTO platform.mail_outbox (to_addr, subject, text_body, kind, last_error)
		VALUES ('pam@example.com', 's', 't', 'test', NULL), ('bob@example.com', 's', 't', 'test', 'connection refused')`); err != nil {
		t.Fatal(err)
	}
	m := metrics.New(d.Pool)
	m.RegisterQueue(d, time.Minute)
	m.ObserveJob("test_kind", "completed", 1500e6)
	got := gather(t, m)
	for name, want := range map[string]float64{
		"patternvault_jobs{kind=test_kind,state=stuck}":                 2,
		"patternvault_jobs{kind=test_kind,state=running}":               1,
		"patternvault_jobs{kind=test_kind,state=available}":             1,
		"patternvault_jobs_waiting":                                     3,
		"patternvault_mail_outbox{state=waiting}":                       2,
		"patternvault_mail_outbox{state=failing}":                       1,
		"patternvault_job_runs_total{kind=test_kind,outcome=completed}": 1,
		"patternvault_database_up":                                      1,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", name, v, ok, want)
		}
	}
	if got["patternvault_mail_outbox_oldest_seconds"] < 0 {
		t.Errorf("oldest outbox message: %v", got["patternvault_mail_outbox_oldest_seconds"])
	}

	d.Close()
	got = gather(t, m)
	if v, ok := got["patternvault_jobs_waiting"]; ok {
		t.Errorf("with the database closed, jobs_waiting = %v; want no sample", v)
	}
	if got["patternvault_database_up"] != 0 {
		t.Errorf("database_up = %v with the database closed", got["patternvault_database_up"])
	}
}
