package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/patternvault/patternvault/internal/store"
)

// offline cuts (or restores) a target's network as Chromium's own
// offline mode does; for a page, navigator.onLine follows.
func offline(on, page bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		yes := on
		if _, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &yes,
			MatchedNetworkConditions:    []*network.Conditions{{Offline: on, DownloadThroughput: -1, UploadThroughput: -1}},
		}); err != nil {
			return err
		}
		if !page {
			return nil // navigator.onLine is the page's
		}
		_, err := cdp.Call(ctx, tg, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: on, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	})
}

// TestManifestAndServiceWorker: GET /manifest.webmanifest is a web app
// manifest with 192 and 512 px PNG icons that exist; /sw.js is served
// from the root with Service-Worker-Allowed: /.
func TestManifestAndServiceWorker(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	code, body, h := r.get(t, "/manifest.webmanifest", "")
	var m struct {
		Name, StartURL, Display string
		Icons                   []struct{ Src, Sizes, Type string }
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil || code != 200 || h.Get("Content-Type") != "application/manifest+json" {
		t.Fatalf("manifest: %d %s %v\n%s", code, h.Get("Content-Type"), err, body)
	}
	sizes := map[string]bool{}
	for _, ic := range m.Icons {
		c, png, _ := r.get(t, ic.Src, "")
		if c != 200 || !strings.HasPrefix(png, "\x89PNG") || ic.Type != "image/png" {
			t.Errorf("icon %s: %d", ic.Src, c)
		}
		var w, hh int
		fmt.Sscanf(ic.Sizes, "%dx%d", &w, &hh)
		if w != hh {
			t.Errorf("icon %s is not square: %s", ic.Src, ic.Sizes)
		}
		sizes[ic.Sizes] = true
	}
	if !sizes["192x192"] || !sizes["512x512"] || m.Name == "" || m.Display != "standalone" {
		t.Errorf("manifest %+v", m)
	}
	code, body, h = r.get(t, "/sw.js", "")
	if code != 200 || h.Get("Service-Worker-Allowed") != "/" || !strings.Contains(h.Get("Content-Type"), "javascript") ||
		strings.Contains(body, "__VERSION__") || !strings.Contains(body, `addEventListener("fetch"`) {
		t.Errorf("sw.js: %d %v", code, h)
	}
	if code, body, _ := r.get(t, "/offline", ""); code != 200 || !strings.Contains(body, "data-offline-library") {
		t.Errorf("/offline: %d", code)
	}
}

// TestBrowserOffline: in Chromium, a machine kit is written straight into
// a folder (File System Access API); PatternVault is installable (manifest,
// service worker, icons: no installability error); a design kept on the
// device opens with the network cut (Chromium's offline emulation, its
// service worker included) with its picture, and its Statler file
// downloads; the library address shows the offline banner and searches
// what is kept; a favourite made offline is sent when the network
// returns, and the server has it.
func TestBrowserOffline(t *testing.T) {
	t.Parallel()
	data, _ := fixturesZIP(t)
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	r.uploadZIP(t, pam, "acme", "stitchables.zip", data)
	grid := pam.get("/t/acme/")
	m := regexp.MustCompile(`href="/t/acme/patterns/(\d+)" class="card-link">\s*<img[^>]*>\s*<span class="card-name">Viking Longship`).FindStringSubmatch(grid.Body)
	if m == nil {
		t.Fatal("no Viking Longship on the grid")
	}
	var vikingID int64
	fmt.Sscan(m[1], &vikingID)
	design := r.srv.URL + "/t/acme/patterns/" + m[1]
	// A favourite she never opens in this browser is kept all the same.
	var favID int64
	var favName string
	for _, c := range regexp.MustCompile(`href="/t/acme/patterns/(\d+)" class="card-link">\s*<img[^>]*>\s*<span class="card-name">([^<]+)<`).FindAllStringSubmatch(grid.Body, -1) {
		if c[1] != m[1] {
			fmt.Sscan(c[1], &favID)
			favName = html.UnescapeString(c[2])
			break
		}
	}
	if favID == 0 {
		t.Fatal("only one design on the grid")
	}
	if err := r.Library.SetFavorite(context.Background(), acme.ID, r.onlyUser(t, acme), favID, true); err != nil {
		t.Fatal(err)
	}
	favPage := fmt.Sprintf("%s/t/acme/patterns/%d", r.srv.URL, favID)
	ctx := browserCtx(t, 1024, 768)

	var installErrs []*cdppage.InstallabilityError
	var manifest *cdppage.GetAppManifestResult
	var kept, ready, folder, usage string
	err := chromedp.Do(ctx,
		chromedp.Navigate(r.srv.URL+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), "pam@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(".grid img")),
		into(chromedp.Evaluate[string](`navigator.serviceWorker.ready.then(r => r.active ? r.active.scriptURL : "none")`, chromedp.EvalAwaitPromise), &ready),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			res, err := cdp.Call(ctx, tg, cdppage.GetInstallabilityErrors, cdp.Empty{})
			if err == nil {
				installErrs = res.InstallabilityErrors
			}
			return err
		}),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			res, err := cdp.Call(ctx, tg, cdppage.GetAppManifest, cdppage.GetAppManifestParams{})
			manifest = &res
			return err
		}),
		chromedp.WaitVisible(chromedp.CSS("[data-device]")),
		into(chromedp.Poll[string](`(() => { const u = document.querySelector("[data-device-usage]").textContent; return u.includes(" 1 favourite ") ? u : ""; })()`,
			chromedp.WithPollingTimeout(20*time.Second)), &usage),
		shot("offline-1-library"),
		// The machine kit straight into a folder (File System Access API):
		// the folder picked is the origin's private folder, as a person
		// cannot click through the picker in a test.
		void(chromedp.Evaluate[any](`window.showDirectoryPicker = async () => navigator.storage.getDirectory(); 0`)),
		chromedp.Click(chromedp.CSS(`input[name=ids][value="`+m[1]+`"]`)),
		chromedp.Click(chromedp.CSS("[data-kit-folder]")),
		chromedp.WaitVisible(chromedp.Search(`//p[@data-kit-status][contains(., "Done: ")]`)),
		into(chromedp.Evaluate[string](`(async () => { const root = await navigator.storage.getDirectory(); const out = [];
			for await (const [name, h] of root.entries()) { if (h.kind !== "directory") { out.push(name); continue; }
				for await (const [n2, h2] of h.entries()) out.push(name + "/" + n2 + (n2.endsWith(".qli") ? " " + (await (await h2.getFile()).text()).slice(0, 8) : "")); }
			return out.sort().join("|"); })()`, chromedp.EvalAwaitPromise), &folder),
		// Her machine, then keep the design.
		chromedp.Navigate(design),
		chromedp.SetValue(chromedp.CSS("#machine"), "statler"),
		chromedp.Click(chromedp.CSS("form.machine button")),
		chromedp.WaitVisible(chromedp.Search(`//a[contains(., "Download for Gammill Statler Stitcher")]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-keep]")),
		chromedp.Click(chromedp.CSS("[data-keep]")),
		chromedp.WaitVisible(chromedp.Search(`//p[@data-keep-status][contains(., "Kept on this device (")]`)),
		into(chromedp.Text(chromedp.CSS("[data-keep-status]")), &kept),
		shot("offline-2-kept"),
	)
	if err != nil {
		t.Fatalf("online part: %v", err)
	}
	if !strings.Contains(folder, "README.txt") || !strings.Contains(folder, "Viking Longship/Viking Longship.qli #CAD2DMC") ||
		!strings.Contains(folder, "Viking Longship/copyright-license-info.txt") || !strings.Contains(folder, "Viking Longship/Viking Longship - sheet.html") {
		t.Errorf("the kit written to a folder holds %q", folder)
	}
	if !strings.HasSuffix(ready, "/sw.js") {
		t.Errorf("service worker: %q", ready)
	}
	for _, e := range installErrs {
		t.Errorf("not installable: %s %v", e.ErrorID, e.ErrorArguments)
	}
	if manifest == nil || len(manifest.Errors) > 0 || !strings.HasSuffix(manifest.URL, "/manifest.webmanifest") {
		t.Errorf("manifest as Chromium reads it: %+v", manifest)
	}

	var banner, found, none, picture, file, other, favTitle, favPicture string
	// The service worker is a target of its own: the network is cut for
	// it too, as Chromium's offline mode does.
	var swTarget target.ID
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range infos {
		if in.Type == "service_worker" {
			swTarget = in.TargetID
		}
	}
	if swTarget == "" {
		t.Fatalf("no service worker among the browser's targets: %+v", infos)
	}
	sw, _ := chromedp.NewContext(ctx, chromedp.WithTargetID(swTarget))
	if err := chromedp.Do(sw, offline(true, false)); err != nil {
		t.Fatalf("service worker offline: %v", err)
	}
	err = chromedp.Do(ctx,
		offline(true, true),
		// A page never kept gives the offline library: the network is
		// really gone for the service worker too.
		chromedp.Navigate(r.srv.URL+"/t/acme/keywords"),
		chromedp.WaitVisible(chromedp.CSS("[data-offline-library]")),
		into(chromedp.Text(chromedp.CSS("h1")), &other),
		chromedp.Navigate(r.srv.URL+"/t/acme/"),
		chromedp.WaitVisible(chromedp.CSS("[data-offline-grid] .card")),
		into(chromedp.Text(chromedp.CSS("[data-offline-banner]")), &banner),
		shot("offline-3-library-offline"),
		chromedp.SendKeys(chromedp.CSS("[data-offline-search] input"), "viking"),
		into(chromedp.Evaluate[string](`Array.from(document.querySelectorAll("[data-offline-grid] .card-name")).map(e => e.textContent).join("|")`), &found),
		chromedp.SendKeys(chromedp.CSS("[data-offline-search] input"), " butterfly"),
		into(chromedp.Evaluate[string](`String(document.querySelectorAll("[data-offline-grid] .card").length)`), &none),
		chromedp.Navigate(design),
		chromedp.WaitVisible(chromedp.CSS(".facts h1")),
		into(chromedp.Poll[string](`(() => { const i = document.querySelector(".preview img"); return i && i.complete && i.naturalWidth > 0 ? i.src : ""; })()`,
			chromedp.WithPollingTimeout(20*time.Second)), &picture),
		into(chromedp.Evaluate[string](`(async () => { const a = Array.from(document.querySelectorAll("a")).find(a => a.textContent.includes("Download for"));
			const r = await fetch(a.href); const b = await r.text();
			return r.status + " " + r.headers.get("Content-Disposition") + " " + b.slice(0, 8); })()`, chromedp.EvalAwaitPromise), &file),
		shot("offline-4-design-offline"),
		// The favourite never opened here opens too, with its picture.
		chromedp.Navigate(favPage),
		chromedp.WaitVisible(chromedp.CSS(".facts h1")),
		into(chromedp.Text(chromedp.CSS(".facts h1")), &favTitle),
		into(chromedp.Poll[string](`(() => { const i = document.querySelector(".preview img"); return i && i.complete && i.naturalWidth > 0 ? i.src : ""; })()`,
			chromedp.WithPollingTimeout(20*time.Second)), &favPicture),
		chromedp.Navigate(design),
		chromedp.WaitVisible(chromedp.CSS(".facts h1")),
		// A favourite made offline waits on the device...
		chromedp.Click(chromedp.CSS(`form[action$="/favorite"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@data-queued][contains(., "it will be sent when you are back online")]`)),
	)
	if err != nil {
		t.Fatalf("offline part: %v", err)
	}
	if other != "Designs on this device" {
		t.Errorf("a page not kept, offline, shows %q (did it reach the server?)", other)
	}
	if !strings.HasPrefix(banner, "Offline — showing the ") || !strings.Contains(banner, " designs on this ") && !strings.Contains(banner, " design on this ") {
		t.Errorf("offline banner %q", banner)
	}
	if found != "Viking Longship" || none != "0" {
		t.Errorf("offline search: %q for viking, %s cards for viking butterfly", found, none)
	}
	if !strings.Contains(picture, "/preview.svg") {
		t.Errorf("the kept design's picture did not load offline: %q", picture)
	}
	if !strings.HasPrefix(file, "200 attachment") || !strings.Contains(file, ".qli") || !strings.Contains(file, "#CAD2DMC") {
		t.Errorf("the Statler file offline: %q", file)
	}
	if !strings.HasSuffix(strings.TrimSpace(favTitle), strings.TrimSpace(favName)) || favPicture == "" {
		t.Errorf("the favourite offline: %q with picture %q, want %q with its picture", favTitle, favPicture, favName)
	}
	if !strings.Contains(usage, "Kept here: 0 designs, 1 favourite and ") {
		t.Errorf("the device's room says %q", usage)
	}
	if fav := r.favourite(t, acme, vikingID); fav {
		t.Fatal("the favourite reached the server while offline")
	}
	// ...and is sent when the network returns.
	var sent string
	if err := chromedp.Do(sw, offline(false, false)); err != nil {
		t.Fatalf("service worker online: %v", err)
	}
	err = chromedp.Do(ctx,
		offline(false, true),
		chromedp.WaitVisible(chromedp.Search(`//p[@data-offline-banner][contains(., "made offline")]`)),
		into(chromedp.Text(chromedp.CSS("[data-offline-banner]")), &sent),
		shot("offline-5-back-online"),
	)
	if err != nil {
		t.Fatalf("back online: %v", err)
	}
	if !strings.Contains(sent, "Sent 1 change made offline.") || !r.favourite(t, acme, vikingID) {
		t.Errorf("back online: %q; favourite on the server: %v", sent, r.favourite(t, acme, vikingID))
	}
	if !strings.Contains(kept, "Kept on this device") {
		t.Errorf("keep said %q", kept)
	}
}

// favourite reports whether pam (the workspace's only member) marked
// design id as a favourite.
func (r *rig) favourite(t *testing.T, tn *store.Tenant, id int64) bool {
	t.Helper()
	pg, err := r.Store.Patterns(context.Background(), tn.ID, store.PatternQuery{Favorites: true, UserID: r.onlyUser(t, tn), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pg.Patterns {
		if p.ID == id {
			return true
		}
	}
	return false
}

func (r *rig) onlyUser(t *testing.T, tn *store.Tenant) int64 {
	t.Helper()
	u, err := r.Store.UserByEmail(context.Background(), "pam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
