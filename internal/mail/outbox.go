package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/jobs"
)

// MaxAttempts caps how often one message is tried. With River's default
// backoff (attempt⁴ seconds) the last try comes about three hours after
// the first; then the job is discarded and the outbox row keeps last_error.
const MaxAttempts = 10

// SendArgs is the River job that sends one outbox row.
type SendArgs struct {
	OutboxID int64 `json:"outbox_id"`
}

// Kind names the job for River.
func (SendArgs) Kind() string { return "mail_send" }

// InsertOpts puts mail jobs on their own queue with their own cap.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMail, MaxAttempts: MaxAttempts}
}

// Inserter adds a job inside a transaction; *jobs.Queue is one.
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Mailer queues outgoing mail.
type Mailer struct {
	jobs Inserter
}

// NewMailer returns a Mailer that queues through q.
func NewMailer(q Inserter) *Mailer { return &Mailer{jobs: q} }

// Enqueue writes msg to the outbox and queues the job that sends it, both
// in tx: nothing is sent unless tx commits. It returns the outbox row's id.
func (m *Mailer) Enqueue(ctx context.Context, tx pgx.Tx, msg Message) (int64, error) {
	if err := check(msg); err != nil {
		return 0, err
	}
	row := db.OutboxMail{To: msg.To, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML, Kind: msg.Kind, ReplyTo: msg.ReplyTo}
	for _, a := range msg.Attachments {
		row.Attachments = append(row.Attachments, db.OutboxAttachment(a))
	}
	id, err := db.AddToOutbox(ctx, tx, row)
	if err != nil {
		return 0, fmt.Errorf("mail: queue %q to %s: %w", msg.Kind, msg.To, err)
	}
	if _, err := m.jobs.InsertTx(ctx, tx, SendArgs{OutboxID: id}, nil); err != nil {
		return 0, fmt.Errorf("mail: queue %q to %s: %w", msg.Kind, msg.To, err)
	}
	return id, nil
}

// Send composes the mail that data fills (see Compose) and enqueues it to
// the address to, in tx.
func (m *Mailer) Send(ctx context.Context, tx pgx.Tx, to string, data Data) (int64, error) {
	msg, err := Compose(data)
	if err != nil {
		return 0, err
	}
	msg.To = to
	return m.Enqueue(ctx, tx, msg)
}

// Sender sends one mail to an address. The services (accounts, share)
// send through it; Queue is the one a running PatternVault uses, and tests
// give their own to read the links a person would get.
type Sender interface {
	Send(ctx context.Context, to string, data Data) error
}

// Queue is the Sender of a running PatternVault: each mail is written to
// the outbox with its sending job, in a transaction of its own.
type Queue struct {
	pool   *pgxpool.Pool
	mailer *Mailer
}

// NewQueue returns a Queue writing to the outbox in pool and queueing the
// sending jobs through jobs.
func NewQueue(pool *pgxpool.Pool, jobs Inserter) *Queue {
	return &Queue{pool: pool, mailer: NewMailer(jobs)}
}

// Send queues the mail that data fills to the address to.
func (q *Queue) Send(ctx context.Context, to string, data Data) error {
	return pgx.BeginFunc(ctx, q.pool, func(tx pgx.Tx) error {
		_, err := q.mailer.Send(ctx, tx, to, data)
		return err
	})
}

// check refuses a message no transport could send.
func check(msg Message) error {
	if err := checkAddress("to", msg.To); err != nil {
		return err
	}
	if msg.ReplyTo != "" {
		if err := checkAddress("reply-to", msg.ReplyTo); err != nil {
			return err
		}
	}
	switch {
	case strings.ContainsAny(msg.Subject, "\r\n"):
		return fmt.Errorf("mail: subject %q has a line break", msg.Subject)
	case strings.TrimSpace(msg.Subject) == "":
		return errors.New("mail: empty subject")
	case strings.TrimSpace(msg.Text) == "":
		return fmt.Errorf("mail: %q to %s has no text part", msg.Kind, msg.To)
	}
	n := 0
	for _, a := range msg.Attachments {
		n += len(a.Data)
		if a.Name == "" || strings.ContainsAny(a.Name, "/\\\r\n") {
			return fmt.Errorf("mail: %q to %s: attachment name %q", msg.Kind, msg.To, a.Name)
		}
	}
	if n > MaxAttachmentBytes {
		return fmt.Errorf("mail: %q to %s: attachments of %d bytes (at most %d)", msg.Kind, msg.To, n, MaxAttachmentBytes)
	}
	return nil
}

// Worker is the River worker that sends outbox rows. Register it with
// river.AddWorker(workers, mail.NewWorker(...)).
type Worker struct {
	river.WorkerDefaults[SendArgs]
	pool      *pgxpool.Pool
	transport Transport
	log       *slog.Logger
}

// NewWorker returns a Worker that reads the outbox from pool and sends
// through t.
func NewWorker(pool *pgxpool.Pool, t Transport, log *slog.Logger) *Worker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{pool: pool, transport: t, log: log}
}

// Timeout bounds one attempt; SMTP has its own, shorter timeouts.
func (w *Worker) Timeout(*river.Job[SendArgs]) time.Duration { return 2 * time.Minute }

// Work sends one outbox row unless it was sent already, and records the
// outcome. A returned error makes River retry later.
func (w *Worker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	id := job.Args.OutboxID
	msg, sent, err := w.load(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return river.JobCancel(fmt.Errorf("mail: outbox row %d is gone", id))
	}
	if err != nil {
		return err
	}
	if sent {
		return nil // an earlier attempt sent it and then lost its job update
	}
	if sendErr := w.transport.Send(ctx, msg); sendErr != nil {
		w.failed(ctx, job, msg, sendErr)
		return fmt.Errorf("mail: send %q to %s: %w", msg.Kind, msg.To, sendErr)
	}
	return w.sent(ctx, id, msg)
}

func (w *Worker) load(ctx context.Context, id int64) (Message, bool, error) {
	row, sent, err := db.MailOutbox{Pool: w.pool}.Load(ctx, id)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		err = fmt.Errorf("mail: %w", err)
	}
	msg := Message{To: row.To, Subject: row.Subject, Text: row.Text, HTML: row.HTML, Kind: row.Kind, ReplyTo: row.ReplyTo}
	for _, a := range row.Attachments {
		msg.Attachments = append(msg.Attachments, Attachment(a))
	}
	return msg, sent, err
}

// sent marks the row sent and drops its bodies, which hold one-time links.
func (w *Worker) sent(ctx context.Context, id int64, msg Message) error {
	if err := (db.MailOutbox{Pool: w.pool}).MarkSent(ctx, id); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	w.log.InfoContext(ctx, "mail sent", "outbox_id", id, "kind", msg.Kind)
	return nil
}

// failed records the error on the row and logs it; the job's own error
// makes River retry.
func (w *Worker) failed(ctx context.Context, job *river.Job[SendArgs], msg Message, sendErr error) {
	id := job.Args.OutboxID
	if err := (db.MailOutbox{Pool: w.pool}).MarkFailed(ctx, id, sendErr.Error()); err != nil {
		w.log.ErrorContext(ctx, "mail: record failed attempt", "outbox_id", id, "error", err)
	}
	level := slog.LevelWarn
	if job.Attempt >= job.MaxAttempts {
		level = slog.LevelError // River gives up after this one
	}
	w.log.Log(ctx, level, "mail not sent", "outbox_id", id, "kind", msg.Kind,
		"attempt", job.Attempt, "max_attempts", job.MaxAttempts, "error", sendErr)
}
