package auth

import (
	"sync"
	"time"
)

// Backoff slows down repeated failures of one key (an address, an account)
// instead of locking it: the first Free failures within Window cost
// nothing, and each one after that makes the next try wait twice as long
// as the last, from Base up to Max, counted from the latest failure. A
// person who mistypes is never locked out for long, while guessing gets
// exponentially slower. Failures are kept in memory (each app server
// slows down on its own), at most maxBackoffKeys keys.
type Backoff struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Window time.Duration
	// Now is the clock; tests set it.
	Now func() time.Time

	mu    sync.Mutex
	fails map[string]*failures
	swept time.Time
}

type failures struct {
	n    int
	last time.Time
}

// maxBackoffKeys bounds a Backoff's memory: past it, the keys whose last
// failure is oldest go first.
const maxBackoffKeys = 100_000

// NewBackoff returns a Backoff: free failures within window, then waits
// from base doubling up to max.
func NewBackoff(free int, base, max, window time.Duration) *Backoff {
	return &Backoff{Free: free, Base: base, Max: max, Window: window, Now: time.Now, fails: map[string]*failures{}}
}

// Wait says how long key must wait before its next try (0: it may try now).
func (b *Backoff) Wait(key string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.Now()
	f := b.current(key, now)
	if f == nil || f.n < b.Free {
		return 0
	}
	d := b.Base << min(f.n-b.Free, 30)
	if d > b.Max || d <= 0 {
		d = b.Max
	}
	if w := f.last.Add(d).Sub(now); w > 0 {
		return w
	}
	return 0
}

// Fail records a failure of key.
func (b *Backoff) Fail(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.Now()
	b.sweep(now)
	f := b.current(key, now)
	if f == nil {
		f = &failures{}
		b.fails[key] = f
	}
	f.n++
	f.last = now
}

// Failures returns how many failures of key count now.
func (b *Backoff) Failures(key string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if f := b.current(key, b.Now()); f != nil {
		return f.n
	}
	return 0
}

// Reset forgets key's failures (after a success).
func (b *Backoff) Reset(key string) {
	b.mu.Lock()
	delete(b.fails, key)
	b.mu.Unlock()
}

// current returns key's failures, forgetting them once the window has
// passed since the last one.
func (b *Backoff) current(key string, now time.Time) *failures {
	f := b.fails[key]
	if f != nil && now.Sub(f.last) >= b.Window {
		delete(b.fails, key)
		return nil
	}
	return f
}

// sweep drops quiet keys now and then, and the oldest ones when there are
// too many, so memory stays bounded whatever a crowd of addresses does.
func (b *Backoff) sweep(now time.Time) {
	if len(b.fails) < maxBackoffKeys && now.Sub(b.swept) < b.Window {
		return
	}
	b.swept = now
	var oldest time.Time
	for k, f := range b.fails {
		if now.Sub(f.last) >= b.Window {
			delete(b.fails, k)
		} else if oldest.IsZero() || f.last.Before(oldest) {
			oldest = f.last
		}
	}
	// Still full: forget the older half of the window.
	for cut := oldest.Add(now.Sub(oldest) / 2); len(b.fails) >= maxBackoffKeys; cut = cut.Add(now.Sub(cut) / 2) {
		for k, f := range b.fails {
			if !f.last.After(cut) {
				delete(b.fails, k)
			}
		}
		if now.Sub(cut) < time.Millisecond {
			clear(b.fails)
		}
	}
}
