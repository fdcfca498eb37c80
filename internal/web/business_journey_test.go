package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/share"
)

// TestBusinessJourney walks a customer's quilt through the business hub
// in Debian's Chromium, on a tablet and on a phone, each with its own
// server (mail composed from the real templates into the test outbox):
// Jane picks a favourite on a share link, the quilter turns it into a
// job from the results page, prices the queen top (the worked
// example, $276.24), emails the quote; Jane accepts it from the email's
// link; the job goes through the queue; an invoice is issued and its
// payment recorded; the analytics show the revenue; the finished
// quilt's photo shows on the design's page and, once she turns the
// gallery on, in the public gallery. Every step leaves a screenshot
// under test-artifacts/browser/business-<viewport>-NN-<step>.png.
func TestBusinessJourney(t *testing.T) {
	t.Parallel()
	chromium(t)
	for _, vp := range []viewport{tablet, phone} {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			t0 := time.Now()
			businessJourney(t, vp)
			t.Logf("business journey on a %s (%d×%d) took %v", vp.name, vp.w, vp.h, time.Since(t0).Round(10*time.Millisecond))
		})
	}
}

func businessJourney(t *testing.T, vp viewport) {
	r := newRig(t, "")
	base := r.srv.URL
	_, tn := r.owner(t, "pam@example.com", "pam")
	r.Plan(t, tn.ID, "business")
	ids := r.seedDesigns(t, tn, "Swirl", 3)
	link, err := r.Shares.Create(context.Background(), tn.ID, 0, share.Input{PatternIDs: ids, Name: "Jane's quilt", RecipientName: "Jane",
		RecipientEmail: "jane@example.com", ShowDesigner: true})
	if err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "finished.jpg")
	if err := os.WriteFile(photo, photoJPEG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := browserCtxWithin(t, vp.w, vp.h, 8*time.Minute)
	n := 0
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		n++
		shotName := fmt.Sprintf("business-%s-%02d-%s", vp.name, n, name)
		t0 := time.Now()
		actions = append(actions, finished(t, name), shot(shotName))
		if err := chromedp.Do(ctx, actions...); err != nil {
			chromedp.Do(ctx, shot(shotName+"-FAILED"))
			t.Fatalf("step %d %s: %v (see test-artifacts/browser/%s-FAILED.png)", n, name, err, shotName)
		}
		t.Logf("step %02d %-16s %v", n, name, time.Since(t0).Round(time.Millisecond))
	}
	text := func(sel string, dst *string) chromedp.Action[chromedp.Void] {
		return into(chromedp.Text(chromedp.CSS(sel)), dst)
	}
	button := func(label string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.Search(fmt.Sprintf(`//button[contains(., %q)]`, label)))
	}
	heading := func(words string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//h1[contains(., %q)]`, words)))
	}

	// Jane, the customer, picks her favourite on the share link.
	shareURL := strings.Replace(link.URL, "http://pv.test", base, 1)
	step("jane-votes",
		chromedp.Navigate(shareURL),
		chromedp.SendKeys(chromedp.CSS("#voter_name"), "Jane"),
		chromedp.Click(chromedp.CSS("form[data-guest-name] button")),
		chromedp.WaitVisible(chromedp.Search(`//button[contains(., "Change my name")]`)),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#design-%d button[data-choice="favorite"]`, ids[1]))),
		void(chromedp.Poll[bool](fmt.Sprintf(`document.querySelector("#design-%d .vote-status").textContent === "This is one of your favourites."`, ids[1]),
			chromedp.WithPollingTimeout(10*time.Second))),
	)

	// Pam signs in and sets her sales tax (6 %).
	step("prices",
		chromedp.Navigate(base+"/signin?next=/t/pam/business/prices"),
		chromedp.SendKeys(chromedp.CSS("#email"), "pam@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		heading("Prices and settings"),
		chromedp.SetValue(chromedp.CSS("#tax_rate"), "6"),
		button("Save settings"),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)

	// Jane's favourite becomes a job from the share link's results.
	var lead, total string
	step("job-from-share",
		chromedp.Navigate(fmt.Sprintf("%s/t/pam/shares/%d", base, link.Link.ID)),
		chromedp.Click(chromedp.Search(`//a[contains(., "Make a job of Jane's favourite")]`)),
		heading("New job"),
		text("p.lead", &lead),
		chromedp.SendKeys(chromedp.CSS("#width"), "90"),
		chromedp.SendKeys(chromedp.CSS("#length"), "108"),
		chromedp.SetValue(chromedp.CSS("#level"), "Light edge-to-edge"),
		chromedp.SetValue(chromedp.CSS("#thread"), "Standard"),
		chromedp.SetValue(chromedp.CSS("#binding"), "Machine finished"),
	)
	if !strings.Contains(lead, "Jane's favourite") {
		t.Errorf("the new job says %q, want Jane's favourite", lead)
	}
	var title string
	step("job-quoted",
		button("Make the job and its quote"),
		chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "Quote")]`)),
		text("h1", &title),
		text("tr.total td", &total),
	)
	if title != "Jane's quilt" || total != "$276.24" {
		t.Errorf("the job %q totals %q, want Jane's quilt at $276.24", title, total)
	}
	var jobURL string
	step("quote-emailed",
		into(chromedp.Location(), &jobURL),
		button("Email the quote to Jane"),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(., "Quote emailed")]`)),
	)

	// Jane accepts from the email's link, with no account.
	quote := r.Mail.Last(t, mail.KindQuote, "jane@example.com").Link
	var thanks string
	step("quote-open",
		chromedp.Navigate(quote),
		heading("Your quote"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Jane Doe"),
	)
	step("quote-accepted",
		button("Accept this quote"),
		chromedp.WaitVisible(chromedp.CSS("#status-url")),
		text(".newtoken", &thanks),
	)
	if !strings.Contains(thanks, "your quote is accepted") {
		t.Errorf("after accepting Jane reads %q", thanks)
	}

	// Pam takes it through the queue.
	var queue string
	step("in-queue",
		chromedp.Navigate(jobURL),
		button("Mark as In the queue"),
		chromedp.WaitVisible(chromedp.Search(`//strong[@class="status"][contains(., "In the queue")]`)),
		chromedp.Click(chromedp.Search(`//nav[@aria-label="Business"]//a[contains(., "Queue")]`)),
		heading("Queue"),
		text("main", &queue),
	)
	if !strings.Contains(queue, "Jane's quilt") {
		t.Errorf("the queue does not show Jane's quilt:\n%s", queue)
	}
	step("quilting",
		chromedp.Navigate(jobURL),
		button("Mark as Being quilted"),
		chromedp.WaitVisible(chromedp.Search(`//strong[@class="status"][contains(., "Being quilted")]`)),
	)
	step("finished",
		button("Mark as Finished"),
		chromedp.WaitVisible(chromedp.Search(`//strong[@class="status"][contains(., "Finished")]`)),
		chromedp.SetUploadFiles(chromedp.CSS("#photo"), []string{photo}),
		chromedp.SendKeys(chromedp.CSS("#caption"), "Swirls on white"),
		tick(`input[name="public"]`),
		button("Add the photo"),
		chromedp.WaitVisible(chromedp.CSS(`.photos img[alt="Swirls on white"]`)),
		void(chromedp.Poll[bool](fmt.Sprintf(imagesLoaded, ".photos img"), chromedp.WithPollingTimeout(20*time.Second))),
	)

	// The invoice, issued, and paid by card.
	var status, balance string
	step("invoice",
		button("Make an invoice"),
		heading("Draft invoice"),
		button("Issue the invoice"),
		heading("Invoice INV-0001"),
	)
	step("paid",
		chromedp.SetValue(chromedp.CSS("#method"), "card"),
		button("Record the payment"),
		chromedp.WaitVisible(chromedp.Search(`//strong[@class="inv-status"][contains(., "Paid")]`)),
		text(".inv-status", &status),
		text(".balance strong", &balance),
	)
	if status != "Paid" || balance != "$0.00" {
		t.Errorf("after the payment the invoice is %q with %q due", status, balance)
	}

	// The analytics show the revenue.
	var summary string
	step("analytics",
		chromedp.Click(chromedp.Search(`//nav[@aria-label="Business"]//a[contains(., "Analytics")]`)),
		heading("Analytics"),
		chromedp.WaitVisible(chromedp.CSS("figure svg")),
		text("p.lead", &summary),
	)
	if !strings.Contains(summary, "revenue $260.60") || !strings.Contains(summary, "received $276.24") {
		t.Errorf("analytics say %q, want revenue $260.60 and received $276.24", summary)
	}

	// The finished quilt on the design's page, and in the public gallery
	// once she turns it on.
	step("design-page",
		chromedp.Navigate(fmt.Sprintf("%s/t/pam/patterns/%d", base, ids[1])),
		chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "Quilts made with this design")]`)),
		void(chromedp.Poll[bool](fmt.Sprintf(imagesLoaded, `.photos img[alt="Swirls on white"]`), chromedp.WithPollingTimeout(20*time.Second))),
	)
	var closed int
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/t/pam/gallery"), into(chromedp.Evaluate[int](`document.querySelectorAll(".gallery img").length`), &closed))
	if err != nil || closed != 0 {
		t.Errorf("the gallery shows %d photos before she turns it on (%v)", closed, err)
	}
	step("gallery-on",
		chromedp.Navigate(base+"/t/pam/business/prices"),
		tick(`input[name="gallery_public"]`),
		button("Save settings"),
		chromedp.WaitVisible(chromedp.Search(`//a[contains(., "/t/pam/gallery")]`)),
	)
	var caption string
	step("gallery",
		chromedp.Navigate(base+"/t/pam/gallery"),
		chromedp.WaitVisible(chromedp.CSS(`.gallery img[alt="Swirls on white"]`)),
		void(chromedp.Poll[bool](fmt.Sprintf(imagesLoaded, ".gallery img"), chromedp.WithPollingTimeout(20*time.Second))),
		text("main", &caption),
	)
	if !strings.Contains(caption, "Swirls on white") {
		t.Errorf("the gallery reads %q", caption)
	}
}
