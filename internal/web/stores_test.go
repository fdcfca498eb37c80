package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/storeapi"
	"github.com/patternvault/patternvault/internal/testfixtures"
	"github.com/patternvault/patternvault/internal/testrig"
)

// storeSite is a pattern store's own web server in a test: it serves the
// design files and receives the signed callbacks.
type storeSite struct {
	*httptest.Server
	mu        sync.Mutex
	files     map[string][]byte
	callbacks []storeapi.Callback
	// unavailable is how many more times a path answers 503 (below 0:
	// always), and asked how many times it was asked for.
	unavailable map[string]int
	asked       map[string]int
	badSigs     int
	secret      string
}

func newStoreSite(t *testing.T) *storeSite {
	s := &storeSite{files: map[string][]byte{}, unavailable: map[string]int{}, asked: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/callback" {
			body, _ := io.ReadAll(r.Body)
			s.mu.Lock()
			defer s.mu.Unlock()
			if storeapi.Verify(s.secret, r.Header.Get(storeapi.SignatureHeader), body, time.Now(), 5*time.Minute) != nil {
				s.badSigs++
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			var cb storeapi.Callback
			json.Unmarshal(body, &cb)
			s.callbacks = append(s.callbacks, cb)
			return
		}
		s.mu.Lock()
		b, ok := s.files[r.URL.Path]
		s.asked[r.URL.Path]++
		busy := s.unavailable[r.URL.Path]
		if busy > 0 {
			s.unavailable[r.URL.Path]--
		}
		s.mu.Unlock()
		if busy != 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *storeSite) put(path string, b []byte) string {
	s.mu.Lock()
	s.files[path] = b
	s.mu.Unlock()
	return s.URL + path
}

// flaky makes path answer 503 the next n times (n < 0: always).
func (s *storeSite) flaky(path string, n int) {
	s.mu.Lock()
	s.unavailable[path] = n
	s.mu.Unlock()
}

// timesAsked is how many times path was requested.
func (s *storeSite) timesAsked(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked[path]
}

func (s *storeSite) callback(id int64) *storeapi.Callback {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.callbacks) - 1; i >= 0; i-- {
		if s.callbacks[i].DeliveryID == id {
			return &s.callbacks[i]
		}
	}
	return nil
}

// storeCall is one API call of a store.
func storeCall(t testing.TB, r *rig, method, path, token string, body any, header map[string]string) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, r.srv.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, resp.Header
}

// waitDelivery polls a delivery until its status is one of want.
func waitDelivery(t testing.TB, r *rig, token string, id any, want ...string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var last map[string]any
	for time.Now().Before(deadline) {
		code, d, _ := storeCall(t, r, "GET", fmt.Sprintf("/api/v1/deliveries/%v", id), token, nil, nil)
		if code != 200 {
			t.Fatalf("GET delivery %v = %d %v", id, code, d)
		}
		last = d
		for _, w := range want {
			if d["status"] == w {
				return d
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("delivery %v stayed %v, want %v", id, last, want)
	return nil
}

// realQLI is a real design from the fixtures, or the test is skipped.
func realQLI(t testing.TB) []byte {
	t.Helper()
	for _, d := range testfixtures.Stitchables(t) {
		for _, f := range testfixtures.Files(t, d) {
			if strings.EqualFold(filepath.Ext(f), ".qli") {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
		}
	}
	t.Skip("no QLI among the fixtures")
	return nil
}

// TestStoreDeliveryByEmail is the first "must show": a store
// made by the admin delivers a real QLI to a verified member's Inbox
// (the same Idempotency-Key gives the same delivery), she accepts it with
// the API, and the design is in her library with its thumbnail, the
// purchase on its page, and the store told through a signed callback.
func TestStoreDeliveryByEmail(t *testing.T) {
	t.Parallel()
	qli := realQLI(t)
	r := newRigWith(t, "", testrig.Options{Live: true, FetchAllow: "127.0.0.1"}, nil)
	pam, acme := liveOwner(t, r, "pam@example.com", "acme")
	site := newStoreSite(t)
	created, err := r.Stores.CreateStore(context.Background(), storeapi.NewStore{Name: "Test Store", AllowedHosts: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	site.secret = created.SigningSecret
	key := created.Key
	fileURL := site.put("/files/feather.qli", qli)
	req := map[string]any{"user_email": "pam@example.com", "pattern_name": "Feather Border", "file_url": fileURL,
		"source": "Test Store", "purchase_date": "2026-03-14", "keywords": []string{"feather", "border"},
		"order_id": "1001", "sku": "FB-1", "licence_text": "For your own quilting business.", "callback_url": site.URL + "/callback"}
	code, first, hdr := storeCall(t, r, "POST", "/api/v1/patterns/import", key, req, map[string]string{"Idempotency-Key": "order-1001"})
	if code != 202 || first["id"] == nil || hdr.Get("Location") == "" {
		t.Fatalf("import = %d %v", code, first)
	}
	code, again, hdr := storeCall(t, r, "POST", "/api/v1/patterns/import", key, req, map[string]string{"Idempotency-Key": "order-1001"})
	if code != 202 || again["id"] != first["id"] || hdr.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry with the same Idempotency-Key = %d %v, want delivery %v again", code, again, first["id"])
	}
	// The same key with another request is refused, not silently merged.
	req2 := map[string]any{"pattern_name": "Other", "file_url": fileURL}
	if code, body, _ := storeCall(t, r, "POST", "/api/v1/patterns/import", key, req2, map[string]string{"Idempotency-Key": "order-1001"}); code != 409 {
		t.Fatalf("same key, other request = %d %v, want 409", code, body)
	}
	waitDelivery(t, r, key, first["id"], "waiting")

	// The Inbox, through the pages and the API.
	want(t, pam.get("/inbox"), 200, "Feather Border", "Test Store", "order 1001")
	api := newAPIClient(t, r, pam, "acme")
	var inbox struct {
		Deliveries []struct {
			ID          int64  `json:"id"`
			Store       string `json:"store"`
			PatternName string `json:"pattern_name"`
		} `json:"deliveries"`
	}
	if code := api.get("/api/v1/inbox", &inbox); code != 200 || len(inbox.Deliveries) != 1 || inbox.Deliveries[0].PatternName != "Feather Border" {
		t.Fatalf("inbox = %d %+v", code, inbox)
	}
	// Nothing is in the library before she accepts.
	if n, _ := r.Store.CountPatterns(context.Background(), acme.ID); n != 0 {
		t.Fatalf("%d designs before accepting, want 0", n)
	}
	code, acc, _ := storeCall(t, r, "POST", fmt.Sprintf("/api/v1/inbox/%v/accept", first["id"]), api.token, nil, nil)
	if code != 202 {
		t.Fatalf("accept = %d %v", code, acc)
	}
	if code, body, _ := storeCall(t, r, "POST", fmt.Sprintf("/api/v1/inbox/%v/accept", first["id"]), api.token, nil, nil); code != 404 {
		t.Fatalf("accepting twice = %d %v, want 404", code, body)
	}
	d := waitDelivery(t, r, key, first["id"], "delivered", "failed")
	if d["status"] != "delivered" || d["designs"] != float64(1) {
		t.Fatalf("delivery = %v, want delivered with 1 design", d)
	}
	page := api.list("")
	if len(page) != 1 || page[0].Name != "Feather Border" {
		t.Fatalf("library = %+v, want the design named by the store", page)
	}
	p := page[0]
	if p.ThumbState != "ready" || p.Source != "Test Store" || !contains(p.Keywords, "feather") {
		t.Errorf("design = %+v, want a drawn thumbnail, the source and the store's keywords", p)
	}
	req3, _ := http.NewRequest("GET", r.srv.URL+fmt.Sprintf("/api/v1/patterns/%d/thumbnail", p.ID), nil)
	req3.Header.Set("Authorization", "Bearer "+api.token)
	resp, err := http.DefaultClient.Do(req3)
	if err != nil {
		t.Fatal(err)
	}
	png, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("thumbnail = %d, %d bytes", resp.StatusCode, len(png))
	}
	want(t, pam.get(fmt.Sprintf("/t/acme/patterns/%d", p.ID)), 200, "Bought from Test Store on 14 March 2026", "Order 1001", "For your own quilting business.")

	// The store was told, with a signature that verifies.
	deadline := time.Now().Add(30 * time.Second)
	for site.callback(int64(first["id"].(float64))) == nil && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if cb := site.callback(int64(first["id"].(float64))); cb == nil || cb.Status != "delivered" || cb.Designs != 1 {
		t.Fatalf("callback = %+v, want delivered with 1 design", cb)
	}
	if site.badSigs != 0 {
		t.Errorf("%d callbacks with a bad signature", site.badSigs)
	}

	// The meter counts it, and the CSV says what to invoice.
	meter, err := r.Stores.Meter(context.Background(), time.Now().AddDate(0, -1, 0))
	if err != nil || len(meter) != 1 || meter[0].Designs != 1 || meter[0].FeeCents != 25 {
		t.Fatalf("meter = %+v, %v", meter, err)
	}

	// By email only to a verified address: an account that never
	// confirmed its address gets nothing in its Inbox, and the store's
	// answer is the same as for an address with no account (and for a
	// member's), so it learns nothing about who has an account.
	unverified, err := r.Store.CreateUser(context.Background(), "una@example.com", "Una", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"una@example.com", "nobody@example.com"} {
		code, d, _ := storeCall(t, r, "POST", "/api/v1/patterns/import", key, map[string]any{"user_email": email,
			"pattern_name": "Feather Border", "file_url": fileURL, "order_id": "2002-" + email}, nil)
		if code != 202 || d["link"] != first["link"] || d["status"] != first["status"] || d["claim_url"] == nil {
			t.Fatalf("import for %s = %d %v, want an answer shaped like the member's %v", email, code, d, first)
		}
		waitDelivery(t, r, key, d["id"], "waiting")
	}
	if ds, err := r.Stores.Inbox(context.Background(), unverified.ID); err != nil || len(ds) != 0 {
		t.Fatalf("the unverified account's Inbox = %d deliveries (%v), want none", len(ds), err)
	}
}

// list returns the workspace's designs through the API.
func (c *apiClient) list(query string) []apiPattern {
	c.t.Helper()
	var page struct {
		Patterns []apiPattern `json:"patterns"`
	}
	if code := c.get("/api/v1/patterns"+query, &page); code != 200 {
		c.t.Fatalf("list = %d", code)
	}
	return page.Patterns
}

type apiPattern struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Source     string   `json:"source"`
	ThumbState string   `json:"thumb_state"`
	Keywords   []string `json:"keywords"`
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestStoreImportRefusesUnsafeURLs is the second "must show": with
// PV_FETCH_ALLOW empty, private, loopback and numeric hosts are refused
// with a 4xx naming the reason, and nothing is recorded or fetched.
func TestStoreImportRefusesUnsafeURLs(t *testing.T) {
	t.Parallel()
	r := newRigWith(t, "", testrig.Options{Live: true}, nil)
	created, err := r.Stores.CreateStore(context.Background(), storeapi.NewStore{Name: "Test Store",
		AllowedHosts: []string{"169.254.169.254", "127.0.0.1", "*.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"http://169.254.169.254/", "https://169.254.169.254/latest/meta-data/", "https://[::1]/", "https://2130706433/",
		"http://127.0.0.1/", "https://[::ffff:127.0.0.1]/", "https://0x7f.1/", "https://10.0.0.1/", "file:///etc/passwd", "gopher://a.example.com/"} {
		code, body, _ := storeCall(t, r, "POST", "/api/v1/patterns/import", created.Key,
			map[string]any{"pattern_name": "X", "file_url": u}, map[string]string{"Idempotency-Key": u})
		e, _ := body["error"].(map[string]any)
		if code != 422 || e["code"] != "url_refused" || !strings.Contains(fmt.Sprint(e["message"]), "Nothing was fetched") {
			t.Errorf("file_url %s = %d %v, want 422 url_refused", u, code, body)
		}
	}
	var n int
	if err := r.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM platform.store_deliveries`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d deliveries recorded (%v), want none", n, err)
	}
}

// TestStoreKeyRateLimit: each key has its own budget a minute; past it
// the store gets 429 rate_limited with Retry-After, while its other key
// (rotated in with a budget of its own) still works.
func TestStoreKeyRateLimit(t *testing.T) {
	t.Parallel()
	r := newRigWith(t, "", testrig.Options{}, nil)
	ctx := context.Background()
	created, err := r.Stores.CreateStore(ctx, storeapi.NewStore{Name: "Busy Store", AllowedHosts: []string{"cdn.example.com"}, RatePerMinute: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if st, body, _ := storeCall(t, r, "GET", "/api/v1/deliveries/1", created.Key, nil, nil); st != 404 {
			t.Fatalf("call %d within the budget = %d %v, want 404 (no such delivery)", i, st, body)
		}
	}
	st, body, hdr := storeCall(t, r, "GET", "/api/v1/deliveries/1", created.Key, nil, nil)
	if st != 429 || errCode(body) != "rate_limited" || hdr.Get("Retry-After") == "" {
		t.Fatalf("4th call of a 3-a-minute key = %d %v (Retry-After %q), want 429 rate_limited with Retry-After", st, body, hdr.Get("Retry-After"))
	}
	other, _, err := r.Stores.RotateKey(ctx, created.Store.ID, time.Hour, 10)
	if err != nil {
		t.Fatal(err)
	}
	if st, body, _ := storeCall(t, r, "GET", "/api/v1/deliveries/1", other, nil, nil); st != 404 {
		t.Fatalf("the store's other key = %d %v, want 404: its budget is its own", st, body)
	}
}

// TestStoreDeliveryFailures: a file that is not a design, a ZIP bomb and
// a 404 at the store each fail the delivery with the reason, the store is
// told, and nothing reaches the library; a store's 503 is retried after a
// wait, and fails the delivery when it lasts.
func TestStoreDeliveryFailures(t *testing.T) {
	t.Parallel()
	r := newRigWith(t, "", testrig.Options{Live: true, FetchAllow: "127.0.0.1"}, nil)
	_, acme := liveOwner(t, r, "pam@example.com", "acme")
	site := newStoreSite(t)
	created, err := r.Stores.CreateStore(context.Background(), storeapi.NewStore{Name: "Test Store", AllowedHosts: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	site.secret = created.SigningSecret
	cases := []struct{ name, url, code string }{
		{"not a design", site.put("/files/readme.html", []byte("<!doctype html><html><body>Thank you for your order</body></html>")), "not_a_design"},
		{"html named qli", site.put("/files/feather.qli", []byte("<!doctype html><html><body>Login required</body></html>")), "not_a_design"},
		{"zip bomb", site.put("/files/bomb.zip", zipBomb(t)), "unreadable"},
		{"404 at the store", site.URL + "/files/missing.qli", "http_status"},
	}
	for i, c := range cases {
		code, d, _ := storeCall(t, r, "POST", "/api/v1/patterns/import", created.Key, map[string]any{"user_email": "pam@example.com",
			"pattern_name": c.name, "file_url": c.url, "callback_url": site.URL + "/callback"}, map[string]string{"Idempotency-Key": fmt.Sprint("f", i)})
		if code != 202 {
			t.Fatalf("%s: import = %d %v", c.name, code, d)
		}
		got := waitDelivery(t, r, created.Key, d["id"], "failed", "waiting", "delivered")
		if got["status"] != "failed" || got["reason_code"] != c.code || got["reason"] == "" {
			t.Errorf("%s: delivery = %v, want failed with %s and a reason", c.name, got, c.code)
		}
		deadline := time.Now().Add(30 * time.Second)
		for site.callback(int64(d["id"].(float64))) == nil && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if cb := site.callback(int64(d["id"].(float64))); cb == nil || cb.Status != "failed" || cb.ReasonCode != c.code {
			t.Errorf("%s: callback = %+v", c.name, cb)
		}
	}
	if n, _ := r.Store.CountPatterns(context.Background(), acme.ID); n != 0 {
		t.Errorf("%d designs in the library after failed deliveries, want 0", n)
	}
	ds, _ := r.Stores.Inbox(context.Background(), 1)
	if len(ds) != 0 {
		t.Errorf("%d deliveries in the Inbox, want none", len(ds))
	}

	// A store answering 503 is asked again after a wait (the rig's
	// RetryDelays are two short ones): twice busy, then the file, and the
	// delivery reaches the Inbox; always busy, and it fails after three
	// requests, naming the status and the attempts, and the store is told.
	import_ := func(name, url string) any {
		t.Helper()
		code, d, _ := storeCall(t, r, "POST", "/api/v1/patterns/import", created.Key, map[string]any{"user_email": "pam@example.com",
			"pattern_name": name, "file_url": url, "callback_url": site.URL + "/callback"}, map[string]string{"Idempotency-Key": name})
		if code != 202 {
			t.Fatalf("%s: import = %d %v", name, code, d)
		}
		return d["id"]
	}
	qli := realQLI(t)
	busyURL := site.put("/files/busy.qli", qli)
	site.flaky("/files/busy.qli", 2)
	if got := waitDelivery(t, r, created.Key, import_("busy twice", busyURL), "failed", "waiting", "delivered"); got["status"] != "waiting" {
		t.Errorf("two 503s then the file: delivery = %v, want waiting in the Inbox", got)
	}
	if n := site.timesAsked("/files/busy.qli"); n != 3 {
		t.Errorf("the store was asked %d times for the busy file, want 3", n)
	}
	downURL := site.put("/files/down.qli", qli)
	site.flaky("/files/down.qli", -1)
	id := import_("always busy", downURL)
	got := waitDelivery(t, r, created.Key, id, "failed", "waiting", "delivered")
	if got["status"] != "failed" || got["reason_code"] != "http_status" || !strings.Contains(fmt.Sprint(got["reason"]), "gave up after 3 attempts") {
		t.Errorf("always 503: delivery = %v, want failed with http_status after 3 attempts", got)
	}
	if n := site.timesAsked("/files/down.qli"); n != 3 {
		t.Errorf("the store was asked %d times for the file that stays busy, want 3", n)
	}
	deadline := time.Now().Add(30 * time.Second)
	for site.callback(int64(id.(float64))) == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if cb := site.callback(int64(id.(float64))); cb == nil || cb.Status != "failed" || cb.ReasonCode != "http_status" {
		t.Errorf("always 503: callback = %+v", cb)
	}
}

var zipBombOnce = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("quilt.qli")
	zero := make([]byte, 1<<20)
	for i := 0; i < 300; i++ {
		w.Write(zero)
	}
	zw.Close()
	return buf.Bytes()
})

func zipBomb(t testing.TB) []byte { return zipBombOnce() }

// TestConnectedStore: a store connects a quilter with OAuth 2.0 and PKCE
// (golang.org/x/oauth2 as the store's client), delivers with the grant
// (it lands at once), asks "you already own this", refreshes its token;
// another store cannot use the code, a revoked key and a disconnected
// grant are refused with their codes and nothing is delivered.
func TestConnectedStore(t *testing.T) {
	t.Parallel()
	qli := realQLI(t)
	r := newRigWith(t, "", testrig.Options{Live: true, FetchAllow: "127.0.0.1"}, nil)
	pam, acme := liveOwner(t, r, "pam@example.com", "acme")
	site := newStoreSite(t)
	ctx := context.Background()
	redirect := "https://store.example/connected"
	a, err := r.Stores.CreateStore(ctx, storeapi.NewStore{Name: "Quilt Store X", AllowedHosts: []string{"127.0.0.1"}, RedirectURIs: []string{redirect}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Stores.CreateStore(ctx, storeapi.NewStore{Name: "Other Store", AllowedHosts: []string{"127.0.0.1"}, RedirectURIs: []string{redirect}})
	if err != nil {
		t.Fatal(err)
	}
	oauthFor := func(c *storeapi.Created) *oauth2.Config {
		return &oauth2.Config{ClientID: storeapi.ClientID(c.Store.ID), ClientSecret: c.Key, RedirectURL: redirect, Scopes: []string{storeapi.Scope},
			Endpoint: oauth2.Endpoint{AuthURL: r.srv.URL + "/oauth/authorize", TokenURL: r.srv.URL + "/api/v1/oauth/token"}}
	}
	cfg := oauthFor(a)
	// consentTo runs the consent page for a store's client; review "1"
	// asks for its deliveries to wait in the Inbox.
	consentTo := func(cfg *oauth2.Config, name, review string) (code, codeVerifier string) {
		t.Helper()
		verifier := oauth2.GenerateVerifier()
		authURL := cfg.AuthCodeURL("state-42", oauth2.S256ChallengeOption(verifier))
		want(t, pam.get(authURL), 200, "Allow "+name+" to add purchases to your library?")
		// Browsers hold the answer's redirect to the store to the page's
		// form-action: the consent page allows the store's origin.
		resp, err := pam.http.Get(authURL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://store.example;") {
			t.Fatalf("consent page CSP = %q, want form-action to allow https://store.example", csp)
		}
		u, _ := url.Parse(authURL)
		form := u.Query()
		form.Set("tenant", fmt.Sprint(acme.ID))
		form.Set("review", review)
		form.Set("decision", "allow")
		back := pam.post("/oauth/authorize", form)
		wantRedirect(t, back, redirect+"?")
		loc, _ := url.Parse(back.Location)
		if loc.Query().Get("state") != "state-42" || loc.Query().Get("code") == "" {
			t.Fatalf("redirect %s lacks the state or the code", back.Location)
		}
		return loc.Query().Get("code"), verifier
	}
	consent := func() (code, codeVerifier string) { return consentTo(cfg, "Quilt Store X", "0") }
	code, codeVerifier := consent()
	// Another store's key cannot exchange Quilt Store X's code.
	if _, err := oauthFor(b).Exchange(ctx, code, oauth2.VerifierOption(codeVerifier)); err == nil {
		t.Fatal("another store exchanged the code")
	}
	// The code was used up by that attempt: a new consent.
	code, _ = consent()
	if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption("wrong-verifier-wrong-verifier-wrong-verifier-x")); err == nil {
		t.Fatal("a wrong PKCE verifier was accepted")
	}
	code, codeVerifier = consent()
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(codeVerifier))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.AccessToken, "pvg_") || tok.RefreshToken == "" {
		t.Fatalf("token = %+v", tok)
	}
	want(t, pam.get("/account/stores"), 200, "Quilt Store X", "Workspace acme")
	// The workspace's Integrations tab lists the connection too.
	want(t, pam.get("/t/acme/settings/integrations"), 200, "Quilt Store X", "go straight into the library", "/account/stores")

	// A delivery with the grant lands by itself.
	fileURL := site.put("/files/knot.qli", qli)
	st, d, _ := storeCall(t, r, "POST", "/api/v1/patterns/import", tok.AccessToken,
		map[string]any{"pattern_name": "Celtic Knot", "file_url": fileURL, "order_id": "A-7", "sku": "CK-1"}, nil)
	if st != 202 || d["link"] != "grant" {
		t.Fatalf("import with the grant = %d %v", st, d)
	}
	if got := waitDelivery(t, r, tok.AccessToken, d["id"], "delivered", "failed"); got["status"] != "delivered" {
		t.Fatalf("grant delivery = %v", got)
	}
	if n, _ := r.Store.CountPatterns(ctx, acme.ID); n != 1 {
		t.Fatalf("%d designs, want 1", n)
	}
	// "You already own this", only through the grant.
	if st, body, _ := storeCall(t, r, "GET", "/api/v1/store/owned?sku=CK-1", tok.AccessToken, nil, nil); st != 200 || body["owned"] != true {
		t.Fatalf("owned CK-1 = %d %v", st, body)
	}
	if st, body, _ := storeCall(t, r, "GET", "/api/v1/store/owned?sku=NOPE", tok.AccessToken, nil, nil); st != 200 || body["owned"] != false {
		t.Fatalf("owned NOPE = %d %v", st, body)
	}
	if st, body, _ := storeCall(t, r, "GET", "/api/v1/store/owned?sku=CK-1", a.Key, nil, nil); st != 403 {
		t.Fatalf("owned with a store key = %d %v, want 403", st, body)
	}
	// Another store cannot see Quilt Store X's delivery.
	if st, _, _ := storeCall(t, r, "GET", fmt.Sprintf("/api/v1/deliveries/%v", d["id"]), b.Key, nil, nil); st != 404 {
		t.Fatalf("other store reading the delivery = %d, want 404", st)
	}
	// Refreshing gives a new token; the old one stops.
	refreshed, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}).Token()
	if err != nil || refreshed.AccessToken == tok.AccessToken {
		t.Fatalf("refresh = %+v, %v", refreshed, err)
	}
	if st, body, _ := storeCall(t, r, "GET", "/api/v1/store/owned?sku=CK-1", tok.AccessToken, nil, nil); st != 401 || errCode(body) != "invalid_grant" {
		t.Fatalf("old access token = %d %v, want 401 invalid_grant", st, body)
	}
	// Other store's key with this store's refresh token: refused.
	if _, err := oauthFor(b).TokenSource(ctx, &oauth2.Token{RefreshToken: refreshed.RefreshToken, Expiry: time.Now().Add(-time.Minute)}).Token(); err == nil ||
		!strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("other store refreshing = %v, want invalid_grant", err)
	}

	// Connected with "let me review", a store's deliveries wait in her
	// Inbox instead of landing.
	bcode, bverifier := consentTo(oauthFor(b), "Other Store", "1")
	btok, err := oauthFor(b).Exchange(ctx, bcode, oauth2.VerifierOption(bverifier))
	if err != nil {
		t.Fatal(err)
	}
	st, d2, _ := storeCall(t, r, "POST", "/api/v1/patterns/import", btok.AccessToken,
		map[string]any{"pattern_name": "Reviewed Knot", "file_url": fileURL, "order_id": "B-0", "sku": "RK-1"}, nil)
	if st != 202 || d2["link"] != "grant" {
		t.Fatalf("import with the reviewing grant = %d %v", st, d2)
	}
	if got := waitDelivery(t, r, btok.AccessToken, d2["id"], "waiting", "delivered", "failed"); got["status"] != "waiting" {
		t.Fatalf("reviewing grant's delivery = %v, want waiting in the Inbox", got)
	}
	if inbox, _ := r.Stores.Inbox(ctx, mustUser(t, r, "pam@example.com").ID); len(inbox) != 1 || inbox[0].StoreID != b.Store.ID {
		t.Fatalf("inbox = %+v, want the reviewed delivery", inbox)
	}
	if n, _ := r.Store.CountPatterns(ctx, acme.ID); n != 1 {
		t.Fatalf("%d designs after a delivery under review, want 1", n)
	}

	// She disconnects the store: the grant stops, nothing is delivered.
	before := deliveries(t, r)
	grants, _ := r.Stores.ConnectedStores(ctx, mustUser(t, r, "pam@example.com").ID)
	var grantX int64
	for _, g := range grants {
		if g.StoreID == a.Store.ID {
			grantX = g.ID
		}
	}
	wantRedirect(t, pam.post(fmt.Sprintf("/account/stores/%d/disconnect", grantX), url.Values{}), "/account/stores")
	st, body, _ := storeCall(t, r, "POST", "/api/v1/patterns/import", refreshed.AccessToken,
		map[string]any{"pattern_name": "Later", "file_url": fileURL, "order_id": "A-8"}, nil)
	if st != 401 || errCode(body) != "grant_revoked" {
		t.Fatalf("import after disconnecting = %d %v, want 401 grant_revoked", st, body)
	}
	// A revoked key, and a rotated key after its overlap.
	rotated, _, err := r.Stores.RotateKey(ctx, a.Store.ID, time.Hour, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st, _, _ := storeCall(t, r, "GET", fmt.Sprintf("/api/v1/deliveries/%v", d["id"]), a.Key, nil, nil); st != 200 {
		t.Fatalf("old key during the overlap = %d, want 200", st)
	}
	if err := r.Store.ExpireStoreKeys(ctx, a.Store.ID, 0, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	st, body, _ = storeCall(t, r, "POST", "/api/v1/patterns/import", a.Key, map[string]any{"pattern_name": "X", "file_url": fileURL, "order_id": "A-9"}, nil)
	if st != 401 || errCode(body) != "key_expired" {
		t.Fatalf("expired key = %d %v, want 401 key_expired", st, body)
	}
	keys, _ := r.Store.StoreKeys(ctx, b.Store.ID)
	if err := r.Stores.RevokeKey(ctx, b.Store.ID, keys[0].ID); err != nil {
		t.Fatal(err)
	}
	st, body, _ = storeCall(t, r, "POST", "/api/v1/patterns/import", b.Key, map[string]any{"pattern_name": "X", "file_url": fileURL, "order_id": "B-1"}, nil)
	if st != 401 || errCode(body) != "key_revoked" {
		t.Fatalf("revoked key = %d %v, want 401 key_revoked", st, body)
	}
	if after := deliveries(t, r); after != before {
		t.Fatalf("%d deliveries after refused calls, want %d", after, before)
	}
	_ = rotated
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func deliveries(t testing.TB, r *rig) int {
	var n int
	if err := r.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM platform.store_deliveries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// liveOwner makes a verified account with a workspace (a live rig sends
// mail for real, so the account is made the operator's way) and signs
// its browser in through the sign-in page.
func liveOwner(t testing.TB, r *rig, email, slug string) (*browser, *store.Tenant) {
	t.Helper()
	ctx := context.Background()
	u, err := r.Accounts.CreateVerifiedUser(ctx, email, "Pam", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := r.Accounts.CreateWorkspace(ctx, u, slug, "Workspace "+slug, "")
	if err != nil {
		t.Fatal(err)
	}
	b := r.browser(t)
	wantRedirect(t, b.post("/signin", url.Values{"email": {email}, "password": {goodPassword}}), "/")
	return b, tn
}

// TestClaimLink: an import with a store key and no email answers with a
// claim link; signed out it asks to sign in or sign up; signed in, the
// person picks the workspace and the design lands; the link then works no
// more. A retry of the import (same key) gives another working link to the
// same delivery. Someone without an account signs up from the link and
// comes back to it through the confirmation email and her new workspace.
func TestClaimLink(t *testing.T) {
	t.Parallel()
	qli := realQLI(t)
	r := newRigWith(t, "", testrig.Options{Live: true, FetchAllow: "127.0.0.1"}, nil)
	site := newStoreSite(t)
	created, err := r.Stores.CreateStore(context.Background(), storeapi.NewStore{Name: "Test Store", AllowedHosts: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	req := map[string]any{"pattern_name": "Viking Longship", "file_url": site.put("/v.qli", qli), "order_id": "77", "sku": "VL"}
	st, d, _ := storeCall(t, r, "POST", "/api/v1/patterns/import", created.Key, req, nil)
	if st != 202 || d["link"] != "claim" || !strings.HasPrefix(fmt.Sprint(d["claim_url"]), r.srv.URL+"/claim/pvcl_") {
		t.Fatalf("import = %d %v, want a claim_url", st, d)
	}
	st, again, _ := storeCall(t, r, "POST", "/api/v1/patterns/import", created.Key, req, nil)
	if st != 202 || again["id"] != d["id"] || again["claim_url"] == d["claim_url"] || again["claim_url"] == nil {
		t.Fatalf("retry = %d %v, want the same delivery with a claim link of its own", st, again)
	}
	waitDelivery(t, r, created.Key, d["id"], "waiting")
	link := strings.TrimPrefix(fmt.Sprint(again["claim_url"]), r.srv.URL)
	want(t, r.browser(t).get(link), 200, "Viking Longship", "Sign in", "Create an account")
	zoe, zeta := liveOwner(t, r, "zoe@example.com", "zeta")
	want(t, zoe.get(link), 200, "Add to my library", "Workspace zeta")
	wantRedirect(t, zoe.post(link, url.Values{"tenant": {fmt.Sprint(zeta.ID)}}), "/t/zeta/")
	if got := waitDelivery(t, r, created.Key, d["id"], "delivered", "failed"); got["status"] != "delivered" {
		t.Fatalf("claimed delivery = %v", got)
	}
	if n, _ := r.Store.CountPatterns(context.Background(), zeta.ID); n != 1 {
		t.Fatalf("%d designs in zeta, want 1", n)
	}
	// Both links are spent now.
	for _, l := range []any{d["claim_url"], again["claim_url"]} {
		want(t, zoe.get(strings.TrimPrefix(fmt.Sprint(l), r.srv.URL)), 410)
	}

	// Someone new opens a claim link, signs up, confirms her address from
	// the email and makes her workspace, and each step brings her back to
	// the claim; the design lands.
	st, d2, _ := storeCall(t, r, "POST", "/api/v1/patterns/import", created.Key,
		map[string]any{"pattern_name": "Harbour Waves", "file_url": site.put("/h.qli", qli), "order_id": "78", "sku": "HW"}, nil)
	if st != 202 || d2["claim_url"] == nil {
		t.Fatalf("import = %d %v, want a claim_url", st, d2)
	}
	waitDelivery(t, r, created.Key, d2["id"], "waiting")
	link2 := strings.TrimPrefix(fmt.Sprint(d2["claim_url"]), r.srv.URL)
	nell := r.browser(t)
	want(t, nell.get(link2), 200, "Harbour Waves", "free trial", "/signup?next="+link2)
	want(t, nell.get("/signup?next="+link2), 200, `name="next" value="`+link2+`"`)
	wantRedirect(t, nell.post("/signup", url.Values{"name": {"Nell"}, "email": {"nell@example.com"}, "password": {goodPassword}, "next": {link2}}), "/verify/sent")
	wantRedirect(t, nell.follow(r.outboxLink(t, "verify", "nell@example.com")), link2)
	want(t, nell.get(link2), 200, "You need a workspace", "/workspaces/new?next="+link2)
	want(t, nell.get("/workspaces/new?next="+link2), 200, `name="next" value="`+link2+`"`)
	wantRedirect(t, nell.post("/workspaces/new", url.Values{"name": {"Workspace nell"}, "slug": {"nell"}, "next": {link2}}), link2)
	nellWS, err := r.Store.TenantBySlug(context.Background(), "nell")
	if err != nil {
		t.Fatal(err)
	}
	if acc, err := r.Billing.Account(context.Background(), nellWS.ID); err != nil || acc.Status != "trialing" {
		t.Fatalf("nell's workspace plan = %+v, %v, want its trial", acc, err)
	}
	want(t, nell.get(link2), 200, "Add to my library", "Workspace nell")
	wantRedirect(t, nell.post(link2, url.Values{"tenant": {fmt.Sprint(nellWS.ID)}}), "/t/nell/")
	if got := waitDelivery(t, r, created.Key, d2["id"], "delivered", "failed"); got["status"] != "delivered" {
		t.Fatalf("delivery claimed after signing up = %v", got)
	}
	if n, _ := r.Store.CountPatterns(context.Background(), nellWS.ID); n != 1 {
		t.Fatalf("%d designs in nell, want 1", n)
	}
}
