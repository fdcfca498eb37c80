package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/mail"
)

func TestDirTransportWritesParseableMessage(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "outbox")
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	tr, err := mail.NewTransport("", "", filepath.Dir(dir), log) // no SMTP URL: the outbox directory
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.Compose(mail.VerifyData{Name: "Pam", Link: link})
	if err != nil {
		t.Fatal(err)
	}
	msg.To = "Pam Smith <pam@example.com>"
	if err := tr.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}

	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("outbox directory: %v, %v; want mode 0700", fi.Mode(), err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 || !strings.HasSuffix(files[0], ".eml") {
		t.Fatalf("outbox holds %v; want one .eml", files)
	}
	if fi, _ := os.Stat(files[0]); fi.Mode().Perm() != 0o600 {
		t.Errorf("message file mode %v; want 0600", fi.Mode().Perm())
	}

	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parsed, err := netmail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	h := parsed.Header
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "pam@example.com" {
		t.Errorf("To = %v, %v", to, err)
	}
	if from, err := h.AddressList("From"); err != nil || from[0].Address != "no-reply@localhost" {
		t.Errorf("From = %v, %v; want the default sender", from, err)
	}
	if subj, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject")); subj != msg.Subject {
		t.Errorf("Subject = %q; want %q", subj, msg.Subject)
	}
	if _, err := h.Date(); err != nil || h.Get("Message-Id") == "" {
		t.Errorf("Date or Message-ID missing: %v", err)
	}
	text, htmlPart := alternatives(t, h.Get("Content-Type"), parsed.Body)
	if !strings.Contains(text, link) || !strings.Contains(htmlPart, "Confirm my email") {
		t.Errorf("parts:\n%s\n---\n%s", text, htmlPart)
	}

	var entry struct{ Msg, Path, Link string }
	if err := json.Unmarshal(logs.Bytes(), &entry); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	if entry.Msg != "mail written" || entry.Path != files[0] || entry.Link != link {
		t.Errorf("log line %+v; want the path and the link %s", entry, link)
	}
}

// alternatives returns the decoded text/plain and text/html parts of a
// multipart/alternative body.
func alternatives(t *testing.T, contentType string, body io.Reader) (text, html string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v); want multipart/alternative", contentType, err)
	}
	r := multipart.NewReader(body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			return text, html
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		}
	}
}

func TestSMTPURL(t *testing.T) {
	t.Parallel()
	good := []string{
		"smtp://localhost:1025",
		"smtp://user:p%40ss@mail.example.com",
		"smtps://user:secret@mail.example.com:465",
	}
	for _, u := range good {
		if _, err := mail.NewSMTPTransport(u, mail.DefaultFrom); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	bad := []string{"http://mail.example.com", "smtp://", "smtp://user:hunter2@host:99999", "mail.example.com:25"}
	for _, u := range bad {
		_, err := mail.NewSMTPTransport(u, mail.DefaultFrom)
		if err == nil {
			t.Errorf("%s: accepted", u)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error shows the password: %v", u, err)
		}
	}
	if _, err := mail.NewSMTPTransport("smtp://localhost", "not an address"); err == nil {
		t.Error("bad sender accepted")
	}
}
