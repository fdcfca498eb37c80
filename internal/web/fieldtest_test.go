package web

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
)

// Issue 15's field test, page by page: what a quilter, her helper and her
// viewer met on a phone and a tablet.

// offScreen lists the controls and table cells of the page (the tabs
// included) whose right edge is past the screen's: on a phone, each is an
// action or a column the quilter cannot see without scrolling sideways.
const offScreen = `(() => Array.from(document.querySelectorAll(".tabs a, main a, main button, main select, main input:not([type=hidden]), main td, main th"))
	.filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden" && !e.closest(".sr"))
	.filter(e => !e.closest("thead") || e.closest("thead").getBoundingClientRect().width > 1)
	.filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 || e.getBoundingClientRect().left < -1)
	.map(e => e.tagName.toLowerCase() + " “" + (e.textContent || e.value || e.name || "").trim().slice(0, 24) + "” at x=" +
		Math.round(e.getBoundingClientRect().left) + "–" + Math.round(e.getBoundingClientRect().right))
	.join("; "))()`

// TestPhoneEverythingReachable: on a 390 px phone, the tabs, the bulk bar
// with designs ticked (Share, Download as ZIP, Delete were at x = 908–1311
// px), the Members and Imports tables (their Role, Remove and Problems
// columns were hidden) are all on the screen, the page never scrolls
// sideways, and the library's first screen shows designs, not only
// filters.
func TestPhoneEverythingReachable(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	r.seedDesigns(t, acme, "Feather Swirl", 6)
	r.member(t, pam, "acme", "vera.longname@example.com", "viewer")
	r.member(t, pam, "acme", "hank@example.com", "editor")
	ctx := browserCtx(t, phone.w, phone.h)
	base := r.srv.URL
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), "pam@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.Search(`//button[contains(., "Sign out")]`)))
	if err != nil {
		t.Fatal(err)
	}
	pages := []struct {
		name, path string
		before     []chromedp.Action[chromedp.Void]
	}{
		{"library", "/t/acme/", []chromedp.Action[chromedp.Void]{tick(".card:nth-child(1) input[name=ids]"), tick(".card:nth-child(2) input[name=ids]")}},
		{"members", "/t/acme/members", nil},
		{"imports", "/t/acme/imports", nil},
		{"keywords", "/t/acme/keywords", nil},
	}
	for _, p := range pages {
		var wide int
		var off string
		steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + p.path), chromedp.WaitReady(chromedp.CSS("footer"))}, p.before...)
		steps = append(steps, shot("phone-"+p.name),
			into(chromedp.Evaluate[string](offScreen), &off),
			into(chromedp.Evaluate[int](`document.documentElement.scrollWidth`), &wide))
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if off != "" {
			t.Errorf("%s on a 390 px phone: off the screen: %s", p.name, off)
		}
		if wide > phone.w {
			t.Errorf("%s on a 390 px phone scrolls sideways (%d px wide)", p.name, wide)
		}
	}
	// The first screen of the library shows designs.
	var firstCard float64
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/t/acme/"), chromedp.WaitVisible(chromedp.CSS(".card")),
		into(chromedp.Evaluate[float64](`document.querySelector(".card img, .card .nothumb").getBoundingClientRect().top`), &firstCard))
	if err != nil {
		t.Fatal(err)
	}
	if firstCard > float64(phone.h)-120 {
		t.Errorf("the library's first screen on a phone is all filters: the first design starts at y=%.0f of %d", firstCard, phone.h)
	}
	// The new-workspace form's address check works: its pattern was not a
	// valid regular expression (the browser's only error), so the browser
	// ignored it and let "-acme-" through.
	var mismatch, fine bool
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/workspaces/new"), chromedp.WaitVisible(chromedp.CSS("#slug")),
		into(chromedp.Evaluate[bool](`(() => { const s = document.querySelector("#slug"); s.value = "-acme-"; return s.validity.patternMismatch; })()`), &mismatch),
		into(chromedp.Evaluate[bool](`(() => { const s = document.querySelector("#slug"); s.value = "pams-quilts-2"; return s.checkValidity(); })()`), &fine))
	if err != nil {
		t.Fatal(err)
	}
	if !mismatch || !fine {
		t.Errorf("the web address check: \"-acme-\" refused %v, \"pams-quilts-2\" accepted %v; want both", mismatch, fine)
	}
}

// TestViewerSeesOnlyWhatAViewerMayDo: a viewer is shown no Add designs,
// Share, Rename, Merge, Delete or bulk actions (they led to "Not
// allowed"), while an editor is.
func TestViewerSeesOnlyWhatAViewerMayDo(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	ids := r.seedDesigns(t, acme, "Rose", 3)
	r.Library.AddKeywords(context.Background(), acme.ID, ids[:1], []string{"floral"})
	vera := r.member(t, pam, "acme", "vera@example.com", "viewer")
	hank := r.member(t, pam, "acme", "hank@example.com", "editor")
	if _, err := r.Shares.Create(context.Background(), acme.ID, 0, shareInput(ids[:2])); err != nil {
		t.Fatal(err)
	}
	shares, _ := r.Store.Shares(context.Background(), acme.ID)
	design := fmt.Sprintf("/t/acme/patterns/%d", ids[0])
	results := fmt.Sprintf("/t/acme/shares/%d", shares[0].ID)
	forbidden := []string{"Add designs", "Share with a customer", ">Rename<", ">Merge<", ">Delete", "Delete this design", "Download as ZIP",
		"Change type", "Turn off", "Make a new copy", "Add group", "Possible duplicates", "Check orientation", "select designs in your library"}
	for _, path := range []string{"/t/acme/", design, "/t/acme/keywords", "/t/acme/shares", results, "/t/acme/members"} {
		p := vera.get(path)
		want(t, p, 200)
		for _, f := range forbidden {
			if strings.Contains(p.Body, f) {
				t.Errorf("a viewer is shown %q on %s", f, path)
			}
		}
	}
	// What she may do is still there: download and favourites.
	want(t, vera.get(design), 200, "All formats", "Add to favourites")
	// An editor sees the actions.
	want(t, hank.get("/t/acme/"), 200, "Add designs", "Download as ZIP", "Delete…", "Set type")
	want(t, hank.get(design), 200, "Share with a customer", "Change type", "Delete this design")
	want(t, hank.get("/t/acme/keywords"), 200, ">Rename<", ">Merge<")
}

// TestDesignTypeAndFormats: the quilter changes a design's type on its
// page and many at once from the library; the design page offers only
// formats that download (no 404 links), each converted one with what it
// cannot carry; every download has an extension.
func TestDesignTypeAndFormats(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	ids := r.seedDesigns(t, acme, "Rose", 3)
	design := fmt.Sprintf("/t/acme/patterns/%d", ids[0])
	stops := r.importFiles(t, acme, map[string][]byte{"stops/stops.qli": []byte(qliWithStops)})
	// On the design page.
	res := pam.post("/t/acme/bulk", url.Values{"ids": {fmt.Sprint(ids[0])}, "action": {"set_type"}, "type": {"border"}, "return": {design}})
	wantRedirect(t, res, design)
	p := pam.get(design)
	want(t, p, 200, "1 design is now “Border”.", `<option value="border" selected>Border</option>`)
	// In bulk, from the library.
	v := url.Values{"action": {"set_type"}, "type": {"e2e"}, "return": {"/t/acme/"}}
	for _, id := range ids {
		v.Add("ids", fmt.Sprint(id))
	}
	wantRedirect(t, pam.post("/t/acme/bulk", v), "/t/acme/")
	want(t, pam.get("/t/acme/?type=e2e"), 200, "3 designs are now “Edge to edge”.", "Rose 00", "Rose 01", "Rose 02")
	bad := pam.post("/t/acme/bulk", url.Values{"ids": {fmt.Sprint(ids[0])}, "action": {"set_type"}, "type": {"doily"}, "return": {design}})
	wantRedirect(t, bad, design)
	if p := pam.get(design); !strings.Contains(p.Body, "Choose a type from the list") || !strings.Contains(p.Body, `<option value="e2e" selected>`) {
		t.Errorf("an unknown type was not refused in words, or changed the type")
	}
	// Every format offered downloads, with an extension; a conversion
	// says what it cannot carry.
	p = pam.get(fmt.Sprintf("/t/acme/patterns/%d", stops[0]))
	links := regexp.MustCompile(`href="(/t/acme/patterns/\d+/download\?format=(\w+))"`).FindAllStringSubmatch(p.Body, -1)
	if len(links) < 5 {
		t.Fatalf("%d formats offered", len(links))
	}
	for _, l := range links {
		req := pam.get(l[1])
		cd := ""
		if req.Status == 200 {
			cd = pam.lastDisposition
		}
		if req.Status != 200 || !strings.Contains(cd, "."+l[2]) {
			t.Errorf("%s = %d %q, want 200 with a .%s file", l[1], req.Status, cd, l[2])
		}
	}
	for _, note := range []string{"QCC files have no jumps: 1 jump", "BQM files have no pauses: the pause (&#34;Cut thread&#34;) is left out"} {
		if !strings.Contains(p.Body, note) {
			t.Errorf("the conversions do not say %q:\n%s", note, p.Body)
		}
	}
}

// qliWithStops is a small QLI with a jump and a pause: what some targets
// cannot carry.
const qliWithStops = "#CAD2DMC\r\nCS\r\nVMXY\r\nREM CONTINUOUS ----\r\nNO NEEDLE ON\r\nVP 1000,0\r\nVP 1000,1000\r\nVE\r\n" +
	"REM HIDDEN ----\r\nNO NEEDLE OFF\r\nVP 1000,0\r\nVE\r\nNO PAUSE Cut thread\r\nREM CONTINUOUS ----\r\nNO NEEDLE ON\r\nVP 0,1000\r\nVE\r\nEN\r\n"

// importFiles imports files (paths in a ZIP) into the tenant through the
// real pipeline and returns the new designs' ids, in name order.
func (r *rig) importFiles(t testing.TB, tn *store.Tenant, files map[string][]byte) []int64 {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	ctx := context.Background()
	before, err := r.Store.Patterns(ctx, tn.ID, store.PatternQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Library.StartImport(ctx, tn.ID, 0, []library.Upload{{Name: "files.zip", Body: &buf, Size: -1}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Library.Process(ctx, tn.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	after, err := r.Store.Patterns(ctx, tn.ID, store.PatternQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	old := map[int64]bool{}
	for _, p := range before.Patterns {
		old[p.ID] = true
	}
	var ids []int64
	for _, p := range after.Patterns {
		if !old[p.ID] {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

func shareInput(ids []int64) share.Input { return share.Input{PatternIDs: ids, Name: "Jane's quilt"} }

// TestWorkspaceMachine: the quilter chooses her machine in Settings (and
// in the first-run guide); "Download for my machine" follows it on every
// design page, with what the conversion cannot carry; an unknown machine is
// refused in words.
func TestWorkspaceMachine(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	ids := r.seedDesigns(t, acme, "Rose", 1)
	design := fmt.Sprintf("/t/acme/patterns/%d", ids[0])
	want(t, pam.get("/t/acme/welcome/import"), 200, "Which machine do you quilt with?", "APQS Quilt Path", "Grace QBot (PLT)")
	want(t, pam.get("/t/acme/settings"), 200, "Quilting machine", "Handi Quilter Pro-Stitcher (HQF, QLI, TXT)", "IntelliQuilter (IQP)")
	wantRedirect(t, pam.post("/t/acme/machine", url.Values{"machine": {"qmatic"}, "return": {"/t/acme/settings"}}), "/t/acme/settings")
	want(t, pam.get("/t/acme/settings"), 200, "downloads are now for your BERNINA Q-matic", `<option value="qmatic" selected>`, "could not confirm")
	p := pam.get(design)
	want(t, p, 200, "Download for BERNINA Q-matic", "bqm file, converted from the original")
	wantRedirect(t, pam.post("/t/acme/machine", url.Values{"machine": {"sewing-robot-3000"}, "return": {"/t/acme/settings"}}), "/t/acme/settings")
	want(t, pam.get("/t/acme/settings"), 200, "Choose your quilting machine from the list.", `<option value="qmatic" selected>`)
	// A helper on her own device sees the workspace's machine.
	hank := r.member(t, pam, "acme", "hank@example.com", "editor")
	want(t, hank.get(design), 200, "Download for BERNINA Q-matic")
}

// TestImportResultSaysWhat: a designer's whole store as one ZIP (issue
// 15's field test) imports as one design per folder: the video and the
// picture join the design of their folder (the picture shown on its page),
// the store's README and licence are kept once with the import (not
// attached to every design), dotfiles are left out. The import's page
// names the ZIP, reports a corrupt .qli as "unreadable: <reason>" (it said
// "added (1 files)" and its design offered "Download for Gammill… the
// original"), writes plurals right, and, when the same ZIP comes again,
// says which designs were skipped, each with a link to it; the imports
// list shows the ZIP's name.
func TestImportResultSaysWhat(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	wantRedirect(t, pam.post("/t/acme/machine", url.Values{"machine": {"statler"}, "return": {"/t/acme/settings"}}), "/t/acme/settings")
	noise := make([]byte, 3000)
	for i := range noise {
		noise[i] = byte(i*7919 + i*i*31)
	}
	var jpg bytes.Buffer
	jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 40, 30)), nil)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"Store-main/README.md", []byte("# Pam's store\nFree quilting designs by Jane Doe.\n")},
		{"Store-main/LICENSE", []byte("Copyright - Creative Commons (CC BY-SA)\n")},
		{"Store-main/.gitattributes", []byte("*.qli text eol=crlf\n")},
		{"Store-main/blocks/Corrupt/Corrupt.qli", noise},
		{"Store-main/e2e/Rose/Rose.qli", []byte(qliWithStops)},
		{"Store-main/e2e/Rose/Rose (vid).mp4", noise[:100]},
		{"Store-main/e2e/Rose/Rose (pic).jpg", jpg.Bytes()},
	} {
		w, _ := zw.Create(f.name)
		w.Write(f.data)
	}
	zw.Close()
	page := r.uploadZIP(t, pam, "acme", "Spring store.zip", buf.Bytes())
	p := pam.get(page)
	want(t, p, 200, "Spring store.zip", "<strong class=\"n-created\">2</strong> new design<span class=\"s-created\">s</span>",
		"Kept, with a note", "<strong>Store-main/blocks/Corrupt/Corrupt.qli</strong>: unreadable: Corrupt.qli: ", "Corrupt: added (1 file)",
		"Kept once with this import", ">Store-main/LICENSE</a>", ">Store-main/README.md</a>")
	if strings.Contains(p.Body, "gitattributes") {
		t.Errorf("the import kept .gitattributes")
	}
	kept := regexp.MustCompile(`href="(/t/acme/imports/\d+/files/\d+)">Store-main/README.md<`).FindStringSubmatch(p.Body)
	if kept == nil || pam.get(kept[1]).Body != "# Pam's store\nFree quilting designs by Jane Doe.\n" || !strings.Contains(pam.lastDisposition, "README.md") {
		t.Errorf("the README kept with the import does not download as it came: %v", kept)
	}
	// One design per folder; the corrupt one is kept and marked, and not
	// offered for the machine; the readable one is, with its picture shown
	// and its video kept, and no store file among its files.
	list, err := r.Store.Patterns(context.Background(), acme.ID, store.PatternQuery{Limit: 10, Sort: store.SortName})
	if err != nil || len(list.Patterns) != 2 {
		t.Fatalf("patterns: %v, %+v", err, list)
	}
	corrupt, rose := list.Patterns[0], list.Patterns[1]
	d := pam.get(fmt.Sprintf("/t/acme/patterns/%d", corrupt.ID))
	want(t, d, 200, "unreadable: ", "not offered for a machine", "This design has no file for Gammill Statler Stitcher, and it cannot be converted.")
	if strings.Contains(d.Body, "download?format=") {
		t.Errorf("the corrupt design offers a download in a format")
	}
	d = pam.get(fmt.Sprintf("/t/acme/patterns/%d", rose.ID))
	want(t, d, 200, "Download for Gammill Statler Stitcher", "qli file, the original", "Rose (vid).mp4", "<h2>Pictures</h2>", `alt="Rose (pic).jpg"`, "CC BY-SA")
	for _, f := range []string{"README", "LICENSE", "gitattributes"} {
		if strings.Contains(d.Body, f) {
			t.Errorf("the store's %s is a file of the design", f)
		}
	}
	pic := regexp.MustCompile(`<img src="(/t/acme/patterns/\d+/pictures/\d+)"`).FindStringSubmatch(d.Body)
	if pic == nil {
		t.Fatal("no picture on the design's page")
	}
	if got := pam.get(pic[1]); got.Status != 200 || got.Body != jpg.String() {
		t.Errorf("the picture: %d, %d bytes", got.Status, len(got.Body))
	}
	// The same ZIP again: which designs were skipped, with links.
	again := pam.get(r.uploadZIP(t, pam, "acme", "Spring store (1).zip", buf.Bytes()))
	want(t, again, 200, "Already in your library (skipped)", "<strong>Store-main/blocks/Corrupt/Corrupt.qli</strong>", "<strong>Store-main/e2e/Rose/Rose.qli</strong>",
		fmt.Sprintf(`href="/t/acme/patterns/%d"`, corrupt.ID), fmt.Sprintf(`href="/t/acme/patterns/%d"`, rose.ID),
		"<strong class=\"n-created\">0</strong> new design<span class=\"s-created\">s</span>")
	want(t, pam.get("/t/acme/imports"), 200, "Spring store.zip", "Spring store (1).zip", "2 designs")
}

// TestLibraryZIPForTheMachine: the library's "Download as ZIP" holds each
// design for the workspace's machine (its original when it has one, a
// conversion otherwise: no second QLI for a design that came as QLI) plus
// its originals, every entry with a real date (they were dated 1980); a
// G-code file with no extension, recognised by its content, downloads
// with ".bqm" so a machine sees it.
func TestLibraryZIPForTheMachine(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	bqm := "N10G00X0.0000Y0.0000\r\nN20G01X4.0000Y0.0000\r\nN30G01X4.0000Y3.0000\r\nN40G01X0.0000Y3.0000\r\n"
	ids := r.importFiles(t, acme, map[string][]byte{
		"Feather/Feather v1": []byte(bqm),
		"Rose/Rose.qli":      []byte(qliWithStops),
	})
	if len(ids) != 2 {
		t.Fatalf("%d designs imported, want 2", len(ids))
	}
	wantRedirect(t, pam.post("/t/acme/machine", url.Values{"machine": {"statler"}, "return": {"/t/acme/settings"}}), "/t/acme/settings")
	// The extension-less file downloads with its format's extension.
	var feather int64
	for _, id := range ids {
		if p := pam.get(fmt.Sprintf("/t/acme/patterns/%d", id)); strings.Contains(p.Body, "Feather") {
			feather = id
		}
	}
	if feather == 0 {
		t.Fatal("no Feather design")
	}
	if got := pam.get(fmt.Sprintf("/t/acme/patterns/%d/download?format=original", feather)); got.Status != 200 || !strings.Contains(pam.lastDisposition, "Feather v1.bqm") {
		t.Errorf("the extension-less G-code downloads as %q (%d), want Feather v1.bqm", pam.lastDisposition, got.Status)
	}
	// The library's ZIP.
	v := url.Values{"action": {"export"}}
	for _, id := range ids {
		v.Add("ids", fmt.Sprint(id))
	}
	exp := pam.post("/t/acme/bulk", v)
	zr, err := zip.NewReader(bytes.NewReader([]byte(exp.Body)), int64(len(exp.Body)))
	if err != nil {
		t.Fatalf("export: %d, %v", exp.Status, err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if age := time.Since(f.Modified); age < -time.Hour || age > 24*time.Hour {
			t.Errorf("%s is dated %v, not when it came into the library", f.Name, f.Modified)
		}
	}
	slices.Sort(names)
	want := []string{"Feather/Feather v1.bqm", "Feather/Feather.qli", "Rose/Rose.qli"}
	if !slices.Equal(names, want) {
		t.Errorf("the ZIP holds %q, want %q (each design for the Statler, plus the originals)", names, want)
	}
}
