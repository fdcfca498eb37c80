package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/auth/google"
	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/search"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

type rig struct {
	srv      *httptest.Server
	store    *store.Store
	db       *db.DB
	accounts *accounts.Service
	mail     *outbox
	lib      *library.Service
	shares   *share.Service
	search   *search.Service
	// host is the base domain browsers reach the server by ("" for its IP).
	host string
	// mailDir, for a live rig (newLiveRig), is the directory the mail
	// worker delivers email into.
	mailDir string
}

// outbox keeps the emails the accounts service sends, so a test can click
// their links the way a person would.
type outbox struct {
	mu   sync.Mutex
	sent []accounts.Email
}

func (o *outbox) Send(_ context.Context, e accounts.Email) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, e)
	return nil
}

// last returns the newest email of kind to, failing the test if none.
func (o *outbox) last(t *testing.T, kind, to string) accounts.Email {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.sent) - 1; i >= 0; i-- {
		if o.sent[i].Kind == kind && strings.EqualFold(o.sent[i].To, to) {
			return o.sent[i]
		}
	}
	t.Fatalf("no %s email to %s", kind, to)
	return accounts.Email{}
}

func (o *outbox) count(kind, to string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, e := range o.sent {
		if e.Kind == kind && strings.EqualFold(e.To, to) {
			n++
		}
	}
	return n
}

func newRig(t *testing.T, baseDomain string) *rig {
	return newRigWith(t, baseDomain, nil)
}

func newRigWith(t *testing.T, baseDomain string, googleFor func(baseURL string) *google.Provider) *rig {
	t.Helper()
	d := testdb.New(t)
	st := store.New(d)
	mail := &outbox{}
	ts := httptest.NewUnstartedServer(nil)
	ts.Start()
	t.Cleanup(ts.Close)
	cfg := &config.Config{HTTPAddr: "127.0.0.1:0", BaseURL: ts.URL, BaseDomain: baseDomain}
	acc := accounts.New(st, mail, cfg.BaseURL)
	lib := newLibrary(t, d, st)
	shares := share.New(st, cfg.BaseURL)
	var g *google.Provider
	if googleFor != nil {
		g = googleFor(ts.URL)
	}
	// Search ranks by words and by the built-in local vectors, as the
	// server does; tests embed with EmbedTenant when they need vectors.
	searcher := search.New(st)
	searcher.Semantic = search.NewSemantic(st, search.LocalProvider(), 64<<20, slog.New(slog.DiscardHandler))
	s, err := New(Deps{Config: cfg, Log: slog.New(slog.DiscardHandler), Store: st, Migrator: db.NewMigrator(d, 2, nil), Accounts: acc, Google: g, Library: lib, Shares: shares, Search: searcher})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = s.Handler()
	return &rig{srv: ts, store: st, db: d, accounts: acc, mail: mail, host: baseDomain, lib: lib, shares: shares, search: searcher}
}

func (r *rig) get(t *testing.T, path, host string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", r.srv.URL+path, nil)
	if host != "" {
		req.Host = host
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// newLibrary is the library service over a blob store in a temp dir and
// an insert-only job queue: tests run import jobs themselves with Process.
func newLibrary(t *testing.T, d *db.DB, st *store.Store) *library.Service {
	t.Helper()
	ctx := context.Background()
	if err := jobs.Migrate(ctx, d.Pool); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(d.Pool, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &library.Service{Store: st, Blobs: blobs, Queue: q, Limits: ingest.DefaultLimits()}
}

func TestHealthAndReadiness(t *testing.T) {
	r := newRig(t, "")
	if code, body, _ := r.get(t, "/healthz", ""); code != 200 || !strings.Contains(body, "ok") {
		t.Errorf("/healthz = %d %s", code, body)
	}
	if code, body, _ := r.get(t, "/readyz", ""); code != 200 || !strings.Contains(body, "ready") {
		t.Errorf("/readyz = %d %s", code, body)
	}
}

func TestReadinessReportsPendingMigrations(t *testing.T) {
	r := newRig(t, "")
	if _, err := r.store.CreateTenant(context.Background(), "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	mig := db.NewMigrator(r.db, 1, nil)
	mig.Tenant = append(mig.Tenant, db.Migration{Version: len(mig.Tenant) + 1, Name: "later", SQL: "SELECT 1"})
	ready := newReadiness(r.db, mig)
	err := ready.check(context.Background())
	if err == nil || !strings.Contains(err.Error(), "acme") {
		t.Errorf("readiness with a pending tenant migration = %v, want one naming acme", err)
	}
}

func TestTenantRouting(t *testing.T) {
	r := newRig(t, "pv.test")
	ctx := context.Background()
	pam, acme := r.owner(t, "pam@example.com", "acme")
	zoe, _ := r.owner(t, "zoe@example.com", "zeta")
	get := func(b *browser, path, host string) page {
		req, _ := http.NewRequest("GET", r.srv.URL+path, nil)
		if host != "" {
			req.Host = host
		}
		return b.do(req)
	}
	cases := []struct {
		who        *browser
		path, host string
		code       int
		want, not  string
	}{
		{pam, "/t/acme/", "", 200, "Workspace acme", "Workspace zeta"},
		{pam, "/", "acme.pv.test", 200, "Workspace acme", "Workspace zeta"},
		{zoe, "/", "zeta.pv.test", 200, "Workspace zeta", "Workspace acme"},
		{pam, "/t/acme/", "acme.pv.test", 200, "Workspace acme", "Workspace zeta"},
		{pam, "/t/zeta/", "", 404, "can't find", "Workspace zeta"},
		{pam, "/", "zeta.pv.test", 404, "can't find", "Workspace zeta"},
		{pam, "/t/nobody/", "", 404, "can't find", ""},
		{pam, "/", "nobody.pv.test", 404, "can't find", ""},
		{pam, "/t/ADMIN/", "", 404, "can't find", ""},
		{pam, "/t/acme%2F..%2Fzeta/", "", 404, "can't find", "Workspace zeta"},
		{pam, "/no/such/page", "", 404, "can't find", ""},
	}
	for _, c := range cases {
		p := get(c.who, c.path, c.host)
		if p.Status != c.code || !strings.Contains(p.Body, c.want) || (c.not != "" && strings.Contains(p.Body, c.not)) {
			t.Errorf("GET %s (host %q) = %d, want %d containing %q and not %q\n%s", c.path, c.host, p.Status, c.code, c.want, c.not, p.Body)
		}
	}
	anon := r.browser(t)
	wantRedirect(t, anon.get("/t/acme/"), "/signin?next=")

	if err := r.store.SetTenantStatus(ctx, acme.ID, store.TenantSuspended); err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"", "acme.pv.test"} {
		path := "/t/acme/"
		if host != "" {
			path = "/"
		}
		p := get(pam, path, host)
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "paused") || strings.Contains(p.Body, "designs in your library") {
			t.Errorf("suspended tenant via %q%s = %d\n%s", host, path, p.Status, p.Body)
		}
	}
	if err := r.store.SetTenantStatus(ctx, acme.ID, store.TenantActive); err != nil {
		t.Fatal(err)
	}
	if err := r.store.RenameTenantSlug(ctx, acme.ID, "acme-quilts"); err != nil {
		t.Fatal(err)
	}
	p := pam.get("/t/acme/members?x=1")
	if p.Status != http.StatusMovedPermanently || p.Location != "/t/acme-quilts/members?x=1" {
		t.Errorf("old slug = %d → %q, want 301 to the new slug", p.Status, p.Location)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	r := newRig(t, "")
	req, _ := http.NewRequest("POST", r.srv.URL+"/t/acme/", strings.NewReader("x=1"))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", resp.StatusCode)
	}
}
