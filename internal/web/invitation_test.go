package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/patternvault/patternvault/internal/mail"
)

// TestBrowserInvitationOnePass: an invited helper opens the invitation,
// creates her account with the invited address already filled in, and is
// in the inviter's library at once: no second confirmation, no "create
// your workspace", no second click on the email.
func TestBrowserInvitationOnePass(t *testing.T) {
	t.Parallel()
	src := axeSource(t)
	r := newRig(t, "")
	pam, _ := r.owner(t, "pam@example.com", "acme")
	wantRedirect(t, pam.post("/t/acme/members/invite", url.Values{"email": {"vera@example.com"}, "role": {"editor"}}), "/t/acme/members")
	link := r.Mail.Last(t, mail.KindInvitation, "vera@example.com").Link

	ctx := browserCtx(t, 390, 844) // she opens it on her phone
	var email, loc, heading string
	var readonly bool
	err := chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Join Workspace acme")]`)),
		chromedp.Click(chromedp.Search(`//a[contains(., "Create an account")]`)),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		into(chromedp.Value(chromedp.CSS("#email")), &email),
		into(chromedp.Evaluate[bool](`document.querySelector("#email").readOnly`), &readonly),
		axeCheck(t, src, "sign-up from an invitation"),
		shot("invitation-1-signup"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Vera"),
		chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "Welcome to Workspace acme")]`)),
		into(chromedp.Location(), &loc),
		into(chromedp.Text(chromedp.CSS("h1")), &heading),
		shot("invitation-2-library"),
	)
	if err != nil {
		t.Fatalf("invitation journey: %v", err)
	}
	if email != "vera@example.com" || !readonly {
		t.Errorf("the sign-up form's address is %q (read-only %v), want the invited one, fixed", email, readonly)
	}
	if !strings.HasSuffix(loc, "/t/acme/") || strings.Contains(heading, "Create your workspace") {
		t.Errorf("after signing up she is at %s (%q), want the inviter's library", loc, heading)
	}
	if n := r.Mail.Count(mail.KindVerify, "vera@example.com"); n != 0 {
		t.Errorf("she was asked to confirm her address again (%d mails)", n)
	}
}
