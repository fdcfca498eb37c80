package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/auth/google"
	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testrig"
)

func TestMain(m *testing.M) { os.Exit(testrig.Main(m)) }

// rig is a web server over the test rig's services.
type rig struct {
	*testrig.Rig
	srv *httptest.Server
	// server is the web server under test.
	server *Server
	// host is the base domain browsers reach the server by ("" for its IP).
	host string
}

func newRig(t testing.TB, baseDomain string) *rig {
	return newRigWith(t, baseDomain, testrig.Options{}, nil)
}

// newLiveRig is a test server wired as `patternvault serve` wires it: the
// job queue's workers run (imports, duplicates, mail), and the services
// send their emails through the real outbox table.
func newLiveRig(t testing.TB) *rig {
	return newRigWith(t, "", testrig.Options{Live: true}, nil)
}

func newRigWith(t testing.TB, baseDomain string, o testrig.Options, googleFor func(baseURL string) *google.Provider) *rig {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	ts.Start()
	t.Cleanup(ts.Close)
	o.BaseURL = ts.URL
	tr := testrig.New(t, o)
	// The test server trusts its loopback peer as a reverse proxy, so a
	// browser can come from an address of its own (browser.ip).
	cfg := &config.Config{HTTPAddr: "127.0.0.1:0", BaseURL: ts.URL, BaseDomain: baseDomain,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}}
	var g *google.Provider
	if googleFor != nil {
		g = googleFor(ts.URL)
	}
	s, err := New(Deps{Config: cfg, Log: tr.Log, Store: tr.Store, Migrator: db.NewMigrator(tr.DB, 2, nil), Accounts: tr.Accounts,
		Google: g, Library: tr.Library, Shares: tr.Shares, Search: tr.Search, Backup: tr.Backup, Stores: tr.Stores, Business: tr.Business, Billing: tr.Billing})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = s.Handler()
	return &rig{Rig: tr, srv: ts, server: s, host: baseDomain}
}

func (r *rig) get(t testing.TB, path, host string) (int, string, http.Header) {
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
	t.Parallel()
	r := newRig(t, "")
	if code, body, _ := r.get(t, "/healthz", ""); code != 200 || !strings.Contains(body, "ok") {
		t.Errorf("/healthz = %d %s", code, body)
	}
	if code, body, _ := r.get(t, "/readyz", ""); code != 200 || !strings.Contains(body, "ready") {
		t.Errorf("/readyz = %d %s", code, body)
	}
}

func TestReadinessReportsPendingMigrations(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	if _, err := r.Store.CreateTenant(context.Background(), "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	mig := db.NewMigrator(r.DB, 1, nil)
	mig.Tenant = append(mig.Tenant, db.Migration{Version: len(mig.Tenant) + 1, Name: "later", SQL: "SELECT 1"})
	ready := newReadiness(r.DB, mig, nil, r.Log)
	rep := ready.check(context.Background())
	if rep.Status != "unavailable" || !strings.Contains(rep.Reason, "acme") || rep.Failing[0] != "database" {
		t.Errorf("readiness with a pending tenant migration = %+v, want one naming acme", rep)
	}
}

func TestTenantRouting(t *testing.T) {
	t.Parallel()
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
	// Who is not a member cannot tell a workspace from one that does not
	// exist: anonymous visitors get the same 404 (offering to sign in),
	// paused or not.
	anon := r.browser(t)
	real, none := anon.get("/t/acme/"), anon.get("/t/nobody/")
	want(t, real, 404, "can't find", `href="/signin?next=%2ft%2facme%2f"`)
	if strings.ReplaceAll(stripRef(real.Body), "acme", "nobody") != stripRef(none.Body) {
		t.Errorf("an anonymous visitor tells a real workspace from none:\n%s\n---\n%s", real.Body, none.Body)
	}
	want(t, anon.post("/t/acme/settings", nil), 404)

	if err := r.Store.SetTenantStatus(ctx, acme.ID, store.TenantSuspended); err != nil {
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
		for _, b := range []*browser{zoe, anon} {
			if p := get(b, path, host); p.Status != http.StatusNotFound || strings.Contains(p.Body, "Workspace acme") || strings.Contains(p.Body, "paused") {
				t.Errorf("a paused workspace via %q%s shows a non-member %d\n%s", host, path, p.Status, p.Body)
			}
		}
	}
	if err := r.Store.SetTenantStatus(ctx, acme.ID, store.TenantActive); err != nil {
		t.Fatal(err)
	}
	if err := r.Store.RenameTenantSlug(ctx, acme.ID, "acme-quilts"); err != nil {
		t.Fatal(err)
	}
	p := pam.get("/t/acme/members?x=1")
	if p.Status != http.StatusMovedPermanently || p.Location != "/t/acme-quilts/members?x=1" {
		t.Errorf("old slug = %d → %q, want 301 to the new slug", p.Status, p.Location)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
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
