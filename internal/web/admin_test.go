package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/store"
)

// admin makes a platform admin and returns their signed-in browser.
func (r *rig) admin(t testing.TB, email string) *browser {
	t.Helper()
	b := r.signUp(t, email)
	u, err := r.Store.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Store.SetPlatformAdmin(context.Background(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAdminSuspendAndImpersonate(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	ctx := context.Background()
	pam, acme := r.owner(t, "pam@example.com", "acme")
	if _, err := r.Store.CreatePattern(ctx, acme.ID, &store.Pattern{Name: "Feather border"}); err != nil {
		t.Fatal(err)
	}
	root := r.admin(t, "root@example.com")
	want(t, pam.get("/admin"), http.StatusNotFound)

	p := root.get("/admin")
	want(t, p, 200, "Workspace acme", "pam@example.com", "professional", "active", "Support view")
	if !regexp.MustCompile(`<td>1</td>`).MatchString(p.Body) {
		t.Errorf("admin list does not show 1 design for acme\n%s", p.Body)
	}

	// Suspend: Pam sees the paused page; her data is untouched; resume.
	wantRedirect(t, root.post(pathf("/admin/tenants/%d/suspend", acme.ID), nil), "/admin")
	want(t, pam.get("/t/acme/"), http.StatusForbidden, "paused", "nothing has been deleted")
	if n, _ := r.Store.CountPatterns(ctx, acme.ID); n != 1 {
		t.Errorf("suspension changed the data: %d patterns", n)
	}
	wantRedirect(t, root.post(pathf("/admin/tenants/%d/resume", acme.ID), nil), "/admin")
	want(t, pam.get("/t/acme/"), 200, "1 design<", "Feather border")

	// Impersonate: a banner, every action audited, then back to the admin.
	wantRedirect(t, root.post(pathf("/admin/tenants/%d/impersonate", acme.ID), nil), "/t/acme/")
	want(t, root.get("/t/acme/"), 200, "Support view", "pam@example.com", "recorded")
	wantRedirect(t, root.post("/t/acme/members/invite", url.Values{"email": {"helper@example.com"}, "role": {"viewer"}}), "/t/acme/members")
	want(t, root.get("/admin"), http.StatusForbidden, "Stop the support view")
	wantRedirect(t, root.post("/impersonation/stop", nil), "/admin")
	p = root.get("/admin/audit")
	want(t, p, 200, "impersonation started", "impersonated POST /t/acme/members/invite", "impersonated GET /t/acme/", "impersonation stopped", "tenant suspended")
	if !strings.Contains(p.Body, "<td>root@example.com</td><td>pam@example.com</td><td>acme</td>") {
		t.Errorf("audit does not say who acted as whom where\n%s", p.Body)
	}
	want(t, root.get("/t/acme/"), http.StatusNotFound) // the admin is no member
}

// TestAdminHealth: the Health page lists the app servers that reported
// (a silent one as silent), the database as this server sees it, the job
// queue's failures and the storage.
func TestAdminHealth(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	ctx := context.Background()
	root := r.admin(t, "root@example.com")
	d := r.Store.DB()
	if err := d.Beat(ctx, "app-a:8080", "abc123", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := d.Beat(ctx, "app-b:8080", "abc123", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `UPDATE platform.app_servers SET seen_at = now() - interval '5 minutes' WHERE name = 'app-b:8080'`); err != nil {
		t.Fatal(err)
	}
	p := root.get("/admin/health")
	want(t, p, 200, "Health: needs attention", "app-a:8080", "answering", "app-b:8080", "<strong>silent</strong>",
		"reaches the primary", "No replica pool is configured", "No standby streams", "Database:", "Files: local disk")
	if strings.Contains(p.Body, "Could not") {
		t.Errorf("a part of the Health page could not be read\n%s", p.Body)
	}
	if !strings.Contains(p.Body, "primary 0 / ") {
		t.Errorf("pool figures missing\n%s", p.Body)
	}
}

// TestAuthorizationMatrix asks every workspace route as every kind of
// visitor and checks the exact status: who may not see a workspace gets
// what they would get if it did not exist.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	owner, acme := r.owner(t, "owner@example.com", "acme")
	editor := r.member(t, owner, "acme", "editor@example.com", store.RoleEditor)
	viewer := r.member(t, owner, "acme", "viewer@example.com", store.RoleViewer)
	stranger, _ := r.owner(t, "other@example.com", "other")
	root := r.admin(t, "root@example.com")
	anon := r.browser(t)
	members, _ := r.Store.Members(context.Background(), acme.ID)
	victim := members[len(members)-1].User.ID // a member others try to change

	type route struct {
		method, path string
		min          string // "" = admin only
	}
	routes := []route{
		{"GET", "/t/acme/", store.RoleViewer},
		{"GET", "/t/acme/members", store.RoleViewer},
		{"GET", "/t/acme/welcome/import", store.RoleEditor},
		{"GET", "/t/acme/welcome/team", store.RoleOwner},
		{"GET", "/t/acme/settings", store.RoleOwner},
		{"POST", "/t/acme/settings", store.RoleOwner},
		{"POST", "/t/acme/members/invite", store.RoleOwner},
		{"POST", pathf("/t/acme/members/%d/role", victim), store.RoleOwner},
		{"POST", "/t/acme/invitations/999/revoke", store.RoleOwner},
		{"GET", "/admin", ""},
		{"GET", "/admin/audit", ""},
		{"GET", "/admin/health", ""},
		{"POST", pathf("/admin/tenants/%d/suspend", acme.ID), ""},
	}
	visitors := []struct {
		name string
		b    *browser
		role string
	}{
		{"anonymous", anon, ""}, {"viewer", viewer, store.RoleViewer}, {"editor", editor, store.RoleEditor},
		{"owner of another workspace", stranger, ""}, {"platform admin", root, "admin"},
	}
	for _, rt := range routes {
		for _, v := range visitors {
			var expect int
			switch {
			case rt.min == "" && v.role == "admin":
				expect = 200
			case v.b == anon && rt.min == "":
				expect = map[string]int{"GET": 303, "POST": 401}[rt.method]
			case v.b == anon:
				expect = 404 // a workspace's page: as if it did not exist
			case rt.min == "":
				expect = 404
			case v.role == "" || v.role == "admin":
				expect = 404
			case store.RoleAtLeast(v.role, rt.min):
				expect = 200
			default:
				expect = 403
			}
			var p page
			if rt.method == "GET" {
				p = v.b.get(rt.path)
			} else {
				p = v.b.post(rt.path, url.Values{"name": {"Acme"}, "slug": {"acme"}, "email": {"x@example.com"}, "role": {"viewer"}})
			}
			got := p.Status
			if got == 303 && expect == 200 && rt.method == "POST" {
				got = 200 // a successful form answers with a redirect
			}
			if rt.method == "POST" && expect == 200 && (got == 404 || got == 409) && strings.Contains(rt.path, "/999/") {
				got = 200 // allowed through, and told the invitation does not exist
			}
			if got != expect {
				t.Errorf("%s %s as %s = %d, want %d", rt.method, rt.path, v.name, p.Status, expect)
			}
			if rt.method == "POST" && strings.HasPrefix(rt.path, "/admin/tenants/") && p.Status == 303 {
				r.Store.SetTenantStatus(context.Background(), acme.ID, store.TenantActive)
			}
		}
	}
}
