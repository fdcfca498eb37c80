// Package mail sends PatternVault's email: account verification, password
// reset, sign-in links, invitations, welcome, share links and vote notices.
//
// Sending is a background job. Mailer.Enqueue writes the message to the
// outbox table platform.mail_outbox and inserts a River job in the caller's
// transaction, so a rolled back sign-up sends nothing. The Worker sends the
// message through a Transport and records attempts, the last error and
// sent_at; a failure is retried by River with backoff, at most MaxAttempts
// times. Delivery is at least once: a crash between the SMTP server's
// acceptance and the outbox update sends the message again.
//
// Two transports exist: SMTPTransport (PV_SMTP_URL) and, when no SMTP server
// is configured, DirTransport, which writes each message as an .eml file to
// $PV_DATA_DIR/outbox and logs its first link, so that someone running
// PatternVault on their own computer can still click it.
//
// Wiring, in a process that works jobs:
//
//	transport, err := mail.NewTransport(cfg.SMTPURL, cfg.MailFrom, cfg.DataDir, log)
//	workers := river.NewWorkers()
//	river.AddWorker(workers, mail.NewWorker(pool, transport, log))
//	queue, err := jobs.New(pool, jobs.Config{Workers: workers, Logger: log})
//	mailer := mail.NewMailer(queue)
//	...
//	msg, err := mail.Compose(mail.KindVerify, mail.VerifyData{Name: name, Link: link})
//	msg.To = email
//	_, err = mailer.Enqueue(ctx, tx, msg)
package mail

import (
	"bytes"
	"context"
	"fmt"
	"github.com/patternvault/patternvault/internal/lazy"
	"log/slog"
	netmail "net/mail"
	"path/filepath"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// Message is one outgoing email.
type Message struct {
	To      string // one address, optionally with a name: "Pam <pam@example.com>"
	Subject string
	Text    string // the plain text part; required
	HTML    string // the HTML alternative; may be empty
	Kind    string // what the mail is for (a Kind* constant); stored in the outbox
	// Attachments are files sent with the mail (an invoice's PDF).
	Attachments []Attachment
	// ReplyTo, when set, is where answers go (the quilter who sent a share
	// link), instead of the From address.
	ReplyTo string
}

// Attachment is a file sent with a mail.
type Attachment struct {
	Name        string // the file name the reader sees: "INV-0001.pdf"
	ContentType string // "application/pdf"
	Data        []byte
}

// MaxAttachmentBytes bounds all of one mail's attachments together.
const MaxAttachmentBytes = 10 << 20

// Transport delivers a message now. It is what the Worker calls; tests
// supply their own.
type Transport interface {
	Send(ctx context.Context, msg Message) error
}

// DefaultFrom is the sender when PV_MAIL_FROM is not set.
const DefaultFrom = "PatternVault <no-reply@localhost>"

// NewTransport returns the transport the configuration asks for: SMTP when
// smtpURL is set, otherwise a DirTransport writing to dataDir/outbox.
func NewTransport(smtpURL, from, dataDir string, log *slog.Logger) (Transport, error) {
	if from == "" {
		from = DefaultFrom
	}
	if smtpURL != "" {
		return NewSMTPTransport(smtpURL, from)
	}
	return NewDirTransport(filepath.Join(dataDir, "outbox"), from, log)
}

// checkAddress accepts exactly one address, as To and From must be.
func checkAddress(field, addr string) error {
	if _, err := netmail.ParseAddress(addr); err != nil {
		return fmt.Errorf("mail: %s address %q: %w", field, addr, err)
	}
	return nil
}

// build turns msg into a go-mail message: RFC 5322 headers, and
// multipart/alternative when there is an HTML part.
func build(from string, msg Message) (*gomail.Msg, error) {
	m := gomail.NewMsg()
	if err := m.From(from); err != nil {
		return nil, fmt.Errorf("mail: from %q: %w", from, err)
	}
	if err := m.To(msg.To); err != nil {
		return nil, fmt.Errorf("mail: to %q: %w", msg.To, err)
	}
	if msg.ReplyTo != "" {
		if err := m.ReplyTo(msg.ReplyTo); err != nil {
			return nil, fmt.Errorf("mail: reply-to %q: %w", msg.ReplyTo, err)
		}
	}
	m.Subject(msg.Subject)
	m.SetDate()
	m.SetMessageID()
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	for _, a := range msg.Attachments {
		if err := m.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return nil, fmt.Errorf("mail: attach %q: %w", a.Name, err)
		}
	}
	return m, nil
}

var linkPattern = lazy.Regexp(`https?://[^\s<>"]+`)

// firstLink returns the first http(s) URL in text, or "".
func firstLink(text string) string {
	return strings.TrimRight(linkPattern().FindString(text), ".,;:!?)")
}
