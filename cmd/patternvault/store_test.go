package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/testfixtures"
)

// storeCall sends a store's (or a person's) JSON request to the server.
func storeCall(t *testing.T, method, url, token string, body any, header ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestStoreDeliveryFromOutside is issue 18's outside check:
// `store create --allow-host 127.0.0.1` prints a key; with
// PV_FETCH_ALLOW=127.0.0.1 and a local server holding a real QLI, the
// import call with a verified member's email puts a delivery in her
// Inbox (the same Idempotency-Key giving the same id); accepting it makes
// the design appear with its thumbnail.
func TestStoreDeliveryFromOutside(t *testing.T) {
	t.Parallel()
	var qli []byte
	for _, d := range testfixtures.Stitchables(t) {
		for _, f := range testfixtures.Files(t, d) {
			if qli == nil && strings.EqualFold(filepath.Ext(f), ".qli") {
				qli, _ = os.ReadFile(f)
			}
		}
	}
	if qli == nil {
		t.Skip("no QLI among the fixtures")
	}
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(qli) }))
	defer files.Close()

	env, base := startServe(t, "PV_FETCH_ALLOW=127.0.0.1")
	out, err := pv(t, env, "store", "create", "--name", "Test Store", "--allow-host", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`store key \(shown once\): (pvs_\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("store create printed %q, want a store key", out)
	}
	key := m[1]
	if _, err := pv(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := pv(t, env, "user", "create", "--email", "pam@example.com", "--password", "a long enough password", "--tenant", "acme"); err != nil {
		t.Fatal(err)
	}
	out, err = pv(t, env, "token", "create", "--tenant", "acme", "--email", "pam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)

	req := map[string]any{"user_email": "pam@example.com", "pattern_name": "Celtic Knot", "file_url": files.URL + "/celtic.qli",
		"order_id": "1001", "sku": "CK-1", "purchase_date": "2026-03-14"}
	code, first := storeCall(t, "POST", base+"/api/v1/patterns/import", key, req, "Idempotency-Key", "order-1001")
	if code != 202 {
		t.Fatalf("import = %d %v", code, first)
	}
	code, again := storeCall(t, "POST", base+"/api/v1/patterns/import", key, req, "Idempotency-Key", "order-1001")
	if code != 202 || again["id"] != first["id"] {
		t.Fatalf("the same Idempotency-Key = %d %v, want delivery %v", code, again, first["id"])
	}
	wait := func(want string) {
		t.Helper()
		for t0 := time.Now(); ; time.Sleep(100 * time.Millisecond) {
			_, d := storeCall(t, "GET", fmt.Sprintf("%s/api/v1/deliveries/%v", base, first["id"]), key, nil)
			if d["status"] == want {
				return
			}
			if d["status"] == "failed" || time.Since(t0) > 90*time.Second {
				t.Fatalf("delivery = %v, want %s", d, want)
			}
		}
	}
	wait("waiting")
	code, inbox := storeCall(t, "GET", base+"/api/v1/inbox", token, nil)
	if code != 200 || !strings.Contains(fmt.Sprint(inbox), "Celtic Knot") {
		t.Fatalf("inbox = %d %v", code, inbox)
	}
	if code, body := storeCall(t, "POST", fmt.Sprintf("%s/api/v1/inbox/%v/accept", base, first["id"]), token, nil); code != 202 {
		t.Fatalf("accept = %d %v", code, body)
	}
	wait("delivered")
	code, page := storeCall(t, "GET", base+"/api/v1/patterns", token, nil)
	ps, _ := page["patterns"].([]any)
	if code != 200 || len(ps) != 1 {
		t.Fatalf("patterns = %d %v", code, page)
	}
	p := ps[0].(map[string]any)
	if p["name"] != "Celtic Knot" || p["thumb_state"] != "ready" {
		t.Fatalf("design = %v, want it named and with a thumbnail", p)
	}
	thumb, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/patterns/%v/thumbnail", base, p["id"]), nil)
	thumb.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(thumb)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Fatalf("thumbnail = %d, %d bytes", resp.StatusCode, len(b))
	}
}

// TestStoreFetchRefusedFromOutside: with PV_FETCH_ALLOW empty, the
// metadata address, [::1] and a numeric host are refused with a 4xx and
// nothing is fetched; the document at /api/v1/openapi.json is OpenAPI
// 3.1 and lists the import.
func TestStoreFetchRefusedFromOutside(t *testing.T) {
	t.Parallel()
	env, base := startServe(t)
	out, err := pv(t, env, "store", "create", "--name", "Test Store", "--allow-host", "169.254.169.254,2130706433", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.Key == "" {
		t.Fatalf("store create --json = %q, %v", out, err)
	}
	for _, u := range []string{"http://169.254.169.254/", "https://[::1]/", "https://2130706433/"} {
		code, body := storeCall(t, "POST", base+"/api/v1/patterns/import", created.Key,
			map[string]any{"pattern_name": "X", "file_url": u}, "Idempotency-Key", u)
		if code/100 != 4 || !strings.Contains(fmt.Sprint(body), "Nothing was fetched") {
			t.Errorf("file_url %s = %d %v, want a 4xx naming the reason", u, code, body)
		}
	}
	resp, err := http.Get(base + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if doc.OpenAPI != "3.1.0" || doc.Paths["/api/v1/patterns/import"]["post"] == nil {
		t.Fatalf("openapi.json: openapi %q, import listed: %v", doc.OpenAPI, doc.Paths["/api/v1/patterns/import"] != nil)
	}
}
