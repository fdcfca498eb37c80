package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"go/build"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/mail"
)

const mailpitInstall = "./scripts/tools (or: go install github.com/axllent/mailpit@v1.33.1)"

// findMailpit looks on PATH, then in the first GOPATH's bin.
func findMailpit() string {
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	if gopath := filepath.SplitList(build.Default.GOPATH); len(gopath) > 0 {
		p := filepath.Join(gopath[0], "bin", "mailpit")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// selfSigned writes a certificate for 127.0.0.1 and its key into dir and
// returns a pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mailpit test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	return certFile, keyFile, roots
}

// startMailpit runs a private mailpit for the test, requiring STARTTLS
// with a certificate that roots trust, and returns its SMTP address and
// HTTP API base URL.
func startMailpit(t *testing.T) (smtpAddr, api string, roots *x509.CertPool) {
	t.Helper()
	bin := findMailpit()
	if bin == "" {
		t.Skipf("mailpit not found on PATH or in GOPATH/bin; install it with %s", mailpitInstall)
	}
	smtpAddr, httpAddr := freePort(t), freePort(t)
	dir := t.TempDir()
	certFile, keyFile, roots := selfSigned(t, dir)
	cmd := exec.Command(bin,
		"--smtp", smtpAddr, "--listen", httpAddr,
		"--database", filepath.Join(dir, "mailpit.db"),
		"--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-require-starttls",
		"--smtp-auth-accept-any",
		"--smtp-disable-rdns", "--disable-version-check", "--quiet")
	out, err := os.Create(filepath.Join(dir, "mailpit.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		out.Close()
	})
	api = "http://" + httpAddr + "/api/v1"
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(api + "/info")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return smtpAddr, api, roots
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(out.Name())
			t.Fatalf("mailpit did not answer on %s: %v\n%s", api, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

type mailpitAddress struct{ Name, Address string }

type mailpitList struct {
	Total    int
	Messages []struct {
		ID      string
		To      []mailpitAddress
		Subject string
	}
}

type mailpitMessage struct {
	From    mailpitAddress
	To      []mailpitAddress
	Subject string
	Text    string
	HTML    string
}

// waitMessages polls mailpit until it holds n messages.
func waitMessages(t *testing.T, api string, n int) mailpitList {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var list mailpitList
		getJSON(t, api+"/messages", &list)
		if list.Total >= n {
			return list
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit holds %d messages; want %d", list.Total, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A message queued in a transaction goes through the worker and a real
// SMTP server (STARTTLS, with and without a login) and arrives whole.
func TestSendThroughMailpit(t *testing.T) {
	t.Parallel()
	smtpAddr, api, roots := startMailpit(t)
	cases := []struct{ name, url string }{
		{"no login", "smtp://" + smtpAddr},
		{"login", "smtp://pv%40example.com:s3cret@" + smtpAddr},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, err := mail.NewSMTPTransport(c.url, "PatternVault <no-reply@patterns.example.com>")
			if err != nil {
				t.Fatal(err)
			}
			tr.TrustRoots(roots)
			r := newRig(t, tr)
			to := fmt.Sprintf("veronica%d@example.com", i)
			ctx := context.Background()
			tx, err := r.pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			data := mail.InviteData{Inviter: "Pam Smith", Workspace: "Pam's Quilting", Role: "viewer", Link: link}
			id, err := r.mailer.Send(ctx, tx, "Veronica <"+to+">", data)
			if err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			r.start(t)

			defer func() {
				if t.Failed() {
					if o := r.row(t, id); o.lastError != nil {
						t.Logf("last error: %s", *o.lastError)
					}
				}
			}()
			list := waitMessages(t, api, i+1)
			want, _ := mail.Compose(data)
			var got mailpitMessage
			for _, m := range list.Messages {
				if len(m.To) == 1 && m.To[0].Address == to {
					getJSON(t, api+"/message/"+m.ID, &got)
				}
			}
			if len(got.To) != 1 || got.To[0].Name != "Veronica" || got.From.Address != "no-reply@patterns.example.com" {
				t.Fatalf("message to %s: %+v", to, got)
			}
			if got.Subject != want.Subject {
				t.Errorf("subject %q; want %q", got.Subject, want.Subject)
			}
			if !strings.Contains(got.Text, link) || !strings.Contains(got.HTML, strings.ReplaceAll(link, "&", "&amp;")) {
				t.Errorf("link %s missing from text or html:\n%s\n---\n%s", link, got.Text, got.HTML)
			}
			r.waitJob(t) // the worker marks the row sent after the server took it
			if o := r.row(t, id); !o.sent || o.attempts != 1 {
				t.Errorf("outbox row %+v; want sent after 1 attempt", o)
			}
		})
	}
}
