package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/store"
)

// browser is a person's browser in a test: its own cookie jar, no
// automatic redirects, same-origin form posts.
type browser struct {
	t    testing.TB
	r    *rig
	http *http.Client
	// host, when set, is sent as the Host of every request (as if the
	// server were reached by that name).
	host string
	// lastDisposition is the Content-Disposition of the last answer (the
	// file name of a download).
	lastDisposition string
	// ip, when set, is the address this browser comes from: the rig
	// trusts its loopback peer as a reverse proxy, and the browser sends
	// ip as X-Forwarded-For.
	ip string
}

func (r *rig) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, r: r, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	Status   int
	Body     string
	Location string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	if b.host != "" && req.Host == req.URL.Host {
		req.Host = b.host
	}
	if b.ip != "" {
		req.Header.Set("X-Forwarded-For", b.ip)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.lastDisposition = resp.Header.Get("Content-Disposition")
	return page{resp.StatusCode, string(body), resp.Header.Get("Location")}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.url(path), nil)
	return b.do(req)
}

// post sends a form like a page of the site would (same origin).
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.url(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.r.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

func (b *browser) url(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return b.r.srv.URL + path
}

// follow fetches a link from an email (absolute URL of the test server).
func (b *browser) follow(link string) page {
	b.t.Helper()
	if !strings.HasPrefix(link, b.r.srv.URL) {
		b.t.Fatalf("link %q does not point at the server %s", link, b.r.srv.URL)
	}
	return b.get(link)
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.r.srv.URL)
	if b.host != "" {
		u.Host = b.host
	}
	for _, c := range b.http.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func want(t testing.TB, p page, status int, contains ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d, want %d (location %q)\n%s", p.Status, status, p.Location, p.Body)
	}
	for _, c := range contains {
		if !strings.Contains(p.Body, c) {
			t.Fatalf("page lacks %q\n%s", c, p.Body)
		}
	}
}

func wantRedirect(t testing.TB, p page, prefix string) {
	t.Helper()
	if p.Status != http.StatusSeeOther && p.Status != http.StatusFound && p.Status != http.StatusMovedPermanently {
		t.Fatalf("status %d, want a redirect to %s\n%s", p.Status, prefix, p.Body)
	}
	if !strings.HasPrefix(p.Location, prefix) {
		t.Fatalf("redirect to %q, want %s...", p.Location, prefix)
	}
}

const goodPassword = "a quilt of many colours"

// signUp creates a verified account through the pages and returns its
// signed-in browser.
func (r *rig) signUp(t testing.TB, email string) *browser {
	t.Helper()
	b := r.browser(t)
	b.host = r.host
	wantRedirect(t, b.post("/signup", url.Values{"name": {"Person " + email}, "email": {email}, "password": {goodPassword}}), "/verify/sent")
	wantRedirect(t, b.follow(r.Mail.Last(t, "verify", email).Link), "/")
	return b
}

// owner signs up and creates a workspace through the pages.
func (r *rig) owner(t testing.TB, email, slug string) (*browser, *store.Tenant) {
	t.Helper()
	b := r.signUp(t, email)
	wantRedirect(t, b.post("/workspaces/new", url.Values{"name": {"Workspace " + slug}, "slug": {slug}}), "/t/"+slug+"/welcome/team")
	tn, err := r.Store.TenantBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return b, tn
}

// member invites email with role into the owner's workspace and has them
// accept, returning their signed-in browser.
func (r *rig) member(t testing.TB, owner *browser, slug, email, role string) *browser {
	t.Helper()
	wantRedirect(t, owner.post("/t/"+slug+"/members/invite", url.Values{"email": {email}, "role": {role}}), "/t/"+slug+"/members")
	b := r.signUp(t, email)
	link := r.Mail.Last(t, "invitation", email).Link
	u, _ := url.Parse(link)
	want(t, b.follow(link), 200, "Join ")
	wantRedirect(t, b.post("/invitations/accept", url.Values{"token": {u.Query().Get("token")}}), "/t/"+slug+"/")
	return b
}
