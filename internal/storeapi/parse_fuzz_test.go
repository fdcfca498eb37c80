package storeapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// FuzzImportRequest: whatever JSON a store sends, reading and checking it
// never panics; a request that passes names only URLs that pass CheckURL
// for the store's hosts, and a refusal is a problem with a code.
func FuzzImportRequest(f *testing.F) {
	for _, s := range []string{
		`{"user_email":"pam@example.com","pattern_name":"Feather","file_url":"https://cdn.example.com/f.zip","order_id":"1","sku":"F-1"}`,
		`{"pattern_name":"X","files":["https://cdn.example.com/a.qli","https://cdn.example.com/a.bqm"],"thumbnail_url":"https://cdn.example.com/a.png"}`,
		`{"pattern_name":"X","file_url":"http://169.254.169.254/latest/meta-data/"}`,
		`{"pattern_name":"X","file_url":"https://2130706433/","purchase_date":"2026-13-40"}`,
		`{"pattern_name":"","keywords":["a","b"],"licence_text":"\u0000"}`,
		`{"pattern_name":"X","file_url":"https://cdn.example.com/a","callback_url":"gopher://x"}`,
	} {
		f.Add([]byte(s))
	}
	ps := &store.PatternStore{AllowedHosts: []string{"cdn.example.com", "*.example.com"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		var req ImportRequest
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if dec.Decode(&req) != nil {
			return
		}
		err := req.check(ps, Allowlist{})
		if err != nil {
			if p, ok := problem.As(err); !ok || p.Code == "" || p.Status < 400 {
				t.Fatalf("check(%s) = %v, want a problem", data, err)
			}
			return
		}
		for _, u := range append(req.urls(), req.ThumbnailURL, req.CallbackURL) {
			if u == "" {
				continue
			}
			if _, err := CheckURL(u, ps.AllowedHosts, Allowlist{}); err != nil {
				t.Fatalf("check passed %q, which CheckURL refuses: %v", u, err)
			}
		}
		if strings.TrimSpace(req.PatternName) == "" {
			t.Fatalf("check passed an empty pattern_name")
		}
	})
}

// FuzzVerify: a callback's signature header is outside data for the
// store; Verify never panics, accepts what Sign made and refuses any
// change of the body.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1767225600, 0)
	f.Add("secret", "t=1767225600,v1=00", []byte(`{"delivery_id":1}`))
	f.Add("pvsig_x", Sign("pvsig_x", now, []byte("{}")), []byte("{}"))
	f.Add("s", "t=,v1=,t=9999999999999999999", []byte(""))
	f.Fuzz(func(t *testing.T, secret, header string, body []byte) {
		Verify(secret, header, body, now, 5*time.Minute)
		sig := Sign(secret, now, body)
		if err := Verify(secret, sig, body, now, 5*time.Minute); err != nil {
			t.Fatalf("Verify(Sign) = %v", err)
		}
		if err := Verify(secret, sig, append(append([]byte{}, body...), 'x'), now, 5*time.Minute); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("a changed body verified: %v", err)
		}
		if err := Verify(secret, sig, body, now.Add(time.Hour), 5*time.Minute); !errors.Is(err, ErrStaleSignature) {
			t.Fatalf("an hour-old signature verified: %v", err)
		}
	})
}
