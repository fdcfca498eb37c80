package blob

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"
)

// Check implements Checker: the directory is there and writable.
func (l *Local) Check(ctx context.Context) error {
	fi, err := os.Stat(l.dir)
	if err != nil {
		return fmt.Errorf("blob: local store: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("blob: local store: %s is not a directory", l.dir)
	}
	if err := syscall.Access(l.dir, 2 /* W_OK */); err != nil {
		return fmt.Errorf("blob: local store: %s is not writable: %w", l.dir, err)
	}
	return nil
}

// Check implements Checker: the bucket answers (one HEAD request), and is
// created if it is missing and the URL says create=true.
func (s *S3) Check(ctx context.Context) error { return s.ensureBucket(ctx) }

// s3Transport is Go's default transport with timeouts that fail fast when
// the server does not answer: connecting (2 s) and the response headers
// of a request whose body has been sent (30 s). Requests are not retried
// (an outage is the Guard's to report and an import's to wait out); Go's
// transport already resends an idempotent request whose kept-alive
// connection had closed.
func s3Transport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 5 * time.Second
	tr.ResponseHeaderTimeout = 30 * time.Second
	tr.MaxIdleConnsPerHost = 16
	return tr
}
