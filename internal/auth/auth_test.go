package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Errorf("hash %q is not a PHC argon2id string", h)
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Error("right password refused")
	}
	if CheckPassword(h, "correct horse batterY") {
		t.Error("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$x$y$z$w", strings.Replace(h, "m=19456", "m=99999999", 1)} {
		if CheckPassword(bad, "correct horse battery") {
			t.Errorf("malformed hash %q matched", bad)
		}
	}
	if CheckPasswordOrDummy(nil, "x") {
		t.Error("nil hash matched")
	}
}

func TestPasswordRules(t *testing.T) {
	if err := CheckPasswordRules("short", ""); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("short password: %v", err)
	}
	if err := CheckPasswordRules("pam@example.com", "PAM@example.com"); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("email as password: %v", err)
	}
	if err := CheckPasswordRules("a good long passphrase", "pam@example.com"); err != nil {
		t.Errorf("good password: %v", err)
	}
}

func TestTokens(t *testing.T) {
	a, b := NewToken(APITokenPrefix), NewToken(APITokenPrefix)
	if a == b || !LooksLikeAPIToken(a) {
		t.Errorf("tokens %q %q", a, b)
	}
	if string(HashToken(a)) == string(HashToken(b)) || len(HashToken(a)) != 32 {
		t.Error("token hashes collide or have the wrong size")
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := NewLimiter(3, time.Minute)
	l.now = func() time.Time { return now }
	for i := range 3 {
		if ok, _ := l.Allow("ip"); !ok {
			t.Fatalf("event %d refused", i)
		}
	}
	ok, wait := l.Allow("ip")
	if ok || wait <= 0 || wait > time.Minute {
		t.Fatalf("4th event: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow("other"); !ok {
		t.Error("another key was limited")
	}
	now = now.Add(61 * time.Second)
	if ok, _ := l.Allow("ip"); !ok {
		t.Error("still limited after the window")
	}
	l.Reset("ip")
	if blocked, _ := l.Blocked("ip"); blocked {
		t.Error("blocked after reset")
	}
}

func TestBackoffSlowsDownWithoutLocking(t *testing.T) {
	now := time.Unix(1e9, 0)
	b := NewBackoff(3, time.Second, 30*time.Second, 15*time.Minute)
	b.Now = func() time.Time { return now }
	for range 3 {
		if w := b.Wait("k"); w != 0 {
			t.Fatalf("free failure had to wait %s", w)
		}
		b.Fail("k")
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
	for i, w := range want {
		if got := b.Wait("k"); got != w {
			t.Fatalf("after %d failures: wait %s, want %s", 3+i, got, w)
		}
		now = now.Add(w) // the person waits, and fails again
		if got := b.Wait("k"); got != 0 {
			t.Fatalf("after waiting %s: still %s to wait", w, got)
		}
		b.Fail("k")
	}
	if b.Wait("other") != 0 {
		t.Error("another key is slowed down")
	}
	now = now.Add(15 * time.Minute)
	if b.Wait("k") != 0 || b.Failures("k") != 0 {
		t.Error("failures outlive the window")
	}
	b.Fail("k")
	b.Reset("k")
	if b.Failures("k") != 0 {
		t.Error("Reset kept failures")
	}
}

func TestBackoffMemoryBounded(t *testing.T) {
	now := time.Unix(1e9, 0)
	b := NewBackoff(3, time.Second, time.Minute, time.Hour)
	b.Now = func() time.Time { return now }
	for i := range maxBackoffKeys + 5000 {
		now = now.Add(time.Microsecond)
		b.Fail(string(rune(i)) + "x")
	}
	if n := len(b.fails); n > maxBackoffKeys {
		t.Errorf("%d keys kept, want at most %d", n, maxBackoffKeys)
	}
}
