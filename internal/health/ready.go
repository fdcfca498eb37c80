package health

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Check is one dependency that readiness (/readyz) looks at: the
// database, file storage, mail.
type Check struct {
	// Name names the dependency in /readyz's answer ("database").
	Name string
	// Degraded marks a dependency the server can serve without (mail:
	// messages wait in the outbox): when it fails, /readyz still answers
	// 200, with status "degraded".
	Degraded bool
	// Every, when set, reuses the last answer for this long, for a probe
	// too costly to run on every /readyz (a load balancer asks every
	// second or two).
	Every time.Duration
	// Probe returns nil when the dependency answers. Its error is logged;
	// /readyz shows only its Reason (see Reason), or "unreachable".
	Probe func(ctx context.Context) error

	mu      sync.Mutex
	at      time.Time
	lastErr error
}

// Reason is a probe's error that is safe to show on /readyz as it is
// ("restarting after a crash"), rather than "unreachable".
type Reason string

func (r Reason) Error() string { return string(r) }

// Result is one check's answer.
type Result struct {
	Name     string
	Degraded bool
	// Err is nil when the dependency answered.
	Err error
}

// Public is what /readyz says of the result: "ok", the probe's Reason,
// "timed out" or "unreachable" (the details are in the log).
func (r Result) Public() string {
	var reason Reason
	switch {
	case r.Err == nil:
		return "ok"
	case errors.As(r.Err, &reason):
		return string(reason)
	case errors.Is(r.Err, context.DeadlineExceeded):
		return "timed out"
	}
	return "unreachable"
}

// Run probes every check at once, each within timeout, and returns the
// results in the checks' order.
func Run(ctx context.Context, checks []*Check, timeout time.Duration) []Result {
	out := make([]Result, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() { out[i] = Result{Name: c.Name, Degraded: c.Degraded, Err: c.probe(ctx, timeout)} })
	}
	wg.Wait()
	return out
}

func (c *Check) probe(ctx context.Context, timeout time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Every > 0 && !c.at.IsZero() && time.Since(c.at) < c.Every {
		return c.lastErr
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := c.Probe(ctx)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	c.at, c.lastErr = time.Now(), err
	return err
}
