package storeapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener is a TCP listener that counts the connections made to
// it, to prove that a refused URL was refused without one.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (c *countingListener) Accept() (net.Conn, error) {
	conn, err := c.Listener.Accept()
	if err == nil {
		c.accepted.Add(1)
	}
	return conn, err
}

// trap listens on addr ("127.0.0.1:0", "[::1]:0") and serves 200 "secret"
// to anyone who connects; the test fails if anyone does.
func trap(t *testing.T, addr string) (*countingListener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	cl := &countingListener{Listener: ln}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "secret") })}
	go srv.Serve(cl)
	t.Cleanup(func() {
		srv.Close()
		if n := cl.accepted.Load(); n != 0 {
			t.Errorf("%d connection(s) reached %s, want none", n, ln.Addr())
		}
	})
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return cl, port
}

func mustAllow(t testing.TB, s string) Allowlist {
	a, err := ParseAllowlist(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestCheckURLCatalogue is the SSRF catalogue at request time:
// each URL is refused with a specific code before anything is resolved
// or sent, with PV_FETCH_ALLOW empty.
func TestCheckURLCatalogue(t *testing.T) {
	none := Allowlist{}
	cases := []struct{ url, code string }{
		{"http://127.0.0.1/", "scheme_not_allowed"},
		{"https://127.0.0.1/", "private_address"},
		{"http://[::1]/", "scheme_not_allowed"},
		{"https://[::1]/", "private_address"},
		{"https://[::ffff:127.0.0.1]/", "private_address"},
		{"https://[::ffff:7f00:1]/", "private_address"},
		{"http://2130706433/", "scheme_not_allowed"},
		{"https://2130706433/", "ambiguous_host"},
		{"https://0x7f.1/", "ambiguous_host"},
		{"https://0177.0.0.1/", "ambiguous_host"},
		{"https://127.1/", "ambiguous_host"},
		{"https://10.0.0.1/", "private_address"},
		{"https://172.16.5.4/", "private_address"},
		{"https://192.168.1.1/", "private_address"},
		{"https://100.64.0.1/", "private_address"},
		{"https://169.254.169.254/latest/meta-data/", "private_address"},
		{"http://169.254.169.254/latest/meta-data/", "scheme_not_allowed"},
		{"https://[fd00:ec2::254]/", "private_address"},
		{"https://[fe80::1%25eth0]/", "private_address"},
		{"https://224.0.0.1/", "private_address"},
		{"https://0.0.0.0/", "private_address"},
		{"https://[::]/", "private_address"},
		{"file:///etc/passwd", "scheme_not_allowed"},
		{"gopher://example.com:70/_GET", "scheme_not_allowed"},
		{"ftp://example.com/a.qli", "scheme_not_allowed"},
		{"https://user:pw@example.com/a.qli", "bad_url"},
		{"https://example.com:8443/a.qli", "port_not_allowed"},
		{"/relative/a.qli", "bad_url"},
		{"https:///nohost", "bad_url"},
		{"https://exa mple.com/", "bad_url"},
	}
	for _, c := range cases {
		_, err := CheckURL(c.url, nil, none)
		var fe *FetchError
		if !errors.As(err, &fe) || fe.Code != c.code {
			t.Errorf("CheckURL(%q) = %v, want code %s", c.url, err, c.code)
		}
	}
	// A public host passes, on 443, and only if the store lists it.
	for _, ok := range []string{"https://cdn.example.com/a.qli", "https://cdn.example.com:443/a.qli", "https://93.184.215.14/a.qli"} {
		if _, err := CheckURL(ok, nil, none); err != nil {
			t.Errorf("CheckURL(%q) = %v, want nil", ok, err)
		}
	}
	if _, err := CheckURL("https://cdn.example.com/a.qli", []string{"*.example.com"}, none); err != nil {
		t.Errorf("wildcard host: %v", err)
	}
	var fe *FetchError
	if _, err := CheckURL("https://evil.test/a.qli", []string{"*.example.com", "example.com"}, none); !errors.As(err, &fe) || fe.Code != "host_not_allowed" {
		t.Errorf("a host the store does not list = %v, want host_not_allowed", err)
	}
	// PV_FETCH_ALLOW opens http and private addresses for its entries only.
	allow := mustAllow(t, "127.0.0.1, 10.20.0.0/16, devbox")
	for _, ok := range []string{"http://127.0.0.1:8080/a.qli", "http://10.20.3.4/a.qli", "http://devbox:9000/a.qli"} {
		if _, err := CheckURL(ok, nil, allow); err != nil {
			t.Errorf("allowed %q: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://127.0.0.2/", "https://10.21.0.1/", "http://[::1]/"} {
		if _, err := CheckURL(bad, nil, allow); err == nil {
			t.Errorf("%q passed with PV_FETCH_ALLOW=%s", bad, "127.0.0.1, 10.20.0.0/16, devbox")
		}
	}
	if _, err := ParseAllowlist("not a host!"); err == nil {
		t.Error("a bad PV_FETCH_ALLOW entry was accepted")
	}
}

// TestFetchRefusesWithoutConnecting fetches the catalogue's URLs against
// real listeners on loopback: none of them is connected to.
func TestFetchRefusesWithoutConnecting(t *testing.T) {
	_, port4 := trap(t, "127.0.0.1:0")
	_, port6 := trap(t, "[::1]:0")
	f := NewFetcher(Allowlist{}, FetchLimits{Timeout: 5 * time.Second})
	ctx := context.Background()
	for _, u := range []string{
		"http://127.0.0.1:" + port4 + "/",
		"https://127.0.0.1:" + port4 + "/",
		"https://[::1]:" + port6 + "/",
		"https://[::ffff:127.0.0.1]:" + port4 + "/",
		"http://2130706433:" + port4 + "/",
		"https://2130706433:" + port4 + "/",
		"https://0x7f.1:" + port4 + "/",
		// A name that resolves to loopback: refused at connect time, by
		// the dialer's Control, before the connection is made.
		"https://localhost:" + port4 + "/",
		"https://localhost:" + port6 + "/",
		"file:///etc/passwd",
		"gopher://127.0.0.1:" + port4 + "/_x",
	} {
		_, err := f.Fetch(ctx, u, nil)
		var fe *FetchError
		if !errors.As(err, &fe) {
			t.Errorf("Fetch(%q) = %v, want a refusal", u, err)
			continue
		}
		t.Logf("%s: %s", u, fe)
	}
	// The connect-time check alone: with the port rule lifted, a name
	// (localhost) passes the request-time check, resolves to 127.0.0.1
	// and ::1, and the dialer's Control refuses each address before
	// connecting to it.
	f.anyPort = true
	for _, port := range []string{port4, port6} {
		_, err := f.Fetch(ctx, "https://localhost:"+port+"/", nil)
		var fe *FetchError
		if !errors.As(err, &fe) || fe.Code != "private_address" || !strings.Contains(fe.Reason, "resolved to") {
			t.Errorf("https://localhost:%s/ = %v, want private_address from the dialer", port, err)
		}
	}
}

// TestFetchRedirects: a redirect is checked like the first URL, at most
// three are followed, and a redirect to a private address is refused
// without connecting to it.
func TestFetchRedirects(t *testing.T) {
	_, trapPort := trap(t, "127.0.0.2:0")
	var hops atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-private":
			http.Redirect(w, r, "http://127.0.0.2:"+trapPort+"/", http.StatusFound)
		case "/to-private-https":
			http.Redirect(w, r, "https://[::1]:"+trapPort+"/", http.StatusFound)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/loop":
			hops.Add(1)
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/three":
			http.Redirect(w, r, "/two", http.StatusFound)
		case "/two":
			http.Redirect(w, r, "/one", http.StatusFound)
		case "/one":
			http.Redirect(w, r, "/file.qli", http.StatusFound)
		case "/file.qli":
			fmt.Fprint(w, "design")
		}
	}))
	defer srv.Close()
	f := NewFetcher(mustAllow(t, "127.0.0.1"), FetchLimits{Timeout: 5 * time.Second})
	ctx := context.Background()
	for _, p := range []string{"/to-private", "/to-private-https", "/to-metadata"} {
		_, err := f.Fetch(ctx, srv.URL+p, nil)
		var fe *FetchError
		if !errors.As(err, &fe) || !strings.Contains(fe.Reason, "redirect") {
			t.Errorf("%s = %v, want a refused redirect", p, err)
		}
	}
	_, err := f.Fetch(ctx, srv.URL+"/loop", nil)
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Code != "too_many_redirects" || hops.Load() != MaxRedirects+1 {
		t.Errorf("redirect loop = %v after %d hops, want too_many_redirects after %d", err, hops.Load(), MaxRedirects+1)
	}
	got, err := f.Fetch(ctx, srv.URL+"/three", nil)
	if err != nil || string(got.Data) != "design" || got.Name != "file.qli" {
		t.Errorf("three redirects = %+v, %v; want the file", got, err)
	}
	// A redirect to a host the store does not list is refused too.
	_, err = f.Fetch(ctx, srv.URL+"/three", []string{"cdn.example.com"})
	if !errors.As(err, &fe) || fe.Code != "host_not_allowed" {
		t.Errorf("unlisted host = %v, want host_not_allowed", err)
	}
}

// TestFetchLimits: an endless body, a slow drip, an encoded body and the
// store's errors.
func TestFetchLimits(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/endless":
			chunk := make([]byte, 32<<10)
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "/declared":
			w.Header().Set("Content-Length", "999999999")
			w.Write([]byte("x"))
		case "/drip":
			for i := 0; i < 100; i++ {
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write([]byte("\x1f\x8b"))
		case "/missing":
			http.NotFound(w, r)
		case "/busy":
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	f := NewFetcher(mustAllow(t, "127.0.0.1"), FetchLimits{MaxBytes: 1 << 20, Timeout: time.Second})
	ctx := context.Background()
	cases := []struct {
		path, code string
		temporary  bool
	}{
		{"/endless", "too_large", false},
		{"/declared", "too_large", false},
		{"/drip", "timeout", true},
		{"/gzip", "encoded_body", false},
		{"/missing", "http_status", false},
		{"/busy", "http_status", true},
	}
	for _, c := range cases {
		start := time.Now()
		_, err := f.Fetch(ctx, srv.URL+c.path, nil)
		var fe *FetchError
		if !errors.As(err, &fe) || fe.Code != c.code || fe.Temporary != c.temporary {
			t.Errorf("%s = %v, want %s (temporary %v)", c.path, err, c.code, c.temporary)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s took %v, past the 1 s limit", c.path, d)
		}
	}
}

// FuzzCheckURL: whatever URL a store sends, CheckURL never panics, and a
// URL it passes (PV_FETCH_ALLOW empty) is https on 443 to a host that is
// not an address literal outside the public internet.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://cdn.example.com/a.qli", "http://127.0.0.1", "https://[::ffff:127.0.0.1]/", "https://2130706433/",
		"https://0x7f.1/", "https://169.254.169.254/latest/meta-data/", "file:///etc/passwd", "gopher://x", "https://a@b/",
		"https://[fe80::1%25en0]/", "https://xn--nxasmq6b.example/", "https://EXAMPLE.com.:443/x?y#z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := CheckURL(raw, nil, Allowlist{})
		if err != nil {
			var fe *FetchError
			if !errors.As(err, &fe) || fe.Code == "" || fe.Reason == "" {
				t.Fatalf("CheckURL(%q) = %v, want a *FetchError with code and reason", raw, err)
			}
			return
		}
		if u.Scheme != "https" || (u.Port() != "" && u.Port() != "443") || u.User != nil {
			t.Fatalf("CheckURL(%q) passed %v", raw, u)
		}
		if ip, err := parseIP(u.Hostname()); err == nil && guardian.SafeAddr(ip) != nil {
			t.Fatalf("CheckURL(%q) passed the special address %s", raw, ip)
		}
		if numericHost(strings.ToLower(u.Hostname())) {
			if _, err := parseIP(u.Hostname()); err != nil {
				t.Fatalf("CheckURL(%q) passed the numeric host %q", raw, u.Hostname())
			}
		}
	})
}
