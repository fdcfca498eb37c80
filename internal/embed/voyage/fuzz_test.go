package voyage

import (
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// FuzzParseRetryAfter: any header value gives a wait between 0 and the
// cap, and whole seconds within the cap are taken as they are.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"7", "0", "", " 30 ", "-1", "1e3", "99999999999999999999", "Sat, 01 Mar 2025 12:00:30 GMT", "Saturday, 01-Mar-25 12:00:30 GMT", "Sat Mar  1 12:00:30 2025"} {
		f.Add(s)
	}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseRetryAfter(s, now)
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("parseRetryAfter(%q) = %v, outside [0, %v]", s, d, maxRetryAfter)
		}
		if !ok && d != 0 {
			t.Fatalf("parseRetryAfter(%q) = %v but not ok", s, d)
		}
		digits := strings.TrimSpace(s)
		if strings.Trim(digits, "0123456789") != "" {
			return // RFC 9110 delay-seconds is 1*DIGIT: no sign, no fraction
		}
		if n, err := strconv.Atoi(digits); err == nil && time.Duration(n) <= maxRetryAfter/time.Second {
			if !ok || d != time.Duration(n)*time.Second {
				t.Fatalf("parseRetryAfter(%q) = %v, %v; want %ds", s, d, ok, n)
			}
		}
	})
}

// FuzzAPIMessage: any error body gives one short printable line without
// the API key (keys are long runs of letters, digits, '-' and '_').
func FuzzAPIMessage(f *testing.F) {
	for _, s := range []string{
		`{"detail":"Provided API key is invalid."}`,
		`{"detail":[{"loc":["body",0],"msg":"field required","type":"x"}]}`,
		`{"detail":{"message":"x"}}`, `{"error":"x"}`, `{"detail":null}`, `[1,2]`, "\xff\xfe", "",
		`{"detail":"key pa-ABCDEFGHIJKLMNOP123 bad"}`,
	} {
		f.Add([]byte(s), "pa-ABCDEFGHIJKLMNOP123")
	}
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		if len(key) < 12 || strings.IndexFunc(key, func(r rune) bool {
			return !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_'))
		}) >= 0 {
			t.Skip()
		}
		got := apiMessage(body, key)
		if strings.Contains(got, key) {
			t.Fatalf("message %q contains the key %q", got, key)
		}
		if !utf8.ValidString(got) || len(got) > maxMessageLen+len("…") {
			t.Fatalf("message %q: invalid or too long (%d bytes)", got, len(got))
		}
		for _, r := range got {
			if !unicode.IsPrint(r) && r != ' ' {
				t.Fatalf("message %q has unprintable %U", got, r)
			}
		}
		if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Fatalf("message %q has stray spaces", got)
		}
	})
}
