package web

import (
	"archive/zip"
	"bytes"
	"context"
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
)

// seedNamed imports one small design per name through the real pipeline.
func (r *rig) seedNamed(t testing.TB, tn *store.Tenant, names ...string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, name := range names {
		d := &geom.Design{Paths: []geom.Path{{Stitch: true, Segments: []geom.Segment{
			{Kind: geom.Line, End: geom.Point{X: float64(2 + i), Y: 1}},
			{Kind: geom.Line, End: geom.Point{X: 0, Y: float64(2 + i)}},
		}}}}
		w, _ := zw.Create(name + "/" + name + ".qli")
		if err := formats.Write(w, "qli", d); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	ctx := context.Background()
	b, err := r.Library.StartImport(ctx, tn.ID, 0, []library.Upload{{Name: "seed.zip", Body: &buf, Size: -1}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Library.Process(ctx, tn.ID, b.ID); err != nil {
		t.Fatal(err)
	}
}

// TestInstantSearchPartial: ?partial=1 answers with the results region
// only, the same markup the full page shows, and builds no link that
// carries partial=1 on.
func TestInstantSearchPartial(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	r.seedNamed(t, acme, "Swirl 00", "Swirl 01", "Swirl 02", "Feather 00", "Feather 01")

	full := pam.get("/t/acme/?q=feather")
	want(t, full, 200, "<html", `data-results`, `data-search-status`, `aria-live="polite"`, "Feather 00", "found for")

	p := pam.get("/t/acme/?q=feather&partial=1")
	want(t, p, 200, "<mark>Feather</mark> 00", "<mark>Feather</mark> 01", "2 designs found for", `class="card"`, `data-bulk`)
	for _, bad := range []string{"<html", "<head", "<main", `role="search"`, "Swirl 00", "partial=1", "data-results"} {
		if strings.Contains(p.Body, bad) {
			t.Errorf("partial answer has %q:\n%s", bad, p.Body)
		}
	}
	// The fragment is exactly the region the full page shows.
	start := strings.Index(full.Body, `data-results>`)
	if start < 0 || !strings.Contains(full.Body[start:], strings.TrimSpace(p.Body)) {
		t.Errorf("the partial answer is not the full page's results region")
	}

	// With no words it is every design, and a miss says so.
	all := pam.get("/t/acme/?partial=1")
	want(t, all, 200, "Swirl 00", "Feather 00")
	miss := pam.get("/t/acme/?q=zzqqxx&partial=1")
	want(t, miss, 200, "No designs match", "Check the spelling", "Or try one of your keywords")
	if !regexp.MustCompile(`<a href="/t/acme/\?q=(swirl|feather)">`).MatchString(miss.Body) {
		t.Errorf("a search that finds nothing suggests none of the library's keywords:\n%s", miss.Body)
	}

	// Only some of the words: no close match; the designs holding some
	// are shown apart, as related, and not counted as found.
	some := pam.get("/t/acme/?q=feather+tractor&partial=1")
	want(t, some, 200, "0 designs found", "No close matches", "Related designs", "<mark>Feather</mark> 00", "<mark>Feather</mark> 01")
	if strings.Contains(some.Body, "Swirl 00") || strings.Contains(some.Body, "No designs match") {
		t.Errorf("related designs for feather tractor:\n%s", some.Body)
	}

	// Half-typed words are not remembered as recent searches; a search
	// the quilter submits is (the log is written just after the answer).
	pam.get("/t/acme/?q=swir&partial=1")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(pam.get("/t/acme/").Body, "?q=feather") {
		if time.Now().After(deadline) {
			t.Fatal("the submitted search for feather never shows among recent searches")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if home := pam.get("/t/acme/").Body; strings.Contains(home, "?q=swir\"") || strings.Contains(home, "?q=zzqqxx") {
		t.Error("a search made while typing shows among recent searches")
	}
}

// TestBrowserInstantSearch: typing in the search box changes the grid
// without loading a page, the address follows, and select-all still
// works on the swapped-in grid.
func TestBrowserInstantSearch(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	_, acme := r.owner(t, "pam@example.com", "acme")
	r.seedNamed(t, acme, "Swirl 00", "Swirl 01", "Swirl 02", "Feather 00", "Feather 01")
	ctx := browserCtx(t, 1280, 900)
	base := r.srv.URL

	var before, after, cards, ticked int
	var names, loc, status string
	var same bool
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), "pam@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("form[role=search]")),
		chromedp.Navigate(base+"/t/acme/"),
		chromedp.WaitVisible(chromedp.CSS(".grid .card")),
		into(chromedp.Evaluate[int](`window.__sameDocument = true; document.querySelectorAll(".grid .card").length`), &before),
		chromedp.SendKeys(chromedp.CSS(`input[name=q]`), "feather"),
		into(chromedp.Poll[int](`document.querySelectorAll(".grid .card").length === 2 && document.querySelector(".found") ? 2 : 0`,
			chromedp.WithPollingTimeout(15*time.Second)), &after),
		into(chromedp.Evaluate[string](`Array.from(document.querySelectorAll(".card-name")).map(e => e.textContent.trim()).join("|")`), &names),
		into(chromedp.Evaluate[bool](`window.__sameDocument === true`), &same),
		into(chromedp.Location(), &loc),
		into(chromedp.Poll[string](`(t => t && t !== "Searching…" && t)(document.querySelector("[data-search-status]").textContent)`,
			chromedp.WithPollingTimeout(10*time.Second)), &status),
		shot("instant-search-1-typed"),
		chromedp.Click(chromedp.CSS("[data-select-all]")),
		into(chromedp.Evaluate[int](`document.querySelectorAll(".grid input[name=ids]:checked").length`), &ticked),
		into(chromedp.Evaluate[int](`document.querySelectorAll(".grid .card").length`), &cards),
	)
	if err != nil {
		t.Fatalf("instant search: %v", err)
	}
	if before != 5 || after != 2 || names != "Feather 00|Feather 01" {
		t.Errorf("grid had %d cards, then %d (%q); want 5 then Feather 00 and 01", before, after, names)
	}
	if !same {
		t.Error("the page was reloaded; instant search should swap the grid in place")
	}
	if !strings.HasSuffix(loc, "/t/acme/?q=feather&sort=name") || strings.Contains(loc, "partial") {
		t.Errorf("address after typing = %q", loc)
	}
	if !strings.Contains(status, "2 designs found") {
		t.Errorf("live status = %q", status)
	}
	if ticked != cards || cards != 2 {
		t.Errorf("select all on the new grid ticked %d of %d", ticked, cards)
	}
}

// TestHighlight: the words a search matched are marked in a name, as
// typed or in their singular, and the rest of the name stays escaped.
func TestHighlight(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		matched []string
		want    string
	}{
		{"Feathered Swirls", []string{"feather"}, "<mark>Feathered</mark> Swirls"},
		{"Butterflies & Swirls", []string{"butterfly", "swirl"}, "<mark>Butterflies</mark> &amp; <mark>Swirls</mark>"},
		{"<b>Holly</b>", []string{"holly"}, "&lt;b&gt;<mark>Holly</mark>&lt;/b&gt;"},
		{"Spiderweb", []string{"related words"}, "Spiderweb"},
		{"Rosé Garden", []string{"rose"}, "<mark>Rosé</mark> Garden"},
	}
	for _, c := range cases {
		if got := string(highlight(c.name, c.matched)); got != c.want {
			t.Errorf("highlight(%q, %q) = %q, want %q", c.name, c.matched, got, c.want)
		}
	}
}

// TestWhatPeopleSearchFor: the owner sees the searches made, those that
// found nothing, and how often a search led to a design being opened;
// other members do not see the page.
func TestWhatPeopleSearchFor(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	vera := r.member(t, pam, "acme", "vera@example.com", store.RoleEditor)
	r.seedNamed(t, acme, "Feather 00", "Swirl 00")

	found := pam.get("/t/acme/?q=feather")
	link := regexp.MustCompile(`href="(/t/acme/patterns/\d+\?from=feather)"`).FindStringSubmatch(found.Body)
	if link == nil {
		t.Fatalf("search results do not link to the design with the search:\n%s", found.Body)
	}
	pam.get("/t/acme/?q=zzqqxx")
	vera.get("/t/acme/?q=swirl")
	// The log is written just after each answer; a click needs its row.
	deadline := time.Now().Add(10 * time.Second)
	var page string
	for {
		want(t, pam.get(link[1]), 200, "Feather 00")
		page = pam.get("/t/acme/searches").Body
		if strings.Contains(page, "<td>1 of 1</td>") && strings.Contains(page, "zzqqxx") && strings.Contains(page, "swirl") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the searches page never showed the searches, the miss and the opened design:\n%s", page)
		}
		time.Sleep(50 * time.Millisecond)
	}
	zero := page[strings.Index(page, "Found nothing"):strings.Index(page, "Most searched")]
	if !strings.Contains(zero, "zzqqxx") || strings.Contains(zero, "feather") {
		t.Errorf("found-nothing table:\n%s", zero)
	}
	if code := vera.get("/t/acme/searches").Status; code != http.StatusForbidden && code != http.StatusNotFound {
		t.Errorf("an editor sees what people search for: %d", code)
	}
}

// FuzzHighlight: whatever a design is named and whatever a search
// matched, the marked name is the name escaped, with only <mark> tags
// added.
func FuzzHighlight(f *testing.F) {
	f.Add("Feathered Swirls", "feather")
	f.Add("<b>Holly</b> & \"Ivy\"", "holly")
	f.Add("Rosé Garden", "rose")
	f.Add("\xff\xfe", "")
	f.Fuzz(func(t *testing.T, name, matched string) {
		got := string(highlight(name, []string{matched}))
		plain := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(got)
		if strings.ContainsAny(plain, "<>\"") {
			t.Fatalf("highlight(%q, %q) = %q leaves markup unescaped", name, matched, got)
		}
		if plain != template.HTMLEscapeString(name) {
			t.Fatalf("highlight(%q, %q) = %q is not the escaped name with marks", name, matched, got)
		}
	})
}
