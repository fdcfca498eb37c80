package google

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
	"golang.org/x/oauth2"
)

const testRedirect = "https://patternvault.test/auth/google/callback"

// startProvider runs an in-process OIDC provider and returns it with a
// Provider discovered from it.
func startProvider(t *testing.T) (*mockoidc.MockOIDC, *Provider) {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatalf("mockoidc.Run: %v", err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	p, err := New(t.Context(), Config{
		ClientID:     m.ClientID,
		ClientSecret: m.ClientSecret,
		RedirectURL:  testRedirect,
		IssuerURL:    m.Issuer(),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m, p
}

// authorize plays the browser: it opens authURL at the provider and
// returns the query of the redirect back to the callback.
func authorize(t *testing.T, authURL string) url.Values {
	t.Helper()
	client := &http.Client{
		Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatalf("GET auth URL: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("auth URL: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatalf("parse Location: %v", err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirect {
		t.Fatalf("redirected to %s, want %s", got, testRedirect)
	}
	return loc.Query()
}

// namedUser is a mockoidc user whose ID token also carries Google's "name"
// claim, which mockoidc's MockUser lacks.
type namedUser struct {
	*mockoidc.MockUser
	Name string
}

func (u namedUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &struct {
		*mockoidc.IDTokenClaims
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		Name          string `json:"name"`
	}{base, u.Email, u.EmailVerified, u.Name}, nil
}

func TestSignIn(t *testing.T) {
	m, p := startProvider(t)
	m.QueueUser(namedUser{
		MockUser: &mockoidc.MockUser{Subject: "108512345678901234567", Email: "ada@quilts.example", EmailVerified: true},
		Name:     "Ada Lovelace",
	})

	authURL, flow := p.Begin()
	q := authorize(t, authURL)
	if q.Get("state") != flow.State {
		t.Fatalf("callback state %q, want %q", q.Get("state"), flow.State)
	}
	id, err := p.Finish(t.Context(), flow, q)
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	want := Identity{Subject: "108512345678901234567", Email: "ada@quilts.example", EmailVerified: true, Name: "Ada Lovelace"}
	if id != want {
		t.Fatalf("identity = %+v, want %+v", id, want)
	}
}

func TestSignInUnverifiedEmail(t *testing.T) {
	m, p := startProvider(t)
	m.QueueUser(&mockoidc.MockUser{Subject: "sub-unverified", Email: "eve@example.com", EmailVerified: false})

	authURL, flow := p.Begin()
	id, err := p.Finish(t.Context(), flow, authorize(t, authURL))
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if id.Subject != "sub-unverified" || id.Email != "eve@example.com" || id.EmailVerified {
		t.Fatalf("identity = %+v, want unverified eve@example.com", id)
	}
}

func TestBeginAuthURL(t *testing.T) {
	_, p := startProvider(t)
	authURL, flow := p.Begin()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	checks := map[string]string{
		"client_id":             p.oauth.ClientID,
		"redirect_uri":          testRedirect,
		"response_type":         "code",
		"scope":                 "openid email profile",
		"state":                 flow.State,
		"nonce":                 flow.Nonce,
		"code_challenge_method": "S256",
		"code_challenge":        oauth2.S256ChallengeFromVerifier(flow.Verifier),
	}
	for k, want := range checks {
		if got := q.Get(k); got != want {
			t.Errorf("auth URL %s = %q, want %q", k, got, want)
		}
	}
	if len(flow.State) < 26 || len(flow.Nonce) < 26 || len(flow.Verifier) < 43 {
		t.Errorf("flow values too short: %+v", flow)
	}
	_, other := p.Begin()
	if other.State == flow.State || other.Nonce == flow.Nonce || other.Verifier == flow.Verifier {
		t.Error("two Begin calls share a flow value")
	}
}

func TestWrongStateRefused(t *testing.T) {
	_, p := startProvider(t)
	authURL, flow := p.Begin()
	q := authorize(t, authURL)
	_, otherFlow := p.Begin()

	if _, err := p.Finish(t.Context(), otherFlow, q); !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("Finish with another flow: err = %v, want ErrStateMismatch", err)
	}
	noState := url.Values{"code": {q.Get("code")}}
	if _, err := p.Finish(t.Context(), flow, noState); !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("Finish without state: err = %v, want ErrStateMismatch", err)
	}
	if _, err := p.Finish(t.Context(), Flow{}, url.Values{"code": {"x"}, "state": {""}}); !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("Finish with empty flow: err = %v, want ErrStateMismatch", err)
	}
	// The refused attempts must not have spent the code.
	if _, err := p.Finish(t.Context(), flow, q); err != nil {
		t.Fatalf("Finish with the right flow after refusals: %v", err)
	}
}

func TestNonceMismatchRefused(t *testing.T) {
	_, p := startProvider(t)
	authURL, flow := p.Begin()
	q := authorize(t, authURL)

	tampered := flow
	_, other := p.Begin()
	tampered.Nonce = other.Nonce
	_, err := p.Finish(t.Context(), tampered, q)
	if !errors.Is(err, ErrNonceMismatch) {
		t.Fatalf("err = %v, want ErrNonceMismatch", err)
	}
}

func TestWrongVerifierRefused(t *testing.T) {
	_, p := startProvider(t)
	authURL, flow := p.Begin()
	q := authorize(t, authURL)

	flow.Verifier = oauth2.GenerateVerifier()
	_, err := p.Finish(t.Context(), flow, q)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "exchange code") {
		t.Fatalf("err = %v, want a token endpoint error from the exchange", err)
	}
}

func TestAccessDenied(t *testing.T) {
	_, p := startProvider(t)
	_, flow := p.Begin()
	q := url.Values{"error": {"access_denied"}, "state": {flow.State}}
	if _, err := p.Finish(t.Context(), flow, q); !errors.Is(err, ErrDenied) {
		t.Fatalf("err = %v, want ErrDenied", err)
	}
	// An error callback with a forged state is a state mismatch.
	q.Set("state", "forged-state-value-0000000000")
	if _, err := p.Finish(t.Context(), flow, q); !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("forged state: err = %v, want ErrStateMismatch", err)
	}
	// Other provider errors are reported but are not ErrDenied.
	q = url.Values{"error": {"server_error"}, "state": {flow.State}}
	if _, err := p.Finish(t.Context(), flow, q); err == nil || errors.Is(err, ErrDenied) {
		t.Fatalf("server_error: err = %v, want a non-denied error", err)
	}
}

func TestInvalidAndReplayedCode(t *testing.T) {
	_, p := startProvider(t)
	authURL, flow := p.Begin()
	q := authorize(t, authURL)

	bogus := url.Values{"code": {"not-a-code"}, "state": {flow.State}}
	if _, err := p.Finish(t.Context(), flow, bogus); err == nil {
		t.Fatal("Finish with an unknown code succeeded")
	}
	if _, err := p.Finish(t.Context(), flow, url.Values{"state": {flow.State}}); err == nil {
		t.Fatal("Finish without a code succeeded")
	}
	if _, err := p.Finish(t.Context(), flow, q); err != nil {
		t.Fatalf("first Finish: %v", err)
	}
	if _, err := p.Finish(t.Context(), flow, q); err == nil {
		t.Fatal("replayed code accepted")
	}
}

func TestExpiredIDTokenRefused(t *testing.T) {
	m, p := startProvider(t)
	authURL, flow := p.Begin()
	q := authorize(t, authURL)

	// Make the provider issue the ID token an hour ago; it lives 10 minutes.
	m.FastForward(-time.Hour)
	_, err := p.Finish(t.Context(), flow, q)
	var expired *oidc.TokenExpiredError
	if !errors.As(err, &expired) {
		t.Fatalf("err = %v, want *oidc.TokenExpiredError", err)
	}
}

func TestNewRejectsIssuerMismatch(t *testing.T) {
	m, _ := startProvider(t)
	_, err := New(t.Context(), Config{
		ClientID: m.ClientID, ClientSecret: m.ClientSecret, RedirectURL: testRedirect,
		IssuerURL: m.Addr() + "/oidc/", // discovery answers with ".../oidc"
	})
	if err == nil {
		t.Fatal("New accepted an issuer that does not match discovery")
	}
}

func TestNewRequiresConfig(t *testing.T) {
	for _, cfg := range []Config{
		{ClientSecret: "s", RedirectURL: testRedirect},
		{ClientID: "c", RedirectURL: testRedirect},
		{ClientID: "c", ClientSecret: "s"},
	} {
		if _, err := New(t.Context(), cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}

func TestEnabled(t *testing.T) {
	tests := []struct {
		cfg  Config
		want bool
	}{
		{Config{}, false},
		{Config{ClientID: "id"}, false},
		{Config{ClientSecret: "secret"}, false},
		{Config{ClientID: " ", ClientSecret: "secret"}, false},
		{Config{ClientID: "id", ClientSecret: "secret"}, true},
	}
	for _, tt := range tests {
		if got := Enabled(tt.cfg); got != tt.want {
			t.Errorf("Enabled(%+v) = %v, want %v", tt.cfg, got, tt.want)
		}
	}
}

func TestFlowEncodeDecode(t *testing.T) {
	_, p := startProvider(t)
	_, flow := p.Begin()
	got, err := DecodeFlow(flow.Encode())
	if err != nil {
		t.Fatalf("DecodeFlow: %v", err)
	}
	if got != flow {
		t.Fatalf("round trip = %+v, want %+v", got, flow)
	}
	enc := flow.Encode()
	for _, bad := range []string{
		"",
		"..",
		flow.State + "." + flow.Nonce,
		enc + ".extra",
		"short." + flow.Nonce + "." + flow.Verifier,
		flow.State + "." + flow.Nonce + "." + flow.Verifier[:20] + "=" + flow.Verifier[21:],
		flow.State + "." + flow.Nonce + "." + strings.Repeat("a", 129),
	} {
		if _, err := DecodeFlow(bad); err == nil {
			t.Errorf("DecodeFlow(%q) succeeded", bad)
		}
	}
}
