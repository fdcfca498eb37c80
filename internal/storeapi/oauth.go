package storeapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Connecting a store: OAuth 2.0 authorization code with PKCE (RFC 6749,
// RFC 7636). The consent page is the authorization endpoint; the token
// endpoint is POST /api/v1/oauth/token.

// Scope is the one scope a grant carries.
const Scope = "deliver"

// AuthorizeRequest is the query of the consent page.
type AuthorizeRequest struct {
	ResponseType        string
	ClientID            string
	RedirectURI         string
	State               string
	Scope               string
	CodeChallenge       string
	CodeChallengeMethod string
}

// AuthorizeRequestFrom reads the consent page's query (or form).
func AuthorizeRequestFrom(v url.Values) AuthorizeRequest {
	return AuthorizeRequest{ResponseType: v.Get("response_type"), ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"),
		State: v.Get("state"), Scope: v.Get("scope"), CodeChallenge: v.Get("code_challenge"), CodeChallengeMethod: v.Get("code_challenge_method")}
}

// Values is the request as a query, to carry it through a form.
func (r AuthorizeRequest) Values() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"response_type": r.ResponseType, "client_id": r.ClientID, "redirect_uri": r.RedirectURI,
		"state": r.State, "scope": r.Scope, "code_challenge": r.CodeChallenge, "code_challenge_method": r.CodeChallengeMethod} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

// ClientID is the OAuth client id of a store.
func ClientID(storeID int64) string { return "store_" + strconv.FormatInt(storeID, 10) }

// ErrBadClient is a consent request whose store or redirect URI is not
// known: it is shown on the page and never redirected (RFC 6749 4.1.2.1).
var ErrBadClient = problem.BadRequest("bad_client", "This connection link is not valid: the store or its return address is unknown. Please go back to the store and try again.")

// RedirectError is a consent request that is answered by sending the
// browser back to the store with an OAuth error.
type RedirectError struct{ URL string }

func (e *RedirectError) Error() string { return "oauth: redirect with error: " + e.URL }

// Consent is what the consent page shows.
type Consent struct {
	Store *store.PatternStore
	Req   AuthorizeRequest
	// Workspaces are those where the person may add designs.
	Workspaces []store.Membership
}

// Authorize checks a consent request for the signed-in user.
func (s *Service) Authorize(ctx context.Context, u *store.User, req AuthorizeRequest) (*Consent, error) {
	ps, err := s.client(ctx, req)
	if err != nil {
		return nil, err
	}
	fail := func(code, desc string) error {
		return &RedirectError{URL: redirectWith(req.RedirectURI, url.Values{"error": {code}, "error_description": {desc}, "state": {req.State}})}
	}
	switch {
	case req.ResponseType != "code":
		return nil, fail("unsupported_response_type", "only response_type=code is supported")
	case req.CodeChallengeMethod != "S256" || len(req.CodeChallenge) != 43:
		return nil, fail("invalid_request", "PKCE is required: code_challenge (43 characters) with code_challenge_method=S256")
	case req.Scope != "" && req.Scope != Scope:
		return nil, fail("invalid_scope", "the only scope is "+Scope)
	case len(req.State) > 500:
		return nil, fail("invalid_request", "state is longer than 500 characters")
	}
	ms, err := s.Store.UserTenants(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	c := &Consent{Store: ps, Req: req}
	for _, m := range ms {
		if store.RoleAtLeast(m.Role, store.RoleEditor) && m.Tenant.Status == store.TenantActive {
			c.Workspaces = append(c.Workspaces, m)
		}
	}
	return c, nil
}

// client returns the store of a consent request whose redirect URI is
// one the store registered.
func (s *Service) client(ctx context.Context, req AuthorizeRequest) (*store.PatternStore, error) {
	id, ok := strings.CutPrefix(req.ClientID, "store_")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || n <= 0 {
		return nil, ErrBadClient
	}
	ps, err := s.Store.PatternStoreByID(ctx, n)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrBadClient.Wrap(err)
	}
	if err != nil {
		return nil, err
	}
	if ps.DisabledAt != nil || !slices.Contains(ps.RedirectURIs, req.RedirectURI) {
		return nil, ErrBadClient
	}
	return ps, nil
}

// ErrNoWorkspaceToConnect is a person who may add designs to none of the
// workspaces they chose.
var ErrNoWorkspaceToConnect = problem.Forbidden("no_workspace", "Choose a workspace in which you may add designs.")

// Approve records the person's consent for workspace tenantID (review:
// deliveries wait in the Inbox) and returns where to send the browser:
// the store's redirect URI with a one-time code.
func (s *Service) Approve(ctx context.Context, u *store.User, req AuthorizeRequest, tenantID int64, review bool) (string, error) {
	c, err := s.Authorize(ctx, u, req)
	if err != nil {
		return "", err
	}
	ok := false
	for _, m := range c.Workspaces {
		ok = ok || m.Tenant.ID == tenantID
	}
	if !ok {
		return "", ErrNoWorkspaceToConnect
	}
	code := auth.NewToken(codePrefix)
	err = s.Store.CreateStoreAuthCode(ctx, &store.StoreAuthCode{StoreID: c.Store.ID, UserID: u.ID, TenantID: tenantID, Review: review,
		RedirectURI: req.RedirectURI, CodeChallenge: req.CodeChallenge, ExpiresAt: time.Now().Add(CodeTTL)}, auth.HashToken(code))
	if err != nil {
		return "", fmt.Errorf("storeapi: approve store %d: %w", c.Store.ID, err)
	}
	return redirectWith(req.RedirectURI, url.Values{"code": {code}, "state": {req.State}}), nil
}

// Deny returns where to send the browser when the person says no.
func (s *Service) Deny(ctx context.Context, req AuthorizeRequest) (string, error) {
	if _, err := s.client(ctx, req); err != nil {
		return "", err
	}
	return redirectWith(req.RedirectURI, url.Values{"error": {"access_denied"}, "error_description": {"the quilter did not connect the store"}, "state": {req.State}}), nil
}

func redirectWith(uri string, v url.Values) string {
	for k, x := range v {
		if len(x) == 1 && x[0] == "" {
			delete(v, k)
		}
	}
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + v.Encode()
}

// TokenRequest is a request to the token endpoint.
type TokenRequest struct {
	GrantType, Code, RedirectURI, CodeVerifier, RefreshToken string
	// ClientID and ClientSecret authenticate the store (HTTP Basic or
	// form fields): "store_<id>" and one of its live keys.
	ClientID, ClientSecret string
}

// TokenResponse is the token endpoint's answer (RFC 6749 5.1).
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
}

// OAuthError is the token endpoint's error (RFC 6749 5.2).
type OAuthError struct {
	Status      int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func (e *OAuthError) Error() string { return "oauth: " + e.Code + ": " + e.Description }

func oauthErr(status int, code, desc string) *OAuthError {
	return &OAuthError{Status: status, Code: code, Description: desc}
}

// Token answers the token endpoint: an authorization code (with its PKCE
// verifier) or a refresh token becomes a grant's tokens. Errors are
// *OAuthError, or ours.
func (s *Service) Token(ctx context.Context, req TokenRequest) (*TokenResponse, error) {
	ps, err := s.clientAuth(ctx, req.ClientID, req.ClientSecret)
	if err != nil {
		return nil, err
	}
	switch req.GrantType {
	case "authorization_code":
		return s.exchangeCode(ctx, ps, req)
	case "refresh_token":
		return s.refresh(ctx, ps, req)
	}
	return nil, oauthErr(http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
}

// clientAuth checks the store's client id and secret (a live key).
func (s *Service) clientAuth(ctx context.Context, clientID, secret string) (*store.PatternStore, error) {
	bad := oauthErr(http.StatusUnauthorized, "invalid_client", "client_id must be store_<id> and client_secret one of that store's live keys")
	if !strings.HasPrefix(secret, KeyPrefix) {
		return nil, bad
	}
	c, err := s.Authenticate(ctx, secret)
	if p, ok := problem.As(err); ok {
		if p.Status == http.StatusTooManyRequests {
			return nil, oauthErr(http.StatusTooManyRequests, "slow_down", p.Message)
		}
		bad.Description = p.Message
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(clientID), []byte(ClientID(c.Store.ID))) != 1 {
		bad.Description = "client_secret is a key of another store than client_id"
		return nil, bad
	}
	return c.Store, nil
}

func (s *Service) exchangeCode(ctx context.Context, ps *store.PatternStore, req TokenRequest) (*TokenResponse, error) {
	if req.Code == "" || req.CodeVerifier == "" {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "code and code_verifier are required")
	}
	code, err := s.Store.UseStoreAuthCode(ctx, auth.HashToken(req.Code))
	if errors.Is(err, store.ErrTokenUsed) {
		return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "the code is unknown, used or expired")
	}
	if err != nil {
		return nil, err
	}
	switch {
	case code.StoreID != ps.ID:
		return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "the code was issued to another store")
	case code.RedirectURI != req.RedirectURI:
		return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the one of the consent request")
	case !pkceMatches(req.CodeVerifier, code.CodeChallenge):
		return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
	}
	g := &store.StoreGrant{StoreID: ps.ID, UserID: code.UserID, TenantID: code.TenantID, Review: code.Review, AccessExpiresAt: time.Now().Add(AccessTTL)}
	if err := s.grantUsable(ctx, g); err != nil {
		return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "the quilter can no longer add designs to that workspace")
	}
	access, refresh := auth.NewToken(GrantPrefix), auth.NewToken(RefreshPrefix)
	if _, err := s.Store.CreateStoreGrant(ctx, g, auth.HashToken(access), auth.HashToken(refresh)); err != nil {
		return nil, fmt.Errorf("storeapi: grant for store %d: %w", ps.ID, err)
	}
	return &TokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(AccessTTL.Seconds()), RefreshToken: refresh, Scope: Scope}, nil
}

func (s *Service) refresh(ctx context.Context, ps *store.PatternStore, req TokenRequest) (*TokenResponse, error) {
	g, err := s.Store.StoreGrantByRefresh(ctx, auth.HashToken(req.RefreshToken))
	if errors.Is(err, store.ErrNotFound) {
		return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "the refresh token is unknown")
	}
	if err != nil {
		return nil, err
	}
	if g.StoreID != ps.ID {
		return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "the refresh token belongs to another store's grant")
	}
	if err := s.grantUsable(ctx, g); err != nil {
		p, _ := problem.As(err)
		desc := "the grant no longer works"
		if p != nil {
			desc = p.Message
		}
		return nil, oauthErr(http.StatusBadRequest, "invalid_grant", desc)
	}
	access, refresh := auth.NewToken(GrantPrefix), auth.NewToken(RefreshPrefix)
	err = s.Store.RotateStoreGrant(ctx, g.ID, auth.HashToken(access), auth.HashToken(refresh), time.Now().Add(AccessTTL))
	if errors.Is(err, store.ErrNotFound) {
		return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "the grant was revoked")
	}
	if err != nil {
		return nil, err
	}
	return &TokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(AccessTTL.Seconds()), RefreshToken: refresh, Scope: Scope}, nil
}

// pkceMatches checks an S256 code verifier against its challenge.
func pkceMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

// ConnectedStores lists the stores a person connected.
func (s *Service) ConnectedStores(ctx context.Context, userID int64) ([]*store.StoreGrant, error) {
	return s.Store.UserStoreGrants(ctx, userID)
}

// Disconnect revokes one of the person's grants: the store's tokens stop
// at once and nothing more is delivered through it.
func (s *Service) Disconnect(ctx context.Context, userID, grantID int64) error {
	return s.Store.RevokeStoreGrant(ctx, userID, grantID)
}
