package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
)

// manyKeywords gives tenant t n keywords ("kw-0000", ...), spread over
// designs of at most store.MaxKeywordsPerDesign keywords each.
func (r *rig) manyKeywords(t testing.TB, tn *store.Tenant, n int) {
	t.Helper()
	ctx := context.Background()
	per := store.MaxKeywordsPerDesign
	for i := 0; i < n; i += per {
		var kws []string
		for j := i; j < min(i+per, n); j++ {
			kws = append(kws, fmt.Sprintf("kw-%04d", j))
		}
		if _, err := r.Store.CreatePattern(ctx, tn.ID, &store.Pattern{Name: fmt.Sprintf("Design %d", i/per), Keywords: kws}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKeywordsPageWithThousandsOfKeywords: with 3,000 keywords (and the
// most groups, with the longest names) the keywords page stays small (a
// page of them, a text box to name the keyword to merge into or the group
// to put it in, not every keyword or group on every row); its search box
// finds one, Next goes on, and a merge by typed name works, with Undo.
func TestKeywordsPageWithThousandsOfKeywords(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	r.manyKeywords(t, acme, 3000)
	for i := range library.MaxGroups {
		if _, err := r.Library.CreateGroup(context.Background(), acme.ID, fmt.Sprintf("%03d %s", i, strings.Repeat("g", 56))); err != nil {
			t.Fatal(err)
		}
	}

	p := pam.get("/t/acme/keywords")
	want(t, p, 200, "3000 keywords", "kw-0000", "Next keywords")
	if len(p.Body) > 1<<20 {
		t.Fatalf("the keywords page of 3,000 keywords and %d groups is %d KB, want under 1 MB", library.MaxGroups, len(p.Body)>>10)
	}
	if rows := strings.Count(p.Body, "/rename\""); rows != keywordsPerPage {
		t.Errorf("%d keywords on a page, want %d", rows, keywordsPerPage)
	}
	if strings.Contains(p.Body, "kw-0100") || strings.Count(p.Body, "<option") > library.MaxGroups {
		t.Error("the page lists keywords beyond its own, or offers every keyword or group on every row")
	}

	// A keyword goes into a group named in its row's text box.
	id := regexp.MustCompile(`/keywords/(\d+)/group"`).FindStringSubmatch(p.Body)
	if id == nil {
		t.Fatal("no group box on the page")
	}
	group := fmt.Sprintf("007 %s", strings.Repeat("g", 56))
	wantRedirect(t, pam.post("/t/acme/keywords/"+id[1]+"/group", url.Values{"group_name": {strings.ToUpper(group)}}), "/t/acme/keywords")
	want(t, pam.get("/t/acme/keywords"), 200, "In "+group+".")
	wantRedirect(t, pam.post("/t/acme/keywords/"+id[1]+"/group", url.Values{"group_name": {"No such group"}}), "/t/acme/keywords")
	want(t, pam.get("/t/acme/keywords"), 200, "There is no group called “No such group”")

	ctx := browserCtx(t, 1280, 900)
	base := r.srv.URL
	var rows int
	var flash, next string
	runSteps(ctx, t, "keywords page", []pageStep{
		{"sign in", false, []chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/signin"),
			chromedp.SendKeys(chromedp.CSS("#email"), "pam@example.com"),
			chromedp.SendKeys(chromedp.CSS("#password"), goodPassword)}},
		{"submit the sign-in", true, []chromedp.Action[chromedp.Void]{chromedp.Submit(chromedp.CSS("#password"))}},
		{"keywords page", false, []chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/t/acme/keywords")}},
		{"next page", true, []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.Search(`//a[contains(., "Next keywords")]`))}},
		{"search", false, []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(chromedp.Search(`//a[contains(., "First page")]`)),
			into(chromedp.Evaluate[string](`document.querySelector("tbody tr td a").textContent`), &next),
			chromedp.SendKeys(chromedp.CSS("#kwq"), "kw-2999")}},
		{"submit the search", true, []chromedp.Action[chromedp.Void]{chromedp.Submit(chromedp.CSS("#kwq"))}},
		{"merge", false, []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(chromedp.Search(`//p[contains(., "keyword with")]`)),
			into(chromedp.Evaluate[int](`document.querySelectorAll("tbody tr").length`), &rows),
			shot("keywords-1-found"),
			chromedp.SendKeys(chromedp.CSS(`input[name="into"]`), "KW-0001")}},
		{"submit the merge", true, []chromedp.Action[chromedp.Void]{chromedp.Submit(chromedp.CSS(`input[name="into"]`))}},
		{"merged", false, []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(chromedp.CSS(".undo")),
			into(chromedp.Text(chromedp.CSS("body")), &flash),
			shot("keywords-2-merged")}},
	})

	if next != "kw-0100" || rows != 1 || !strings.Contains(flash, "Merged into “kw-0001”") {
		t.Errorf("second page starts at %q, search found %d rows, after merging: %q", next, rows, flash)
	}
	if p := pam.get("/t/acme/keywords?q=kw-2999"); !strings.Contains(p.Body, "0 keywords") {
		t.Error("the merged keyword is still there")
	}
	wantRedirect(t, pam.post("/t/acme/keywords/1/merge", url.Values{"into": {"no such keyword"}}), "/t/acme/keywords")
	if p := pam.get("/t/acme/keywords"); !strings.Contains(p.Body, "There is no keyword called “no such keyword”") {
		t.Errorf("merging into a keyword that does not exist:\n%s", p.Body[:min(len(p.Body), 3000)])
	}
}

// BenchmarkKeywordsPage is the keywords page of a workspace with 3,000
// keywords: its size and how long it takes (targets: under 1 MB, under
// 1 s; 2,006 keywords made a 157 MB page in 10.8 s before it was paged).
func BenchmarkKeywordsPage(b *testing.B) {
	r := newRig(b, "")
	pam, acme := r.owner(b, "pam@example.com", "acme")
	r.manyKeywords(b, acme, 3000)
	var took []time.Duration
	size := 0
	for b.Loop() {
		req, _ := http.NewRequest("GET", r.srv.URL+"/t/acme/keywords", nil)
		t0 := time.Now()
		resp, err := pam.http.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took = append(took, time.Since(t0))
		if resp.StatusCode != 200 || !regexp.MustCompile(`3000 keywords`).Match(body) {
			b.Fatalf("keywords page: %d", resp.StatusCode)
		}
		size = len(body)
	}
	b.ReportMetric(float64(size)/1024, "KB")
	b.ReportMetric(float64(percentile(took, 95).Microseconds())/1000, "p95-ms")
}

// percentile returns the p-th percentile of ds (which it sorts).
func percentile(ds []time.Duration, p int) time.Duration {
	slices.Sort(ds)
	return ds[min(len(ds)-1, len(ds)*p/100)]
}
