package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestTenantPlanCommand is billing's outside check on a running server
// in manual mode (no Stripe keys): `patternvault tenant plan acme
// starter` sets the plan, GET /api/v1/billing answers it with usage and
// limits; at 2,000 designs an import through the API is accepted but
// held over the plan's limit, none dropped, the library still readable;
// `tenant plan acme professional` lets the held designs in.
func TestTenantPlanCommand(t *testing.T) {
	t.Parallel()
	env, base := startServe(t)
	for _, args := range [][]string{
		{"tenant", "create", "--slug", "acme", "--name", "Acme"},
		{"user", "create", "--email", "pam@example.com", "--password", "a long enough password", "--tenant", "acme", "--role", "owner"},
	} {
		if _, err := pv(t, env, args...); err != nil {
			t.Fatal(err)
		}
	}
	out, err := pv(t, env, "token", "create", "--tenant", "acme", "--email", "pam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)

	code, b := apiGet(t, base+"/api/v1/billing", token)
	if code != 200 || b["plan"] != "professional" || b["status"] != "trialing" || b["mode"] != "manual" {
		t.Fatalf("a new workspace's billing = %d %v", code, b)
	}
	out, err = pv(t, env, "tenant", "plan", "acme", "starter")
	if err != nil || !strings.Contains(out, "workspace acme is on the Starter plan (active)") {
		t.Fatalf("tenant plan acme starter: %q, %v", out, err)
	}
	code, b = apiGet(t, base+"/api/v1/billing", token)
	usage, _ := b["usage"].(map[string]any)
	designs, _ := usage["designs"].(map[string]any)
	if code != 200 || b["plan"] != "starter" || b["status"] != "active" || designs["limit"] != float64(2000) || designs["used"] != float64(0) {
		t.Fatalf("billing after the plan command = %d %v", code, b)
	}
	if _, err := pv(t, env, "tenant", "plan", "acme", "gold"); err == nil || !strings.Contains(err.Error(), "Choose a plan") {
		t.Errorf("an unknown plan: %v", err)
	}

	// 2,000 designs, straight into the workspace's schema.
	var dbURL string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PV_DATABASE_URL="); ok {
			dbURL = v
		}
	}
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	out, err = pv(t, env, "tenant", "list", "--json")
	var list []struct{ ID int64 }
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 {
		t.Fatalf("tenant list: %q %v", out, err)
	}
	schema := fmt.Sprintf("t_%d", list[0].ID)
	if _, err := conn.Exec(context.Background(), `INSERT INTO `+schema+`.patterns (name) SELECT 'Seed ' || g FROM generate_series(1, 2000) g`); err != nil {
		t.Fatal(err)
	}

	zipPath, n := fixturesZIP(t)
	data, _ := os.ReadFile(zipPath)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "more.zip")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var imp struct {
		ID     int64
		Status string
		Held   string
	}
	json.NewDecoder(resp.Body).Decode(&imp)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || !strings.Contains(imp.Held, "Over your plan") {
		t.Fatalf("POST /api/v1/imports over the limit = %d %+v, want 202 held", resp.StatusCode, imp)
	}
	wait := func(want string) map[string]any {
		for t0 := time.Now(); time.Since(t0) < 90*time.Second; time.Sleep(200 * time.Millisecond) {
			_, b := apiGet(t, fmt.Sprintf("%s/api/v1/imports/%d", base, imp.ID), token)
			if b["status"] == want {
				return b
			}
		}
		t.Fatalf("import not %s after 90 s", want)
		return nil
	}
	staged := wait("staged")
	if held, _ := staged["held"].(string); !strings.Contains(held, fmt.Sprintf("these %d designs", n)) || staged["created"] != float64(0) {
		t.Fatalf("staged import = %v", staged)
	}
	if code, list := apiGet(t, base+"/api/v1/patterns?limit=5", token); code != 200 || len(list["patterns"].([]any)) != 5 {
		t.Fatalf("library over the limit = %d", code)
	}
	if out, err := pv(t, env, "tenant", "plan", "acme", "starter"); err != nil || !strings.Contains(out, "Starter") {
		t.Fatalf("the same plan again: %q %v", out, err)
	}
	out, err = pv(t, env, "tenant", "plan", "acme", "professional")
	if err != nil || !strings.Contains(out, "Professional") {
		t.Fatalf("tenant plan acme professional: %q, %v", out, err)
	}
	if done := wait("done"); done["created"] != float64(n) {
		t.Fatalf("held import after the upgrade = %v, want %d created", done, n)
	}
	if _, err := pv(t, env, "tenant", "plan", "acme", "starter"); err == nil || !strings.Contains(err.Error(), "the Starter plan allows 2,000 designs") {
		t.Errorf("downgrade while over: %v", err)
	}
}
