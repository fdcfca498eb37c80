// Package stripetest gives billing's tests their Stripe: stripe-mock
// (Stripe's own mock server, which checks every request against Stripe's
// OpenAPI document) for the shape of each request, and Fake, a small
// server of Stripe's documented objects whose state the test sets, for
// what stripe-mock cannot do (it keeps no state): re-fetching a
// subscription that the test has moved on.
package stripetest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"
)

// Mock starts stripe-mock on 127.0.0.1 only (both its HTTP and HTTPS
// listeners pinned there, on ports the system picks) and returns its
// HTTP base URL; it stops when the test ends. Without the binary
// (./scripts/tools installs it) the test is skipped.
func Mock(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			home, _ := os.UserHomeDir()
			gopath = filepath.Join(home, "go")
		}
		bin = filepath.Join(gopath, "bin", "stripe-mock")
		if _, err := os.Stat(bin); err != nil {
			t.Skip("stripe-mock test skipped: stripe-mock is not installed (./scripts/tools installs it)")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`Listening for HTTP at address: (127\.0\.0\.1:\d+)`)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("stripe-mock did not say where it listens within 30 s")
	}
	return ""
}

// Prices are the price ids the tests configure (PV_STRIPE_PRICE_*), each
// a yearly price but MonthlyPro.
var Prices = map[string]string{
	"starter_yearly":       "price_starter_yearly",
	"professional_yearly":  "price_professional_yearly",
	"professional_monthly": "price_professional_monthly",
	"business_yearly":      "price_business_yearly",
	"founding_yearly":      "price_founding_yearly",
}

// amounts are the prices' unit amounts in cents.
var amounts = map[string]int64{
	"price_starter_yearly": 29900, "price_professional_yearly": 59900, "price_professional_monthly": 5900,
	"price_business_yearly": 99900, "price_founding_yearly": 39900,
}

// Sub is the state of one subscription on the Fake server.
type Sub struct {
	ID       string
	Customer string
	Status   stripe.SubscriptionStatus
	Price    string
	TrialEnd time.Time
	// PeriodEnd is the current period's end.
	PeriodEnd         time.Time
	CancelAtPeriodEnd bool
	// Card says whether a default payment method is on file.
	Card     bool
	TenantID int64
}

// Fake is a Stripe API of a few documented objects (customers, checkout
// and portal sessions, subscriptions, invoices) whose state the test
// sets; it answers what a real account would at that moment.
type Fake struct {
	URL string
	mu  sync.Mutex
	// Subs are the subscriptions by id.
	Subs map[string]*Sub
	// Sessions maps a Checkout Session id to its workspace and subscription.
	Sessions map[string][2]string
	// Down makes every request fail with a 500 (Stripe having a bad minute).
	Down bool
	// Requests logs "METHOD /path" of each request.
	Requests  []string
	customers int
	last      string
}

// NewFake starts a Fake that stops when the test ends.
func NewFake(t testing.TB) *Fake {
	f := &Fake{Subs: map[string]*Sub{}, Sessions: map[string][2]string{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Set puts a subscription's state (replacing the one of its id).
func (f *Fake) Set(s Sub) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Subs[s.ID] = &s
}

// SetDown makes the Fake fail every request (or work again).
func (f *Fake) SetDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Down = down
}

// Count returns how many requests matched prefix ("GET /v1/subscriptions").
func (f *Fake) Count(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.Requests {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.ParseForm()
	f.Requests = append(f.Requests, r.Method+" "+r.URL.Path)
	if f.Down {
		stripeError(w, http.StatusInternalServerError, "api_error", "Something went wrong on Stripe's end.")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/v1/")
	switch {
	case r.Method == "POST" && path == "customers":
		f.customers++
		writeObject(w, map[string]any{"id": fmt.Sprintf("cus_fake%d", f.customers), "object": "customer",
			"email": r.PostForm.Get("email"), "metadata": map[string]string{"tenant_id": r.PostForm.Get("metadata[tenant_id]")}})
	case r.Method == "POST" && path == "checkout/sessions":
		id := fmt.Sprintf("cs_test_fake%d", len(f.Sessions)+1)
		f.Sessions[id] = [2]string{r.PostForm.Get("client_reference_id"), ""}
		f.last = id
		writeObject(w, map[string]any{"id": id, "object": "checkout.session", "mode": "subscription",
			"client_reference_id": r.PostForm.Get("client_reference_id"), "customer": r.PostForm.Get("customer"),
			"url": "https://checkout.stripe.com/c/pay/" + id, "status": "open"})
	case r.Method == "GET" && strings.HasPrefix(path, "checkout/sessions/"):
		id := strings.TrimPrefix(path, "checkout/sessions/")
		s, ok := f.Sessions[id]
		if !ok {
			stripeError(w, http.StatusNotFound, "invalid_request_error", "No such checkout.session: "+id)
			return
		}
		var sub any
		if s[1] != "" {
			sub = s[1]
		}
		writeObject(w, map[string]any{"id": id, "object": "checkout.session", "mode": "subscription", "status": "complete",
			"client_reference_id": s[0], "subscription": sub})
	case r.Method == "POST" && path == "billing_portal/sessions":
		writeObject(w, map[string]any{"id": "bps_fake", "object": "billing_portal.session", "customer": r.PostForm.Get("customer"),
			"return_url": r.PostForm.Get("return_url"), "url": "https://billing.stripe.com/p/session/fake"})
	case strings.HasPrefix(path, "subscriptions/"):
		id := strings.TrimPrefix(path, "subscriptions/")
		s, ok := f.Subs[id]
		if !ok {
			stripeError(w, http.StatusNotFound, "invalid_request_error", "No such subscription: "+id)
			return
		}
		if r.Method == "POST" {
			if p := r.PostForm.Get("items[0][price]"); p != "" {
				s.Price = p
			}
		}
		writeObject(w, s.object(strings.Contains(r.URL.RawQuery+r.PostForm.Encode(), "customer")))
	case r.Method == "GET" && path == "invoices":
		writeObject(w, map[string]any{"object": "list", "url": "/v1/invoices", "has_more": false, "data": []any{
			map[string]any{"id": "in_fake1", "object": "invoice", "number": "PV-0001", "total": 59900, "status": "paid",
				"created": time.Now().Add(-24 * time.Hour).Unix(), "hosted_invoice_url": "https://invoice.stripe.com/i/fake1"}}})
	default:
		stripeError(w, http.StatusNotFound, "invalid_request_error", "Unrecognized request URL ("+r.Method+": "+r.URL.Path+")")
	}
}

// LastSession is the id of the newest Checkout Session ("" for none).
func (f *Fake) LastSession() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// SessionDone completes Checkout Session id with subscription sub (as
// when the owner pays).
func (f *Fake) SessionDone(id, sub string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.Sessions[id]
	s[1] = sub
	f.Sessions[id] = s
}

// object is the subscription as Stripe's API shows it (customer expanded
// when asked).
func (s *Sub) object(expandCustomer bool) map[string]any {
	var customer any = s.Customer
	if expandCustomer {
		var pm any
		if s.Card {
			pm = "pm_fake_card"
		}
		customer = map[string]any{"id": s.Customer, "object": "customer", "invoice_settings": map[string]any{"default_payment_method": pm}}
	}
	interval := "year"
	if strings.HasSuffix(s.Price, "monthly") {
		interval = "month"
	}
	period := s.PeriodEnd
	if period.IsZero() {
		period = time.Now().Add(365 * 24 * time.Hour)
	}
	o := map[string]any{"id": s.ID, "object": "subscription", "status": s.Status, "customer": customer,
		"cancel_at_period_end": s.CancelAtPeriodEnd, "currency": "usd", "livemode": false,
		"metadata": map[string]string{"tenant_id": fmt.Sprint(s.TenantID)}, "default_payment_method": nil,
		"items": map[string]any{"object": "list", "has_more": false, "url": "/v1/subscription_items?subscription=" + s.ID,
			"data": []any{map[string]any{"id": "si_" + s.ID, "object": "subscription_item", "quantity": 1, "subscription": s.ID,
				"current_period_start": period.Add(-365 * 24 * time.Hour).Unix(), "current_period_end": period.Unix(),
				"price": map[string]any{"id": s.Price, "object": "price", "active": true, "currency": "usd", "type": "recurring",
					"unit_amount": amounts[s.Price], "recurring": map[string]any{"interval": interval, "interval_count": 1}}}}}}
	if !s.TrialEnd.IsZero() {
		o["trial_end"] = s.TrialEnd.Unix()
	}
	if s.Status == stripe.SubscriptionStatusCanceled {
		o["canceled_at"] = time.Now().Unix()
		o["ended_at"] = time.Now().Unix()
	}
	return o
}

func writeObject(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_fake")
	json.NewEncoder(w).Encode(v)
}

func stripeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"type": typ, "message": msg}})
}

// Event is a Stripe event of type typ about object, as Stripe sends it
// to a webhook endpoint (API version: stripe-go's own, unless apiVersion).
func Event(id, typ string, object any, created time.Time, apiVersion string) []byte {
	if apiVersion == "" {
		apiVersion = stripe.APIVersion
	}
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": apiVersion, "created": created.Unix(),
		"type": typ, "livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": object}})
	return b
}

// SubObject is the subscription object an event about s carries (its
// state when the event was made, which may be stale by its delivery).
func SubObject(s Sub) map[string]any { return s.object(false) }

// Invoice is the object of an invoice event of subscription s.
func Invoice(id string, s Sub, amount int64, paid bool) map[string]any {
	o := map[string]any{"id": id, "object": "invoice", "customer": s.Customer, "amount_due": amount, "total": amount,
		"hosted_invoice_url": "https://invoice.stripe.com/i/" + id, "status": "open",
		"parent": map[string]any{"type": "subscription_details", "subscription_details": map[string]any{
			"subscription": s.ID, "metadata": map[string]string{"tenant_id": fmt.Sprint(s.TenantID)}}}}
	if paid {
		o["amount_paid"], o["status"] = amount, "paid"
	}
	return o
}

// Sign returns the Stripe-Signature header of payload signed with secret
// at t.
func Sign(payload []byte, secret string, t time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: t}).Header
}

// Post sends a signed event to a webhook URL and returns the status and body.
func Post(t testing.TB, url string, payload []byte, signature string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(string(payload)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", signature)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
