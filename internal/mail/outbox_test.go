package mail_test

import (
	"bytes"
	"context"
	"errors"
	netmail "net/mail"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/testdb"
)

// flaky fails its first failures sends, then records what it is given.
type flaky struct {
	mu       sync.Mutex
	failures int
	calls    int
	sent     []mail.Message
}

func (f *flaky) Send(ctx context.Context, msg mail.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls <= f.failures {
		return errors.New("451 try again later")
	}
	f.sent = append(f.sent, msg)
	return nil
}

func (f *flaky) counts() (calls, sent int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, len(f.sent)
}

// soon retries a failed job after 10 ms instead of River's backoff.
type soon struct{}

func (soon) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(10 * time.Millisecond) }

// rig is a migrated database with a mail worker sending through t.
type rig struct {
	pool   *pgxpool.Pool
	queue  *jobs.Queue
	mailer *mail.Mailer
}

func newRig(t *testing.T, tr mail.Transport) *rig {
	t.Helper()
	pool := testdb.New(t).Pool
	if err := jobs.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, mail.NewWorker(pool, tr, nil))
	q, err := jobs.New(pool, jobs.Config{
		Workers: workers, TestOnly: true, RetryPolicy: soon{}, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{pool: pool, queue: q, mailer: mail.NewMailer(q)}
}

func (r *rig) start(t *testing.T) {
	t.Helper()
	if err := r.queue.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.queue.Stop(context.Background()) })
}

// enqueue queues a verify mail to to in its own committed transaction.
func (r *rig) enqueue(t *testing.T, to string) int64 {
	t.Helper()
	var id int64
	err := pgx.BeginFunc(context.Background(), r.pool, func(tx pgx.Tx) error {
		var err error
		id, err = r.mailer.Send(context.Background(), tx, to, mail.VerifyData{Name: "Pam", Link: link})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

type outboxRow struct {
	attempts  int
	sent      bool
	lastError *string
	textBody  string
}

func (r *rig) row(t *testing.T, id int64) outboxRow {
	t.Helper()
	var o outboxRow
	err := r.pool.QueryRow(context.Background(), `
		SELECT attempts, sent_at IS NOT NULL, last_error, text_body FROM platform.mail_outbox WHERE id = $1`, id).
		Scan(&o.attempts, &o.sent, &o.lastError, &o.textBody)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// waitJob waits until the only mail job is in a final state and returns it.
func (r *rig) waitJob(t *testing.T) *rivertype.JobRow {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := r.queue.Client.JobList(context.Background(), river.NewJobListParams().Kinds("mail_send"))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Jobs) == 1 && res.Jobs[0].FinalizedAt != nil {
			return res.Jobs[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("mail job not finished: %+v", res.Jobs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestEnqueueInRolledBackTransactionSendsNothing(t *testing.T) {
	t.Parallel()
	tr := &flaky{}
	r := newRig(t, tr)
	ctx := context.Background()
	tx, err := r.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.mailer.Send(ctx, tx, "pam@example.com", mail.VerifyData{Link: link}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	r.start(t)
	// A mail queued after it is the signal that the worker has had its
	// chance: once that one is sent, the rolled back one never will be.
	r.enqueue(t, "after@example.com")
	r.waitJob(t)
	var rows, jobRows int
	if err := r.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM platform.mail_outbox), (SELECT count(*) FROM platform.river_job)`).Scan(&rows, &jobRows); err != nil {
		t.Fatal(err)
	}
	if calls, _ := tr.counts(); calls != 1 || rows != 1 || jobRows != 1 || tr.sent[0].To != "after@example.com" {
		t.Errorf("after rollback: %d sends, %d outbox rows, %d jobs; want only the mail queued after it", calls, rows, jobRows)
	}
}

func TestFailedSendIsRetried(t *testing.T) {
	t.Parallel()
	tr := &flaky{failures: 2}
	r := newRig(t, tr)
	id := r.enqueue(t, "pam@example.com")
	r.start(t)

	job := r.waitJob(t)
	if job.State != rivertype.JobStateCompleted || job.Attempt != 3 || job.Queue != jobs.QueueMail {
		t.Errorf("job %s after attempt %d in queue %q; want completed after 3 in %q", job.State, job.Attempt, job.Queue, jobs.QueueMail)
	}
	if calls, sent := tr.counts(); calls != 3 || sent != 1 {
		t.Errorf("transport called %d times, sent %d; want 3 and 1", calls, sent)
	}
	o := r.row(t, id)
	if o.attempts != 3 || !o.sent || o.lastError != nil {
		t.Errorf("outbox row %+v; want 3 attempts, sent, no last error", o)
	}
	if o.textBody != "" {
		t.Error("the sent message's body (with its one-time link) stays in the outbox")
	}
	if tr.sent[0].To != "pam@example.com" || tr.sent[0].Kind != mail.KindVerify {
		t.Errorf("sent %+v", tr.sent[0])
	}
}

func TestSendGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	tr := &flaky{failures: 1000}
	r := newRig(t, tr)
	id := r.enqueue(t, "pam@example.com")
	r.start(t)

	job := r.waitJob(t)
	if job.State != rivertype.JobStateDiscarded || job.Attempt != mail.MaxAttempts {
		t.Errorf("job %s after attempt %d; want discarded after %d", job.State, job.Attempt, mail.MaxAttempts)
	}
	o := r.row(t, id)
	if o.attempts != mail.MaxAttempts || o.sent || o.lastError == nil || *o.lastError != "451 try again later" {
		t.Errorf("outbox row %+v; want %d attempts, unsent, the server's error", o, mail.MaxAttempts)
	}
}

func TestEnqueueRefusesBadMessages(t *testing.T) {
	t.Parallel()
	r := newRig(t, &flaky{})
	ctx := context.Background()
	ok := mail.Message{To: "pam@example.com", Subject: "Hi", Text: "Hello", Kind: "test"}
	bad := map[string]mail.Message{
		"two recipients": {To: "a@example.com, b@example.com", Subject: "Hi", Text: "x"},
		"header in to":   {To: "a@example.com\r\nBcc: b@example.com", Subject: "Hi", Text: "x"},
		"subject lines":  {To: "a@example.com", Subject: "Hi\r\nBcc: b@example.com", Text: "x"},
		"no text":        {To: "a@example.com", Subject: "Hi"},
	}
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		for name, msg := range bad {
			if _, err := r.mailer.Enqueue(ctx, tx, msg); err == nil {
				t.Errorf("%s: queued", name)
			}
		}
		_, err := r.mailer.Enqueue(ctx, tx, ok)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestShareMailRepliesToTheQuilter: a share link's email keeps the
// quilter's address as Reply-To through the outbox, and the message
// written carries the header.
func TestShareMailRepliesToTheQuilter(t *testing.T) {
	f := &flaky{}
	r := newRig(t, f)
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		_, err := r.mailer.Send(ctx, tx, "jane@example.com", mail.ShareData{Quilter: "Pam's Quilting", Title: "Jane's quilt",
			Designs: 3, Link: link, ReplyTo: `"Pam Smith" <pam@example.com>`})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r.start(t)
	r.waitJob(t)
	if _, sent := f.counts(); sent != 1 || f.sent[0].ReplyTo != `"Pam Smith" <pam@example.com>` {
		t.Fatalf("sent %+v; want one share mail replying to Pam", f.sent)
	}
	dir := t.TempDir()
	tr, err := mail.NewDirTransport(dir, mail.DefaultFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Send(ctx, f.sent[0]); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("written %v", files)
	}
	b, _ := os.ReadFile(files[0])
	parsed, err := netmail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if rt, err := parsed.Header.AddressList("Reply-To"); err != nil || len(rt) != 1 || rt[0].Address != "pam@example.com" {
		t.Errorf("Reply-To header %v, %v", rt, err)
	}
	// Other mail answers to From as before.
	if msg, _ := mail.Compose(mail.VerifyData{Link: link}); msg.ReplyTo != "" {
		t.Errorf("verify mail has Reply-To %q", msg.ReplyTo)
	}
}
