package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/share"
)

// lockedBuffer is a log destination that tests read while the server
// writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serverWith serves the rig's services through a second server whose
// configuration change sets, logging to log (nil: nowhere).
func (r *rig) serverWith(t testing.TB, change func(*config.Config), log *slog.Logger) *httptest.Server {
	t.Helper()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ts := httptest.NewServer(nil)
	t.Cleanup(ts.Close)
	cfg := &config.Config{HTTPAddr: "127.0.0.1:0", BaseURL: ts.URL}
	change(cfg)
	s, err := New(Deps{Config: cfg, Log: log, Store: r.Store, Migrator: db.NewMigrator(r.DB, 2, nil), Accounts: r.Accounts,
		Library: r.Library, Shares: r.Shares, Search: r.Search})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = s.Handler()
	return ts
}

// TestSecurityHeaders: HSTS under https, a content policy that also pins
// form targets and <base>, and nothing of a signed-in page kept in a cache.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, _ := r.owner(t, "pam@example.com", "acme")
	_, _, h := r.get(t, "/signin", "")
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("Content-Security-Policy %q lacks %s", csp, d)
		}
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain http")
	}
	for _, path := range []string{"/t/acme/", "/account", "/t/acme/members"} {
		req, _ := http.NewRequest("GET", r.srv.URL+path, nil)
		resp, err := pam.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if cc := resp.Header.Get("Cache-Control"); resp.StatusCode != 200 || cc != "no-store" {
			t.Errorf("GET %s signed in: %d, Cache-Control %q, want no-store", path, resp.StatusCode, cc)
		}
	}

	https := r.serverWith(t, func(c *config.Config) { c.BaseURL = "https://patterns.example.com" }, nil)
	resp, err := http.Get(https.URL + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("under https: Strict-Transport-Security %q", hsts)
	}
}

// TestRequestLogHidesShareTokens: a share link's token is a password for
// its designs; the request log (and error lines) name the path without it.
func TestRequestLogHidesShareTokens(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	ctx := context.Background()
	acme := r.Tenant(t, "acme")
	p := r.Pattern(t, acme, "Feather border")
	c, err := r.Shares.Create(ctx, acme.ID, 0, share.Input{Name: "Jane", PatternIDs: []int64{p.ID}})
	if err != nil {
		t.Fatal(err)
	}
	token := c.URL[strings.LastIndex(c.URL, "/")+1:]
	var log lockedBuffer
	ts := r.serverWith(t, func(*config.Config) {}, slog.New(slog.NewTextHandler(&log, nil)))
	for _, path := range []string{"/s/" + token, "/s/" + token + "/thumb/99", "/s/" + token + "/download/1"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	out := log.String()
	if strings.Contains(out, token) || strings.Count(out, "path=/s/…") < 3 {
		t.Errorf("the request log shows share tokens, or not the requests:\n%s", out)
	}
}

// TestSubdomainPlatformPages: on a workspace's own subdomain, signing in
// and out, the account page and share links work as on the main address.
func TestSubdomainPlatformPages(t *testing.T) {
	t.Parallel()
	r := newRig(t, "pv.test")
	ctx := context.Background()
	_, acme := r.owner(t, "pam@example.com", "acme")
	p := r.Pattern(t, acme, "Feather border")
	c, err := r.Shares.Create(ctx, acme.ID, 0, share.Input{Name: "Jane's quilt", PatternIDs: []int64{p.ID}})
	if err != nil {
		t.Fatal(err)
	}
	b := r.browser(t)
	b.host = "acme.pv.test"
	want(t, b.get("/signin"), 200, `name="password"`)
	wantRedirect(t, b.post("/signin", url.Values{"email": {"pam@example.com"}, "password": {goodPassword}, "next": {"/"}}), "/")
	want(t, b.get("/"), 200, "Workspace acme")
	want(t, b.get("/account"), 200, "Your account")
	want(t, b.get(strings.TrimPrefix(c.URL, r.srv.URL)), 200, "Jane&#39;s quilt", "Feather border")
	wantRedirect(t, b.post("/signout", nil), "/signin")
	if p := b.get("/account"); p.Status != http.StatusSeeOther {
		t.Errorf("still signed in after signing out on the subdomain: %d", p.Status)
	}
}

// TestForgotDoesTheSameWorkForEveryAddress: a reset request (and a
// sign-in link request) only queues a job, whether or not the address has
// an account; the job then mails the account, and nobody else.
func TestForgotDoesTheSameWorkForEveryAddress(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	ctx := context.Background()
	r.signUp(t, "pam@example.com")
	r.Accounts.Queue = r.Queue // insert-only: the test works the jobs itself
	sentBefore := r.Mail.Count(mail.KindReset, "pam@example.com")
	anon := r.browser(t)
	for _, email := range []string{"pam@example.com", "nobody@example.com"} {
		want(t, anon.post("/forgot", url.Values{"email": {email}}), 200, "If an account uses that email")
		want(t, anon.post("/signin/magic", url.Values{"email": {email}}), 200, "If an account uses that email")
	}
	var tokens int
	if err := r.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM platform.email_tokens WHERE purpose IN ('reset', 'magic')`).Scan(&tokens); err != nil {
		t.Fatal(err)
	}
	if tokens != 0 || r.Mail.Count(mail.KindReset, "pam@example.com") != sentBefore {
		t.Fatalf("a request did an account's work before answering: %d links made", tokens)
	}
	rows, err := r.DB.Pool.Query(ctx, `SELECT args FROM platform.river_job WHERE kind = $1 ORDER BY id`, accounts.LinkRequestArgs{}.Kind())
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil || len(jobs) != 4 {
		t.Fatalf("%d link jobs queued, want 4 (%v)", len(jobs), err)
	}
	for _, args := range jobs {
		var a accounts.LinkRequestArgs
		if err := json.Unmarshal(args, &a); err != nil {
			t.Fatal(err)
		}
		if err := r.Accounts.Worker().Work(ctx, &river.Job[accounts.LinkRequestArgs]{Args: a}); err != nil {
			t.Fatal(err)
		}
	}
	if r.Mail.Count(mail.KindReset, "pam@example.com") != sentBefore+1 || r.Mail.Count(mail.KindMagic, "pam@example.com") != 1 ||
		r.Mail.Count(mail.KindReset, "nobody@example.com")+r.Mail.Count(mail.KindMagic, "nobody@example.com") != 0 {
		t.Error("the jobs did not mail the account (and only it)")
	}
}

// TestSupportViewLimits: a platform admin's support view makes no
// credentials, audits every write with the admin's name, reaches only the
// workspace chosen, ends two hours after it starts however busy, and what
// it made is revoked when it ends.
func TestSupportViewLimits(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	ctx := context.Background()
	pam, acme := r.owner(t, "pam@example.com", "acme")
	wantRedirect(t, pam.post("/workspaces/new", url.Values{"name": {"Pam's second shop"}, "slug": {"pams-second"}}), "/t/pams-second/")
	ids := r.seedDesigns(t, acme, "Feather", 2)
	root := r.admin(t, "root@example.com")
	wantRedirect(t, root.post(pathf("/admin/tenants/%d/impersonate", acme.ID), nil), "/t/acme/")

	// No credentials, no new workspace.
	for _, c := range []struct {
		path string
		form url.Values
	}{
		{"/account/tokens", url.Values{"name": {"support"}, "tenant": {"acme"}}},
		{"/account/password", url.Values{"current": {goodPassword}, "password": {"a new password of mine"}}},
		{"/workspaces/new", url.Values{"name": {"Sneaky"}, "slug": {"sneaky"}}},
		{"/account/signout-everywhere", nil},
	} {
		want(t, root.post(c.path, c.form), http.StatusForbidden, "Not during a support view")
	}
	want(t, root.get("/signin/google"), http.StatusNotFound) // not configured here; refused before anyway when it is
	var tokens int
	r.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM platform.api_tokens`).Scan(&tokens)
	if tokens != 0 {
		t.Errorf("%d API tokens made in a support view", tokens)
	}
	if _, err := r.Store.TenantBySlug(ctx, "sneaky"); err == nil {
		t.Error("a workspace was made in a support view")
	}
	if u, _ := r.Store.UserByEmail(ctx, "pam@example.com"); u.PasswordHash == nil || !auth.CheckPassword(*u.PasswordHash, goodPassword) {
		t.Error("the owner's password changed in a support view")
	}

	// Only the workspace chosen: the owner's other one is not there.
	p := root.get("/t/acme/")
	want(t, p, 200, "Support view")
	if strings.Contains(p.Body, "pams-second") {
		t.Error("the support view's menu lists the owner's other workspace")
	}
	want(t, root.get("/t/pams-second/"), http.StatusNotFound)

	// Writes are audited with the admin's name; what is made is revoked at the end.
	wantRedirect(t, root.post("/account/name", url.Values{"name": {"Pam Support-Renamed"}}), "/account")
	form := url.Values{"name": {"Made in support"}, "days": {"30"}, "ids": {fmt.Sprint(ids[0])}}
	p = root.post("/t/acme/shares", form)
	want(t, p, 200, "Your link is ready")
	link := regexp.MustCompile(`value="http[^"]+(/s/[A-Za-z0-9_-]+)"`).FindStringSubmatch(p.Body)
	if link == nil {
		t.Fatalf("no share link on the page\n%s", p.Body)
	}
	guest := r.browser(t)
	want(t, guest.get(link[1]), 200, "Feather")
	wantRedirect(t, root.post("/t/acme/members/invite", url.Values{"email": {"helper@example.com"}, "role": {"editor"}}), "/t/acme/members")
	invite := r.Mail.Last(t, mail.KindInvitation, "helper@example.com").Link

	wantRedirect(t, root.post("/impersonation/stop", nil), "/admin")
	if g := guest.get(link[1]); g.Status == 200 {
		t.Errorf("a share link made in a support view still works after it: %d", g.Status)
	}
	if g := r.browser(t).follow(invite); g.Status != http.StatusGone {
		t.Errorf("an invitation made in a support view still works after it: %d", g.Status)
	}
	audit := root.get("/admin/audit")
	for _, a := range []string{"impersonated POST /account/name", "impersonated POST /t/acme/shares", "impersonated POST /t/acme/members/invite"} {
		if !strings.Contains(audit.Body, a) {
			t.Errorf("the audit log lacks %q", a)
		}
	}
	if !strings.Contains(audit.Body, "<td>root@example.com</td><td>pam@example.com</td>") {
		t.Errorf("the audit log does not name the admin acting as the owner\n%s", audit.Body)
	}

	// The two-hour cap is absolute: a request after a pause does not
	// stretch it, and a view older than two hours is over.
	wantRedirect(t, root.post(pathf("/admin/tenants/%d/impersonate", acme.ID), nil), "/t/acme/")
	if _, err := r.DB.Pool.Exec(ctx, `UPDATE platform.sessions SET last_seen_at = now() - interval '11 minutes' WHERE impersonator_id IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	want(t, root.get("/t/acme/"), 200)
	var left time.Duration
	if err := r.DB.Pool.QueryRow(ctx, `SELECT extract(epoch FROM expires_at - created_at)::bigint * 1000000000 FROM platform.sessions WHERE impersonator_id IS NOT NULL`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left > accounts.SupportLifetime {
		t.Errorf("a support view lasts %s after a pause, want at most %s", left, accounts.SupportLifetime)
	}
	if _, err := r.DB.Pool.Exec(ctx, `UPDATE platform.sessions SET created_at = now() - interval '121 minutes', expires_at = now() + interval '30 days' WHERE impersonator_id IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if p := root.get("/t/acme/"); p.Status == 200 {
		t.Error("a support view started over two hours ago still works")
	}
}

// TestOwnerManagesGuests: the results page lists a link's guests; its
// owner removes one (freeing her place) and lets more guests in.
func TestOwnerManagesGuests(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	ctx := context.Background()
	pam, acme := r.owner(t, "pam@example.com", "acme")
	ids := r.seedDesigns(t, acme, "Feather", 2)
	c, err := r.Shares.Create(ctx, acme.ID, 0, share.Input{Name: "Jane's quilt", PatternIDs: ids, MaxVoters: 1})
	if err != nil {
		t.Fatal(err)
	}
	link := strings.TrimPrefix(c.URL, r.srv.URL)
	vote := func(b *browser, name string) page {
		return b.post(link+"/votes", url.Values{"voter_name": {name}, "pattern_id": {fmt.Sprint(ids[0])}, "vote": {"like"}})
	}
	spam, jane := r.browser(t), r.browser(t)
	spam.ip, jane.ip = "203.0.113.9", "198.51.100.7"
	wantRedirect(t, vote(spam, "Spammer"), link+"?part=vote&saved=")
	wantRedirect(t, vote(jane, "Jane"), link+"#designs")
	want(t, jane.get(link), 200, "as many guests as it allows")

	results := pathf("/t/acme/shares/%d", c.Link.ID)
	p := pam.get(results)
	want(t, p, 200, "1 of at most 1 guests", "Spammer (1 choice)")
	key := regexp.MustCompile(`name="guest" value="([0-9a-f]{16})"`).FindStringSubmatch(p.Body)
	if key == nil {
		t.Fatalf("no guest to remove on the page\n%s", p.Body)
	}
	wantRedirect(t, pam.post(results+"/voters/remove", url.Values{"guest": {key[1]}}), results)
	wantRedirect(t, pam.post(results+"/voters", url.Values{"max_voters": {"2"}}), results)
	wantRedirect(t, pam.post(results+"/voters", url.Values{"max_voters": {"5000"}}), results)
	want(t, pam.get(results), 200, "1 to 500 guests")
	wantRedirect(t, vote(jane, "Jane"), link+"?part=vote&saved=")
	p = pam.get(results)
	want(t, p, 200, "1 of at most 2 guests", "Jane (1 choice)")
	if strings.Contains(p.Body, "Spammer") {
		t.Error("the removed guest is still listed")
	}
}

// TestOneTimePasswordIsOneTime: the first admin's password from `admin
// create` signs in once; until she chooses her own she sees only her
// account page, and a second sign-in with it fails.
func TestOneTimePasswordIsOneTime(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	ctx := context.Background()
	u, err := r.Accounts.CreateVerifiedUser(ctx, "root@example.com", "", "a placeholder password")
	if err != nil {
		t.Fatal(err)
	}
	r.Store.SetPlatformAdmin(ctx, u.ID, true)
	once, err := r.Accounts.MakeOneTimePassword(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	root := r.browser(t)
	wantRedirect(t, root.post("/signin", url.Values{"email": {"root@example.com"}, "password": {once}}), "/")
	wantRedirect(t, root.get("/admin"), "/account")
	want(t, root.get("/account"), 200, "choose your own password", `id="password"`)
	if strings.Contains(root.get("/account").Body, `id="current"`) {
		t.Error("the account page asks for the one-time password again")
	}
	want(t, root.post("/workspaces/new", url.Values{"name": {"X"}, "slug": {"xyz"}}), http.StatusForbidden, "choose your own password")
	want(t, r.browser(t).post("/signin", url.Values{"email": {"root@example.com"}, "password": {once}}), http.StatusUnauthorized)

	wantRedirect(t, root.post("/account/password", url.Values{"password": {"my very own passphrase"}}), "/account")
	want(t, root.get("/admin"), 200, "All workspaces")
	again := r.browser(t)
	wantRedirect(t, again.post("/signin", url.Values{"email": {"root@example.com"}, "password": {"my very own passphrase"}}), "/")
	want(t, again.get("/admin"), 200)
}
