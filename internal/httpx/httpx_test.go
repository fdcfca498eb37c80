package httpx_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// answer runs WriteError for err and returns the status, the body and
// the log.
func answer(t *testing.T, err error) (int, httpx.ErrorBody, string) {
	t.Helper()
	var log strings.Builder
	rec := httptest.NewRecorder()
	httpx.WriteError(rec, httptest.NewRequest("GET", "/api/v1/x", nil), slog.New(slog.NewTextHandler(&log, nil)), err)
	var body httpx.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	return rec.Code, body, log.String()
}

func TestWriteErrorMapsProblemsAndHidesTheRest(t *testing.T) {
	code, body, _ := answer(t, fmt.Errorf("svc: %w", problem.Invalid("bad_name", "A design needs a name.").Wrap(errors.New("secret detail"))))
	if code != 422 || body.Error.Code != "bad_name" || body.Error.Message != "A design needs a name." {
		t.Errorf("problem: %d %+v", code, body)
	}
	code, body, _ = answer(t, fmt.Errorf("store: pattern 9: %w", store.ErrNotFound))
	if code != 404 || body.Error.Code != "not_found" || strings.Contains(body.Error.Message, "pattern 9") {
		t.Errorf("not found: %d %+v", code, body)
	}
	code, body, log := answer(t, errors.New("pq: password authentication failed for user admin"))
	if code != 500 || body.Error.Code != "internal" || strings.Contains(body.Error.Message, "password") {
		t.Errorf("internal: %d %+v", code, body)
	}
	if !strings.Contains(log, "password authentication failed") {
		t.Errorf("the cause is not in the log: %q", log)
	}
	code, _, _ = answer(t, fmt.Errorf("query: %w", context.DeadlineExceeded))
	if code != 503 {
		t.Errorf("timeout: %d, want 503", code)
	}
	rec := httptest.NewRecorder()
	httpx.WriteError(rec, httptest.NewRequest("GET", "/", nil), nil, problem.TooMany("slow", "Wait.", 1500*time.Millisecond))
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "2" {
		t.Errorf("rate limit: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
}

func TestPathID(t *testing.T) {
	mux := http.NewServeMux()
	var got int64
	var gotErr error
	mux.HandleFunc("GET /p/{id}", func(w http.ResponseWriter, r *http.Request) { got, gotErr = httpx.PathID(r, "id") })
	for path, want := range map[string]int64{"/p/42": 42, "/p/0": 0, "/p/-3": 0, "/p/x": 0, "/p/99999999999999999999": 0} {
		mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
		if got != want || (want == 0) != (gotErr != nil) {
			t.Errorf("%s: %d, %v", path, got, gotErr)
		}
		if gotErr != nil && problem.Status(gotErr) != 404 {
			t.Errorf("%s: a bad id is %d, want 404", path, problem.Status(gotErr))
		}
	}
}

func TestServeImageRevalidates(t *testing.T) {
	tag := httpx.ImageTag("7-256", time.Unix(100, 0), 3)
	rec := httptest.NewRecorder()
	httpx.ServeImage(rec, httptest.NewRequest("GET", "/", nil), strings.NewReader("png"), "image/png", 3, tag, time.Hour)
	if rec.Code != 200 || rec.Body.String() != "png" || rec.Header().Get("ETag") != tag || rec.Header().Get("Content-Length") != "3" {
		t.Errorf("first fetch: %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("If-None-Match", tag)
	rec = httptest.NewRecorder()
	httpx.ServeImage(rec, req, strings.NewReader("png"), "image/png", 3, tag, time.Hour)
	if rec.Code != 304 || rec.Body.Len() != 0 {
		t.Errorf("revalidation: %d %q", rec.Code, rec.Body)
	}
	if other := httpx.ImageTag("7-256", time.Unix(101, 0), 3); other == tag {
		t.Error("a redrawn picture keeps its tag")
	}
}
