package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/store"
)

// TestSignUpToWorkspaceToTeam walks the first-run path of a quilter and
// her helper: sign up, confirm email, create the workspace (with the live
// address check), invite an editor who signs up from the invitation, and
// the limits of each role.
func TestSignUpToWorkspaceToTeam(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam := r.browser(t)
	p := pam.post("/signup", url.Values{"name": {"Pam"}, "email": {"Pam@Example.com"}, "password": {"short"}})
	want(t, p, http.StatusUnprocessableEntity, "at least 10 characters", `value="Pam@Example.com"`)
	wantRedirect(t, pam.post("/signup", url.Values{"name": {"Pam"}, "email": {"Pam@Example.com"}, "password": {goodPassword}}), "/verify/sent")
	want(t, pam.get("/verify/sent"), 200, "Check your email")
	// Not confirmed: not signed in, no workspace yet.
	wantRedirect(t, pam.get("/workspaces/new"), "/signin")
	// The same email in other case is the same account; sign-up does not
	// say so (the address's owner is told by email).
	other := r.browser(t)
	wantRedirect(t, other.post("/signup", url.Values{"name": {"X"}, "email": {"pam@example.COM"}, "password": {goodPassword}}), "/verify/sent")
	if other.cookie(sessionCookie) != "" || pam.cookie(sessionCookie) != "" {
		t.Error("sign-up signed someone in before the address was confirmed")
	}
	if e := r.Mail.Last(t, mail.KindAccountExists, "Pam@Example.com"); !strings.HasSuffix(e.Link, "/signin") {
		t.Errorf("account-exists mail %+v", e)
	}

	link := r.Mail.Last(t, "verify", "pam@example.com").Link
	wantRedirect(t, pam.follow(link), "/")
	want(t, pam.follow(link), http.StatusGone, "expired") // single use
	wantRedirect(t, pam.get("/"), "/workspaces/new")

	var check struct {
		Available bool
		Message   string
	}
	p = pam.get("/workspaces/slug-check?slug=pams-quilts")
	json.Unmarshal([]byte(p.Body), &check)
	if !check.Available {
		t.Errorf("slug-check pams-quilts = %s", p.Body)
	}
	p = pam.get("/workspaces/slug-check?slug=admin")
	json.Unmarshal([]byte(p.Body), &check)
	if check.Available || !strings.Contains(check.Message, "reserved") {
		t.Errorf("slug-check admin = %s", p.Body)
	}
	want(t, pam.post("/workspaces/new", url.Values{"name": {"Pam's Quilts"}, "slug": {"ab"}}), http.StatusUnprocessableEntity, "3 to 40")
	wantRedirect(t, pam.post("/workspaces/new", url.Values{"name": {"Pam's Quilts"}, "slug": {"pams-quilts"}}), "/t/pams-quilts/welcome/team")
	p = pam.get("/workspaces/slug-check?slug=pams-quilts")
	json.Unmarshal([]byte(p.Body), &check)
	if check.Available {
		t.Errorf("slug-check of a taken slug = %s", p.Body)
	}
	if w := r.Mail.Last(t, mail.KindWelcome, "pam@example.com"); w.Data.(mail.WelcomeData).Workspace != "Pam's Quilts" || !strings.HasSuffix(w.Link, "/t/pams-quilts/") {
		t.Errorf("welcome email %+v", w)
	}
	want(t, pam.get("/t/pams-quilts/welcome/team"), 200, "Invite your team", "Skip")
	want(t, pam.get("/t/pams-quilts/welcome/import"), 200, "Add your designs")
	wantRedirect(t, pam.get("/"), "/t/pams-quilts/")
	want(t, pam.get("/t/pams-quilts/"), 200, "Pam&#39;s Quilts", "library is empty")

	// Invite an editor who has no account yet.
	wantRedirect(t, pam.post("/t/pams-quilts/welcome/team", url.Values{"email": {"vera@example.com"}, "role": {"editor"}}), "/t/pams-quilts/welcome/team")
	inv := r.Mail.Last(t, "invitation", "vera@example.com")
	if d := inv.Data.(mail.InviteData); d.Workspace != "Pam's Quilts" || d.Role != "editor" {
		t.Errorf("invitation email %+v", inv)
	}
	vera := r.browser(t)
	want(t, vera.follow(inv.Link), 200, "Join Pam&#39;s Quilts", "Create an account")
	token := mustQuery(t, inv.Link, "token")
	want(t, vera.post("/invitations/accept", url.Values{"token": {token}}), http.StatusUnauthorized, "sign in")
	// Someone else signed in cannot use it, and it stays open.
	zed := r.signUp(t, "zed@example.com")
	want(t, zed.follow(inv.Link), 200, "You are signed in as <strong>zed@example.com</strong>")
	want(t, zed.post("/invitations/accept", url.Values{"token": {token}}), http.StatusForbidden, "sent to vera@example.com")
	// Vera signs up from the invitation, her address filled in, and is in
	// Pam's library in one pass (the link proved her address).
	want(t, vera.get("/signup?invitation="+url.QueryEscape(token)), 200, `value="vera@example.com"`, "readonly", "join <strong>Pam&#39;s Quilts</strong>")
	want(t, vera.post("/signup", url.Values{"name": {"Vera"}, "email": {"zed@example.com"}, "password": {"short"}, "invitation": {token}}),
		http.StatusUnprocessableEntity, "at least 10 characters", `value="vera@example.com"`)
	wantRedirect(t, vera.post("/signup", url.Values{"name": {"Vera"}, "email": {"zed@example.com"}, "password": {goodPassword}, "invitation": {token}}), "/t/pams-quilts/")
	want(t, vera.get("/t/pams-quilts/"), 200, "Pam&#39;s Quilts")
	want(t, vera.post("/invitations/accept", url.Values{"token": {token}}), http.StatusGone) // single use
	u, _ := r.Store.UserByEmail(context.Background(), "vera@example.com")
	if u == nil || !u.Verified() {
		t.Fatal("the invited account is not confirmed")
	}
	if _, err := r.Store.UserByEmail(context.Background(), "zed@example.com"); err != nil {
		t.Fatal(err)
	}

	want(t, vera.get("/t/pams-quilts/"), 200)
	want(t, vera.get("/t/pams-quilts/members"), 200, "vera@example.com", "Pam@Example.com")
	want(t, vera.get("/t/pams-quilts/settings"), http.StatusForbidden, "does not allow")
	want(t, vera.post("/t/pams-quilts/members/invite", url.Values{"email": {"x@example.com"}, "role": {"owner"}}), http.StatusForbidden)

	// The owner makes Vera a viewer, then cannot remove herself as last owner.
	members, _ := r.Store.Members(context.Background(), mustTenant(t, r, "pams-quilts").ID)
	var pamID, veraID int64
	for _, m := range members {
		if m.User.Email == "vera@example.com" {
			veraID = m.User.ID
		} else {
			pamID = m.User.ID
		}
	}
	wantRedirect(t, pam.post(pathf("/t/pams-quilts/members/%d/role", veraID), url.Values{"role": {"viewer"}}), "/t/pams-quilts/members")
	want(t, pam.post(pathf("/t/pams-quilts/members/%d/remove", pamID), nil), http.StatusConflict, "at least one owner")
	want(t, pam.post(pathf("/t/pams-quilts/members/%d/role", pamID), url.Values{"role": {"editor"}}), http.StatusConflict, "at least one owner")
	wantRedirect(t, pam.post(pathf("/t/pams-quilts/members/%d/remove", veraID), nil), "/t/pams-quilts/members")
	want(t, vera.get("/t/pams-quilts/"), http.StatusNotFound)
}

func TestSignInLimitsAndFixation(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	r.signUp(t, "pam@example.com")
	b := r.browser(t)
	want(t, b.post("/signin", url.Values{"email": {"pam@example.com"}, "password": {"wrong password!"}}), http.StatusUnauthorized, "do not match")
	want(t, b.post("/signin", url.Values{"email": {"nobody@example.com"}, "password": {"wrong password!"}}), http.StatusUnauthorized, "do not match")

	// Session fixation: a cookie planted before sign-in is never the session.
	u, _ := url.Parse(r.srv.URL)
	b.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: "planted-by-attacker"}})
	wantRedirect(t, b.post("/signin", url.Values{"email": {"PAM@example.com"}, "password": {goodPassword}, "next": {"//evil.example/x"}}), "/")
	first := b.cookie(sessionCookie)
	if first == "" || first == "planted-by-attacker" {
		t.Fatalf("session cookie after sign-in = %q", first)
	}
	wantRedirect(t, b.post("/signin", url.Values{"email": {"pam@example.com"}, "password": {goodPassword}}), "/")
	if second := b.cookie(sessionCookie); second == first {
		t.Error("signing in again kept the same session token")
	}
	old := r.browser(t)
	old.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: first}})
	wantRedirect(t, old.get("/account"), "/signin")

	// Wrong passwords from one address slow that address down on that
	// account, with a clear message (even the right password waits).
	attacker := r.browser(t)
	attacker.ip = "203.0.113.9"
	var p page
	for range 10 {
		p = attacker.post("/signin", url.Values{"email": {"pam@example.com"}, "password": {"guess guess guess"}})
	}
	want(t, p, http.StatusTooManyRequests, "Too many attempts", "please wait 1 second")
	want(t, attacker.post("/signin", url.Values{"email": {"pam@example.com"}, "password": {goodPassword}}), http.StatusTooManyRequests)
}

// TestSignInSlowsDownWithoutLockingTheOwnerOut: guesses at an account, from
// one address or from a crowd of them, never keep its owner out.
func TestSignInSlowsDownWithoutLockingTheOwnerOut(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam := r.signUp(t, "pam@example.com")
	pam.ip = "198.51.100.7" // her tablet at home
	wantRedirect(t, pam.post("/signin", url.Values{"email": {"pam@example.com"}, "password": {goodPassword}}), "/")

	// One address guesses: it is slowed down, she (elsewhere) is not.
	attacker := r.browser(t)
	attacker.ip = "203.0.113.9"
	for range 12 {
		attacker.post("/signin", url.Values{"email": {"pam@example.com"}, "password": {"guess guess guess"}})
	}
	show := r.browser(t)
	show.ip = "192.0.2.44" // at a quilt show, an address she never used
	wantRedirect(t, show.post("/signin", url.Values{"email": {"pam@example.com"}, "password": {goodPassword}}), "/")

	// A crowd guesses, one try per address: new addresses must wait a
	// little; her own address does not.
	for i := range 30 {
		b := r.browser(t)
		b.ip = fmt.Sprintf("203.0.113.%d", 100+i)
		b.post("/signin", url.Values{"email": {"pam@example.com"}, "password": {"guess guess guess"}})
	}
	stranger := r.browser(t)
	stranger.ip = "192.0.2.200"
	want(t, stranger.post("/signin", url.Values{"email": {"pam@example.com"}, "password": {goodPassword}}), http.StatusTooManyRequests, "please wait")
	home := r.browser(t)
	home.ip = "198.51.100.7"
	wantRedirect(t, home.post("/signin", url.Values{"email": {"pam@example.com"}, "password": {goodPassword}}), "/")
}

func TestPasswordResetAndMagicLink(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam := r.signUp(t, "pam@example.com")
	anon := r.browser(t)
	// Enumeration-safe: the same answer for a known and an unknown email.
	known := anon.post("/forgot", url.Values{"email": {"pam@example.com"}})
	unknown := anon.post("/forgot", url.Values{"email": {"nobody@example.com"}})
	want(t, known, 200, "If an account uses that email")
	want(t, unknown, 200, "If an account uses that email")
	if stripRef(known.Body) != stripRef(unknown.Body) {
		t.Error("reset pages differ for a known and an unknown email")
	}
	if r.Mail.Count("reset", "nobody@example.com") != 0 {
		t.Error("sent a reset email to an unknown address")
	}
	link := r.Mail.Last(t, "reset", "pam@example.com").Link
	want(t, anon.follow(link), 200, "Choose a new password")
	token := mustQuery(t, link, "token")
	want(t, anon.post("/reset", url.Values{"token": {token}, "password": {"short"}}), http.StatusUnprocessableEntity, "at least 10")
	wantRedirect(t, anon.post("/reset", url.Values{"token": {token}, "password": {"a brand new passphrase"}}), "/")
	want(t, anon.post("/reset", url.Values{"token": {token}, "password": {"another new passphrase"}}), http.StatusGone, "already used")
	// The reset signed Pam's other sessions out.
	wantRedirect(t, pam.get("/account"), "/signin")
	want(t, r.browser(t).post("/signin", url.Values{"email": {"pam@example.com"}, "password": {goodPassword}}), http.StatusUnauthorized)
	wantRedirect(t, r.browser(t).post("/signin", url.Values{"email": {"pam@example.com"}, "password": {"a brand new passphrase"}}), "/")

	// Magic link: one use.
	m := r.browser(t)
	want(t, m.post("/signin/magic", url.Values{"email": {"pam@example.com"}}), 200, "sign-in link")
	magic := r.Mail.Last(t, "magic", "pam@example.com").Link
	wantRedirect(t, m.follow(magic), "/")
	want(t, m.get("/account"), 200, "Your account")
	want(t, r.browser(t).follow(magic), http.StatusGone)
}

func TestSignOutEverywhere(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	a := r.signUp(t, "pam@example.com")
	b := r.browser(t)
	wantRedirect(t, b.post("/signin", url.Values{"email": {"pam@example.com"}, "password": {goodPassword}}), "/")
	want(t, b.get("/account"), 200, "Where you are signed in")
	wantRedirect(t, a.post("/account/signout-everywhere", nil), "/signin")
	wantRedirect(t, a.get("/account"), "/signin")
	wantRedirect(t, b.get("/account"), "/signin")
}

func TestCrossOriginFormRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, _ := r.owner(t, "pam@example.com", "acme")
	req, _ := http.NewRequest("POST", r.srv.URL+"/t/acme/members/invite", strings.NewReader("email=evil%40example.com&role=owner"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := pam.do(req); p.Status != http.StatusForbidden {
		t.Errorf("cross-site invite = %d, want 403", p.Status)
	}
	if r.Mail.Count("invitation", "evil@example.com") != 0 {
		t.Error("a cross-site form sent an invitation")
	}
}

func mustQuery(t testing.TB, link, key string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Query().Get(key) == "" {
		t.Fatalf("link %q has no %s", link, key)
	}
	return u.Query().Get(key)
}

func mustTenant(t testing.TB, r *rig, slug string) *store.Tenant {
	t.Helper()
	tn, err := r.Store.TenantBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

func pathf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// stripRef removes the per-request reference so two pages can be compared.
func stripRef(body string) string {
	if i := strings.Index(body, "Reference "); i >= 0 {
		if j := strings.Index(body[i:], "</span>"); j >= 0 {
			return body[:i] + body[i+j:]
		}
	}
	return body
}

func TestAPITokenShownOnceAndRevoked(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, _ := r.owner(t, "pam@example.com", "acme")
	r.owner(t, "bob@example.com", "beta")
	want(t, pam.post("/account/tokens", url.Values{"name": {"Shop sync"}, "tenant": {"beta"}}), http.StatusUnprocessableEntity, "Choose one of your workspaces")
	p := pam.post("/account/tokens", url.Values{"name": {"Shop sync"}, "tenant": {"acme"}})
	want(t, p, 200, "Copy your new token now")
	m := regexp.MustCompile(`<code id="new-token">(pv_[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no token on the page\n%s", p.Body)
	}
	token := m[1]
	again := pam.get("/account")
	want(t, again, 200, "Shop sync", "never")
	if strings.Contains(again.Body, token) {
		t.Fatal("the token is shown a second time")
	}
	api := func(path string) int {
		req, _ := http.NewRequest("GET", r.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := api("/api/v1/me"); code != 200 {
		t.Fatalf("new token: /api/v1/me = %d", code)
	}
	want(t, pam.get("/account"), 200, "Shop sync")
	tokens, _ := r.Store.UserAPITokens(context.Background(), mustUser(t, r, "pam@example.com").ID)
	if tokens[0].LastUsedAt == nil {
		t.Error("last-used time not recorded")
	}
	wantRedirect(t, pam.post(pathf("/account/tokens/%d/revoke", tokens[0].ID), nil), "/account")
	if code := api("/api/v1/me"); code != http.StatusUnauthorized {
		t.Errorf("revoked token: /api/v1/me = %d, want 401", code)
	}
	// Nobody revokes another person's token.
	bobTokens := r.browser(t)
	wantRedirect(t, bobTokens.post("/signin", url.Values{"email": {"bob@example.com"}, "password": {goodPassword}}), "/")
	want(t, bobTokens.post(pathf("/account/tokens/%d/revoke", tokens[0].ID), nil), http.StatusNotFound)
}

func mustUser(t testing.TB, r *rig, email string) *store.User {
	t.Helper()
	u, err := r.Store.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
