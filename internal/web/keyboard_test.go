package web

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focused describes the element that has the keyboard focus, and whether
// it shows a focus ring a person can see.
type focused struct {
	Desc string `json:"desc"`
	Ring bool   `json:"ring"`
}

const focusedJS = `(() => {
	const e = document.activeElement, cs = getComputedStyle(e);
	const ring = (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2) || cs.boxShadow !== "none";
	let d = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.name ? "[name=" + e.name + "]" : "");
	const text = (e.getAttribute("aria-label") || e.textContent || e.value || "").trim().replace(/\s+/g, " ").slice(0, 40);
	return {desc: d + (text ? " “" + text + "”" : ""), ring: ring};
})()`

// tabThrough presses Tab until the focus has reached each selector in
// turn (other stops in between are allowed, but not a later selector's
// element before an earlier one's), checking at every stop that the
// focused element shows a visible focus style.
func tabThrough(t testing.TB, sels ...string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		var path []string
		for i, sel := range sels {
			for presses := 0; ; presses++ {
				if presses == 40 {
					return fmt.Errorf("40 presses of Tab did not reach %s; the focus went through:\n\t%s", sel, strings.Join(path, "\n\t"))
				}
				if _, err := chromedp.KeyEvent(kb.Tab)(ctx, tg); err != nil {
					return err
				}
				f, err := chromedp.Evaluate[focused](focusedJS)(ctx, tg)
				if err != nil {
					return err
				}
				path = append(path, f.Desc)
				if !f.Ring {
					t.Errorf("the focused %s shows no focus outline", f.Desc)
				}
				if ok, _ := chromedp.Evaluate[bool](fmt.Sprintf(`document.activeElement.matches(%q)`, sel))(ctx, tg); ok {
					break
				}
				for _, later := range sels[i+1:] {
					if ok, _ := chromedp.Evaluate[bool](fmt.Sprintf(`document.activeElement.matches(%q)`, later))(ctx, tg); ok {
						return fmt.Errorf("Tab reached %s (%s) before %s; the focus went through:\n\t%s", later, f.Desc, sel, strings.Join(path, "\n\t"))
					}
				}
			}
		}
		return nil
	})
}

// press types keys into whatever has the focus.
func press(keys string) chromedp.Action[chromedp.Void] { return chromedp.KeyEvent(keys) }

// TestJourneyKeyboard does the journey's key steps with the keyboard only:
// sign in, search, tick three designs, make a share link, and vote as a
// guest on a phone. The focus must move in reading order, reach every
// button on the way and always show where it is.
func TestJourneyKeyboard(t *testing.T) {
	t.Parallel()
	chromium(t)
	t0 := time.Now()
	designs := journeyZIP(t)
	data, err := os.ReadFile(designs.zipPath)
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, "")
	pam, _ := r.owner(t, "pam@example.com", "acme")
	r.uploadZIP(t, pam, "acme", "designs.zip", data)
	base := r.srv.URL
	ctx := browserCtx(t, tablet.w, tablet.h)
	n := 0
	step := func(ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		n++
		shotName := fmt.Sprintf("journey-keyboard-%02d-%s", n, name)
		actions = append(actions, finished(t, name), shot(shotName))
		if err := chromedp.Do(ctx, actions...); err != nil {
			chromedp.Do(ctx, shot(shotName+"-FAILED"))
			t.Fatalf("step %d %s: %v (see test-artifacts/browser/%s-FAILED.png)", n, name, err, shotName)
		}
	}

	step(ctx, "signin",
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		tabThrough(t, "a.skip", "a.brand", "#email"),
		press("pam@example.com"),
		tabThrough(t, "#password"),
		press(goodPassword),
		tabThrough(t, `form[action="/signin"] button`),
	)
	// The skip link jumps over the menus; then the page's own controls.
	var atMain bool
	var names []string
	step(ctx, "search",
		press(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(".grid")),
		tabThrough(t, "a.skip"),
		press(kb.Enter),
		into(chromedp.Evaluate[bool](`document.activeElement.id === "main"`), &atMain),
		tabThrough(t, `main a[href$="/imports"]`, `input[name="q"]`),
		press(designs.typo),
		press(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(".found")),
		into(chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".grid .card-name")).map(e => e.textContent.trim())`), &names),
	)
	if !atMain {
		t.Errorf("the skip link did not move the focus to the main content")
	}
	foundAmong(t, "by keyboard", designs, names)

	var ticked int
	step(ctx, "select",
		chromedp.Navigate(base+"/t/acme/"),
		chromedp.WaitVisible(chromedp.CSS(".grid")),
		tabThrough(t, `input[name="q"]`, `.grid li:nth-child(1) .pick input`), press(" "),
		tabThrough(t, `.grid li:nth-child(1) .card-link`, `.grid li:nth-child(2) .pick input`), press(" "),
		tabThrough(t, `.grid li:nth-child(3) .pick input`), press(" "),
		into(chromedp.Evaluate[int](`document.querySelectorAll('.grid input[name="ids"]:checked').length`), &ticked),
		tabThrough(t, "button[data-select-all]", "#bulk-keywords", `button[value="share"]`),
	)
	if ticked != 3 {
		t.Errorf("Space ticked %d designs, want 3", ticked)
	}

	var shareURL string
	step(ctx, "share",
		press(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#recipient_name")),
		into(chromedp.Evaluate[int](`document.querySelectorAll('input[name="ids"]:checked').length`), &ticked),
		tabThrough(t, `input[name="ids"]`, "#name"),
		press("Jane's quilt"),
		tabThrough(t, "#recipient_name", "#recipient_email", "#message", "#days", `form[action$="/shares"] button.button`),
		press(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#share-url")),
		into(chromedp.Value(chromedp.CSS("#share-url")), &shareURL),
		tabThrough(t, "#share-url", "button[data-copy]"),
	)
	if ticked != 3 || !strings.HasPrefix(shareURL, base+"/s/") {
		t.Fatalf("share form had %d designs ticked; link %q", ticked, shareURL)
	}

	guest := browserCtx(t, phone.w, phone.h)
	var pressed string
	step(guest, "guest-vote",
		chromedp.Navigate(shareURL),
		chromedp.WaitVisible(chromedp.CSS("#voter_name")),
		tabThrough(t, "a.skip", "#voter_name"),
		press("Jane"),
		press(kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//button[contains(., "Change my name")]`)),
		// The name sends her on to the designs (#designs): the focus
		// goes on from there.
		tabThrough(t, `.share-card:nth-child(1) button[data-choice="like"]`, `.share-card:nth-child(1) button[data-choice="favorite"]`),
		press(" "),
		void(chromedp.Poll[bool](`document.querySelector(".share-card:nth-child(1) .vote-status").textContent === "This is one of your favourites."`, chromedp.WithPollingTimeout(10*time.Second))),
		into(chromedp.Evaluate[string](`document.querySelector('.share-card:nth-child(1) button[data-choice="favorite"]').getAttribute("aria-pressed")`), &pressed),
		tabThrough(t, `.share-card:nth-child(1) summary`, `.share-card:nth-child(2) button[data-choice="like"]`, `form.done button`),
	)
	if pressed != "true" {
		t.Errorf("after Space on Favourite, aria-pressed = %q", pressed)
	}
	step(guest, "guest-done",
		press(kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Thank")]`)),
	)
	t.Logf("keyboard journey took %v", time.Since(t0).Round(10*time.Millisecond))
}
