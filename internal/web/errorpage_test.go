package web

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestErrorPageIsFriendly: when the database is gone, a person sees a
// calm page with the request's reference (the id in the logs), never the
// error itself.
func TestErrorPageIsFriendly(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, _ := r.owner(t, "pam@example.com", "acme")
	r.DB.Pool.Close() // every query now fails
	req, _ := http.NewRequest("GET", r.srv.URL+"/t/acme/", nil)
	resp, err := pam.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body, id := string(b), resp.Header.Get("X-Request-Id")
	if resp.StatusCode != http.StatusInternalServerError || id == "" {
		t.Fatalf("status %d, request id %q", resp.StatusCode, id)
	}
	for _, w := range []string{"Something went wrong on our side", "nothing was lost", "<strong>" + id + "</strong>", `<link rel="icon"`, "<title>Something went wrong · PatternVault</title>"} {
		if !strings.Contains(body, w) {
			t.Errorf("error page lacks %q:\n%s", w, body)
		}
	}
	for _, raw := range []string{"closed pool", "pgx", "sql", "SQLSTATE", "error:"} {
		if strings.Contains(strings.ToLower(body), strings.ToLower(raw)) {
			t.Errorf("error page shows the raw error (%q):\n%s", raw, body)
		}
	}
}
