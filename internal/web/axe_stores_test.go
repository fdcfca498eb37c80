package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/storeapi"
)

// TestAxeStores runs the accessibility check of TestAxe on the pages of
// pattern stores, on a desktop and on a phone: the consent page, a claim
// link (signed out and in), the Inbox with a delivery, the connected
// stores (on the account and in the workspace's Integrations tab), the
// admin's stores, one store, and the API page.
func TestAxeStores(t *testing.T) {
	t.Parallel()
	src := axeSource(t)
	chromium(t)
	r := newRig(t, "")
	ctx0 := context.Background()
	u, err := r.Accounts.CreateVerifiedUser(ctx0, "pam@example.com", "Pam", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	acme, err := r.Accounts.CreateWorkspace(ctx0, u, "acme", "Pam's Quilts", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Store.SetPlatformAdmin(ctx0, u.ID, true); err != nil {
		t.Fatal(err)
	}
	created, err := r.Stores.CreateStore(ctx0, storeapi.NewStore{Name: "Quilt Store X", Website: "https://store.example",
		AllowedHosts: []string{"cdn.store.example"}, RedirectURIs: []string{"https://store.example/connected"}})
	if err != nil {
		t.Fatal(err)
	}
	// Pam connected the store to acme (the Integrations tab lists it).
	if _, err := r.Store.CreateStoreGrant(ctx0, &store.StoreGrant{StoreID: created.Store.ID, UserID: u.ID, TenantID: acme.ID,
		AccessExpiresAt: time.Now().Add(time.Hour)}, []byte("axe-access"), []byte("axe-refresh")); err != nil {
		t.Fatal(err)
	}
	caller := &storeapi.Caller{Store: created.Store}
	claim, err := r.Stores.Import(ctx0, caller, storeapi.ImportRequest{PatternName: "Feather Border", FileURL: "https://cdn.store.example/feather.zip"}, "axe-1")
	if err != nil {
		t.Fatal(err)
	}
	// A delivery in Pam's Inbox, as the fetch job leaves it.
	inbox, err := r.Stores.Import(ctx0, caller, storeapi.ImportRequest{UserEmail: "pam@example.com", PatternName: "Celtic Knot",
		FileURL: "https://cdn.store.example/knot.zip", OrderID: "1001", PurchaseDate: "2026-03-14"}, "axe-2")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Store.DeliveryChecked(ctx0, inbox.Delivery.ID, "inbox", "stores/1/deliveries/2/knot.zip", 10, []string{"Celtic Knot"}, [][]byte{{1}}); err != nil {
		t.Fatal(err)
	}
	base := r.srv.URL
	ctx := browserCtx(t, 1280, 900)
	check := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		for _, vp := range []viewport{{"desktop", 1280, 900}, phone} {
			all := append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(int64(vp.w), int64(vp.h))}, actions...)
			all = append(all, chromedp.WaitReady(chromedp.CSS("footer")), finished(t, name), axeCheck(t, src, name+" on a "+vp.name))
			if err := chromedp.Do(ctx, all...); err != nil {
				chromedp.Do(ctx, shot("axe-"+name+"-FAILED"))
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	visit := func(path string) { check(path, chromedp.Navigate(base+path)) }
	claimPath := strings.TrimPrefix(claim.ClaimURL, base)
	visit(claimPath)
	visit("/api")
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), "pam@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(".tabs")))
	if err != nil {
		t.Fatal(err)
	}
	consent := url.Values{"response_type": {"code"}, "client_id": {storeapi.ClientID(created.Store.ID)},
		"redirect_uri": {"https://store.example/connected"}, "state": {"s"}, "code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"S256"}}
	for _, p := range []string{"/oauth/authorize?" + consent.Encode(), claimPath, "/inbox", "/account/stores", "/t/acme/settings/integrations", "/admin/stores",
		fmt.Sprintf("/admin/stores/%d", created.Store.ID), "/api"} {
		visit(p)
	}
}
