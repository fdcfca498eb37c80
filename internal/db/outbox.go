package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// OutboxMail is a row of platform.mail_outbox: a mail to send, with its
// attachments (platform.mail_attachments).
type OutboxMail struct {
	To, Subject, Text, HTML, Kind, ReplyTo string
	Attachments                            []OutboxAttachment
}

// OutboxAttachment is a file sent with an outbox mail.
type OutboxAttachment struct {
	Name, ContentType string
	Data              []byte
}

// AddToOutbox writes m to the outbox in tx and returns its row's id.
func AddToOutbox(ctx context.Context, tx pgx.Tx, m OutboxMail) (int64, error) {
	var id int64
	if err := tx.QueryRow(ctx, `
		INSERT INTO platform.mail_outbox (to_addr, subject, text_body, html_body, kind, reply_to)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING id`,
		m.To, m.Subject, m.Text, m.HTML, m.Kind, m.ReplyTo).Scan(&id); err != nil {
		return 0, fmt.Errorf("db: outbox: %w", err)
	}
	for i, a := range m.Attachments {
		if _, err := tx.Exec(ctx, `INSERT INTO platform.mail_attachments (outbox_id, position, name, content_type, data)
			VALUES ($1, $2, $3, $4, $5)`, id, i+1, a.Name, a.ContentType, a.Data); err != nil {
			return 0, fmt.Errorf("db: outbox: attachment %q: %w", a.Name, err)
		}
	}
	return id, nil
}

// MailOutbox is the queries of the mail worker on the outbox.
type MailOutbox struct {
	Pool *pgxpool.Pool
}

// Load reads outbox row id and its attachments, unless it was sent
// already (sent is then true and the mail empty: its bodies are gone).
// A row that does not exist is pgx.ErrNoRows.
func (o MailOutbox) Load(ctx context.Context, id int64) (m OutboxMail, sent bool, err error) {
	var sentAt *time.Time
	err = o.Pool.QueryRow(ctx, `
		SELECT to_addr, subject, text_body, html_body, kind, reply_to, sent_at
		FROM platform.mail_outbox WHERE id = $1`, id).
		Scan(&m.To, &m.Subject, &m.Text, &m.HTML, &m.Kind, &m.ReplyTo, &sentAt)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		err = fmt.Errorf("db: read outbox row %d: %w", id, err)
	}
	if err != nil || sentAt != nil {
		return m, sentAt != nil, err
	}
	rows, err := o.Pool.Query(ctx, `SELECT name, content_type, data FROM platform.mail_attachments WHERE outbox_id = $1 ORDER BY position`, id)
	if err == nil {
		m.Attachments, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxAttachment, error) {
			var a OutboxAttachment
			err := r.Scan(&a.Name, &a.ContentType, &a.Data)
			return a, err
		})
	}
	if err != nil {
		return m, false, fmt.Errorf("db: read outbox row %d attachments: %w", id, err)
	}
	return m, false, nil
}

// MarkSent marks row id sent and drops its bodies and attachments, which
// hold one-time links and customers' invoices.
func (o MailOutbox) MarkSent(ctx context.Context, id int64) error {
	_, err := o.Pool.Exec(ctx, `
		UPDATE platform.mail_outbox
		SET sent_at = now(), attempts = attempts + 1, last_error = NULL, text_body = '', html_body = ''
		WHERE id = $1`, id)
	if err == nil {
		_, err = o.Pool.Exec(ctx, `DELETE FROM platform.mail_attachments WHERE outbox_id = $1`, id)
	}
	if err != nil {
		return fmt.Errorf("db: mark outbox row %d sent: %w", id, err)
	}
	return nil
}

// MarkFailed counts a failed attempt of row id and records its error.
func (o MailOutbox) MarkFailed(ctx context.Context, id int64, sendErr string) error {
	if _, err := o.Pool.Exec(ctx, `
		UPDATE platform.mail_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, id, sendErr); err != nil {
		return fmt.Errorf("db: record failed attempt of outbox row %d: %w", id, err)
	}
	return nil
}
