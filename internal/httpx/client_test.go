package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/patternvault/patternvault/internal/httpx"
)

// TestClientIP: a forwarded header is believed only from a trusted proxy,
// and then only as far as the first hop that is not one of ours.
func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")}
	cases := []struct {
		name    string
		trusted []netip.Prefix
		peer    string
		xff     []string
		want    string
	}{
		{"no proxies trusted: the header is ignored", nil, "203.0.113.9:4000", []string{"1.2.3.4"}, "203.0.113.9"},
		{"peer not a proxy: the header is ignored", proxies, "203.0.113.9:4000", []string{"1.2.3.4"}, "203.0.113.9"},
		{"one trusted proxy", proxies, "10.1.2.3:4000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"a client's forged first hop is skipped", proxies, "10.1.2.3:4000", []string{"1.2.3.4, 198.51.100.7"}, "198.51.100.7"},
		{"two proxies of ours", proxies, "10.1.2.3:4000", []string{"198.51.100.7, 192.0.2.1"}, "198.51.100.7"},
		{"headers repeated", proxies, "10.1.2.3:4000", []string{"1.2.3.4", "198.51.100.7"}, "198.51.100.7"},
		{"garbage hop: the proxy's own address", proxies, "10.1.2.3:4000", []string{"nonsense"}, "10.1.2.3"},
		{"no header from a proxy", proxies, "10.1.2.3:4000", nil, "10.1.2.3"},
		{"IPv6 client", proxies, "10.1.2.3:4000", []string{"2001:db8::1"}, "2001:db8::1"},
	}
	for _, c := range cases {
		var got string
		h := httpx.ClientIPs(c.trusted, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = httpx.ClientIP(r) }))
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = c.peer
		for _, v := range c.xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
		if got != c.want {
			t.Errorf("%s: client %q, want %q", c.name, got, c.want)
		}
	}
}

func TestLogPathHidesShareTokens(t *testing.T) {
	for path, want := range map[string]string{
		"/s/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG":         "/s/…",
		"/s/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG/votes":   "/s/…/votes",
		"/s/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG/thumb/4": "/s/…/thumb/4",
		"/t/acme/shares/4": "/t/acme/shares/4",
	} {
		if got := httpx.LogPath(httptest.NewRequest("GET", path, nil)); got != want {
			t.Errorf("LogPath(%s) = %s, want %s", path, got, want)
		}
	}
}
