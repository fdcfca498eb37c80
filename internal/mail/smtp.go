package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// smtpTimeout bounds connecting and each SMTP command.
const smtpTimeout = 30 * time.Second

// SMTPTransport sends mail through an SMTP server.
type SMTPTransport struct {
	from string
	host string
	port int
	safe string // the URL without its password, for errors
	opts []gomail.Option
	tls  *tls.Config // nil: the system's roots
}

// NewSMTPTransport returns a transport for the server at rawURL:
//
//	smtp://user:pass@host:port   STARTTLS when the server offers it (port 587 by default)
//	smtps://user:pass@host:port  TLS from the first byte (port 465 by default)
//
// User and password are optional and URL-encoded; with them the strongest
// mechanism the server offers is used. from is the sender, such as
// "PatternVault <no-reply@example.com>".
func NewSMTPTransport(rawURL, from string) (*SMTPTransport, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP URL: %w", err) // url.Error hides the password
	}
	safe := u.Redacted()
	if u.Hostname() == "" {
		return nil, fmt.Errorf("mail: SMTP URL %s: no host", safe)
	}
	if err := checkAddress("from", from); err != nil {
		return nil, err
	}
	opts := []gomail.Option{gomail.WithTimeout(smtpTimeout)}
	port := 587
	switch u.Scheme {
	case "smtp":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("mail: SMTP URL %s: scheme must be smtp or smtps", safe)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("mail: SMTP URL %s: bad port %q", safe, p)
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()),
			gomail.WithPassword(pass))
	}
	return &SMTPTransport{from: from, host: u.Hostname(), port: port, safe: safe, opts: opts}, nil
}

// TrustRoots makes the transport accept a server certificate only if it
// chains to roots, instead of the system's roots: for a server with a
// private certificate authority (and tests).
func (s *SMTPTransport) TrustRoots(roots *x509.CertPool) {
	s.tls = &tls.Config{ServerName: s.host, RootCAs: roots, MinVersion: tls.VersionTLS12}
}

// Send delivers msg over one new connection. A client per message keeps
// concurrent workers apart; mail volume is small.
func (s *SMTPTransport) Send(ctx context.Context, msg Message) error {
	m, err := build(s.from, msg)
	if err != nil {
		return err
	}
	opts := s.opts
	if s.tls != nil {
		opts = append(opts[:len(opts):len(opts)], gomail.WithTLSConfig(s.tls))
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("mail: SMTP client for %s: %w", s.safe, err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("mail: send %q to %s via %s: %w", msg.Kind, msg.To, s.safe, err)
	}
	return nil
}
