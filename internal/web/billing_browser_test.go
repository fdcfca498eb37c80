package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stripe/stripe-go/v85"

	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/billing/stripetest"
)

// smallButtons lists the buttons, links styled as buttons, tabs and form
// fields of the page's main part that are under 44 px tall or wide.
const smallButtons = `(() => Array.from(document.querySelectorAll("main button, main a.button, main .subtabs a, main select, main input:not([type=hidden]), .plan-banner a"))
	.filter(e => e.offsetParent !== null)
	.map(e => [e, e.getBoundingClientRect()])
	.filter(([e, r]) => r.height < 44 || r.width < 44)
	.map(([e, r]) => e.tagName.toLowerCase() + " “" + (e.textContent || e.name).trim().slice(0, 30) + "” " + Math.round(r.width) + "×" + Math.round(r.height)))()`

// TestBrowserBillingOnPhoneAndTablet: the owner opens the billing settings
// on a phone and on a tablet: plan, trial days, usage bars and the plans
// fit the screen with large controls; coming back from Checkout shows the
// new plan at once; when the workspace is over its plan the library still
// opens, with the banner and a way to the plans.
func TestBrowserBillingOnPhoneAndTablet(t *testing.T) {
	t.Parallel()
	chromium(t)
	for _, vp := range []viewport{phone, tablet} {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r, f := newStripeRig(t)
			_, acme := r.owner(t, "pam@example.com", "acme")
			r.seedDesigns(t, acme, "Feather", 3)
			base := r.srv.URL
			b := browserCtx(t, vp.w, vp.h)
			var small []string
			var session string
			check := func(name string) chromedp.Action[chromedp.Void] {
				return chromedp.Steps(finished(t, name), into(chromedp.Evaluate[[]string](smallButtons), &small),
					shot(fmt.Sprintf("billing-%s-%s", vp.name, name)))
			}
			err := chromedp.Do(b,
				chromedp.Navigate(base+"/signin"),
				chromedp.SendKeys(chromedp.CSS("#email"), "pam@example.com"),
				chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
				chromedp.Submit(chromedp.CSS("#password")),
				chromedp.WaitVisible(chromedp.Search(`//h1`)),
				chromedp.Navigate(base+"/t/acme/settings"),
				chromedp.Click(chromedp.Search(`//nav[@aria-label="Settings"]//a[contains(., "Billing")]`)),
				chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "Your plan: Professional")]`)),
				chromedp.WaitVisible(chromedp.Search(`//p[contains(., "14 days left")]`)),
				chromedp.WaitVisible(chromedp.CSS(`progress[aria-label^="People"]`)),
				chromedp.WaitVisible(chromedp.Search(`//button[contains(., "Subscribe to Business")]`)),
				check("trial"),
				into(chromedp.Evaluate[string](`document.querySelector('form[action$="/checkout"] input[name=key]').value`), new(string)),
			)
			if err != nil {
				chromedp.Do(b, shot("billing-"+vp.name+"-FAILED"))
				t.Fatal(err)
			}
			if len(small) > 0 {
				t.Errorf("controls under 44 px on the billing page on a %s: %s", vp.name, strings.Join(small, "; "))
			}
			// Subscribe: the form goes to Stripe Checkout (not reachable
			// from here), so its answer is read from the page.
			err = chromedp.Do(b, into(chromedp.Evaluate[string](`(async () => {
				const f = document.querySelector('form[action$="/checkout"] input[name=plan][value=business]').form;
				const r = await fetch(f.action, {method: "POST", body: new URLSearchParams(new FormData(f)), redirect: "manual"});
				return r.type;
			})()`, chromedp.EvalAwaitPromise), new(string)))
			if err != nil {
				t.Fatal(err)
			}
			if session = f.LastSession(); session == "" {
				t.Fatal("the subscribe form made no Checkout Session")
			}
			f.Set(stripetest.Sub{ID: "sub_b", Customer: "cus_fake1", Status: stripe.SubscriptionStatusActive,
				Price: stripetest.Prices["business_yearly"], Card: true, TenantID: acme.ID})
			f.SessionDone(session, "sub_b")
			err = chromedp.Do(b,
				chromedp.Navigate(base+"/t/acme/settings/billing/return?session_id="+session),
				chromedp.WaitVisible(chromedp.Search(`//p[contains(., "Thank you: this workspace is on the Business plan")]`)),
				chromedp.WaitVisible(chromedp.Search(`//button[contains(., "Card, receipts and cancelling")]`)),
				check("subscribed"),
			)
			if err != nil {
				chromedp.Do(b, shot("billing-"+vp.name+"-FAILED"))
				t.Fatal(err)
			}
			if len(small) > 0 {
				t.Errorf("controls under 44 px after subscribing on a %s: %s", vp.name, strings.Join(small, "; "))
			}

			// Cancelled: read-only, the library still opens, with the banner.
			f.Set(stripetest.Sub{ID: "sub_b", Customer: "cus_fake1", Status: stripe.SubscriptionStatusCanceled,
				Price: stripetest.Prices["business_yearly"], TenantID: acme.ID})
			ev := stripetest.Event("evt_b_cancel", "customer.subscription.deleted", stripetest.SubObject(stripetest.Sub{ID: "sub_b", Customer: "cus_fake1"}), time.Now(), "")
			if err := r.Billing.Webhook(ctx, ev, stripetest.Sign(ev, testWebhookSecret, time.Now())); err != nil {
				t.Fatal(err)
			}
			if a, _ := r.Billing.Account(ctx, acme.ID); !a.ReadOnly {
				t.Fatal("not read-only after the cancellation")
			}
			err = chromedp.Do(b,
				chromedp.Navigate(base+"/t/acme/"),
				chromedp.WaitVisible(chromedp.CSS(".plan-banner")),
				chromedp.WaitVisible(chromedp.Search(`//a[contains(., "Feather")]`)),
				check("read-only"),
				chromedp.Click(chromedp.Search(`//div[@class="plan-banner"]//a[contains(., "Choose a plan")]`)),
				chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "Your plan: Business")]`)),
			)
			if err != nil {
				chromedp.Do(b, shot("billing-"+vp.name+"-FAILED"))
				t.Fatal(err)
			}
			if a, _ := r.Billing.Account(ctx, acme.ID); a.Plan.ID != billing.Business {
				t.Errorf("plan %s", a.Plan.ID)
			}
		})
	}
}
