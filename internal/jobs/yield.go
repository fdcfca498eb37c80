package jobs

import (
	"context"
	"sync/atomic"
	"time"
)

// Interactive first. Go cannot run one goroutine at a lower priority than
// another, so background work (duplicate scans, and any loop over many
// designs nobody is waiting for) calls Yield between items: while
// requests are being answered in this process, it waits a moment, so
// those requests find the cores free. A request marks itself with
// Request (the web server does it for every request).

// inFlight counts requests being answered in this process.
var inFlight atomic.Int64

// Request marks a request in flight until the returned func is called.
func Request() (done func()) {
	inFlight.Add(1)
	return func() { inFlight.Add(-1) }
}

// Busy reports whether requests are being answered.
func Busy() bool { return inFlight.Load() > 0 }

// yieldStep and yieldMax: Yield looks again every yieldStep while requests
// are in flight, and goes on after yieldMax whatever happens, so that a
// steady stream of requests slows background work without stopping it.
const (
	yieldStep = 2 * time.Millisecond
	yieldMax  = 100 * time.Millisecond
)

// Yield waits while requests are in flight (at most yieldMax), or until
// ctx ends (its error).
func Yield(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !Busy() {
		return nil
	}
	deadline := time.Now().Add(yieldMax)
	t := time.NewTimer(yieldStep)
	defer t.Stop()
	for Busy() && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			t.Reset(yieldStep)
		}
	}
	return nil
}
