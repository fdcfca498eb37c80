package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/billing/stripetest"
	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testrig"
)

const testWebhookSecret = "whsec_web_test"

// newStripeRig is a test server whose billing talks to a Fake Stripe.
func newStripeRig(t testing.TB) (*rig, *stripetest.Fake) {
	f := stripetest.NewFake(t)
	r := newRigWith(t, "", testrig.Options{Billing: func(b *config.Billing) {
		b.StripeSecretKey, b.StripeWebhookSecret, b.StripeAPIURL = "sk_test_web", testWebhookSecret, f.URL
		b.StripePrices = stripetest.Prices
	}}, nil)
	return r, f
}

// designZIP is a ZIP of n small readable designs.
func designZIP(t testing.TB, prefix string, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		d := &geom.Design{Paths: []geom.Path{{Stitch: true, Segments: []geom.Segment{
			{Kind: geom.Line, End: geom.Point{X: float64(2 + i), Y: 1}},
			{Kind: geom.Line, End: geom.Point{X: 0, Y: float64(1 + i%3)}},
		}}}}
		w, _ := zw.Create(fmt.Sprintf("%s %02d/%s %02d.qli", prefix, i, prefix, i))
		if err := formats.Write(w, "qli", d); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	return buf.Bytes()
}

// seedBare puts n bare designs into a library in one statement.
func seedBare(t testing.TB, r *rig, tn *store.Tenant, n int) {
	t.Helper()
	if _, err := r.DB.Pool.Exec(context.Background(), `INSERT INTO `+db.TenantSchema(tn.ID)+`.patterns (name)
		SELECT 'Seed ' || g FROM generate_series(1, $1) g`, n); err != nil {
		t.Fatal(err)
	}
}

// postImport sends a ZIP to POST /api/v1/imports and decodes the answer.
func (c *apiClient) postImport(name string, data []byte) (int, map[string]any) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+"/api/v1/imports", &body)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestBillingFromOutside is the outside check: GET /api/v1/billing
// answers plan, status and usage with limits; a Starter workspace over its
// design limit has POST /api/v1/imports accepted with a result saying the
// designs are held over the plan's limit, none dropped, and its library
// stays readable; POST /billing/webhook with a bad signature answers 400
// and changes nothing.
func TestBillingFromOutside(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, f := newStripeRig(t)
	pam, acme := r.owner(t, "pam@example.com", "acme")
	api := newAPIClient(t, r, pam, "acme")

	var b struct {
		Plan, Status, Mode string
		TrialDaysLeft      int        `json:"trial_days_left"`
		TrialEndsAt        *time.Time `json:"trial_ends_at"`
		Usage              map[string]struct {
			Used  int64  `json:"used"`
			Limit *int64 `json:"limit"`
		} `json:"usage"`
		Staged   map[string]int64 `json:"staged"`
		Features map[string]bool  `json:"features"`
	}
	if code := api.get("/api/v1/billing", &b); code != 200 || b.Plan != "professional" || b.Status != "trialing" || b.TrialDaysLeft != 14 || b.TrialEndsAt == nil ||
		b.Mode != "stripe" || b.Usage["members"].Used != 1 || *b.Usage["members"].Limit != 3 || b.Usage["designs"].Limit != nil {
		t.Fatalf("GET /api/v1/billing = %d %+v", code, b)
	}

	if _, err := r.Billing.AdminChangePlan(ctx, acme.ID, billing.AdminChange{Plan: billing.Starter}, nil, ""); err != nil {
		t.Fatal(err)
	}
	seedBare(t, r, acme, 2000)
	code, out := api.postImport("more.zip", designZIP(t, "More", 50))
	held, _ := out["held"].(string)
	if code != http.StatusAccepted || !strings.Contains(held, "Over your plan") || !strings.Contains(held, "2,000") {
		t.Fatalf("POST /api/v1/imports over the limit = %d %v; want 202 saying the designs are held", code, out)
	}
	id := int64(out["id"].(float64))
	if err := r.Library.Process(ctx, acme.ID, id); err != nil {
		t.Fatal(err)
	}
	var imp map[string]any
	if code := api.get(fmt.Sprintf("/api/v1/imports/%d", id), &imp); code != 200 || imp["status"] != "staged" ||
		!strings.Contains(imp["held"].(string), "these 50 designs") || imp["created"].(float64) != 0 {
		t.Fatalf("the import afterwards = %d %v", code, imp)
	}
	var list struct {
		Patterns []any `json:"patterns"`
	}
	if code := api.get("/api/v1/patterns?limit=10", &list); code != 200 || len(list.Patterns) != 10 {
		t.Fatalf("library over the limit: %d, %d designs", code, len(list.Patterns))
	}
	if code := api.get("/api/v1/billing", &b); code != 200 || b.Plan != "starter" || b.Usage["designs"].Used != 2000 ||
		*b.Usage["designs"].Limit != 2000 || b.Staged["designs"] != 50 || b.Features["remote_search"] || b.TrialEndsAt != nil {
		t.Fatalf("GET /api/v1/billing over the limit = %d %+v", code, b)
	}

	// The webhook: a bad signature is a 400 and nothing changes.
	sub := stripetest.Sub{ID: "sub_9", Customer: "cus_9", Status: stripe.SubscriptionStatusActive, Price: stripetest.Prices["business_yearly"], TenantID: acme.ID}
	f.Set(sub)
	ev := stripetest.Event("evt_web_1", "customer.subscription.created", stripetest.SubObject(sub), time.Now(), "")
	status, body := stripetest.Post(t, r.srv.URL+"/billing/webhook", ev, stripetest.Sign(ev, "whsec_wrong", time.Now()))
	if status != 400 || !strings.Contains(body, "bad_signature") {
		t.Fatalf("bad signature = %d %s", status, body)
	}
	if a, _ := r.Billing.Account(ctx, acme.ID); a.Plan.ID != billing.Starter || a.Subscribed || f.Count("GET /v1/subscriptions") != 0 {
		t.Fatalf("a refused event changed the workspace: %+v", a)
	}
	// Signed right, it is applied: Business, and the held designs go in.
	status, body = stripetest.Post(t, r.srv.URL+"/billing/webhook", ev, stripetest.Sign(ev, testWebhookSecret, time.Now()))
	if status != 200 {
		t.Fatalf("good event = %d %s", status, body)
	}
	if a, _ := r.Billing.Account(ctx, acme.ID); a.Plan.ID != billing.Business || !a.Subscribed {
		t.Fatalf("after the good event: %+v", a)
	}
	if err := r.Library.Process(ctx, acme.ID, id); err != nil {
		t.Fatal(err)
	}
	if code := api.get(fmt.Sprintf("/api/v1/imports/%d", id), &imp); code != 200 || imp["status"] != "done" || imp["created"].(float64) != 50 {
		t.Fatalf("the held import after the upgrade = %v", imp)
	}
	// The same event again: 200, nothing more.
	if status, _ := stripetest.Post(t, r.srv.URL+"/billing/webhook", ev, stripetest.Sign(ev, testWebhookSecret, time.Now())); status != 200 || f.Count("GET /v1/subscriptions") != 1 {
		t.Fatalf("repeat = %d, %d fetches", status, f.Count("GET /v1/subscriptions"))
	}
}

// TestBillingPagesAndReadOnly: the owner's billing page shows the plan,
// trial days, usage bars and plans; Checkout and the portal go to Stripe,
// the return applies the subscription at once; a cancelled workspace is
// read-only: pages, downloads and the API read, writes get the plans
// page (402), an upload is held; editors and viewers never see billing.
func TestBillingPagesAndReadOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, f := newStripeRig(t)
	pam, acme := r.owner(t, "pam@example.com", "acme")
	vera := r.member(t, pam, "acme", "vera@example.com", store.RoleEditor)
	ids := r.seedDesigns(t, acme, "Feather", 3)
	api := newAPIClient(t, r, pam, "acme")

	p := pam.get("/t/acme/settings/billing")
	want(t, p, 200, "Your plan: Professional", "14 days left", "no card needed", "Designs", "People", "2 of 3 people",
		"Subscribe to Professional", "Subscribe to Business", `aria-current="page">Billing`,
		"2 people and invitations (the Starter plan allows 1 person)")
	if strings.Contains(p.Body, "Subscribe to Starter") {
		t.Error("Starter is offered to a workspace with more people than it allows")
	}
	want(t, vera.get("/t/acme/settings/billing"), 403)
	if strings.Contains(vera.get("/t/acme/").Body, "settings/billing") {
		t.Errorf("an editor is shown billing links")
	}

	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(p.Body)
	if key == nil {
		t.Fatal("no checkout key on the page")
	}
	co := pam.post("/t/acme/settings/billing/checkout", url.Values{"plan": {"business"}, "interval": {"year"}, "key": {key[1]}})
	wantRedirect(t, co, "https://checkout.stripe.com/c/pay/cs_test_fake")
	session := co.Location[strings.LastIndex(co.Location, "/")+1:]
	f.Set(stripetest.Sub{ID: "sub_7", Customer: "cus_fake1", Status: stripe.SubscriptionStatusTrialing, Price: stripetest.Prices["business_yearly"],
		TrialEnd: time.Now().Add(13 * 24 * time.Hour), Card: true, TenantID: acme.ID})
	f.SessionDone(session, "sub_7")
	ret := pam.get("/t/acme/settings/billing/return?session_id=" + session)
	wantRedirect(t, ret, "/t/acme/settings/billing")
	want(t, pam.get("/t/acme/settings/billing"), 200, "Thank you: this workspace is on the Business plan", "Your plan: Business",
		"then your subscription starts by itself", "Card, receipts and cancelling", "PV-0001", "Switch to Professional")
	wantRedirect(t, pam.post("/t/acme/settings/billing/portal", nil), "https://billing.stripe.com/")
	// Somebody else's checkout session is not applied here.
	wantRedirect(t, pam.get("/t/acme/settings/billing/return?session_id=cs_test_nobody"), "/t/acme/settings/billing")

	// Cancelled: read-only.
	f.Set(stripetest.Sub{ID: "sub_7", Customer: "cus_fake1", Status: stripe.SubscriptionStatusCanceled, Price: stripetest.Prices["business_yearly"], TenantID: acme.ID})
	ev := stripetest.Event("evt_cancel", "customer.subscription.deleted", stripetest.SubObject(stripetest.Sub{ID: "sub_7", Customer: "cus_fake1", TenantID: acme.ID}), time.Now(), "")
	if status, body := stripetest.Post(t, r.srv.URL+"/billing/webhook", ev, stripetest.Sign(ev, testWebhookSecret, time.Now())); status != 200 {
		t.Fatalf("cancel event = %d %s", status, body)
	}
	lib := vera.get("/t/acme/")
	want(t, lib, 200, "This workspace is read-only", "Feather", "Ask the workspace's owner to choose a plan")
	want(t, pam.get(fmt.Sprintf("/t/acme/patterns/%d/download", ids[0])), 200)
	edit := vera.post(fmt.Sprintf("/t/acme/patterns/%d/edit", ids[0]), url.Values{"name": {"Renamed"}})
	want(t, edit, http.StatusPaymentRequired, "read-only", "Back to your library")
	if pp, _ := r.Store.Pattern(ctx, acme.ID, ids[0]); pp.Name == "Renamed" {
		t.Fatal("a read-only workspace took an edit")
	}
	want(t, pam.post("/t/acme/members/invite", url.Values{"email": {"zoe@example.com"}, "role": {"viewer"}}), http.StatusPaymentRequired, "See plans")
	// A machine kit is a download; a favourite made offline is kept, its
	// keywords are not (and she is told why).
	kitZIP := vera.post("/t/acme/kits", url.Values{"ids": {fmt.Sprint(ids[0])}, "machine": {"statler"}})
	if kitZIP.Status != 200 || !strings.HasPrefix(kitZIP.Body, "PK") {
		t.Errorf("a machine kit in a read-only workspace: %d %.200s", kitZIP.Status, kitZIP.Body)
	}
	now := time.Now().UnixMilli()
	req, _ := http.NewRequest("POST", r.srv.URL+"/t/acme/offline/changes", strings.NewReader(fmt.Sprintf(
		`{"changes": [{"kind": "favorite", "pattern_id": %d, "favorite": true, "at": %d}, {"kind": "keywords", "pattern_id": %d, "keywords": ["late"], "at": %d}]}`,
		ids[0], now, ids[0], now)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", r.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	want(t, vera.do(req), 200, `"applied":true`, "the workspace is read-only, so keywords cannot change")
	if pp, _ := r.Store.Pattern(ctx, acme.ID, ids[0]); slices.Contains(pp.Keywords, "late") {
		t.Error("a read-only workspace took keywords made offline")
	}
	// The API the same way: reads and exports pass, a change gets 402,
	// taking a design away makes room.
	var one map[string]any
	if code := api.get(fmt.Sprintf("/api/v1/patterns/%d", ids[0]), &one); code != 200 {
		t.Fatalf("API read of a read-only workspace = %d", code)
	}
	if code, _ := api.send("PATCH", fmt.Sprintf("/api/v1/patterns/%d", ids[0]), `{"name": "Renamed"}`); code != http.StatusPaymentRequired {
		t.Fatalf("API edit of a read-only workspace = %d, want 402", code)
	}
	if code, _ := api.send("POST", "/api/v1/exports", `{}`); code != http.StatusAccepted {
		t.Fatalf("API export of a read-only workspace = %d, want 202", code)
	}
	if code, _ := api.send("DELETE", fmt.Sprintf("/api/v1/patterns/%d", ids[2]), ""); code != 200 {
		t.Fatalf("API delete in a read-only workspace = %d, want 200", code)
	}
	batch := r.uploadZIP(t, vera, "acme", "late.zip", designZIP(t, "Late", 2))
	want(t, vera.get(batch), 200, "Held over your plan", "Ask the workspace's owner to upgrade")
	want(t, pam.get("/t/acme/settings/billing"), 200, "subscription has ended", "2 designs in 1 import are held")
}

// TestAdminBillingAndManualPlans: the platform admin sees workspaces by
// plan and status, revenue (monthly-normalised, trials and comps
// excluded, founding members at their price) and usage, and changes
// plans by hand, audited.
func TestAdminBillingAndManualPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	_, beta := r.owner(t, "bea@example.com", "beta")
	_, gamma := r.owner(t, "gus@example.com", "gamma")
	root := r.admin(t, "root@example.com")
	yes := true
	for _, c := range []struct {
		tn *store.Tenant
		c  billing.AdminChange
	}{{acme, billing.AdminChange{Plan: billing.Business}}, {beta, billing.AdminChange{Plan: billing.Professional, Founding: &yes}},
		{gamma, billing.AdminChange{Plan: billing.Business, Status: store.SubComped}}} {
		if _, err := r.Billing.AdminChangePlan(ctx, c.tn.ID, c.c, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	// $999 + $399 a year, the comp free: $1,398 a year, $116.50 a month.
	p := root.get("/admin/billing")
	want(t, p, 200, "$116.50", "$1,398", "Workspace acme", "Business, active", "Professional, active, founding", "Business, comped")
	wantRedirect(t, root.post(fmt.Sprintf("/admin/tenants/%d/plan", acme.ID), url.Values{"plan": {"starter"}, "status": {""}, "trial_days": {""}}), "/admin/billing")
	if a, _ := r.Billing.Account(ctx, acme.ID); a.Plan.ID != billing.Starter {
		t.Fatalf("admin's change: %s", a.Plan.ID)
	}
	want(t, root.get("/admin/audit"), 200, "plan changed: business active → starter active")
	// Manual mode: the owner is told to ask; no Stripe buttons.
	want(t, pam.get("/t/acme/settings/billing"), 200, "set by its administrator", "Your plan: Starter")
	if strings.Contains(pam.get("/t/acme/settings/billing").Body, "Subscribe to") {
		t.Error("manual mode offers Stripe checkout")
	}
}
