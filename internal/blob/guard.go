package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrUnavailable is returned, wrapped, when the storage cannot be reached
// now: a connection refused or cut, a timeout, an S3 server error, a disk
// that fails, or the circuit breaker open after such failures. Unlike
// ErrNotFound it says nothing about the file: the same call may work once
// the storage is back. Test for it with errors.Is (see Unavailable).
var ErrUnavailable = errors.New("storage unavailable")

// Unavailable reports whether err (from any Store) means the storage
// could not be reached, rather than a missing file or a bad key.
func Unavailable(err error) bool { return errors.Is(err, ErrUnavailable) }

// Checker is a Store that can say whether it is reachable and usable
// right now, cheaply (readiness probes call it every few seconds).
type Checker interface {
	Check(ctx context.Context) error
}

// GuardOptions tune a Guard; the zero value is the default.
type GuardOptions struct {
	// OpTimeout bounds Stat, Delete, and Get until the file starts to
	// arrive (default 3 s): a person waits for those.
	OpTimeout time.Duration
	// FailAfter is how many failures in a row open the circuit (default
	// 3).
	FailAfter int
	// OpenFor is how long an open circuit refuses calls before it lets
	// one through to try again (default 5 s).
	OpenFor time.Duration
	// Observe, when set, is told of every call: the operation ("get",
	// "put", ...), how long it took and its outcome ("ok", "not_found",
	// "error", "unavailable", "refused" when the circuit answered).
	Observe func(op string, took time.Duration, outcome string)
	// Log receives one line when the storage becomes unreachable and one
	// when it is back.
	Log *slog.Logger
}

// Guard is a Store in front of another that fails fast while that store
// is down, so that an outage answers "try again soon" in milliseconds
// instead of holding every request for the client's retries and timeouts:
//
//   - the calls a person waits for (Stat, Delete, and Get until the file
//     starts to arrive) have a short timeout (OpTimeout);
//   - every failure that means the storage is unreachable is returned as
//     ErrUnavailable (wrapped with its cause), never as "not found";
//   - after FailAfter such failures in a row the circuit opens: calls are
//     refused at once with ErrUnavailable for OpenFor, then one call (or
//     a Check) is let through to try, and the first success closes it.
//
// A Put whose reader fails (an upload cut off by the client) is the
// caller's failure: it is returned as it is and does not count.
type Guard struct {
	inner Store
	opt   GuardOptions

	mu       sync.Mutex
	fails    int       // failures in a row
	openTill time.Time // zero when closed
	trying   bool      // a half-open trial is in flight
	lastErr  error
	down     bool // logged as down
}

var _ Store = (*Guard)(nil)

// NewGuard returns a Guard in front of s.
func NewGuard(s Store, opt GuardOptions) *Guard {
	if opt.OpTimeout <= 0 {
		opt.OpTimeout = 3 * time.Second
	}
	if opt.FailAfter <= 0 {
		opt.FailAfter = 3
	}
	if opt.OpenFor <= 0 {
		opt.OpenFor = 5 * time.Second
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	return &Guard{inner: s, opt: opt}
}

// Inner returns the store the Guard is in front of.
func (g *Guard) Inner() Store { return g.inner }

// Open reports whether the circuit is open (calls are being refused).
func (g *Guard) Open() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.openTill.IsZero()
}

type patienceKey struct{}

// WithPatience returns a context in which a Guard does not fail fast:
// while the storage is unreachable, a call waits and tries again (every
// second at first, then up to every 15 s) until it works, ctx ends or
// window has passed since it first failed; a Put tries again only if its
// reader can be rewound (an io.Seeker) or had not been read yet. And
// right after such a wait, a Get or Stat that finds nothing tries again
// for up to a minute, since another app server may still be moving the
// file there from its spool. Background jobs (an import) run in such a
// context, so that an outage makes them wait instead of fail; a request
// a person waits for does not.
func WithPatience(ctx context.Context, window time.Duration) context.Context {
	return context.WithValue(ctx, patienceKey{}, window)
}

func patience(ctx context.Context) time.Duration {
	w, _ := ctx.Value(patienceKey{}).(time.Duration)
	return w
}

// notYetGrace is how long a patient Get or Stat keeps looking for a file
// that was not there right after an outage.
const notYetGrace = time.Minute

// patiently runs try until it does not fail with ErrUnavailable, or
// ctx's patience runs out (then it returns the last error). canRetry says
// whether a failed try may be repeated (a consumed reader cannot).
func (g *Guard) patiently(ctx context.Context, try func() error, canRetry func() bool, lookup bool) error {
	window := patience(ctx)
	err := try()
	if window <= 0 || (!Unavailable(err) && !(lookup && errors.Is(err, ErrNotFound))) {
		return err
	}
	t0 := time.Now()
	waited := false
	pause := time.Second
	for {
		switch {
		case Unavailable(err):
			if time.Since(t0) > window || (canRetry != nil && !canRetry()) {
				return err
			}
			waited = true
		case lookup && waited && errors.Is(err, ErrNotFound):
			// Storage is back: the file may still be on its way from
			// another server's spool.
			if time.Since(t0) > window+notYetGrace {
				return err
			}
		default:
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
		pause = min(2*pause, 15*time.Second)
		err = try()
	}
}

// errCircuitOpen is the cause of a call refused by the open circuit.
var errCircuitOpen = errors.New("circuit open after repeated failures")

// unavailableError is ErrUnavailable with what failed and why.
type unavailableError struct {
	op, key string
	err     error
}

func (e *unavailableError) Error() string {
	if msg := e.err.Error(); strings.HasPrefix(msg, "blob: ") {
		return msg + " (" + ErrUnavailable.Error() + ")"
	}
	return fmt.Sprintf("blob: %s %q: %v (%v)", e.op, e.key, e.err, ErrUnavailable)
}

func (e *unavailableError) Unwrap() []error { return []error{ErrUnavailable, e.err} }

// admit decides whether a call may go to the store: always while the
// circuit is closed; while it is open, only one trial once OpenFor has
// passed. trial reports that this call is that one.
func (g *Guard) admit() (trial bool, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.openTill.IsZero() {
		return false, nil
	}
	if time.Now().Before(g.openTill) || g.trying {
		return false, fmt.Errorf("%w (last: %v)", errCircuitOpen, g.lastErr)
	}
	g.trying = true
	return true, nil
}

// done records the outcome of a call that reached the store: failed says
// the storage was unreachable.
func (g *Guard) done(trial, failed bool, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if trial {
		g.trying = false
	}
	if !failed {
		if g.down {
			g.opt.Log.Warn("blob: storage reachable again; circuit closed")
		}
		g.fails, g.openTill, g.down, g.lastErr = 0, time.Time{}, false, nil
		return
	}
	g.fails++
	g.lastErr = err
	if g.fails >= g.opt.FailAfter || trial {
		g.openTill = time.Now().Add(g.opt.OpenFor)
		if !g.down {
			g.down = true
			g.opt.Log.Error("blob: storage unreachable; refusing calls at once for a while, then trying again",
				"failures", g.fails, "open_for", g.opt.OpenFor, "err", err)
		}
	}
}

// call runs one operation through the breaker and classifies its error.
func (g *Guard) call(ctx context.Context, op, key string, fn func() error, callerFault func() bool) error {
	t0 := time.Now()
	trial, err := g.admit()
	if err != nil {
		g.observe(op, t0, "refused")
		return &unavailableError{op, key, err}
	}
	err = fn()
	switch {
	case err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrBadKey):
		g.done(trial, false, nil)
		if err != nil {
			g.observe(op, t0, "not_found")
			return err
		}
		g.observe(op, t0, "ok")
		return nil
	case callerFault != nil && callerFault(), ctx.Err() != nil:
		// The caller's reader failed, or the caller gave up: says
		// nothing about the storage.
		if trial {
			g.mu.Lock()
			g.trying = false
			g.mu.Unlock()
		}
		g.observe(op, t0, "error")
		return err
	case transient(err):
		g.done(trial, true, err)
		g.observe(op, t0, "unavailable")
		return &unavailableError{op, key, err}
	default:
		// Refused for a reason of its own (access denied, a bad
		// request): the storage answered.
		g.done(trial, false, nil)
		g.observe(op, t0, "error")
		return err
	}
}

func (g *Guard) observe(op string, t0 time.Time, outcome string) {
	if g.opt.Observe != nil {
		g.opt.Observe(op, time.Since(t0), outcome)
	}
}

// transient reports whether err means the storage could not be reached or
// failed on its side (so that trying later may work).
func transient(err error) bool {
	if errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	for _, errno := range []syscall.Errno{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EPIPE, syscall.EHOSTUNREACH,
		syscall.ENETUNREACH, syscall.EIO, syscall.ENOSPC, syscall.EROFS, syscall.EDQUOT, syscall.ESTALE, syscall.ENOTCONN} {
		if errors.Is(err, errno) {
			return true
		}
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var r *s3Reply
	if !errors.As(err, &r) {
		return false
	}
	if r.Status >= 500 {
		return true
	}
	switch r.Code {
	case "SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "XMinioServerNotInitialized", "503 Service Unavailable":
		return true
	}
	return false
}

// withTimeout returns a context that ends after the Guard's OpTimeout.
func (g *Guard) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, g.opt.OpTimeout)
}

// Put implements Store.
func (g *Guard) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	return g.put(ctx, key, r, func(src io.Reader) error { return g.inner.Put(ctx, key, src, size, contentType) })
}

// put runs one Put (or a batch's Put) of r under key through the breaker,
// patiently when ctx says so.
func (g *Guard) put(ctx context.Context, key string, r io.Reader, put func(src io.Reader) error) error {
	src := &trackedReader{r: r}
	start := int64(-1)
	if sk, ok := r.(io.Seeker); ok {
		if pos, err := sk.Seek(0, io.SeekCurrent); err == nil {
			start = pos
		}
	}
	return g.patiently(ctx, func() error {
		return g.call(ctx, "put", key, func() error { return put(src) }, func() bool { return src.err != nil })
	}, func() bool {
		if !src.read {
			return true
		}
		if start < 0 {
			return false
		}
		_, err := r.(io.Seeker).Seek(start, io.SeekStart)
		return err == nil
	}, false)
}

// trackedReader remembers whether it was read and its reader's own
// failure (not EOF).
type trackedReader struct {
	r    io.Reader
	err  error
	read bool
}

func (t *trackedReader) Read(p []byte) (int, error) {
	t.read = true
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}

// Get implements Store: OpTimeout bounds the wait for the file to start
// arriving; reading it is then bounded by ctx alone.
func (g *Guard) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	var rc io.ReadCloser
	var info Info
	err := g.patiently(ctx, func() error {
		var err error
		rc, info, err = g.get(ctx, key)
		return err
	}, nil, true)
	return rc, info, err
}

func (g *Guard) get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	var body io.ReadCloser
	var info Info
	gctx, cancel := context.WithCancel(ctx)
	err := g.call(ctx, "get", key, func() error {
		timer := time.AfterFunc(g.opt.OpTimeout, cancel)
		var err error
		body, info, err = g.inner.Get(gctx, key)
		if !timer.Stop() && err == nil {
			// The timeout fired just as the file arrived.
			body.Close()
			body, err = nil, context.DeadlineExceeded
		}
		if err != nil && gctx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("%w (after %s)", context.DeadlineExceeded, g.opt.OpTimeout)
		}
		return err
	}, nil)
	if err != nil {
		cancel()
		return nil, Info{}, err
	}
	if f, ok := body.(*os.File); ok {
		// A local file does not use the context once open; callers may
		// read it at offsets.
		cancel()
		return f, info, nil
	}
	return &guardedBody{ReadCloser: body, key: key, cancel: cancel}, info, nil
}

// guardedBody reports a read that fails mid-file as ErrUnavailable, and
// releases the Get's context when closed.
type guardedBody struct {
	io.ReadCloser
	key    string
	cancel context.CancelFunc
}

func (b *guardedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && transient(err) {
		return n, &unavailableError{"read", b.key, err}
	}
	return n, err
}

func (b *guardedBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// Stat implements Store.
func (g *Guard) Stat(ctx context.Context, key string) (Info, error) {
	var info Info
	err := g.patiently(ctx, func() error {
		return g.call(ctx, "stat", key, func() error {
			ctx, cancel := g.withTimeout(ctx)
			defer cancel()
			var err error
			info, err = g.inner.Stat(ctx, key)
			return err
		}, nil)
	}, nil, true)
	return info, err
}

// Delete implements Store.
func (g *Guard) Delete(ctx context.Context, key string) error {
	return g.patiently(ctx, func() error {
		return g.call(ctx, "delete", key, func() error {
			ctx, cancel := g.withTimeout(ctx)
			defer cancel()
			return g.inner.Delete(ctx, key)
		}, nil)
	}, nil, false)
}

// DeletePrefix implements Store.
func (g *Guard) DeletePrefix(ctx context.Context, prefix string) error {
	return g.patiently(ctx, func() error {
		return g.call(ctx, "delete_prefix", prefix, func() error { return g.inner.DeletePrefix(ctx, prefix) }, nil)
	}, nil, false)
}

// List implements Store. An error returned by fn is the caller's and is
// returned as it is.
func (g *Guard) List(ctx context.Context, prefix string, fn func(Info) error) error {
	var fnErr error
	return g.call(ctx, "list", prefix, func() error {
		return g.inner.List(ctx, prefix, func(i Info) error {
			if err := fn(i); err != nil {
				fnErr = err
				return err
			}
			return nil
		})
	}, func() bool { return fnErr != nil })
}

// Check asks the store whether it is reachable (see Checker), through the
// breaker's accounting but never refused by it: readiness probes are how
// an open circuit learns that the storage is back.
func (g *Guard) Check(ctx context.Context) error {
	c, ok := g.inner.(Checker)
	if !ok {
		return nil
	}
	t0 := time.Now()
	ctx, cancel := g.withTimeout(ctx)
	defer cancel()
	err := c.Check(ctx)
	failed := err != nil
	g.done(false, failed, err)
	if failed {
		g.observe("check", t0, "unavailable")
		return &unavailableError{"check", "", err}
	}
	g.observe("check", t0, "ok")
	return nil
}
