package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/db"
)

// TestReadYourWritesCookie: a request that may change something leaves the
// short-lived "wrote" cookie; a lag-tolerant page lets its reads use the
// replica only without that cookie.
func TestReadYourWritesCookie(t *testing.T) {
	s := &Server{cfg: &config.Config{BaseURL: "http://pv.test"}}
	var allowed bool
	page := s.markWrites(lagTolerant(func(w http.ResponseWriter, r *http.Request) { allowed = db.ReplicaAllowed(r.Context()) }))
	for _, tc := range []struct {
		method     string
		cookie     bool
		setsCookie bool
		replica    bool
	}{
		{"GET", false, false, true},
		{"GET", true, false, false},
		{"HEAD", false, false, true},
		{"POST", false, true, true},
		{"DELETE", true, true, false},
	} {
		req := httptest.NewRequest(tc.method, "/t/acme/", nil)
		if tc.cookie {
			req.AddCookie(&http.Cookie{Name: wroteCookie, Value: "1"})
		}
		rec := httptest.NewRecorder()
		page.ServeHTTP(rec, req)
		var set *http.Cookie
		for _, c := range rec.Result().Cookies() {
			if c.Name == wroteCookie {
				set = c
			}
		}
		if (set != nil) != tc.setsCookie {
			t.Errorf("%s (cookie %v): sets the wrote cookie = %v, want %v", tc.method, tc.cookie, set != nil, tc.setsCookie)
		}
		if set != nil && (set.MaxAge != int(ReadYourWritesWindow.Seconds()) || !set.HttpOnly || set.Path != "/") {
			t.Errorf("wrote cookie = %+v", set)
		}
		if allowed != tc.replica {
			t.Errorf("%s (cookie %v): replica allowed = %v, want %v", tc.method, tc.cookie, allowed, tc.replica)
		}
	}
}
