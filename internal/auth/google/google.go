// Package google implements "Sign in with Google" using OpenID Connect
// (authorization code flow with PKCE, state and nonce).
//
// A sign-in takes two requests:
//
//  1. The login handler calls [Provider.Begin], stores [Flow.Encode] in a
//     short-lived cookie and redirects the browser to the returned URL.
//  2. The callback handler reads the cookie back with [DecodeFlow], deletes
//     it (a Flow is single-use), and calls [Provider.Finish] with the
//     callback's query parameters to get the signed-in [Identity].
//
// # Flow cookie
//
// A Flow is self-contained: its encoding holds the random state, nonce and
// PKCE verifier and nothing else, so no server-side storage is needed and
// there is nothing to sign. The values are unguessable (crypto/rand, at
// least 128 bits each) and are useful only to the browser that started the
// flow; an attacker able to write a victim's cookies could just as well
// start a flow of their own. The caller must set the cookie HttpOnly,
// Secure, SameSite=Lax (Strict would drop it on the cross-site redirect back
// from Google), with a short Max-Age (about 10 minutes) and a Path limited
// to the callback, and must delete it when the callback runs.
//
// # Account linking
//
// Finish returns the identity even when Google says the email address is
// not verified; the caller decides linking policy. Key accounts on
// [Identity.Subject]. A Google identity may be linked to an existing
// PatternVault account by email only when [Identity.EmailVerified] is true:
// linking on an unverified address would let anyone who registers that
// address at Google take over the account.
package google

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// defaultIssuer is Google's OpenID Connect issuer.
const defaultIssuer = "https://accounts.google.com"

// httpTimeout bounds each request to the provider (discovery, keys, token).
const httpTimeout = 10 * time.Second

// Errors returned by [Provider.Finish], wrapped with detail; test with
// errors.Is.
var (
	// ErrStateMismatch means the callback's state parameter is missing or
	// does not match the Flow: a forged, replayed or cross-browser callback.
	ErrStateMismatch = errors.New("google: state mismatch")
	// ErrDenied means the user declined to sign in (error=access_denied).
	ErrDenied = errors.New("google: sign-in denied by user")
	// ErrNonceMismatch means the ID token was not issued for this Flow.
	ErrNonceMismatch = errors.New("google: ID token nonce mismatch")
)

// Config configures Google sign-in.
type Config struct {
	// ClientID and ClientSecret are the OAuth client's credentials.
	ClientID, ClientSecret string
	// RedirectURL is the absolute URL of the callback handler, as
	// registered with the OAuth client.
	RedirectURL string
	// IssuerURL is the OpenID Connect issuer; empty means
	// https://accounts.google.com. Tests pass a mock provider's issuer.
	IssuerURL string
}

// Enabled reports whether cfg has a client ID and secret, that is, whether
// Google sign-in should be offered at all.
func Enabled(cfg Config) bool {
	return strings.TrimSpace(cfg.ClientID) != "" && strings.TrimSpace(cfg.ClientSecret) != ""
}

// Provider runs Google sign-in flows. It is safe for concurrent use.
type Provider struct {
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	client   *http.Client
}

// New discovers the issuer's endpoints and keys and returns a Provider
// requesting the openid, email and profile scopes. ctx bounds discovery
// only.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if !Enabled(cfg) {
		return nil, errors.New("google: client ID and client secret are required")
	}
	if cfg.RedirectURL == "" {
		return nil, errors.New("google: redirect URL is required")
	}
	issuer := cfg.IssuerURL
	if issuer == "" {
		issuer = defaultIssuer
	}
	client := &http.Client{Timeout: httpTimeout}
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, client), issuer)
	if err != nil {
		return nil, fmt.Errorf("google: discover issuer %s: %w", issuer, err)
	}
	endpoint := op.Endpoint()
	// Google and mock providers both accept client_secret_post; fixing it
	// avoids oauth2's probe-and-retry auto-detection.
	endpoint.AuthStyle = oauth2.AuthStyleInParams
	return &Provider{
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			RedirectURL:  cfg.RedirectURL,
			Endpoint:     endpoint,
			Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
		},
		verifier: op.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		client:   client,
	}, nil
}

// Flow is the per-attempt secret state of one sign-in, kept by the browser
// between [Provider.Begin] and [Provider.Finish]; see the package doc for
// how to store it.
type Flow struct {
	State    string // CSRF token echoed back in the callback
	Nonce    string // bound into the ID token
	Verifier string // PKCE code verifier
}

// Begin starts a sign-in: it returns the Google URL to redirect the browser
// to and the Flow to keep for [Provider.Finish].
func (p *Provider) Begin() (authURL string, flow Flow) {
	flow = Flow{
		State:    rand.Text(), // 130 bits, base32
		Nonce:    rand.Text(),
		Verifier: oauth2.GenerateVerifier(), // 256 bits, base64url
	}
	authURL = p.oauth.AuthCodeURL(flow.State,
		oidc.Nonce(flow.Nonce),
		oauth2.S256ChallengeOption(flow.Verifier),
	)
	return authURL, flow
}

// Encode returns f as an opaque, cookie-safe string for [DecodeFlow].
func (f Flow) Encode() string {
	return f.State + "." + f.Nonce + "." + f.Verifier
}

// DecodeFlow parses a string made by [Flow.Encode].
func DecodeFlow(s string) (Flow, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return Flow{}, errors.New("google: decode flow: malformed")
	}
	for _, part := range parts {
		if !validFlowPart(part) {
			return Flow{}, errors.New("google: decode flow: malformed")
		}
	}
	return Flow{State: parts[0], Nonce: parts[1], Verifier: parts[2]}, nil
}

// validFlowPart reports whether s could be a value made by Begin: 16 to 128
// base64url/base32 characters.
func validFlowPart(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for _, c := range []byte(s) {
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// Identity is a user signed in with Google.
type Identity struct {
	// Subject is Google's stable, unique user ID: the key to link on.
	Subject string
	// Email is the user's address; it may change and may be unverified.
	Email string
	// EmailVerified reports whether Google verified Email. Only a verified
	// email may be used to link to an existing account.
	EmailVerified bool
	// Name is the display name, if Google sent one.
	Name string
}

// Finish completes a sign-in from the callback's query parameters: it
// checks the state, exchanges the code using the PKCE verifier, verifies
// the ID token's signature, issuer, audience, expiry and nonce, and returns
// the identity it asserts. The flow must not be reused afterwards.
func (p *Provider) Finish(ctx context.Context, flow Flow, query url.Values) (Identity, error) {
	// State first: nothing else in an unsolicited callback is trusted,
	// including its error parameter.
	got := query.Get("state")
	if flow.State == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(flow.State)) != 1 {
		return Identity{}, ErrStateMismatch
	}
	if e := query.Get("error"); e != "" {
		if e == "access_denied" {
			return Identity{}, ErrDenied
		}
		return Identity{}, fmt.Errorf("google: authorization failed: %s: %s", e, query.Get("error_description"))
	}
	code := query.Get("code")
	if code == "" {
		return Identity{}, errors.New("google: callback has no code")
	}

	ctx = context.WithValue(ctx, oauth2.HTTPClient, p.client)
	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(flow.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("google: exchange code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, errors.New("google: token response has no ID token")
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("google: verify ID token: %w", err)
	}
	if flow.Nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.Nonce)) != 1 {
		return Identity{}, ErrNonceMismatch
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		Name          string `json:"name"`
	}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("google: decode ID token claims: %w", err)
	}
	if idt.Subject == "" {
		return Identity{}, errors.New("google: ID token has no subject")
	}
	return Identity{
		Subject:       idt.Subject,
		Email:         claims.Email,
		EmailVerified: claims.EmailVerified,
		Name:          claims.Name,
	}, nil
}
