package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/store"
)

// axeSource reads axe-core, the accessibility checker, from node_modules
// (./scripts/tools installs it with npm ci), or skips the test.
func axeSource(t testing.TB) string {
	t.Helper()
	path := filepath.Join(repoRoot(), "node_modules", "axe-core", "axe.min.js")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("accessibility test skipped: %s is missing; run ./scripts/tools (it runs npm ci in the repository root)", path)
	}
	return string(b)
}

// axeViolation is one rule axe found broken, with the elements that break it.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeRun runs axe on the page in front of the browser against WCAG 2.0,
// 2.1 and 2.2 A and AA, plus AAA's enhanced text contrast (7:1) for older
// eyes, and returns the serious and critical violations.
const axeRun = `(async () => {
	const r = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
		rules: {"color-contrast-enhanced": {enabled: true}}, resultTypes: ["violations"]});
	return JSON.stringify(r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
		id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.slice(0, 8).map(n => n.target.join(" ") + (n.failureSummary ? " — " + n.failureSummary.replace(/\s+/g, " ") : ""))})));
})()`

// axeViolations injects axe into the page (once) and returns the serious
// and critical violations it finds there.
func axeViolations(src string) chromedp.Action[[]axeViolation] {
	return func(ctx context.Context, tg *chromedp.Target) ([]axeViolation, error) {
		if _, err := chromedp.Evaluate[any](`typeof axe === "undefined" ? (function(){`+src+`
}).call(window) : null`)(ctx, tg); err != nil {
			return nil, fmt.Errorf("inject axe: %w", err)
		}
		out, err := chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise)(ctx, tg)
		if err != nil {
			return nil, fmt.Errorf("axe.run: %w", err)
		}
		var vs []axeViolation
		err = json.Unmarshal([]byte(out), &vs)
		return vs, err
	}
}

// axeCheck fails the test with every serious or critical violation axe
// finds on the page.
func axeCheck(t testing.TB, src, page string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		vs, err := axeViolations(src)(ctx, tg)
		for _, v := range vs {
			t.Errorf("axe, %s: %s (%s): %s\n\t%s", page, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
		}
		return err
	})
}

// TestAxe opens every main page, signed out and signed in, on a desktop
// and on a phone, and runs axe-core on it: no serious or critical WCAG
// A/AA violation, and no text below 7:1 contrast, is allowed. It also checks each page looks finished
// (title, favicon, language, no raw error text).
func TestAxe(t *testing.T) {
	t.Parallel()
	src := axeSource(t)
	chromium(t)
	designs := journeyZIP(t)
	data, err := os.ReadFile(designs.zipPath)
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, "")
	pam, _ := r.owner(t, "pam@example.com", "acme")
	batch := r.uploadZIP(t, pam, "acme", "designs.zip", data)
	wantRedirect(t, pam.post("/workspaces/new", url.Values{"name": {"Empty corner"}, "slug": {"empty"}}), "/t/empty/welcome/team")
	u, err := r.Store.UserByEmail(context.Background(), "pam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Store.SetPlatformAdmin(context.Background(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile(`/t/acme/patterns/(\d+)"`).FindAllStringSubmatch(pam.get("/t/acme/").Body, -1)
	if len(ids) < 3 {
		t.Fatalf("%d designs on the grid", len(ids))
	}
	design := "/t/acme/patterns/" + ids[0][1]
	base := r.srv.URL
	ctx := browserCtx(t, 1280, 900)

	check := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		for _, vp := range []viewport{{"desktop", 1280, 900}, phone} {
			all := append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(int64(vp.w), int64(vp.h))}, actions...)
			all = append(all, chromedp.WaitReady(chromedp.CSS("footer")), finished(t, name), axeCheck(t, src, name+" on a "+vp.name))
			if err := chromedp.Do(ctx, all...); err != nil {
				chromedp.Do(ctx, shot("axe-"+name+"-FAILED"))
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	visit := func(path string) { check(path, chromedp.Navigate(base+path)) }

	// The harness itself: axe must see a picture without a text.
	var self []axeViolation
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/"),
		void(chromedp.Evaluate[any](`document.querySelector("main").append(Object.assign(document.createElement("img"), {src: "/static/favicon.svg"}))`)),
		into(axeViolations(src), &self))
	if err != nil || len(self) != 1 || self[0].ID != "image-alt" {
		t.Fatalf("axe on a page with a picture lacking alt text found %+v (%v), want image-alt", self, err)
	}

	t0 := time.Now()
	for _, p := range []string{"/", "/signin", "/signup", "/forgot", "/no/such/page", "/s/not-a-real-link", "/verify/sent", "/t/acme/", "/offline"} {
		visit(p)
	}
	check("sign-in error", chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), "pam@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "not the password"),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(".error")))
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), "pam@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Your workspaces")]`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/workspaces/new", "/t/acme/", "/t/acme/?q=" + url.QueryEscape(designs.typo), "/t/acme/?q=zzqqxx",
		"/t/acme/?q=viking+tractor", "/t/empty/", "/t/empty/welcome/team", "/t/empty/welcome/import", "/t/empty/imports", "/t/empty/shares",
		"/t/acme/imports", batch, design, "/t/acme/keywords", "/t/acme/review/duplicates", "/t/acme/review/orientation",
		"/t/acme/searches", "/t/acme/members", "/t/acme/settings", "/t/acme/settings/billing", "/t/acme/settings/integrations",
		"/t/acme/settings/danger", "/account", "/admin", "/admin/billing", "/admin/audit", "/admin/health"} {
		visit(p)
	}
	// The pages issue 15 added: the machine in Settings and on a design,
	// and the question before a delete.
	check("machine chosen", chromedp.Navigate(base+"/t/acme/settings"),
		chromedp.SetValue(chromedp.CSS("#machine"), "qmatic"),
		chromedp.Click(chromedp.Search(`//button[contains(., "Save machine")]`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(@class, "flash")][contains(., "Q-matic")]`)))
	check("design for a machine", chromedp.Navigate(base+design), chromedp.WaitVisible(chromedp.Search(`//a[contains(., "Download for BERNINA Q-matic")]`)))
	check("delete asks first", chromedp.Navigate(base+design),
		void(chromedp.Evaluate[bool](`document.querySelector("details.edit").open = true`)),
		chromedp.Click(chromedp.Search(`//button[contains(., "Delete this design")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Delete 1 design?")]`)))
	var shareURL string
	check("share created",
		chromedp.Navigate(base+"/t/acme/shares/new?ids="+ids[0][1]+","+ids[1][1]+","+ids[2][1]),
		chromedp.SendKeys(chromedp.CSS("#name"), "Jane's quilt"),
		chromedp.Click(chromedp.Search(`//button[contains(., "Make the link")]`)),
		chromedp.WaitVisible(chromedp.CSS("#share-url")),
		into(chromedp.Value(chromedp.CSS("#share-url")), &shareURL))
	visit("/t/acme/shares/new?ids=" + ids[0][1])
	check("share page", chromedp.Navigate(shareURL), chromedp.WaitVisible(chromedp.CSS("#voter_name")))
	err = chromedp.Do(ctx, chromedp.Navigate(shareURL),
		chromedp.SendKeys(chromedp.CSS("#voter_name"), "Jane"),
		chromedp.Click(chromedp.CSS("form[data-guest-name] button")),
		chromedp.WaitVisible(chromedp.Search(`//button[contains(., "Change my name")]`)),
		chromedp.Click(chromedp.CSS(`.share-card:nth-child(1) button[data-choice="favorite"]`)),
		void(chromedp.Poll[bool](`document.querySelector(".share-card:nth-child(1) .vote-status").textContent === "This is one of your favourites."`)))
	if err != nil {
		t.Fatal(err)
	}
	check("share page voted", chromedp.Navigate(shareURL), chromedp.WaitVisible(chromedp.CSS(".vote-btn.chosen")))
	visit("/t/acme/shares")
	var results string
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/t/acme/shares"),
		into(chromedp.AttributeValue(chromedp.CSS(`.table a[href*="/shares/"]`), "href"), new(chromedp.AttributeResult)),
		into(chromedp.Evaluate[string](`document.querySelector('.table a[href*="/shares/"]').getAttribute("href")`), &results)); err != nil {
		t.Fatal(err)
	}
	visit(results)
	// A read-only workspace: its banner, and the plans page a write gets.
	emptyTenant, err := r.Store.TenantBySlug(context.Background(), "empty")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Billing.AdminChangePlan(context.Background(), emptyTenant.ID, billing.AdminChange{Status: store.SubCanceled}, nil, ""); err != nil {
		t.Fatal(err)
	}
	visit("/t/empty/")
	check("plans page of a refused write", chromedp.Navigate(base+"/t/empty/members"),
		chromedp.SetValue(chromedp.CSS("#email"), "zoe@example.com"),
		chromedp.Submit(chromedp.CSS("#email")),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Your plan")]`)))
	t.Logf("axe checked %s in %v", "every page", time.Since(t0).Round(10*time.Millisecond))
}

// TestAxeBusiness runs the same checks on every page of the business
// hub (bizPages), signed in as the owner, and on the customer's pages
// without an account: her quote with its accept form, her quilt's
// status, and the public gallery.
func TestAxeBusiness(t *testing.T) {
	t.Parallel()
	src := axeSource(t)
	chromium(t)
	r := newRig(t, "")
	_, tn := r.owner(t, "pam@example.com", "pam")
	s := r.seedBusiness(t, tn)
	base := r.srv.URL
	ctx := browserCtxWithin(t, 1280, 900, 8*time.Minute)
	check := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		for _, vp := range []viewport{{"desktop", 1280, 900}, phone} {
			all := append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(int64(vp.w), int64(vp.h))}, actions...)
			all = append(all, chromedp.WaitReady(chromedp.CSS("footer")), finished(t, name), axeCheck(t, src, name+" on a "+vp.name))
			if err := chromedp.Do(ctx, all...); err != nil {
				chromedp.Do(ctx, shot("axe-"+strings.ReplaceAll(strings.Trim(name, "/"), "/", "-")+"-FAILED"))
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	visit := func(path string) { check(path, chromedp.Navigate(base+path)) }

	t0 := time.Now()
	visit(strings.TrimPrefix(s.QuoteURL, base))
	visit(strings.TrimPrefix(s.StatusURL, base))
	visit("/t/pam/gallery")
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/signin?next=/t/pam/business"),
		chromedp.SendKeys(chromedp.CSS("#email"), "pam@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Your quilting business")]`)))
	if err != nil {
		t.Fatal(err)
	}
	pages := bizPages("pam", s)
	paths := make([]string, 0, len(pages))
	for p := range pages {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		visit(p)
	}
	check("job page, every form open", chromedp.Navigate(fmt.Sprintf("%s/t/pam/jobs/%d", base, s.Quote)),
		void(chromedp.Evaluate[bool](`document.querySelectorAll("details").forEach(d => d.open = true), true`)))
	t.Logf("axe checked %d business pages in %v", len(paths)+4, time.Since(t0).Round(10*time.Millisecond))
}

// TestAxeBackups runs axe, as TestAxe does, on the backup pages: the
// Backups page of a workspace with and without backups, an export, a
// snapshot, a restore, the trash, Settings → Danger, and the admin's
// view. It has its own browser and deadline, so TestAxe's walk stays
// within its own.
func TestAxeBackups(t *testing.T) {
	t.Parallel()
	src := axeSource(t)
	chromium(t)
	designs := journeyZIP(t)
	data, err := os.ReadFile(designs.zipPath)
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, "")
	pam, _ := r.owner(t, "pam@example.com", "acme")
	r.uploadZIP(t, pam, "acme", "designs.zip", data)
	wantRedirect(t, pam.post("/workspaces/new", url.Values{"name": {"Empty corner"}, "slug": {"empty"}}), "/t/empty/welcome/team")
	ctx := context.Background()
	u, err := r.Store.UserByEmail(ctx, "pam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Store.SetPlatformAdmin(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile(`/t/acme/patterns/(\d+)"`).FindAllStringSubmatch(pam.get("/t/acme/").Body, -1)
	if len(ids) < 3 {
		t.Fatalf("%d designs on the grid", len(ids))
	}
	acme := mustTenant(t, r, "acme")
	snap, err := r.Backup.Snapshot(ctx, acme.ID, store.SnapshotScheduled)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := r.Backup.StartExport(ctx, acme.ID, u.ID, "")
	if err == nil {
		err = r.Backup.RunExport(ctx, acme.ID, exp.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	first, _ := strconv.ParseInt(ids[0][1], 10, 64)
	rs, err := r.Backup.StartRestore(ctx, acme.ID, u.ID, store.RestoreDesign, snap.ID, first, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Library.Delete(ctx, acme.ID, u.ID, []int64{first}); err != nil {
		t.Fatal(err)
	}

	base := r.srv.URL
	bctx := browserCtx(t, 1280, 900)
	err = chromedp.Do(bctx, chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), "pam@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Your workspaces")]`)))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	for _, p := range []string{"/t/acme/backups", "/t/empty/backups", fmt.Sprintf("/t/acme/exports/%d", exp.ID),
		fmt.Sprintf("/t/acme/snapshots/%d", snap.ID), fmt.Sprintf("/t/acme/restores/%d", rs.ID), "/t/acme/trash",
		"/t/acme/settings/danger", "/admin/backups"} {
		for _, vp := range []viewport{{"desktop", 1280, 900}, phone} {
			err := chromedp.Do(bctx, chromedp.EmulateViewport(int64(vp.w), int64(vp.h)), chromedp.Navigate(base+p),
				chromedp.WaitReady(chromedp.CSS("footer")), finished(t, p), axeCheck(t, src, p+" on a "+vp.name))
			if err != nil {
				chromedp.Do(bctx, shot("axe-backups-FAILED"))
				t.Fatalf("%s: %v", p, err)
			}
		}
	}
	t.Logf("axe checked the backup pages in %v", time.Since(t0).Round(10*time.Millisecond))
}
