// Package voyage is an embed.Provider backed by Voyage AI's multimodal
// embeddings API: a design's text and thumbnail become one vector.
//
// What this client relies on, from Voyage's documentation:
//
//   - Request (docs.voyageai.com/reference/multimodal-embeddings-api):
//     POST {base}/v1/multimodalembeddings, header "Authorization: Bearer
//     <key>", JSON body {"inputs": [{"content": [{"type": "text", "text":
//     "..."}, {"type": "image_base64", "image_base64":
//     "data:image/png;base64,..."}]}], "model": "voyage-multimodal-3",
//     "input_type": "document" | "query", "truncation": true}. Images in a
//     data URL may be image/png, image/jpeg, image/webp or image/gif.
//   - Limits (docs.voyageai.com/docs/multimodal-embeddings): at most 1,000
//     inputs a request; an image at most 16 million pixels and 20 MB; every
//     560 pixels count as a token; an input at most 32,000 tokens (longer
//     ones are truncated while truncation is true) and a request at most
//     320,000 tokens. voyage-multimodal-3 vectors have 1024 dimensions.
//   - Response: data[].embedding with data[].index (the input's position;
//     vectors are placed by it, not by list order), and usage.text_tokens,
//     usage.image_pixels and usage.total_tokens (text plus image tokens),
//     as the docs above and the official Python client's
//     MultimodalEmbeddingsObject describe them.
//   - Errors (docs.voyageai.com/docs/error-codes): 400 invalid request
//     (bad JSON or parameter, batch too large, too many tokens), 401 invalid
//     key, 403 forbidden, 429 rate limit exceeded, 500 server error, 502,
//     503 and 504 overloaded; the docs say to retry 429 and 5xx after a
//     wait. The body is {"detail": "message"}, or for validation errors
//     {"detail": [{"msg": ..., "loc": [...], "type": ...}]}, as the official
//     Python client (voyageai/api_resources/api_requestor.py) parses it.
//   - Rate limits (docs.voyageai.com/docs/rate-limits) are per
//     organisation in requests and tokens a minute; going over returns 429
//     and Voyage recommends exponential backoff with jitter. The docs do
//     not promise a Retry-After header; it is honoured when sent.
//
// Batches default to 128 inputs, well inside both the 1,000-input and
// the 320,000-token limits for PatternVault's 256-pixel thumbnails (about
// 117 tokens each).
package voyage

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/patternvault/patternvault/internal/embed"
)

// Defaults and limits.
const (
	// DefaultBaseURL is Voyage AI's API; the endpoint path is appended.
	DefaultBaseURL = "https://api.voyageai.com"
	// DefaultModel is the multimodal model used unless WithModel says
	// otherwise.
	DefaultModel = "voyage-multimodal-3"
	// Dim is the length of voyage-multimodal-3 vectors.
	Dim = 1024
	// MaxBatch is the most inputs sent in one request (the API allows
	// 1,000; smaller requests stay far from the 320,000-token limit and
	// lose less work to a retry). It is also the default.
	MaxBatch = 128
	// DefaultMaxRetries is how many times a failed request is retried
	// unless WithMaxRetries says otherwise.
	DefaultMaxRetries = 5
	// MaxImageBytes is the API's limit on one image (20 MB).
	MaxImageBytes = 20 << 20

	endpoint        = "/v1/multimodalembeddings"
	baseBackoff     = time.Second
	maxBackoff      = 30 * time.Second
	maxRetryAfter   = 5 * time.Minute
	maxResponseSize = 64 << 20
	maxErrorBody    = 64 << 10
	maxMessageLen   = 500
	redacted        = "[redacted]"
)

// Provider embeds inputs with Voyage AI's multimodal embeddings API. It
// is safe for concurrent use.
type Provider struct {
	apiKey     string
	baseURL    string
	model      string
	client     *http.Client
	maxBatch   int
	maxRetries int
	sleep      func(ctx context.Context, d time.Duration) error
	now        func() time.Time
}

// Option changes a Provider's defaults; pass options to New.
type Option func(*Provider)

// WithBaseURL sends requests to base instead of DefaultBaseURL (tests use
// an httptest server; a proxy may sit in between).
func WithBaseURL(base string) Option { return func(p *Provider) { p.baseURL = base } }

// WithModel uses another Voyage multimodal model. Its vectors must still
// be Dim long; Embed reports an error otherwise.
func WithModel(model string) Option { return func(p *Provider) { p.model = model } }

// WithHTTPClient sends requests with c instead of a client with a
// two-minute timeout.
func WithHTTPClient(c *http.Client) Option { return func(p *Provider) { p.client = c } }

// WithMaxBatch sends at most n inputs a request; n above MaxBatch is
// lowered to MaxBatch, and n below 1 makes New fail.
func WithMaxBatch(n int) Option { return func(p *Provider) { p.maxBatch = n } }

// WithMaxRetries retries a request at most n times (0: never) after a
// 429, a 5xx or a network error; n below 0 makes New fail.
func WithMaxRetries(n int) Option { return func(p *Provider) { p.maxRetries = n } }

// WithSleep replaces how the provider waits between attempts. sleep must
// return ctx.Err() if ctx ends first; tests record the durations and
// return at once.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(p *Provider) { p.sleep = sleep }
}

// WithClock replaces the clock used to read a Retry-After date.
func WithClock(now func() time.Time) Option { return func(p *Provider) { p.now = now } }

// New returns a provider that authenticates with apiKey. It fails if the
// key is empty or an option is out of range.
func New(apiKey string, opts ...Option) (*Provider, error) {
	p := &Provider{
		apiKey:     apiKey,
		baseURL:    DefaultBaseURL,
		model:      DefaultModel,
		client:     &http.Client{Timeout: 2 * time.Minute},
		maxBatch:   MaxBatch,
		maxRetries: DefaultMaxRetries,
		sleep:      sleepCtx,
		now:        time.Now,
	}
	for _, o := range opts {
		o(p)
	}
	switch {
	case p.apiKey == "":
		return nil, errors.New("voyage: no API key")
	case strings.IndexFunc(p.apiKey, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0:
		return nil, errors.New("voyage: API key has spaces or control characters")
	case p.model == "":
		return nil, errors.New("voyage: empty model name")
	case p.client == nil:
		return nil, errors.New("voyage: nil HTTP client")
	case p.sleep == nil || p.now == nil:
		return nil, errors.New("voyage: nil sleep or clock")
	case p.maxBatch < 1:
		return nil, fmt.Errorf("voyage: max batch %d is below 1", p.maxBatch)
	case p.maxRetries < 0:
		return nil, fmt.Errorf("voyage: max retries %d is below 0", p.maxRetries)
	}
	p.maxBatch = min(p.maxBatch, MaxBatch)
	u, err := url.Parse(p.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("voyage: base URL %q is not an http(s) URL", p.baseURL)
	}
	p.baseURL = strings.TrimRight(p.baseURL, "/")
	return p, nil
}

// Name implements embed.Provider: the model's name, e.g.
// "voyage-multimodal-3".
func (p *Provider) Name() string { return p.model }

// Dim implements embed.Provider.
func (p *Provider) Dim() int { return Dim }

// APIError is a response from the API that is not a success. Embed wraps
// it, so callers can find it with errors.As (a 401 means the key is
// wrong, for one).
type APIError struct {
	// StatusCode is the HTTP status, e.g. 401.
	StatusCode int
	// Message is the API's explanation ("detail"), with the API key
	// removed; empty if the body had none.
	Message string
}

// Error returns e.g. "401 Unauthorized: Provided API key is invalid.".
func (e *APIError) Error() string {
	s := fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// retryable reports whether the status is worth another attempt.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// Embed implements embed.Provider. Inputs are sent in batches of at most
// the maximum batch size; each batch is retried on 429, 5xx and network
// errors with exponential backoff and jitter, or after the Retry-After
// the API asked for. Vectors come back in input order, L2-normalised;
// Usage.Tokens is the sum of the API's total_tokens. On error no vectors
// are returned, but Usage still counts the batches that succeeded, as
// they were billed.
func (p *Provider) Embed(ctx context.Context, kind embed.Kind, inputs []embed.Input) ([][]float32, embed.Usage, error) {
	var usage embed.Usage
	if len(inputs) == 0 {
		return [][]float32{}, usage, nil
	}
	var inputType string
	switch kind {
	case embed.Document:
		inputType = "document"
	case embed.Query:
		inputType = "query"
	default:
		return nil, usage, fmt.Errorf("voyage: unknown input kind %d", kind)
	}
	items := make([]item, len(inputs))
	for i, in := range inputs {
		it, err := newItem(in)
		if err != nil {
			return nil, usage, fmt.Errorf("voyage: input %d: %w", i, err)
		}
		items[i] = it
	}
	out := make([][]float32, 0, len(inputs))
	batches := (len(items) + p.maxBatch - 1) / p.maxBatch
	for b := range batches {
		lo := b * p.maxBatch
		hi := min(lo+p.maxBatch, len(items))
		vecs, tokens, err := p.embedBatch(ctx, request{Inputs: items[lo:hi], Model: p.model, InputType: inputType, Truncation: true})
		if err != nil {
			return nil, usage, fmt.Errorf("voyage: embed batch %d of %d: %w", b+1, batches, err)
		}
		out = append(out, vecs...)
		usage.Tokens += tokens
	}
	return out, usage, nil
}

// request is the JSON body of one call.
type request struct {
	Inputs     []item `json:"inputs"`
	Model      string `json:"model"`
	InputType  string `json:"input_type"`
	Truncation bool   `json:"truncation"`
}

// item is one multimodal input.
type item struct {
	Content []part `json:"content"`
}

// part is a piece of text or an image of an item.
type part struct {
	Type        string `json:"type"`
	Text        string `json:"text,omitempty"`
	ImageBase64 string `json:"image_base64,omitempty"`
}

// imageTypes are the media types the API accepts in a data URL.
var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true, "image/gif": true}

// newItem turns an input into its text part and, if it has an image, an
// image part (the text part is left out when it is empty and there is an
// image).
func newItem(in embed.Input) (item, error) {
	var it item
	if in.Text != "" || in.Image == nil {
		it.Content = append(it.Content, part{Type: "text", Text: in.Text})
	}
	if in.Image != nil {
		if len(in.Image) > MaxImageBytes {
			return it, fmt.Errorf("image of %d bytes is over the API's %d-byte limit", len(in.Image), MaxImageBytes)
		}
		mt := http.DetectContentType(in.Image)
		if !imageTypes[mt] {
			return it, fmt.Errorf("image is not PNG, JPEG, WebP or GIF (looks like %s)", mt)
		}
		it.Content = append(it.Content, part{Type: "image_base64",
			ImageBase64: "data:" + mt + ";base64," + base64.StdEncoding.EncodeToString(in.Image)})
	}
	return it, nil
}

// response is the JSON body of a successful call.
type response struct {
	Data []struct {
		Embedding []float32 `json:"embedding"`
		Index     *int      `json:"index"`
	} `json:"data"`
	Usage struct {
		TextTokens  int `json:"text_tokens"`
		ImagePixels int `json:"image_pixels"`
		TotalTokens int `json:"total_tokens"`
	} `json:"usage"`
}

// embedBatch sends one batch, retrying as the package comment says, and
// returns its vectors in input order and the tokens billed.
func (p *Provider) embedBatch(ctx context.Context, req request) ([][]float32, int, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, 0, fmt.Errorf("encode request: %w", err)
	}
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		raw, wait, err := p.post(ctx, body)
		if err == nil {
			return p.decode(raw, len(req.Inputs))
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, 0, ctxErr
		}
		var apiErr *APIError
		if errors.As(err, &apiErr) && !retryable(apiErr.StatusCode) {
			return nil, 0, err
		}
		if attempt >= p.maxRetries {
			return nil, 0, fmt.Errorf("giving up after %d attempts: %w", attempt+1, err)
		}
		if wait < 0 {
			wait = backoff(attempt)
		}
		if err := p.sleep(ctx, wait); err != nil {
			return nil, 0, err
		}
	}
}

// post makes one attempt. It returns the body of a 2xx response, or an
// error: an *APIError for other statuses, any other error for network
// trouble. wait is the Retry-After the server asked for, or -1.
func (p *Provider) post(ctx context.Context, body []byte) (raw []byte, wait time.Duration, err error) {
	wait = -1
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, p.baseURL+endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, wait, fmt.Errorf("build request: %w", err)
	}
	hr.Header.Set("Authorization", "Bearer "+p.apiKey)
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(hr)
	if err != nil {
		return nil, wait, p.redactErr(err)
	}
	defer func() {
		// Drain a little so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
	}()
	if resp.StatusCode/100 == 2 {
		raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize+1))
		if err != nil {
			return nil, wait, fmt.Errorf("read response: %w", p.redactErr(err))
		}
		if len(raw) > maxResponseSize {
			return nil, wait, fmt.Errorf("response is over %d bytes", maxResponseSize)
		}
		return raw, wait, nil
	}
	errBody, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), p.now()); ok {
		wait = d
	}
	return nil, wait, &APIError{StatusCode: resp.StatusCode, Message: apiMessage(errBody, p.apiKey)}
}

// decode checks a successful response and returns its vectors, in input
// order and normalised, and its total tokens.
func (p *Provider) decode(raw []byte, n int) ([][]float32, int, error) {
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, 0, fmt.Errorf("decode response: %w", err)
	}
	if len(r.Data) != n {
		return nil, 0, fmt.Errorf("response has %d embeddings for %d inputs", len(r.Data), n)
	}
	out := make([][]float32, n)
	for i, d := range r.Data {
		if d.Index == nil {
			return nil, 0, fmt.Errorf("response embedding %d has no index", i)
		}
		idx := *d.Index
		if idx < 0 || idx >= n {
			return nil, 0, fmt.Errorf("response embedding %d has index %d, want 0 to %d", i, idx, n-1)
		}
		if out[idx] != nil {
			return nil, 0, fmt.Errorf("response has two embeddings for index %d", idx)
		}
		if len(d.Embedding) != Dim {
			return nil, 0, fmt.Errorf("response embedding for index %d has %d dimensions, want %d", idx, len(d.Embedding), Dim)
		}
		out[idx] = embed.Normalize(d.Embedding)
	}
	if r.Usage.TotalTokens < 0 {
		return nil, 0, fmt.Errorf("response has negative total_tokens %d", r.Usage.TotalTokens)
	}
	return out, r.Usage.TotalTokens, nil
}

// backoff is the wait before retry attempt+1 when the server did not say:
// exponential from one second, capped at 30 seconds, with "equal jitter"
// (a random point in the upper half) so that clients rate-limited
// together do not retry together.
func backoff(attempt int) time.Duration {
	d := maxBackoff
	if attempt < 16 {
		d = min(baseBackoff<<attempt, maxBackoff)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date (RFC 9110, section 10.2.3), relative to now. Waits are capped at
// five minutes and a date in the past means no wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		secs, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) && strings.Trim(v, "0123456789") == "" {
				return maxRetryAfter, true
			}
			return 0, false
		}
		if secs > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	return max(0, min(d, maxRetryAfter)), true
}

// apiMessage extracts the explanation from an error body: "detail" as a
// string or a list of validation errors, else the body as text. The API
// key is removed and the result is one printable line of at most
// maxMessageLen bytes.
func apiMessage(body []byte, apiKey string) string {
	var e struct {
		Detail  json.RawMessage `json:"detail"`
		Message string          `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	msg := ""
	if json.Unmarshal(body, &e) == nil {
		msg = detailText(e.Detail)
		if msg == "" {
			msg = e.Message
		}
		if msg == "" {
			msg = detailText(e.Error)
		}
	}
	if msg == "" {
		msg = string(body)
	}
	return clean(msg, apiKey)
}

// detailText renders a "detail" value: a string, an object with a
// message, or a list of {"msg", "loc", "type"} validation errors.
func detailText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Message string `json:"message"`
		Msg     string `json:"msg"`
	}
	if json.Unmarshal(raw, &obj) == nil && (obj.Message != "" || obj.Msg != "") {
		return obj.Message + obj.Msg
	}
	var list []struct {
		Msg  string `json:"msg"`
		Loc  []any  `json:"loc"`
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &list) != nil {
		return ""
	}
	var parts []string
	for _, l := range list {
		s := l.Msg
		if len(l.Loc) > 0 {
			loc := make([]string, len(l.Loc))
			for i, x := range l.Loc {
				loc[i] = fmt.Sprint(x)
			}
			s += " (at " + strings.Join(loc, ".") + ")"
		}
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}

// clean removes the API key from s, then makes it one line of printable
// text of at most maxMessageLen bytes.
func clean(s, apiKey string) string {
	if apiKey != "" {
		s = strings.ReplaceAll(s, apiKey, redacted)
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if b.Len()+utf8.RuneLen(r) > maxMessageLen {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// redactErr removes the API key from an error's text, should a transport
// ever include it; errors without the key are returned unchanged so that
// errors.Is still sees through them.
func (p *Provider) redactErr(err error) error {
	if err == nil || !strings.Contains(err.Error(), p.apiKey) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), p.apiKey, redacted))
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
