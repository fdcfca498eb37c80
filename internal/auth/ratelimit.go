package auth

import (
	"sync"
	"time"
)

// Limiter allows at most Max events per key within Window (a sliding log,
// kept in memory: each app server limits on its own).
type Limiter struct {
	Max    int
	Window time.Duration
	now    func() time.Time

	mu     sync.Mutex
	events map[string][]time.Time
	swept  time.Time
}

// NewLimiter returns a limiter of max events per window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, now: time.Now, events: map[string][]time.Time{}}
}

// Allow records an event for key and reports whether it is within the
// limit; when not, it also says how long until the next one is allowed.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	ev := l.recent(key, now)
	if len(ev) >= l.Max {
		return false, ev[0].Add(l.Window).Sub(now)
	}
	l.events[key] = append(ev, now)
	return true, 0
}

// Blocked reports whether key is over the limit, without recording an event.
func (l *Limiter) Blocked(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	ev := l.recent(key, now)
	if len(ev) >= l.Max {
		return true, ev[0].Add(l.Window).Sub(now)
	}
	return false, 0
}

// Reset forgets key (for example after a successful sign-in).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	delete(l.events, key)
	l.mu.Unlock()
}

func (l *Limiter) recent(key string, now time.Time) []time.Time {
	ev := l.events[key]
	i := 0
	for i < len(ev) && now.Sub(ev[i]) >= l.Window {
		i++
	}
	ev = ev[i:]
	if len(ev) == 0 {
		delete(l.events, key)
	}
	return ev
}

// sweep drops idle keys now and then so memory stays bounded.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < l.Window {
		return
	}
	l.swept = now
	for k := range l.events {
		l.recent(k, now)
	}
}
