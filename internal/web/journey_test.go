package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"

	"github.com/patternvault/patternvault/internal/demo"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// The journey tests walk a quilter's first hour in Debian's Chromium, the
// way she meets PatternVault: sign up, confirm the email, create a
// workspace, import a ZIP of real designs, find one with a misspelt
// search, download it for her Gammill, share three designs, and see the
// votes her customer gave on a phone. Every step leaves a screenshot
// under test-artifacts/browser/journey-<viewport>-NN-<step>.png.

// journeyDesigns is the ZIP the journey imports and what it must find.
type journeyDesigns struct {
	zipPath string
	count   int
	// typo is a misspelt search; want is (part of) the name of the design
	// it must find.
	typo, want string
}

// journeyZIP builds a ZIP of the shared Stitchables fixtures (real
// designs bought from a store) or, when ../shared/fixtures is absent, of
// designs made by the project's demo generator.
func journeyZIP(t testing.TB) journeyDesigns {
	t.Helper()
	path := filepath.Join(t.TempDir(), "designs.zip")
	if dir, err := testfixtures.Find(); err == nil {
		data, n := zipDesignFolders(t, filepath.Join(dir, "stitchables"))
		if n >= 3 {
			os.WriteFile(path, data, 0o644)
			return journeyDesigns{zipPath: path, count: n, typo: "dragn", want: "Celtic Dragon"}
		}
		t.Logf("journey: %s has only %d design folders; importing demo designs instead", dir, n)
	} else {
		t.Logf("journey: the shared fixtures are absent (%v); importing a ZIP of designs made by the demo generator (internal/demo) instead", err)
	}
	var items []demo.Item
	if err := demo.Generate(8, 6, func(it demo.Item) error { items = append(items, it); return nil }); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := demo.WriteZIP(&buf, items...); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, buf.Bytes(), 0o644)
	typo, want := misspellUnique(items)
	return journeyDesigns{zipPath: path, count: len(items), typo: typo, want: want}
}

// zipDesignFolders zips root/<kind>/<design>/* keeping the folders, as a
// pattern store's ZIP would; it returns the ZIP and the number of designs.
func zipDesignFolders(t testing.TB, root string) ([]byte, int) {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "*"))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	n := 0
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		n++
		rel, _ := filepath.Rel(root, dir)
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			w, _ := zw.Create(filepath.ToSlash(filepath.Join(rel, e.Name())))
			w.Write(data)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), n
}

// misspellUnique finds the longest word that only one design's name has
// and drops a letter in its middle ("Butterfly" gives "buttrfly"); it
// returns that and the design's name.
func misspellUnique(items []demo.Item) (typo, want string) {
	words := func(name string) []string {
		return strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) })
	}
	in := map[string]int{}
	for _, it := range items {
		seen := map[string]bool{}
		for _, w := range words(it.Name) {
			if !seen[w] {
				seen[w] = true
				in[w]++
			}
		}
	}
	best := ""
	for _, it := range items {
		for _, w := range words(it.Name) {
			if in[w] == 1 && len(w) > len(best) {
				best, want = w, it.Name
			}
		}
	}
	return best[:len(best)/2] + best[len(best)/2+1:], want
}

// foundAmong fails the test unless want is among the first three names.
func foundAmong(t testing.TB, how string, d journeyDesigns, names []string) {
	t.Helper()
	for i, n := range names {
		if i < 3 && strings.Contains(n, d.want) {
			return
		}
	}
	t.Errorf("searching %q %s shows %q, want %q among the first three", d.typo, how, names, d.want)
}

// outboxLink waits for the newest email of kind to address that the mail
// worker delivered into the outbox directory (where the embedded default
// writes mail when no SMTP server is set) and returns the first link to
// the server in its text part.
func (r *rig) outboxLink(t testing.TB, kind, to string) string {
	t.Helper()
	link := regexp.MustCompile(regexp.QuoteMeta(r.srv.URL) + `/[^\s"<>]+`)
	deadline := time.Now().Add(15 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(r.MailDir, "*-"+kind+"-*.eml"))
		slices.Sort(files)
		for i := len(files) - 1; i >= 0; i-- {
			raw, err := os.ReadFile(files[i])
			if err != nil {
				t.Fatal(err)
			}
			rcpt, text, err := emlText(raw)
			if err != nil {
				t.Fatalf("%s: %v", files[i], err)
			}
			if !strings.Contains(strings.ToLower(rcpt), strings.ToLower(to)) {
				continue
			}
			if m := link.FindString(text); m != "" {
				return m
			}
			t.Fatalf("the %s email to %s has no link to %s:\n%s", kind, to, r.srv.URL, text)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s email to %s in the outbox %s after 15 s", kind, to, r.MailDir)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// emlText returns the recipient and the plain-text part of an email.
func emlText(raw []byte) (to, text string, err error) {
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", "", err
	}
	text, err = plainPart(m.Header, m.Body)
	return m.Header.Get("To"), text, err
}

func plainPart(h interface{ Get(string) string }, body io.Reader) (string, error) {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return "", nil
			}
			if err != nil {
				return "", err
			}
			if s, err := plainPart(p.Header, p); s != "" || err != nil {
				return s, err
			}
		}
	}
	if mt != "text/plain" {
		return "", nil
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	return string(b), err
}

// pageProblems lists what makes the page in front of the browser look
// unfinished: no title, no favicon, no language, no main landmark or
// heading, wider than the screen, or a raw error string where a person
// reads.
const pageProblems = `(() => {
	const p = [];
	if (!document.title.trim() || /^\s*·/.test(document.title)) p.push("no <title> of its own");
	if (!document.querySelector('link[rel~="icon"]')) p.push("no favicon link");
	if (!document.documentElement.lang) p.push("no lang on <html>");
	if (!document.querySelector("main, [role=main]")) p.push("no <main>");
	if (!document.querySelector("h1")) p.push("no <h1>");
	if (document.documentElement.scrollWidth > window.innerWidth + 1) {
		const wide = Array.from(document.body.querySelectorAll("*")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 &&
			!Array.from(e.children).some(c => c.getBoundingClientRect().right > window.innerWidth + 1) && !e.closest(".table-wrap, .tabs"));
		p.push("wider than the screen (" + document.documentElement.scrollWidth + " px on " + window.innerWidth + "): " +
			wide.slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).split(" ").join(".") : "")).join(", "));
	}
	const text = document.body.innerText;
	for (const raw of ["SQLSTATE", "pgx", "sql:", "runtime error", "<no value>", "%!", "nil pointer", "context deadline", "goroutine", "http: ", "ERROR:"]) {
		if (text.includes(raw)) p.push("raw error text " + JSON.stringify(raw));
	}
	return p;
})()`

// finished fails the test when the page looks unfinished (pageProblems).
func finished(t testing.TB, page string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		problems, err := chromedp.Evaluate[[]string](pageProblems)(ctx, tg)
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			loc, _ := chromedp.Location()(ctx, tg)
			t.Errorf("%s (%s) looks unfinished: %s", page, loc, strings.Join(problems, "; "))
		}
		return nil
	})
}

// imagesLoaded is true once every picture on the page (scrolled through,
// so lazy ones load) has arrived and decoded.
const imagesLoaded = `(() => {
	window.scrollTo(0, document.body.scrollHeight);
	const imgs = Array.from(document.querySelectorAll(%q));
	imgs.forEach(i => { i.loading = "eager"; }); // a lazy one between the top and the bottom of a tall page never loads
	return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0);
})()`

// void runs a and forgets its value.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	var discard T
	return into(a, &discard)
}

// tick scrolls a checkbox to the middle of the screen, as a person
// would, and clicks it.
func tick(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		void(chromedp.Evaluate[any](fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: "center"})`, sel))),
		chromedp.Click(chromedp.CSS(sel)),
	)
}

// fetchDownload fetches the href of the first link whose text includes
// label, from inside the page (with its cookies), and describes the
// answer: "status content-type content-disposition first-bytes".
func fetchDownload(label string) string {
	return fmt.Sprintf(`(async () => {
		const a = Array.from(document.querySelectorAll("a")).find(a => a.textContent.includes(%q));
		if (!a) return "no link " + %q;
		const r = await fetch(a.href);
		const b = await r.text();
		return r.status + "|" + r.headers.get("Content-Type") + "|" + r.headers.get("Content-Disposition") + "|" + b.slice(0, 8);
	})()`, label, label)
}

type viewport struct {
	name string
	w, h int
}

var (
	phone  = viewport{"phone", 390, 844}
	tablet = viewport{"tablet", 820, 1180}
)

// TestJourney runs the quilter's first hour on a phone and on a tablet,
// each with its own server and browsers, side by side.
func TestJourney(t *testing.T) {
	t.Parallel()
	chromium(t)
	designs := journeyZIP(t)
	for _, vp := range []viewport{phone, tablet} {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			t0 := time.Now()
			journey(t, vp, designs)
			t.Logf("journey on a %s (%d×%d) took %v", vp.name, vp.w, vp.h, time.Since(t0).Round(10*time.Millisecond))
		})
	}
}

func journey(t testing.TB, vp viewport, designs journeyDesigns) {
	r := newLiveRig(t)
	base := r.srv.URL
	ctx := browserCtx(t, vp.w, vp.h)
	n := 0
	// step runs one step of the journey in the browser ctx, checks the
	// page it ends on, and takes its screenshot. Each step waits for
	// something only the page it goes to has, never for what the page it
	// leaves has too.
	step := func(ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		n++
		shotName := fmt.Sprintf("journey-%s-%02d-%s", vp.name, n, name)
		t0 := time.Now()
		actions = append(actions, finished(t, name), shot(shotName))
		if err := chromedp.Do(ctx, actions...); err != nil {
			chromedp.Do(ctx, shot(shotName+"-FAILED"))
			t.Fatalf("step %d %s: %v (see test-artifacts/browser/%s-FAILED.png)", n, name, err, shotName)
		}
		t.Logf("step %02d %-16s %v", n, name, time.Since(t0).Round(time.Millisecond))
	}
	email := "pam-" + vp.name + "@example.com"

	// Sign up, and confirm the address with the link from the email.
	step(ctx, "signup",
		chromedp.Navigate(base+"/"),
		chromedp.Click(chromedp.Search(`//a[contains(., "Create your free account")]`)),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Pam Quilter"),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
	)
	step(ctx, "check-email",
		chromedp.Click(chromedp.Search(`//button[contains(., "Create account")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Check your email")]`)),
	)
	link := r.outboxLink(t, mail.KindVerify, email)
	if !strings.Contains(link, "/verify?token=") {
		t.Fatalf("verification email links to %s", link)
	}

	// Create the workspace: the address is suggested from the name and
	// checked while she types.
	var flash string
	step(ctx, "verified",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("#slug")),
		into(chromedp.Text(chromedp.CSS(".flash")), &flash),
		chromedp.SendKeys(chromedp.CSS("#name"), "Pam's Longarm Quilting"),
		void(chromedp.Poll[bool](`document.querySelector("#slug-status").textContent.startsWith("✓")`, chromedp.WithPollingTimeout(10*time.Second))),
	)
	if !strings.Contains(flash, "confirmed") {
		t.Errorf("after the email link the page says %q, want a confirmation", flash)
	}
	step(ctx, "welcome-team",
		chromedp.Click(chromedp.Search(`//button[contains(., "Create workspace")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Invite your team")]`)),
	)
	step(ctx, "welcome-import",
		chromedp.Click(chromedp.Search(`//a[contains(., "Skip, continue")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Add your designs")]`)),
	)

	// Import the ZIP and watch it to the end.
	step(ctx, "upload",
		chromedp.Click(chromedp.Search(`//a[contains(., "Add my ZIP files")]`)),
		chromedp.WaitVisible(chromedp.CSS("#file")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{designs.zipPath}),
	)
	var state string
	step(ctx, "importing",
		chromedp.Click(chromedp.CSS("form[data-upload] button")),
		chromedp.WaitVisible(chromedp.CSS("[data-import] progress")),
		into(chromedp.Text(chromedp.CSS(".import-state")), &state),
	)
	t.Logf("import page first said %q", state)
	var created string
	step(ctx, "imported",
		chromedp.WaitVisible(chromedp.Search(`//p[contains(., "Finished")]`)), // the page polls, then reloads when done
		into(chromedp.Text(chromedp.CSS(".n-created")), &created),
	)
	if created != fmt.Sprint(designs.count) {
		t.Errorf("import created %s designs, want %d", created, designs.count)
	}

	// The grid shows a picture of every design.
	var pictures int
	step(ctx, "library",
		chromedp.Click(chromedp.Search(`//a[contains(., "See your designs")]`)),
		chromedp.WaitVisible(chromedp.CSS(".grid img")),
		void(chromedp.Poll[bool](fmt.Sprintf(imagesLoaded, ".grid img"), chromedp.WithPollingTimeout(20*time.Second))),
		into(chromedp.Evaluate[int](`document.querySelectorAll(".grid img").length`), &pictures),
		void(chromedp.Evaluate[any](`window.scrollTo(0, 0)`)),
	)
	if pictures != designs.count {
		t.Errorf("the grid shows %d pictures, want %d", pictures, designs.count)
	}

	// A misspelt search finds the design.
	var names []string
	step(ctx, "search-typo",
		chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), designs.typo+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".found")),
		into(chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".grid .card-name")).map(e => e.textContent.trim())`), &names),
	)
	foundAmong(t, "in the search box", designs, names)

	// Its page, and the download for her Gammill.
	step(ctx, "design",
		chromedp.Click(chromedp.Search(fmt.Sprintf(`//a[contains(@class,"card-link")][contains(., %q)]`, designs.want))),
		chromedp.WaitVisible(chromedp.CSS(".facts h1")),
		chromedp.WaitVisible(chromedp.CSS(".preview img")),
	)
	var got string
	step(ctx, "download",
		chromedp.SetValue(chromedp.CSS("#machine"), "statler"),
		chromedp.Click(chromedp.CSS("form.machine button")),
		chromedp.WaitVisible(chromedp.Search(`//a[contains(., "Download for Gammill")]`)),
		into(chromedp.Evaluate[string](fetchDownload("Download for Gammill"), chromedp.EvalAwaitPromise), &got),
	)
	parts := strings.Split(got, "|")
	if len(parts) != 4 || parts[0] != "200" || !strings.HasPrefix(parts[2], "attachment") || !strings.Contains(parts[2], ".qli") || parts[3] != "#CAD2DMC" {
		t.Errorf("Download for Gammill gave %q, want 200, an attachment .qli starting #CAD2DMC", got)
	}

	// Three designs, shared with a customer.
	step(ctx, "select-three",
		chromedp.Click(chromedp.Search(`//a[contains(., "Library")]`)),
		chromedp.WaitVisible(chromedp.CSS("form[data-bulk]")),
		tick(`.grid li:nth-child(1) .pick input`),
		tick(`.grid li:nth-child(2) .pick input`),
		tick(`.grid li:nth-child(3) .pick input`),
		chromedp.ScrollIntoView(chromedp.CSS(`button[value="share"]`)),
	)
	var chosen int
	step(ctx, "share-form",
		chromedp.Click(chromedp.CSS(`button[value="share"]`)),
		chromedp.WaitVisible(chromedp.CSS("#recipient_name")),
		into(chromedp.Evaluate[int](`document.querySelectorAll('input[name="ids"]:checked').length`), &chosen),
		chromedp.SendKeys(chromedp.CSS("#name"), "Jane's quilt"),
		chromedp.SendKeys(chromedp.CSS("#recipient_name"), "Jane"),
	)
	if chosen != 3 {
		t.Errorf("the share form has %d designs ticked, want 3", chosen)
	}
	var shareURL string
	step(ctx, "share-created",
		chromedp.Click(chromedp.Search(`//button[contains(., "Make the link")]`)),
		chromedp.WaitVisible(chromedp.CSS("#share-url")),
		into(chromedp.Value(chromedp.CSS("#share-url")), &shareURL),
	)
	if !strings.HasPrefix(shareURL, base+"/s/") {
		t.Fatalf("share link %q", shareURL)
	}

	// The customer, in her own browser on her phone: her name, her votes.
	guest := browserCtx(t, phone.w, phone.h)
	var first, second string
	step(guest, "guest-open",
		chromedp.Navigate(shareURL),
		chromedp.WaitVisible(chromedp.CSS("#voter_name")),
		void(chromedp.Poll[bool](fmt.Sprintf(imagesLoaded, ".share-card img"), chromedp.WithPollingTimeout(20*time.Second))),
		void(chromedp.Evaluate[any](`window.scrollTo(0, 0)`)),
		chromedp.SendKeys(chromedp.CSS("#voter_name"), "Jane"),
	)
	step(guest, "guest-vote",
		chromedp.Click(chromedp.CSS("form[data-guest-name] button")),
		chromedp.WaitVisible(chromedp.Search(`//button[contains(., "Change my name")]`)),
		into(chromedp.Evaluate[string](`document.querySelector(".share-card:nth-child(1) h2").textContent`), &first),
		into(chromedp.Evaluate[string](`document.querySelector(".share-card:nth-child(2) h2").textContent`), &second),
		chromedp.Click(chromedp.CSS(`.share-card:nth-child(1) button[data-choice="favorite"]`)),
		void(chromedp.Poll[bool](`document.querySelector(".share-card:nth-child(1) .vote-status").textContent === "This is one of your favourites."`, chromedp.WithPollingTimeout(10*time.Second))),
		chromedp.Click(chromedp.CSS(`.share-card:nth-child(2) button[data-choice="like"]`)),
		void(chromedp.Poll[bool](`document.querySelector(".share-card:nth-child(2) .vote-status").textContent === "You like this design."`, chromedp.WithPollingTimeout(10*time.Second))),
	)
	step(guest, "guest-done",
		chromedp.Click(chromedp.Search(`//button[contains(., "I'm done choosing")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Thank you")]`)),
	)

	// The quilter sees the votes, her favourite first.
	var results string
	step(ctx, "results",
		chromedp.Click(chromedp.Search(`//a[contains(., "See the results")]`)),
		chromedp.WaitVisible(chromedp.CSS(".results")),
		into(chromedp.Text(chromedp.CSS("main")), &results),
	)
	for _, w := range []string{"1 guest chose Jane", "#1 " + strings.TrimSpace(strings.TrimPrefix(first, "#1")), "1 favourite", "1 like"} {
		if !strings.Contains(results, w) {
			t.Errorf("results page lacks %q:\n%s", w, results)
		}
	}
	if i, j := strings.Index(results, strings.TrimSpace(strings.TrimPrefix(first, "#1"))), strings.Index(results, strings.TrimSpace(strings.TrimPrefix(second, "#2"))); i < 0 || j < 0 || i > j {
		t.Errorf("the favourite (%q) is not listed before the like (%q):\n%s", first, second, results)
	}
}
