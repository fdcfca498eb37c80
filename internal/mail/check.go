package mail

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"
)

// Check reports whether the SMTP server accepts connections (a TCP
// connection, closed at once: cheap enough for a readiness probe every
// half minute).
func (s *SMTPTransport) Check(ctx context.Context) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(s.host, strconv.Itoa(s.port)))
	if err != nil {
		return fmt.Errorf("mail: SMTP server %s: %w", s.safe, err)
	}
	return c.Close()
}

// Check reports whether the outbox directory is there and writable.
func (d *DirTransport) Check(ctx context.Context) error {
	fi, err := os.Stat(d.dir)
	if err == nil && !fi.IsDir() {
		err = fmt.Errorf("%s is not a directory", d.dir)
	}
	if err == nil {
		err = syscall.Access(d.dir, 2 /* W_OK */)
	}
	if err != nil {
		return fmt.Errorf("mail: outbox directory: %w", err)
	}
	return nil
}
