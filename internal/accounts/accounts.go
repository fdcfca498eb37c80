// Package accounts holds the rules of PatternVault's people: signing up
// and in, verifying email, resetting passwords, magic links, workspaces and
// their members, invitations and personal API tokens. Handlers (web and
// API) call it; it calls the store and sends email through a Mailer.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// Lifetimes of the links sent by email.
const (
	VerifyTTL     = 48 * time.Hour
	ResetTTL      = time.Hour
	MagicTTL      = 15 * time.Minute
	InvitationTTL = 7 * 24 * time.Hour
)

// Errors a person can act on; handlers show their text.
var (
	ErrBadCredentials = errors.New("that email and password do not match an account")
	ErrRateLimited    = errors.New("too many attempts")
	ErrEmailTaken     = errors.New("an account with that email already exists: sign in instead, or reset your password")
	ErrBadEmail       = errors.New("please enter a valid email address")
	ErrNotVerified    = errors.New("please confirm your email address first: we sent you a link")
)

// Problem is a rule a person broke, with a message written for them.
type Problem string

func (p Problem) Error() string { return string(p) }

// IsProblem reports whether err is (or wraps) a Problem.
func IsProblem(err error) bool {
	var p Problem
	return errors.As(err, &p)
}

// RateLimitError says how long to wait.
type RateLimitError struct{ Wait time.Duration }

func (e *RateLimitError) Error() string {
	m := int(e.Wait.Minutes() + 0.999)
	if m < 1 {
		m = 1
	}
	return fmt.Sprintf("too many attempts: please wait %d minute%s and try again", m, plural(m))
}

func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Email is one message to send; Kind picks the template.
type Email struct {
	Kind      string // verify, reset, magic, invitation, welcome
	To        string
	Name      string
	Link      string
	Workspace string
	Inviter   string
	Role      string
	// For share links and vote notices.
	Guest, Title, Note string
	Count              int
}

// Mailer sends (or queues) an email.
type Mailer interface {
	Send(ctx context.Context, e Email) error
}

// Service carries the accounts rules.
type Service struct {
	Store   *store.Store
	Mailer  Mailer
	BaseURL string

	loginPerIP      *auth.Limiter
	loginPerAccount *auth.Limiter
	resetPerIP      *auth.Limiter
	resetPerAccount *auth.Limiter
}

// New returns the service with its rate limits.
func New(st *store.Store, m Mailer, baseURL string) *Service {
	return &Service{
		Store: st, Mailer: m, BaseURL: strings.TrimRight(baseURL, "/"),
		loginPerIP:      auth.NewLimiter(30, 15*time.Minute),
		loginPerAccount: auth.NewLimiter(8, 15*time.Minute),
		resetPerIP:      auth.NewLimiter(10, time.Hour),
		resetPerAccount: auth.NewLimiter(3, time.Hour),
	}
}

// CheckEmail returns the address part of a valid email address.
func CheckEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndexByte(email, '@'):], ".") {
		return "", ErrBadEmail
	}
	return email, nil
}

// SignUp creates an account with a password and sends the verification link.
func (s *Service) SignUp(ctx context.Context, email, name, password string) (*store.User, error) {
	email, err := CheckEmail(email)
	if err != nil {
		return nil, err
	}
	if err := auth.CheckPasswordRules(password, email); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, Problem("please enter your name (up to 100 characters)")
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.CreateUser(ctx, nil, email, name, &hash, false)
	if errors.Is(err, store.ErrConflict) {
		return nil, ErrEmailTaken
	}
	if err != nil {
		return nil, err
	}
	return u, s.SendVerification(ctx, u)
}

// SendVerification emails a fresh link that confirms the user's address.
func (s *Service) SendVerification(ctx context.Context, u *store.User) error {
	link, err := s.emailLink(ctx, u.ID, store.TokenVerify, VerifyTTL, "/verify")
	if err != nil {
		return err
	}
	return s.Mailer.Send(ctx, Email{Kind: "verify", To: u.Email, Name: u.DisplayName, Link: link})
}

func (s *Service) emailLink(ctx context.Context, userID int64, purpose string, ttl time.Duration, path string) (string, error) {
	token := auth.NewToken("")
	if err := s.Store.CreateEmailToken(ctx, nil, auth.HashToken(token), purpose, userID, ttl); err != nil {
		return "", err
	}
	return s.BaseURL + path + "?token=" + token, nil
}

// Verify confirms an email address from the link's token.
func (s *Service) Verify(ctx context.Context, token string) (*store.User, error) {
	id, err := s.Store.UseEmailToken(ctx, auth.HashToken(token), store.TokenVerify)
	if err != nil {
		return nil, err
	}
	if err := s.Store.MarkEmailVerified(ctx, id); err != nil {
		return nil, err
	}
	return s.Store.UserByID(ctx, id)
}

// SignIn checks an email and password, rate-limited per IP and per
// account. A wrong email and a wrong password look and take the same.
func (s *Service) SignIn(ctx context.Context, email, password, ip string) (*store.User, error) {
	key := strings.ToLower(strings.TrimSpace(email))
	if blocked, wait := s.loginPerAccount.Blocked(key); blocked {
		return nil, &RateLimitError{wait}
	}
	if ok, wait := s.loginPerIP.Allow(ip); !ok {
		return nil, &RateLimitError{wait}
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var hash *string
	if u != nil {
		hash = u.PasswordHash
	}
	if !auth.CheckPasswordOrDummy(hash, password) {
		s.loginPerAccount.Allow(key)
		return nil, ErrBadCredentials
	}
	s.loginPerAccount.Reset(key)
	return u, nil
}

// RequestReset emails a password-reset link if the account exists. It
// says nothing either way, so nobody can learn which emails have accounts.
func (s *Service) RequestReset(ctx context.Context, email, ip string) error {
	if ok, wait := s.resetPerIP.Allow(ip); !ok {
		return &RateLimitError{wait}
	}
	if ok, _ := s.resetPerAccount.Allow(strings.ToLower(strings.TrimSpace(email))); !ok {
		return nil // quietly: the owner already has recent links
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	link, err := s.emailLink(ctx, u.ID, store.TokenReset, ResetTTL, "/reset")
	if err != nil {
		return err
	}
	return s.Mailer.Send(ctx, Email{Kind: "reset", To: u.Email, Name: u.DisplayName, Link: link})
}

// ResetPassword sets a new password from a reset link, confirms the email
// (the link proved it) and signs the user out everywhere.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (*store.User, error) {
	if err := auth.CheckPasswordRules(password, ""); err != nil {
		return nil, err
	}
	id, err := s.Store.UseEmailToken(ctx, auth.HashToken(token), store.TokenReset)
	if err != nil {
		return nil, err
	}
	if err := s.setPassword(ctx, id, password); err != nil {
		return nil, err
	}
	if err := s.Store.MarkEmailVerified(ctx, id); err != nil {
		return nil, err
	}
	if err := s.Store.DeleteUserSessions(ctx, id, nil); err != nil {
		return nil, err
	}
	return s.Store.UserByID(ctx, id)
}

// ChangePassword checks the current password and sets a new one.
func (s *Service) ChangePassword(ctx context.Context, u *store.User, current, next string) error {
	if u.PasswordHash != nil && !auth.CheckPassword(*u.PasswordHash, current) {
		return Problem("your current password is not right")
	}
	if err := auth.CheckPasswordRules(next, u.Email); err != nil {
		return err
	}
	return s.setPassword(ctx, u.ID, next)
}

func (s *Service) setPassword(ctx context.Context, userID int64, password string) error {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return s.Store.SetPassword(ctx, userID, hash)
}

// RequestMagicLink emails a one-time sign-in link if the account exists,
// saying nothing either way.
func (s *Service) RequestMagicLink(ctx context.Context, email, ip string) error {
	if ok, wait := s.resetPerIP.Allow(ip); !ok {
		return &RateLimitError{wait}
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	link, err := s.emailLink(ctx, u.ID, store.TokenMagic, MagicTTL, "/signin/magic")
	if err != nil {
		return err
	}
	return s.Mailer.Send(ctx, Email{Kind: "magic", To: u.Email, Name: u.DisplayName, Link: link})
}

// UseMagicLink signs in with a one-time link (which also proves the email).
func (s *Service) UseMagicLink(ctx context.Context, token string) (*store.User, error) {
	id, err := s.Store.UseEmailToken(ctx, auth.HashToken(token), store.TokenMagic)
	if err != nil {
		return nil, err
	}
	if err := s.Store.MarkEmailVerified(ctx, id); err != nil {
		return nil, err
	}
	return s.Store.UserByID(ctx, id)
}

// CreateWorkspace provisions a tenant and makes u its owner. Only people
// who confirmed their email may create one.
func (s *Service) CreateWorkspace(ctx context.Context, u *store.User, slug, name string) (*store.Tenant, error) {
	if !u.Verified() {
		return nil, ErrNotVerified
	}
	t, err := tenant.Create(ctx, s.Store, slug, name)
	if err != nil {
		return nil, err
	}
	if err := s.Store.AddMember(ctx, nil, t.ID, u.ID, store.RoleOwner); err != nil {
		return nil, err
	}
	err = s.Mailer.Send(ctx, Email{Kind: "welcome", To: u.Email, Name: u.DisplayName, Workspace: t.Name, Link: s.BaseURL + "/t/" + t.Slug + "/"})
	return t, err
}

// SlugAvailable says whether a workspace address can be taken, and if
// not, why.
func (s *Service) SlugAvailable(ctx context.Context, slug string) (bool, string) {
	if err := tenant.ValidateSlug(slug); err != nil {
		_, msg, _ := strings.Cut(err.Error(), ": ")
		return false, msg
	}
	_, err := s.Store.TenantBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return true, "available"
	}
	return false, "already taken"
}

// Invite sends an invitation to join t with role.
func (s *Service) Invite(ctx context.Context, t *store.Tenant, inviter *store.User, email, role string) error {
	email, err := CheckEmail(email)
	if err != nil {
		return err
	}
	if !store.ValidRole(role) {
		return Problem("choose a role: owner, editor or viewer")
	}
	token := auth.NewToken("")
	_, err = s.Store.CreateInvitation(ctx, nil, &store.Invitation{
		TenantID: t.ID, Email: email, Role: role, InvitedBy: &inviter.ID, ExpiresAt: time.Now().Add(InvitationTTL),
	}, auth.HashToken(token))
	if err != nil {
		return err
	}
	return s.Mailer.Send(ctx, Email{Kind: "invitation", To: email, Name: inviter.DisplayName, Inviter: inviter.DisplayName,
		Workspace: t.Name, Role: role, Link: s.BaseURL + "/invitations/accept?token=" + token})
}

// AcceptInvitation joins u to the invitation's workspace. Accepting also
// proves u reads the invited address only when the emails match; either
// way the invitation is used up.
func (s *Service) AcceptInvitation(ctx context.Context, token string, u *store.User) (*store.Tenant, error) {
	inv, err := s.Store.AcceptInvitation(ctx, auth.HashToken(token), u.ID)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(inv.Email, u.Email) {
		if err := s.Store.MarkEmailVerified(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return s.Store.TenantByID(ctx, inv.TenantID)
}

// CreateAPIToken makes a personal token for u in t and returns it; it is
// shown once and only its hash is kept.
func (s *Service) CreateAPIToken(ctx context.Context, u *store.User, t *store.Tenant, name string) (string, *store.APIToken, error) {
	if _, err := s.Store.Role(ctx, t.ID, u.ID); err != nil {
		return "", nil, fmt.Errorf("accounts: %s is not a member of %s: %w", u.Email, t.Slug, err)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "API token"
	}
	if len(name) > 100 {
		return "", nil, Problem("token name: up to 100 characters")
	}
	token := auth.NewToken(auth.APITokenPrefix)
	at, err := s.Store.CreateAPIToken(ctx, u.ID, t.ID, name, auth.HashToken(token))
	if err != nil {
		return "", nil, err
	}
	return token, at, nil
}

// ExternalIdentity is a person as an outside provider (Google) vouches.
type ExternalIdentity struct {
	Provider, Subject, Email, Name string
	EmailVerified                  bool
}

// ErrUnverifiedExternalEmail refuses an outside sign-in whose provider has
// not verified the email address, since accounts are linked by email.
var ErrUnverifiedExternalEmail = Problem("your Google account's email address is not verified, so we cannot use it to sign you in")

// SignInExternal returns the user for an outside identity: the one linked
// to it before, else the account with the same email (linked now, and only
// when the provider verified the email), else a new account.
func (s *Service) SignInExternal(ctx context.Context, id ExternalIdentity) (*store.User, error) {
	u, err := s.Store.UserByIdentity(ctx, id.Provider, id.Subject)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return u, err
	}
	if !id.EmailVerified {
		return nil, ErrUnverifiedExternalEmail
	}
	u, err = s.Store.UserByEmail(ctx, id.Email)
	if errors.Is(err, store.ErrNotFound) {
		name := strings.TrimSpace(id.Name)
		if name == "" {
			name, _, _ = strings.Cut(id.Email, "@")
		}
		u, err = s.Store.CreateUser(ctx, nil, id.Email, name, nil, true)
		if err == nil {
			s.Mailer.Send(ctx, Email{Kind: "welcome", To: u.Email, Name: u.DisplayName, Link: s.BaseURL + "/"})
		}
	} else if err == nil && !u.Verified() {
		err = s.Store.MarkEmailVerified(ctx, u.ID)
	}
	if err != nil {
		return nil, err
	}
	if err := s.Store.LinkIdentity(ctx, id.Provider, id.Subject, u.ID, id.Email); err != nil {
		return nil, err
	}
	return s.Store.UserByID(ctx, u.ID)
}

// CreateVerifiedUser makes an account whose email an operator vouches for
// (CLI), with a password; name defaults to the email's local part.
func (s *Service) CreateVerifiedUser(ctx context.Context, email, name, password string) (*store.User, error) {
	email, err := CheckEmail(email)
	if err != nil {
		return nil, err
	}
	if err := auth.CheckPasswordRules(password, email); err != nil {
		return nil, err
	}
	if strings.TrimSpace(name) == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.CreateUser(ctx, nil, email, strings.TrimSpace(name), &hash, true)
	if errors.Is(err, store.ErrConflict) {
		return nil, ErrEmailTaken
	}
	return u, err
}
