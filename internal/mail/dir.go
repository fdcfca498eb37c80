package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// DirTransport writes each message as an RFC 5322 .eml file into a
// directory instead of sending it. It is the embedded default's transport:
// with no SMTP server configured, a person running PatternVault on their
// own computer finds the mail there, and the log line "mail written" shows
// the message's first link so they can click it.
type DirTransport struct {
	dir  string
	from string
	log  *slog.Logger
}

// NewDirTransport returns a transport writing into dir, which it creates
// (mode 0700: mail holds one-time links).
func NewDirTransport(dir, from string, log *slog.Logger) (*DirTransport, error) {
	if err := checkAddress("from", from); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mail: create outbox directory: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &DirTransport{dir: dir, from: from, log: log}, nil
}

// Dir returns the directory the transport writes to.
func (d *DirTransport) Dir() string { return d.dir }

// Send writes msg to a new file named after the time and a random suffix,
// atomically (a temporary file renamed into place), and logs its path and
// first link.
func (d *DirTransport) Send(ctx context.Context, msg Message) error {
	m, err := build(d.from, msg)
	if err != nil {
		return err
	}
	name, err := fileName(msg.Kind)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(d.dir, ".writing-*")
	if err != nil {
		return fmt.Errorf("mail: write %q to %s: %w", msg.Kind, d.dir, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := m.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("mail: write %q to %s: %w", msg.Kind, tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("mail: write %q to %s: %w", msg.Kind, tmp.Name(), err)
	}
	path := filepath.Join(d.dir, name)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("mail: write %q: %w", msg.Kind, err)
	}
	d.log.InfoContext(ctx, "mail written", "path", path, "to", msg.To, "subject", msg.Subject, "link", firstLink(msg.Text))
	return nil
}

// fileName is 20060102T150405.000Z-kind-xxxxxxxx.eml: sorted by time,
// unique across processes.
func fileName(kind string) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("mail: file name: %w", err)
	}
	if kind == "" || !safeKind(kind) {
		kind = "mail"
	}
	return time.Now().UTC().Format("20060102T150405.000Z") + "-" + kind + "-" + hex.EncodeToString(b[:]) + ".eml", nil
}

// safeKind reports whether kind can be part of a file name.
func safeKind(kind string) bool {
	for _, r := range kind {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return len(kind) <= 40
}
