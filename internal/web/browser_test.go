package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/patternvault/patternvault/internal/share"
)

// chromium finds Debian's Chromium, skipping the test clearly without it.
func chromium(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("PV_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	t.Skip("browser test skipped: Debian's chromium is not installed (./scripts/deps installs it)")
	return ""
}

// browserCtx starts a headless Chromium with its own profile, sized like
// the given device, and returns a context for chromedp actions.
func browserCtx(t testing.TB, width, height int) context.Context {
	t.Helper()
	return browserCtxWithin(t, width, height, 4*time.Minute)
}

// browserCtxWithin is browserCtx with the whole walk's deadline given:
// the longer walks (the business journey, the business pages' checks)
// take twice as many steps as the others.
func browserCtxWithin(t testing.TB, width, height int, deadline time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		cancelC()
		cancelA()
		t.Fatalf("start chromium: %v", err)
	}
	// The whole walk shares this deadline: the accessibility check visits
	// some thirty pages at two sizes and the journeys a dozen steps, which
	// took over 90 s on a busy shared host; a hung step still fails.
	tctx, cancelT := context.WithTimeout(ctx, deadline)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	return tctx
}

// pageStep is one step of a browser walk. A step whose actions load a
// page (a form post, a link) waits for that page (RunResponse), so that
// no wait after it can hold a node of the page it replaced.
type pageStep struct {
	name    string
	loads   bool
	actions []chromedp.Action[chromedp.Void]
}

// runSteps runs steps in turn and fails t at the first that fails.
func runSteps(ctx context.Context, t *testing.T, walk string, steps []pageStep) {
	t.Helper()
	for _, st := range steps {
		var err error
		if st.loads {
			_, err = chromedp.RunResponse(ctx, st.actions...)
		} else {
			err = chromedp.Do(ctx, st.actions...)
		}
		if err != nil {
			t.Fatalf("%s, %s: %v", walk, st.name, err)
		}
	}
}

// shot saves a screenshot under test-artifacts/ for a person to look at.
func shot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		buf, err := chromedp.FullScreenshot(100)(ctx, tg) // 100: PNG
		if err != nil {
			return err
		}
		dir := filepath.Join(repoRoot(), "test-artifacts", "browser")
		os.MkdirAll(dir, 0o755)
		return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	})
}

// into runs an action that gives a value and keeps the value in dst.
func into[T any](a chromedp.Action[T], dst *T) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		v, err := a(ctx, tg)
		*dst = v
		return err
	})
}

func repoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}

// TestBrowserLibrary: sign in, upload a ZIP with the progress bar, see
// the thumbnails, open a design, and download it for a machine.
func TestBrowserLibrary(t *testing.T) {
	t.Parallel()
	data, designs := fixturesZIP(t)
	zipPath := filepath.Join(t.TempDir(), "stitchables.zip")
	os.WriteFile(zipPath, data, 0o644)
	r := newRig(t, "")
	_, acme := r.owner(t, "pam@example.com", "acme")
	ctx := browserCtx(t, 1280, 900)
	base := r.srv.URL

	var loc string
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), "pam@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(".empty")),
		shot("library-1-empty"),
		chromedp.Navigate(base+"/t/acme/imports"),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{zipPath}),
		chromedp.Click(chromedp.CSS("form[data-upload] button")),
		chromedp.WaitVisible(chromedp.CSS("[data-import]")),
		into(chromedp.Location(), &loc),
	)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	var id int64
	fmt.Sscanf(strings.TrimPrefix(loc, base+"/t/acme/imports/"), "%d", &id)
	if err := r.Library.Process(context.Background(), acme.ID, id); err != nil {
		t.Fatal(err)
	}
	var created string
	var imgs int
	var loaded bool
	err = chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.Search(`//p[contains(., "Finished")]`)), // the page polls and reloads when done
		into(chromedp.Text(chromedp.CSS(".n-created")), &created),
		shot("library-2-imported"),
		chromedp.Navigate(base+"/t/acme/"),
		chromedp.WaitVisible(chromedp.CSS(".grid img")),
		into(chromedp.Poll[bool](`Array.from(document.querySelectorAll(".grid img")).every(i => i.complete && i.naturalWidth === 256)`, chromedp.WithPollingTimeout(20*time.Second)), &loaded),
		into(chromedp.Evaluate[int](`document.querySelectorAll(".grid img").length`), &imgs),
		shot("library-3-grid"),
	)
	if err != nil {
		t.Fatalf("grid: %v", err)
	}
	if created != fmt.Sprint(designs) || imgs != designs || !loaded {
		t.Errorf("imported %s, grid shows %d pictures (all loaded: %v); want %d", created, imgs, loaded, designs)
	}
	var status string
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.Search(`//a[contains(@class,"card-link")][contains(., "Viking Longship")]`)),
		chromedp.WaitVisible(chromedp.CSS(".facts h1")),
		shot("library-4a-design"),
		chromedp.SetValue(chromedp.CSS("#machine"), "statler"),
		chromedp.Click(chromedp.CSS("form.machine button")),
		chromedp.WaitVisible(chromedp.Search(`//a[contains(., "Download for Gammill Statler Stitcher")]`)),
		shot("library-4b-machine"),
		into(chromedp.Evaluate[string](`(async () => { const a = Array.from(document.querySelectorAll("a")).find(a => a.textContent.includes("Download for"));
			const r = await fetch(a.href); const b = await r.text();
			return r.status + " " + r.headers.get("Content-Disposition") + " " + b.slice(0, 8); })()`, chromedp.EvalAwaitPromise), &status),
	)
	if err != nil {
		t.Fatalf("design page: %v", err)
	}
	if !strings.HasPrefix(status, "200 attachment") || !strings.Contains(status, ".qli") || !strings.Contains(status, "#CAD2DMC") {
		t.Errorf("download for the Statler = %q", status)
	}
}

// smallControls lists the visible controls of the page's main part that
// are under 44 px tall or have text under 18 px ("" when there are none).
const smallControls = `Array.from(document.querySelectorAll("main button, main select, main input:not([type=hidden]), main textarea, main summary, main a"))
	.filter(e => e.getClientRects().length)
	.map(e => { const r = e.getBoundingClientRect(), fs = parseFloat(getComputedStyle(e).fontSize);
		return (r.height < 44 || fs < 18) ? e.tagName + " “" + (e.textContent || e.name || "").trim().slice(0, 30) + "” " + Math.round(r.height) + " px tall, " + fs + " px text" : ""; })
	.filter(Boolean).join("; ")`

// TestBrowserShareOnPhone: a guest opens a ranking link on a phone, types
// her name, chooses a favourite, then a rank alone and a comment alone:
// each is saved on its own with a visible confirmation and none changes
// the others (issue 15: "Save comment" turned a favourite into a maybe,
// a rank alone was never saved). Every control is at least 44 px tall
// with 18 px text, and nothing scrolls sideways.
func TestBrowserShareOnPhone(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	_, acme := r.owner(t, "pam@example.com", "acme")
	ids := r.seedDesigns(t, acme, "Swirl", 4)
	c, err := r.Shares.Create(context.Background(), acme.ID, 0, share.Input{PatternIDs: ids[:3], Name: "Jane's quilt", ShowDesigner: true,
		VotingMode: "rank", AllowDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	link := strings.Replace(c.URL, "http://pv.test", r.srv.URL, 1)
	ctx := browserCtx(t, 390, 844)
	card := fmt.Sprintf("#design-%d", ids[1])
	status := func(want string) chromedp.Action[chromedp.Void] {
		return void(chromedp.Poll[bool](fmt.Sprintf(`document.querySelector("%s .vote-status").textContent === %q`, card, want),
			chromedp.WithPollingTimeout(10*time.Second)))
	}
	var pressed chromedp.AttributeResult
	var rank, comment, small string
	var wide int
	err = chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("#voter_name")),
		shot("share-1-open"),
		chromedp.SendKeys(chromedp.CSS("#voter_name"), "Jane"),
		chromedp.Click(chromedp.CSS("form[data-guest-name] button")),
		chromedp.WaitVisible(chromedp.CSS(".share-card")),
		chromedp.Click(chromedp.CSS(card+` button[data-choice="favorite"]`)),
		status("This is one of your favourites."),
		chromedp.SetValue(chromedp.CSS(card+" select"), "2"),
		void(chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector("%s select").dispatchEvent(new Event("change")), true`, card))),
		status("Rank 2 saved."),
		chromedp.Click(chromedp.CSS(card+" summary")),
		chromedp.SendKeys(chromedp.CSS(card+" textarea"), "Perfect for the border"),
		chromedp.Click(chromedp.CSS(card+" .vote-comment button")),
		status("Comment saved."),
		shot("share-2-voted"),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(".share-card")),
		into(chromedp.AttributeValue(chromedp.CSS(card+` button[data-choice="favorite"]`), "aria-pressed"), &pressed),
		into(chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector("%s select").value`, card)), &rank),
		into(chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector("%s textarea").value`, card)), &comment),
		void(chromedp.Evaluate[bool](`document.querySelectorAll("details").forEach(d => d.open = true), true`)),
		into(chromedp.Evaluate[string](smallControls), &small),
		into(chromedp.Evaluate[int](`document.documentElement.scrollWidth`), &wide),
	)
	if err != nil {
		t.Fatalf("share page: %v", err)
	}
	if pressed.Value != "true" || rank != "2" || comment != "Perfect for the border" {
		t.Errorf("after reload: favourite pressed %q, rank %q, comment %q; want all three kept", pressed.Value, rank, comment)
	}
	if small != "" {
		t.Errorf("controls too small for a guest on a phone: %s", small)
	}
	if wide > 390 {
		t.Errorf("the share page scrolls sideways on a 390 px phone (%d px wide)", wide)
	}
	res, err := r.Shares.Results(context.Background(), acme.ID, c.Link.ID)
	if err != nil || len(res.Votes) != 1 || res.Votes[0].VoterName != "Jane" || res.Votes[0].Vote != share.Favorite ||
		res.Votes[0].Rank == nil || *res.Votes[0].Rank != 2 || res.Votes[0].Comment != "Perfect for the border" {
		t.Errorf("results after the browser votes: %+v %v", res.Votes, err)
	}
}

// TestBrowserShareWithoutJavaScript: with scripts off, the rank form has
// its own button; saving a rank alone keeps the choice and the page says
// what was saved on the design's card.
func TestBrowserShareWithoutJavaScript(t *testing.T) {
	r := newRig(t, "")
	_, acme := r.owner(t, "pam@example.com", "acme")
	ids := r.seedDesigns(t, acme, "Swirl", 3)
	c, err := r.Shares.Create(context.Background(), acme.ID, 0, share.Input{PatternIDs: ids, Name: "Jane's quilt", VotingMode: "rank"})
	if err != nil {
		t.Fatal(err)
	}
	link := strings.Replace(c.URL, "http://pv.test", r.srv.URL, 1)
	ctx := browserCtx(t, 390, 844)
	card := fmt.Sprintf("#design-%d", ids[0])
	var said, rank string
	// Without JavaScript every button posts a form and loads a page.
	runSteps(ctx, t, "share page without JavaScript", []pageStep{
		{"open the link", false, []chromedp.Action[chromedp.Void]{
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
				return err
			}),
			chromedp.Navigate(link),
			chromedp.SendKeys(chromedp.CSS("#voter_name"), "Jane")}},
		{"give the name", true, []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS("form[data-guest-name] button"))}},
		{"like", true, []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(chromedp.CSS(card + ` button[data-choice="like"]`)),
			chromedp.Click(chromedp.CSS(card + ` button[data-choice="like"]`))}},
		{"rank", true, []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(chromedp.Search(`//p[contains(@class,"vote-status")][contains(., "You like this design.")]`)),
			chromedp.SetValue(chromedp.CSS(card+" select"), "3"),
			chromedp.Click(chromedp.CSS(card + " [data-save-rank]"))}},
		{"ranked", false, []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(chromedp.Search(`//p[contains(@class,"vote-status")][contains(., "Rank 3 saved.")]`)),
			into(chromedp.Text(chromedp.CSS(card+" .vote-status")), &said),
			into(chromedp.Value(chromedp.CSS(card+" select")), &rank),
			shot("share-3-no-javascript")}},
	})

	res, err := r.Shares.Results(context.Background(), acme.ID, c.Link.ID)
	if err != nil || len(res.Votes) != 1 || res.Votes[0].Vote != share.Like || res.Votes[0].Rank == nil || *res.Votes[0].Rank != 3 {
		t.Errorf("after a like and a rank without JavaScript: %+v %v (card says %q, rank %q)", res.Votes, err, said, rank)
	}
}
