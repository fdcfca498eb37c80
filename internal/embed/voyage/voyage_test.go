package voyage

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/embed"
)

var _ embed.Provider = (*Provider)(nil)

const testKey = "pa-TESTKEY-5f0c1a7e9b2d4c6e8a0b"

// wireRequest is the request body as Voyage documents it; the fake server
// decodes strictly into it, so unknown fields fail.
type wireRequest struct {
	Inputs []struct {
		Content []struct {
			Type        string  `json:"type"`
			Text        *string `json:"text"`
			ImageBase64 *string `json:"image_base64"`
		} `json:"content"`
	} `json:"inputs"`
	Model      string `json:"model"`
	InputType  string `json:"input_type"`
	Truncation *bool  `json:"truncation"`
}

// fakeVoyage is an httptest server that follows Voyage's documented
// request and response shapes, checks every request and answers with
// vectors derived from each input's text and image.
type fakeVoyage struct {
	t             *testing.T
	srv           *httptest.Server
	wantInputType string
	wantModel     string
	maxBatch      int
	dim           int
	// reply, if set, may answer call n (from 1) itself and return true.
	reply func(n int, w http.ResponseWriter, r *http.Request) bool

	mu      sync.Mutex
	calls   int
	batches []int
}

func newFake(t *testing.T) *fakeVoyage {
	f := &fakeVoyage{t: t, wantInputType: "document", wantModel: DefaultModel, maxBatch: MaxBatch, dim: Dim}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeVoyage) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *fakeVoyage) batchSizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.batches...)
}

// fail reports a request the real API would reject, as the real API
// would (400 with a detail), and fails the test.
func (f *fakeVoyage) fail(w http.ResponseWriter, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	f.t.Errorf("fake voyage: bad request: %s", msg)
	writeJSON(w, http.StatusBadRequest, map[string]any{"detail": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeVoyage) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if f.reply != nil && f.reply(n, w, r) {
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/multimodalembeddings" {
		f.fail(w, "%s %s, want POST /v1/multimodalembeddings", r.Method, r.URL.Path)
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
		f.t.Errorf("fake voyage: Authorization header %q", got)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Provided API key is invalid."})
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.fail(w, "Content-Type %q", ct)
		return
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var req wireRequest
	if err := dec.Decode(&req); err != nil {
		f.fail(w, "body: %v", err)
		return
	}
	if req.Model != f.wantModel {
		f.fail(w, "model %q, want %q", req.Model, f.wantModel)
		return
	}
	if req.InputType != f.wantInputType {
		f.fail(w, "input_type %q, want %q", req.InputType, f.wantInputType)
		return
	}
	if req.Truncation == nil || !*req.Truncation {
		f.fail(w, "truncation not true")
		return
	}
	if len(req.Inputs) == 0 || len(req.Inputs) > 1000 || len(req.Inputs) > f.maxBatch {
		f.fail(w, "batch of %d inputs (documented limit 1000, client limit %d)", len(req.Inputs), f.maxBatch)
		return
	}
	f.mu.Lock()
	f.batches = append(f.batches, len(req.Inputs))
	f.mu.Unlock()

	type datum struct {
		Object    string    `json:"object"`
		Embedding []float32 `json:"embedding"`
		Index     int       `json:"index"`
	}
	data := make([]datum, len(req.Inputs))
	textTokens, pixels := 0, 0
	for i, in := range req.Inputs {
		text, px, ok := f.checkContent(w, i, in.Content)
		if !ok {
			return
		}
		textTokens += len(strings.Fields(text)) + 1
		pixels += px
		data[i] = datum{Object: "embedding", Embedding: rawVector(text, px, f.dim), Index: i}
	}
	// Answer out of order: the client must use index.
	for i, j := 0, len(data)-1; i < j; i, j = i+1, j-1 {
		data[i], data[j] = data[j], data[i]
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"object": "list",
		"data":   data,
		"model":  req.Model,
		"usage":  map[string]int{"text_tokens": textTokens, "image_pixels": pixels, "total_tokens": textTokens + pixels/560},
	})
}

// checkContent validates one input's content parts: optional text, then
// an optional PNG as a base64 data URL; at least one part.
func (f *fakeVoyage) checkContent(w http.ResponseWriter, i int, content []struct {
	Type        string  `json:"type"`
	Text        *string `json:"text"`
	ImageBase64 *string `json:"image_base64"`
}) (text string, pixels int, ok bool) {
	if len(content) == 0 || len(content) > 2 {
		f.fail(w, "input %d has %d content parts", i, len(content))
		return "", 0, false
	}
	for j, c := range content {
		switch c.Type {
		case "text":
			if j != 0 || c.Text == nil || c.ImageBase64 != nil {
				f.fail(w, "input %d part %d: malformed text part", i, j)
				return "", 0, false
			}
			text = *c.Text
		case "image_base64":
			if c.ImageBase64 == nil || c.Text != nil || pixels != 0 {
				f.fail(w, "input %d part %d: malformed image part", i, j)
				return "", 0, false
			}
			const prefix = "data:image/png;base64,"
			if !strings.HasPrefix(*c.ImageBase64, prefix) {
				f.fail(w, "input %d: image is not a PNG data URL: %.40q", i, *c.ImageBase64)
				return "", 0, false
			}
			raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(*c.ImageBase64, prefix))
			if err != nil {
				f.fail(w, "input %d: image base64: %v", i, err)
				return "", 0, false
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(raw))
			if err != nil {
				f.fail(w, "input %d: image: %v", i, err)
				return "", 0, false
			}
			pixels = cfg.Width * cfg.Height
		default:
			f.fail(w, "input %d part %d: type %q", i, j, c.Type)
			return "", 0, false
		}
	}
	return text, pixels, true
}

// rawVector is the fake model: deterministic, not unit length, different
// for different texts and image sizes.
func rawVector(text string, pixels, dim int) []float32 {
	v := make([]float32, dim)
	for j := range v {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s|%d|%d", text, pixels, j)
		v[j] = 3 * (float32(h.Sum64()%2001)/1000 - 1)
	}
	return v
}

func wantVector(text string, pixels int) []float32 {
	return embed.Normalize(rawVector(text, pixels, Dim))
}

// sleeps records the waits asked of the sleep hook without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func newProvider(t *testing.T, f *fakeVoyage, s *sleeps, opts ...Option) *Provider {
	t.Helper()
	all := []Option{WithBaseURL(f.srv.URL), WithSleep(s.sleep)}
	p, err := New(testKey, append(all, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func texts(n int) []embed.Input {
	in := make([]embed.Input, n)
	for i := range in {
		in[i] = embed.Input{Text: fmt.Sprintf("design %d log cabin in blue", i)}
	}
	return in
}

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.NRGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func checkVectors(t *testing.T, got [][]float32, want [][]float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d vectors, want %d", len(got), len(want))
	}
	for i := range want {
		if len(got[i]) != Dim {
			t.Fatalf("vector %d has %d dims", i, len(got[i]))
		}
		var norm float64
		for j := range want[i] {
			if math.Abs(float64(got[i][j]-want[i][j])) > 1e-6 {
				t.Fatalf("vector %d differs at %d: got %v, want %v", i, j, got[i][j], want[i][j])
			}
			norm += float64(got[i][j]) * float64(got[i][j])
		}
		if math.Abs(norm-1) > 1e-4 {
			t.Fatalf("vector %d has squared norm %v, want 1", i, norm)
		}
	}
}

func TestEmbedKeepsOrderAcrossBatchesAndSumsUsage(t *testing.T) {
	f := newFake(t)
	f.maxBatch = 3
	var s sleeps
	p := newProvider(t, f, &s, WithMaxBatch(3))
	img := testPNG(t, 28, 20) // 560 pixels: one image token
	in := texts(7)
	in[1].Image = img
	in[5].Image = img
	in[6].Text = "" // image only: no text part
	in[6].Image = img

	got, usage, err := p.Embed(context.Background(), embed.Document, in)
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]float32, len(in))
	wantTokens := 0
	for i, x := range in {
		px := 0
		if x.Image != nil {
			px = 560
			wantTokens++
		}
		if x.Text != "" {
			wantTokens += len(strings.Fields(x.Text)) + 1
		} else {
			wantTokens++ // the fake counts an absent text as one token
		}
		want[i] = wantVector(x.Text, px)
	}
	checkVectors(t, got, want)
	if fmt.Sprint(f.batchSizes()) != "[3 3 1]" {
		t.Errorf("batch sizes %v, want [3 3 1]", f.batchSizes())
	}
	if usage.Tokens != wantTokens {
		t.Errorf("usage %d tokens, want %d", usage.Tokens, wantTokens)
	}
	if len(s.got()) != 0 {
		t.Errorf("slept %v without errors", s.got())
	}
}

func TestEmbedQueryKind(t *testing.T) {
	f := newFake(t)
	f.wantInputType = "query"
	var s sleeps
	p := newProvider(t, f, &s)
	got, _, err := p.Embed(context.Background(), embed.Query, []embed.Input{{Text: "flying geese"}})
	if err != nil {
		t.Fatal(err)
	}
	checkVectors(t, got, [][]float32{wantVector("flying geese", 0)})
	if _, _, err := p.Embed(context.Background(), embed.Kind(9), []embed.Input{{Text: "x"}}); err == nil {
		t.Error("unknown kind: no error")
	}
}

func TestDefaultBatchIs128EvenIfAskedForMore(t *testing.T) {
	f := newFake(t)
	var s sleeps
	p := newProvider(t, f, &s, WithMaxBatch(1000))
	in := texts(300)
	got, _, err := p.Embed(context.Background(), embed.Document, in)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(f.batchSizes()) != "[128 128 44]" {
		t.Errorf("batch sizes %v, want [128 128 44]", f.batchSizes())
	}
	checkVectors(t, got[299:], [][]float32{wantVector(in[299].Text, 0)})
}

func TestEmptyInputsMakeNoRequest(t *testing.T) {
	f := newFake(t)
	var s sleeps
	p := newProvider(t, f, &s)
	got, usage, err := p.Embed(context.Background(), embed.Document, nil)
	if err != nil || len(got) != 0 || usage.Tokens != 0 || f.callCount() != 0 {
		t.Errorf("got %v, %v, %v after %d calls", got, usage, err, f.callCount())
	}
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	f := newFake(t)
	f.reply = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n != 1 {
			return false
		}
		w.Header().Set("Retry-After", "7")
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"detail": "Rate limit exceeded."})
		return true
	}
	var s sleeps
	p := newProvider(t, f, &s)
	got, _, err := p.Embed(context.Background(), embed.Document, texts(2))
	if err != nil {
		t.Fatal(err)
	}
	checkVectors(t, got, [][]float32{wantVector(texts(2)[0].Text, 0), wantVector(texts(2)[1].Text, 0)})
	if d := s.got(); len(d) != 1 || d[0] != 7*time.Second {
		t.Errorf("slept %v, want [7s]", d)
	}
	if f.callCount() != 2 {
		t.Errorf("%d calls, want 2", f.callCount())
	}
}

func TestServerErrorsBackOffExponentially(t *testing.T) {
	f := newFake(t)
	f.reply = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n > 2 {
			return false
		}
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"detail": "The server is overloaded."})
		return true
	}
	var s sleeps
	p := newProvider(t, f, &s)
	if _, _, err := p.Embed(context.Background(), embed.Document, texts(1)); err != nil {
		t.Fatal(err)
	}
	d := s.got()
	if len(d) != 2 || f.callCount() != 3 {
		t.Fatalf("slept %v over %d calls, want 2 sleeps and 3 calls", d, f.callCount())
	}
	// Equal jitter: attempt k waits between base<<k / 2 and base<<k.
	for k, got := range d {
		hi := baseBackoff << k
		if got < hi/2 || got > hi {
			t.Errorf("wait %d is %v, want between %v and %v", k, got, hi/2, hi)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	for attempt := range 40 {
		hi := maxBackoff
		if attempt < 16 {
			hi = min(baseBackoff<<attempt, maxBackoff)
		}
		for range 50 {
			if d := backoff(attempt); d < hi/2 || d > hi {
				t.Fatalf("backoff(%d) = %v, want between %v and %v", attempt, d, hi/2, hi)
			}
		}
	}
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[backoff(3)] = true
	}
	if len(seen) < 2 {
		t.Error("backoff has no jitter")
	}
}

func TestClientErrorIsNotRetried(t *testing.T) {
	f := newFake(t)
	f.reply = func(n int, w http.ResponseWriter, r *http.Request) bool {
		writeJSON(w, http.StatusBadRequest, map[string]any{"detail": "Request to model 'voyage-multimodal-3' failed. The max allowed tokens per submitted batch is 320000."})
		return true
	}
	var s sleeps
	p := newProvider(t, f, &s)
	_, _, err := p.Embed(context.Background(), embed.Document, texts(1))
	want := "voyage: embed batch 1 of 1: 400 Bad Request: Request to model 'voyage-multimodal-3' failed. The max allowed tokens per submitted batch is 320000."
	if err == nil || err.Error() != want {
		t.Fatalf("error %v,\nwant %s", err, want)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Errorf("errors.As APIError: %#v", apiErr)
	}
	if f.callCount() != 1 || len(s.got()) != 0 {
		t.Errorf("%d calls, slept %v; want 1 call, no sleep", f.callCount(), s.got())
	}
}

func TestUnauthorizedInSecondBatch(t *testing.T) {
	f := newFake(t)
	f.reply = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n != 2 {
			return false
		}
		writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Provided API key is invalid."})
		return true
	}
	var s sleeps
	p := newProvider(t, f, &s, WithMaxBatch(2))
	got, usage, err := p.Embed(context.Background(), embed.Document, texts(5))
	want := "voyage: embed batch 2 of 3: 401 Unauthorized: Provided API key is invalid."
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	if got != nil {
		t.Errorf("%d vectors returned with an error", len(got))
	}
	if usage.Tokens != 14 { // batch 1 was billed: two texts of 6 words, +1 each in the fake
		t.Errorf("usage %d tokens, want the 14 of batch 1", usage.Tokens)
	}
	if f.callCount() != 2 {
		t.Errorf("%d calls, want 2 (no retry, no third batch)", f.callCount())
	}
}

func TestValidationDetailList(t *testing.T) {
	f := newFake(t)
	f.reply = func(n int, w http.ResponseWriter, r *http.Request) bool {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": []map[string]any{
			{"loc": []any{"body", "inputs", 0, "content"}, "msg": "field required", "type": "value_error.missing"},
		}})
		return true
	}
	var s sleeps
	p := newProvider(t, f, &s)
	_, _, err := p.Embed(context.Background(), embed.Document, texts(1))
	if err == nil || !strings.HasSuffix(err.Error(), "422 Unprocessable Entity: field required (at body.inputs.0.content)") {
		t.Fatalf("error %v", err)
	}
}

func TestRetriesExhausted(t *testing.T) {
	f := newFake(t)
	f.reply = func(n int, w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, "upstream exploded\n")
		return true
	}
	var s sleeps
	p := newProvider(t, f, &s, WithMaxRetries(2))
	_, _, err := p.Embed(context.Background(), embed.Document, texts(1))
	want := "voyage: embed batch 1 of 1: giving up after 3 attempts: 500 Internal Server Error: upstream exploded"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	if f.callCount() != 3 || len(s.got()) != 2 {
		t.Errorf("%d calls, %d sleeps; want 3 and 2", f.callCount(), len(s.got()))
	}
}

func TestDefaultMaxRetries(t *testing.T) {
	f := newFake(t)
	f.reply = func(n int, w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(http.StatusBadGateway)
		return true
	}
	var s sleeps
	p := newProvider(t, f, &s)
	_, _, err := p.Embed(context.Background(), embed.Document, texts(1))
	if err == nil || !strings.Contains(err.Error(), "giving up after 6 attempts: 502 Bad Gateway") {
		t.Fatalf("error %v", err)
	}
	if f.callCount() != DefaultMaxRetries+1 {
		t.Errorf("%d calls, want %d", f.callCount(), DefaultMaxRetries+1)
	}
}

func TestNetworkErrorIsRetried(t *testing.T) {
	f := newFake(t)
	f.reply = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n != 1 {
			return false
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return true
		}
		conn.Close() // the client sees EOF, not a status
		return true
	}
	var s sleeps
	p := newProvider(t, f, &s)
	got, _, err := p.Embed(context.Background(), embed.Document, texts(1))
	if err != nil {
		t.Fatal(err)
	}
	checkVectors(t, got, [][]float32{wantVector(texts(1)[0].Text, 0)})
	if f.callCount() != 2 || len(s.got()) != 1 {
		t.Errorf("%d calls, %d sleeps; want 2 and 1", f.callCount(), len(s.got()))
	}
}

func TestCancelDuringBackoffReturnsPromptly(t *testing.T) {
	f := newFake(t)
	f.reply = func(n int, w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "60")
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"detail": "Rate limit exceeded."})
		return true
	}
	// The real sleep, so the test also covers it.
	p, err := New(testKey, WithBaseURL(f.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, _, err = p.Embed(ctx, embed.Document, texts(1))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("returned after %v, want promptly after the cancel", el)
	}
	if f.callCount() != 1 {
		t.Errorf("%d calls, want 1", f.callCount())
	}
}

func TestCancelledContextMakesNoRequest(t *testing.T) {
	f := newFake(t)
	var s sleeps
	p := newProvider(t, f, &s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := p.Embed(ctx, embed.Document, texts(1)); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if f.callCount() != 0 {
		t.Errorf("%d calls after cancel", f.callCount())
	}
}

func TestBadResponses(t *testing.T) {
	vec := func(n int) []float32 { return make([]float32, n) }
	for _, tc := range []struct {
		name string
		body any
		want string
	}{
		{"wrong dimension", map[string]any{"data": []any{map[string]any{"embedding": vec(512), "index": 0}}}, "has 512 dimensions, want 1024"},
		{"too few", map[string]any{"data": []any{}}, "0 embeddings for 1 inputs"},
		{"no index", map[string]any{"data": []any{map[string]any{"embedding": vec(Dim)}}}, "no index"},
		{"index out of range", map[string]any{"data": []any{map[string]any{"embedding": vec(Dim), "index": 1}}}, "index 1"},
		{"not JSON", "<html>", "decode response"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.reply = func(n int, w http.ResponseWriter, r *http.Request) bool {
				if s, ok := tc.body.(string); ok {
					w.WriteHeader(http.StatusOK)
					fmt.Fprint(w, s)
					return true
				}
				writeJSON(w, http.StatusOK, tc.body)
				return true
			}
			var s sleeps
			p := newProvider(t, f, &s)
			_, _, err := p.Embed(context.Background(), embed.Document, texts(1))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "voyage: embed batch 1 of 1: ") {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if f.callCount() != 1 {
				t.Errorf("%d calls, want 1 (a bad answer is not retried)", f.callCount())
			}
		})
	}
}

func TestDuplicateIndex(t *testing.T) {
	f := newFake(t)
	f.reply = func(n int, w http.ResponseWriter, r *http.Request) bool {
		d := map[string]any{"embedding": make([]float32, Dim), "index": 0}
		writeJSON(w, http.StatusOK, map[string]any{"data": []any{d, d}})
		return true
	}
	var s sleeps
	p := newProvider(t, f, &s)
	if _, _, err := p.Embed(context.Background(), embed.Document, texts(2)); err == nil || !strings.Contains(err.Error(), "two embeddings for index 0") {
		t.Fatalf("error %v", err)
	}
}

func TestKeyNeverInErrors(t *testing.T) {
	f := newFake(t)
	f.reply = func(n int, w http.ResponseWriter, r *http.Request) bool {
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if n == 1 {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Provided API key " + key + " is invalid."})
		} else {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, "panic: auth=Bearer %s\n", key)
		}
		return true
	}
	var s sleeps
	p := newProvider(t, f, &s, WithMaxRetries(1))
	_, _, err := p.Embed(context.Background(), embed.Document, texts(1))
	if err == nil || strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "Provided API key [redacted] is invalid.") {
		t.Errorf("401 error %q", err)
	}
	_, _, err = p.Embed(context.Background(), embed.Document, texts(1))
	if err == nil || strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "auth=Bearer [redacted]") {
		t.Errorf("500 error %q", err)
	}

	// A network error names the URL, never the key.
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	p, err = New(testKey, WithBaseURL(url), WithSleep(s.sleep), WithMaxRetries(1))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = p.Embed(context.Background(), embed.Document, texts(1))
	if err == nil || strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "giving up after 2 attempts") {
		t.Errorf("network error %q", err)
	}
}

func TestImageChecks(t *testing.T) {
	f := newFake(t)
	var s sleeps
	p := newProvider(t, f, &s)
	_, _, err := p.Embed(context.Background(), embed.Document, []embed.Input{{Text: "a"}, {Text: "b", Image: []byte("not a picture at all")}})
	if err == nil || !strings.Contains(err.Error(), "voyage: input 1: image is not PNG") {
		t.Errorf("error %v", err)
	}
	big := append(testPNG(t, 2, 2), make([]byte, MaxImageBytes)...)
	_, _, err = p.Embed(context.Background(), embed.Document, []embed.Input{{Text: "b", Image: big}})
	if err == nil || !strings.Contains(err.Error(), "over the API's") {
		t.Errorf("error %v", err)
	}
	if f.callCount() != 0 {
		t.Errorf("%d calls for inputs that cannot be sent", f.callCount())
	}
}

func TestNewAndAccessors(t *testing.T) {
	p, err := New(testKey)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != "voyage-multimodal-3" || p.Dim() != 1024 {
		t.Errorf("Name %q, Dim %d", p.Name(), p.Dim())
	}
	if p.baseURL != DefaultBaseURL || p.maxBatch != 128 || p.maxRetries != 5 {
		t.Errorf("defaults: %q, batch %d, retries %d", p.baseURL, p.maxBatch, p.maxRetries)
	}
	p, err = New(testKey, WithModel("voyage-multimodal-3.5"), WithBaseURL("http://proxy.internal:8080/"))
	if err != nil || p.Name() != "voyage-multimodal-3.5" || p.baseURL != "http://proxy.internal:8080" {
		t.Errorf("options: %v, %+v", err, p)
	}
	for name, opts := range map[string][]Option{
		"batch 0":     {WithMaxBatch(0)},
		"retries -1":  {WithMaxRetries(-1)},
		"bad URL":     {WithBaseURL("api.voyageai.com")},
		"empty model": {WithModel("")},
		"nil client":  {WithHTTPClient(nil)},
		"nil sleep":   {WithSleep(nil)},
	} {
		if _, err := New(testKey, opts...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	for _, key := range []string{"", "pa-abc def", "pa-abc\n"} {
		if _, err := New(key); err == nil {
			t.Errorf("key %q: no error", key)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"120", 2 * time.Minute, true},
		{"3600", maxRetryAfter, true},
		{"99999999999999999999999", maxRetryAfter, true},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"Sat, 01 Mar 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Sat, 01 Mar 2025 11:00:00 GMT", 0, true},
		{"Sun, 02 Mar 2025 12:00:00 GMT", maxRetryAfter, true},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRetryAfterDateUsesClock(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	f := newFake(t)
	f.reply = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n != 1 {
			return false
		}
		w.Header().Set("Retry-After", now.Add(42*time.Second).Format(http.TimeFormat))
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	}
	var s sleeps
	p := newProvider(t, f, &s, WithClock(func() time.Time { return now }))
	if _, _, err := p.Embed(context.Background(), embed.Document, texts(1)); err != nil {
		t.Fatal(err)
	}
	if d := s.got(); len(d) != 1 || d[0] != 42*time.Second {
		t.Errorf("slept %v, want [42s]", d)
	}
}

func TestAPIMessage(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"detail":"Provided API key is invalid."}`, "Provided API key is invalid."},
		{`{"detail":[{"loc":["body","model"],"msg":"field required","type":"value_error.missing"},{"msg":"bad"}]}`, "field required (at body.model); bad"},
		{`{"error":{"message":"nope"}}`, "nope"},
		{`{"message":"plain"}`, "plain"},
		{"line one\n\tline two\x00", "line one line two"},
		{`{"detail":"key ` + testKey + ` rejected"}`, "key [redacted] rejected"},
		{"", ""},
	} {
		if got := apiMessage([]byte(tc.body), testKey); got != tc.want {
			t.Errorf("apiMessage(%q) = %q, want %q", tc.body, got, tc.want)
		}
	}
	long := apiMessage([]byte(strings.Repeat("é", 2000)), testKey)
	if len(long) > maxMessageLen+len("…") || !strings.HasSuffix(long, "…") {
		t.Errorf("long message not cut: %d bytes", len(long))
	}
}
