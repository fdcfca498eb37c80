package metrics

import (
	"context"
	"time"

	"github.com/patternvault/patternvault/internal/db"
)

// jobRuns holds the collectors of the jobs this process ran.
type jobRuns struct {
	finished *CounterVec
	seconds  *HistogramVec
}

// RegisterQueue adds the job queue's figures: jobs by kind and state
// (read from the database at scrape time, "stuck" included: running on a
// process silent for silentFor, see db.JobCounts), how many wait to run, the mail outbox, and
// the runs of this process (ObserveJob). When the database cannot be read
// the queue's gauges are left out of the scrape (patternvault_database_up
// says why): no figure is made up.
func (m *Metrics) RegisterQueue(d *db.DB, silentFor time.Duration) {
	m.jobs = &jobRuns{
		finished: NewCounterVec("patternvault_job_runs_total",
			"Job runs this process finished, by kind and outcome (completed, failed: will retry, discarded: gave up, snoozed: waiting, e.g. for storage, cancelled).",
			"kind", "outcome"),
		seconds: NewHistogramVec("patternvault_job_duration_seconds", "How long job runs took, by kind.",
			[]float64{.01, .05, .1, .5, 1, 5, 15, 60, 300, 900, 3600}, "kind"),
	}
	q := &queueCollector{db: d, silentFor: silentFor}
	m.Registry.add(m.jobs.finished, m.jobs.seconds, collector(q.collect))
}

// ObserveJob records one finished job run; a nil Metrics, or one without
// RegisterQueue, records nothing.
func (m *Metrics) ObserveJob(kind, outcome string, took time.Duration) {
	if m == nil || m.jobs == nil {
		return
	}
	m.jobs.finished.WithLabelValues(kind, outcome).Inc()
	m.jobs.seconds.WithLabelValues(kind).Observe(took.Seconds())
}

var (
	jobsDesc      = gaugeDesc("patternvault_jobs", "Jobs in the queue by kind and state (completed ones excluded); stuck: running on a process that stopped.", "kind", "state")
	waitingDesc   = gaugeDesc("patternvault_jobs_waiting", "Jobs that should run and are not running: available, pending, scheduled, retryable and stuck.")
	failedDesc    = gaugeDesc("patternvault_jobs_failed", "Jobs that gave up (discarded) and are still kept.")
	outboxDesc    = gaugeDesc("patternvault_mail_outbox", "Messages not sent yet: waiting, and failing (their last attempt failed).", "state")
	outboxAgeDesc = gaugeDesc("patternvault_mail_outbox_oldest_seconds", "Age of the oldest message not sent yet (0 when none).")
)

type queueCollector struct {
	db        *db.DB
	silentFor time.Duration
}

func (c *queueCollector) collect(emit emitFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if counts, err := c.db.JobCounts(ctx, c.silentFor); err == nil {
		var waiting, failed float64
		for _, jc := range counts {
			emit(jobsDesc, float64(jc.Count), jc.Kind, jc.State)
			switch jc.State {
			case "available", "pending", "scheduled", "retryable", "stuck":
				waiting += float64(jc.Count)
			case "discarded":
				failed += float64(jc.Count)
			}
		}
		emit(waitingDesc, waiting)
		emit(failedDesc, failed)
	}
	if o, err := c.db.MailOutbox(ctx); err == nil {
		emit(outboxDesc, float64(o.Waiting), "waiting")
		emit(outboxDesc, float64(o.Failing), "failing")
		emit(outboxAgeDesc, o.Oldest.Seconds())
	}
}
