package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

type rig struct {
	srv   *httptest.Server
	store *store.Store
	db    *db.DB
}

func newRig(t *testing.T, baseDomain string) *rig {
	t.Helper()
	d := testdb.New(t)
	st := store.New(d)
	cfg := &config.Config{HTTPAddr: "127.0.0.1:0", BaseURL: "http://pv.test", BaseDomain: baseDomain}
	s, err := New(cfg, slog.New(slog.DiscardHandler), st, db.NewMigrator(d, 2, nil))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &rig{srv: ts, store: st, db: d}
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
	acme, err := r.store.CreateTenant(ctx, "acme", "Acme Quilts")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.CreateTenant(ctx, "zeta", "Zeta Longarm"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path, host string
		code       int
		want, not  string
	}{
		{"/t/acme/", "", 200, "Acme Quilts", "Zeta"},
		{"/", "acme.pv.test", 200, "Acme Quilts", "Zeta"},
		{"/", "zeta.pv.test", 200, "Zeta Longarm", "Acme"},
		{"/t/acme/", "acme.pv.test", 200, "Acme Quilts", "Zeta"},
		{"/t/nobody/", "", 404, "can't find", "Acme"},
		{"/", "nobody.pv.test", 404, "can't find", "Acme"},
		{"/t/ADMIN/", "", 404, "can't find", ""},
		{"/t/acme%2F..%2Fzeta/", "", 404, "can't find", "Zeta"},
		{"/no/such/page", "", 404, "can't find", ""},
	}
	for _, c := range cases {
		code, body, hdr := r.get(t, c.path, c.host)
		if code != c.code || !strings.Contains(body, c.want) || (c.not != "" && strings.Contains(body, c.not)) {
			t.Errorf("GET %s (host %q) = %d, want %d containing %q and not %q\n%s", c.path, c.host, code, c.code, c.want, c.not, body)
		}
		if hdr.Get("X-Request-Id") == "" {
			t.Errorf("GET %s: no X-Request-Id", c.path)
		}
	}

	if err := r.store.SetTenantStatus(ctx, acme.ID, store.TenantSuspended); err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"", "acme.pv.test"} {
		path := "/t/acme/"
		if host != "" {
			path = "/"
		}
		code, body, _ := r.get(t, path, host)
		if code != http.StatusForbidden || !strings.Contains(body, "paused") || strings.Contains(body, "designs in your library") {
			t.Errorf("suspended tenant via %q%s = %d\n%s", host, path, code, body)
		}
	}

	if err := r.store.RenameTenantSlug(ctx, acme.ID, "acme-quilts"); err != nil {
		t.Fatal(err)
	}
	code, _, hdr := r.get(t, "/t/acme/?x=1", "")
	if code != http.StatusMovedPermanently || hdr.Get("Location") != "/t/acme-quilts/?x=1" {
		t.Errorf("old slug = %d → %q, want 301 to the new slug", code, hdr.Get("Location"))
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
