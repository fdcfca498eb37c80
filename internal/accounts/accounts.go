// Package accounts holds the rules of PatternVault's people: signing up
// and in, verifying email, resetting passwords, magic links, workspaces and
// their members, invitations and personal API tokens. Handlers (web and
// API) call it; it calls the store and sends email through a Mailer.
package accounts

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/problem"
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

// Problems a person can act on; handlers show their message.
var (
	ErrBadCredentials = problem.Unauthorized("bad_credentials", "That email and password do not match an account.")
	ErrRateLimited    = problem.TooMany("rate_limited", "Too many attempts: please wait a few minutes and try again.", 0)
	ErrEmailTaken     = problem.Invalid("email_taken", "An account with that email already exists: sign in instead, or reset your password.")
	ErrBadEmail       = problem.Invalid("bad_email", "Please enter a valid email address.")
	ErrNotVerified    = problem.Forbidden("not_verified", "Please confirm your email address first: we sent you a link.")
	ErrBadName        = problem.Invalid("bad_name", "Please enter your name (up to 100 characters).")
	ErrBadRole        = problem.Invalid("bad_role", "Choose a role: owner, editor or viewer.")
	ErrLastOwner      = problem.Conflict("last_owner", "A workspace needs at least one owner: make someone else owner first.")
	// ErrLinkUsed is a one-time email link used already or too old; each
	// use says which link in its message.
	ErrLinkUsed = problem.Gone("link_used", "This link was already used or is too old.")
)

// rateLimited says how long to wait: in seconds under a minute, else in
// whole minutes.
func rateLimited(wait time.Duration) error {
	if wait < time.Minute {
		n := max(int(wait.Seconds()+0.999), 1)
		return ErrRateLimited.Reword(fmt.Sprintf("Too many attempts: please wait %d second%s and try again.", n, plural(n))).Retry(wait)
	}
	m := int(wait.Minutes() + 0.999)
	return ErrRateLimited.Reword(fmt.Sprintf("Too many attempts: please wait %d minute%s and try again.", m, plural(m))).Retry(wait)
}

// linkUsed translates the store's "token used" into ErrLinkUsed with msg.
func linkUsed(err error, msg string) error {
	if errors.Is(err, store.ErrTokenUsed) {
		return ErrLinkUsed.Reword(msg).Wrap(err)
	}
	return err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Service carries the accounts rules.
type Service struct {
	Store   *store.Store
	Mailer  mail.Sender
	BaseURL string
	// Quota, when set, limits the members to the plan's (quota.go).
	Quota Quota
	// Queue runs the work of link requests in the background (see
	// requests.go); nil does it at once (tests).
	Queue Inserter

	loginPerIP      *auth.Backoff
	loginPerPair    *auth.Backoff
	loginPerAccount *auth.Backoff
	resetPerIP      *auth.Limiter
	resetPerAccount *auth.Limiter
	signupPerIP     *auth.Limiter
	existsNotices   *auth.Limiter
}

// New returns the service with its rate limits.
func New(st *store.Store, m mail.Sender, baseURL string) *Service {
	return &Service{
		Store: st, Mailer: m, BaseURL: strings.TrimRight(baseURL, "/"),
		loginPerIP:      auth.NewBackoff(20, time.Second, 5*time.Minute, 15*time.Minute),
		loginPerPair:    auth.NewBackoff(5, time.Second, 5*time.Minute, 15*time.Minute),
		loginPerAccount: auth.NewBackoff(20, 2*time.Second, time.Minute, 15*time.Minute),
		resetPerIP:      auth.NewLimiter(10, time.Hour),
		resetPerAccount: auth.NewLimiter(3, time.Hour),
		signupPerIP:     auth.NewLimiter(20, time.Hour),
		existsNotices:   auth.NewLimiter(1, time.Hour),
	}
}

// ErrWrongPassword refuses a password change whose current password is wrong.
var ErrWrongPassword = problem.Invalid("wrong_password", "Your current password is not right.")

// ErrInvitationUsed is an invitation accepted, revoked or expired.
var ErrInvitationUsed = ErrLinkUsed.Reword("Invitations work once, for 7 days. Ask the workspace owner to invite you again.")

// CheckEmail returns the address part of a valid email address.
func CheckEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	a, err := netmail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndexByte(email, '@'):], ".") {
		return "", ErrBadEmail
	}
	return email, nil
}

// SignUp creates an account with a password and sends the verification
// link. It answers the same whether or not the email has an account (so
// nobody learns which addresses have one): for an address that has, it
// changes nothing, returns a nil user, and tells the address's owner by
// email (at most once an hour). The same work is done either way.
//
// next, when not empty, is a local path ("/claim/...") the person was on
// when she chose to sign up: the emailed link brings her back to it once
// her address is confirmed (and the "you already have an account" mail's
// sign-in link too).
func (s *Service) SignUp(ctx context.Context, email, name, password, ip, next string) (*store.User, error) {
	if ok, wait := s.signupPerIP.Allow(ip); !ok {
		return nil, rateLimited(wait)
	}
	email, name, hash, err := newAccount(email, name, password)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.CreateUser(ctx, email, name, &hash, false)
	if errors.Is(err, store.ErrConflict) {
		return nil, s.tellAccountExists(ctx, email, next)
	}
	if err != nil {
		return nil, err
	}
	return u, s.sendVerification(ctx, u, next)
}

// withNext adds a local return path to a link; anything but a local path
// ("/x", not "//host") is left out.
func withNext(link, next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return link
	}
	sep := "?"
	if strings.Contains(link, "?") {
		sep = "&"
	}
	return link + sep + "next=" + url.QueryEscape(next)
}

// newAccount checks what a sign-up form sends and hashes the password.
func newAccount(email, name, password string) (string, string, string, error) {
	email, err := CheckEmail(email)
	if err != nil {
		return "", "", "", err
	}
	if err := auth.CheckPasswordRules(password, email); err != nil {
		return "", "", "", err
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", "", "", ErrBadName
	}
	hash, err := auth.HashPassword(password)
	return email, name, hash, err
}

// tellAccountExists mails the owner of email that someone tried to sign
// up with it.
func (s *Service) tellAccountExists(ctx context.Context, email, next string) error {
	if ok, _ := s.existsNotices.Allow(strings.ToLower(email)); !ok {
		return nil
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("accounts: sign-up with a taken address: %w", err)
	}
	return s.Mailer.Send(ctx, u.Email, mail.AccountExistsData{Name: u.DisplayName, Link: withNext(s.BaseURL+"/signin", next)})
}

// SendVerification emails a fresh link that confirms the user's address.
func (s *Service) SendVerification(ctx context.Context, u *store.User) error {
	return s.sendVerification(ctx, u, "")
}

// sendVerification emails the confirmation link, which then goes on to
// the local path next (if any).
func (s *Service) sendVerification(ctx context.Context, u *store.User, next string) error {
	link, err := s.emailLink(ctx, u.ID, store.TokenVerify, VerifyTTL, "/verify")
	if err != nil {
		return err
	}
	return s.Mailer.Send(ctx, u.Email, mail.VerifyData{Name: u.DisplayName, Link: withNext(link, next)})
}

func (s *Service) emailLink(ctx context.Context, userID int64, purpose string, ttl time.Duration, path string) (string, error) {
	token := auth.NewToken("")
	if err := s.Store.CreateEmailToken(ctx, auth.HashToken(token), purpose, userID, ttl); err != nil {
		return "", err
	}
	return s.BaseURL + path + "?token=" + token, nil
}

// Verify confirms an email address from the link's token.
func (s *Service) Verify(ctx context.Context, token string) (*store.User, error) {
	id, err := s.Store.UseEmailToken(ctx, auth.HashToken(token), store.TokenVerify)
	if err != nil {
		return nil, linkUsed(err, "This confirmation link was already used or is too old. Sign in and we will send you a new one.")
	}
	if err := s.Store.MarkEmailVerified(ctx, id); err != nil {
		return nil, err
	}
	return s.Store.UserByID(ctx, id)
}

// SignIn checks an email and password. Failures slow down, never lock:
// per address (one address guessing at many accounts), per account and
// address (one address guessing at one account), and per account (a crowd
// of addresses guessing at one account) — the last never for an address
// the account is signed in from, so its owner is not kept out by others'
// guesses. A wrong email and a wrong password look and take the same.
func (s *Service) SignIn(ctx context.Context, email, password, ip string) (*store.User, error) {
	key := strings.ToLower(strings.TrimSpace(email))
	pair := key + "\x00" + ip
	if wait := max(s.loginPerIP.Wait(ip), s.loginPerPair.Wait(pair)); wait > 0 {
		return nil, rateLimited(wait)
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if wait := s.loginPerAccount.Wait(key); wait > 0 {
		known := false
		if u != nil {
			if known, err = s.Store.SignedInFrom(ctx, u.ID, ip); err != nil {
				return nil, err
			}
		}
		if !known {
			return nil, rateLimited(wait)
		}
	}
	var hash *string
	if u != nil {
		hash = u.PasswordHash
	}
	if !auth.CheckPasswordOrDummy(hash, password) {
		s.loginPerIP.Fail(ip)
		s.loginPerPair.Fail(pair)
		s.loginPerAccount.Fail(key)
		return nil, ErrBadCredentials
	}
	if u.PasswordOneTime {
		// It signs in once: two browsers racing with it get one session.
		used, err := s.Store.UseOneTimePassword(ctx, u.ID, *hash)
		if err != nil {
			return nil, err
		}
		if !used {
			return nil, ErrBadCredentials
		}
		u.PasswordHash = nil
	}
	s.loginPerPair.Reset(pair)
	s.loginPerAccount.Reset(key)
	return u, nil
}

// ErrChooseOwnPassword stops a person signed in with a one-time password
// until she chooses her own.
var ErrChooseOwnPassword = problem.Forbidden("choose_password", "Please choose your own password first: the one-time password worked once and no longer does.")

// MakeOneTimePassword gives u a new random password that signs in once
// (after which she must choose her own) and returns it.
func (s *Service) MakeOneTimePassword(ctx context.Context, u *store.User) (string, error) {
	password := auth.NewToken("")[:20]
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", err
	}
	if err := s.Store.SetOneTimePassword(ctx, u.ID, hash); err != nil {
		return "", err
	}
	return password, nil
}

// RequestReset emails a password-reset link if the account exists. It
// says nothing either way, and does the same work either way (the lookup
// and the mail are a background job), so nobody can learn which emails
// have accounts.
func (s *Service) RequestReset(ctx context.Context, email, ip string) error {
	if ok, wait := s.resetPerIP.Allow(ip); !ok {
		return rateLimited(wait)
	}
	if ok, _ := s.resetPerAccount.Allow(strings.ToLower(strings.TrimSpace(email))); !ok {
		return nil // quietly: the owner already has recent links
	}
	return s.requestLink(ctx, email, linkReset)
}

// ResetPassword sets a new password from a reset link, confirms the email
// (the link proved it) and signs the user out everywhere.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (*store.User, error) {
	if err := auth.CheckPasswordRules(password, ""); err != nil {
		return nil, err
	}
	id, err := s.Store.UseEmailToken(ctx, auth.HashToken(token), store.TokenReset)
	if err != nil {
		return nil, linkUsed(err, "This reset link was already used or is too old: reset links work once, for one hour. Ask for a new one.")
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
		return ErrWrongPassword
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
// saying nothing either way (and, like RequestReset, doing the same work
// either way).
func (s *Service) RequestMagicLink(ctx context.Context, email, ip string) error {
	if ok, wait := s.resetPerIP.Allow(ip); !ok {
		return rateLimited(wait)
	}
	if ok, _ := s.resetPerAccount.Allow(strings.ToLower(strings.TrimSpace(email))); !ok {
		return nil
	}
	return s.requestLink(ctx, email, linkMagic)
}

// UseMagicLink signs in with a one-time link (which also proves the email).
func (s *Service) UseMagicLink(ctx context.Context, token string) (*store.User, error) {
	id, err := s.Store.UseEmailToken(ctx, auth.HashToken(token), store.TokenMagic)
	if err != nil {
		return nil, linkUsed(err, "Sign-in links work once, for 15 minutes. Ask for a new one on the sign-in page.")
	}
	if err := s.Store.MarkEmailVerified(ctx, id); err != nil {
		return nil, err
	}
	return s.Store.UserByID(ctx, id)
}

// CreateWorkspace provisions a tenant with its postal address (may be
// empty) and makes u its owner. Only people who confirmed their email may
// create one.
func (s *Service) CreateWorkspace(ctx context.Context, u *store.User, slug, name, address string) (*store.Tenant, error) {
	if !u.Verified() {
		return nil, ErrNotVerified
	}
	address, err := CheckAddress(address)
	if err != nil {
		return nil, err
	}
	t, err := tenant.Create(ctx, s.Store, slug, name)
	if err != nil {
		return nil, err
	}
	if address != "" {
		if err := s.Store.SetTenantAddress(ctx, t.ID, address); err != nil {
			return nil, err
		}
		if t.Settings == nil {
			t.Settings = map[string]any{}
		}
		t.Settings["address"] = address
	}
	if err := s.Store.AddMember(ctx, t.ID, u.ID, store.RoleOwner); err != nil {
		return nil, err
	}
	err = s.Mailer.Send(ctx, u.Email, mail.WelcomeData{Name: u.DisplayName, Workspace: t.Name, Link: s.BaseURL + tenant.Path(t.Slug)})
	return t, err
}

// SlugAvailable says whether a workspace address can be taken, and if
// not, why.
func (s *Service) SlugAvailable(ctx context.Context, slug string) (bool, string) {
	if err := tenant.ValidateSlug(slug); err != nil {
		p, _ := problem.As(err)
		return false, p.Message
	}
	_, err := s.Store.TenantBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return true, "available"
	}
	return false, "already taken"
}

// Invite sends an invitation from v to join t with role. One sent during
// a support view works only while that view lasts.
func (s *Service) Invite(ctx context.Context, t *store.Tenant, v *Visitor, email, role string) error {
	inviter := v.User
	email, err := CheckEmail(email)
	if err != nil {
		return err
	}
	if !store.ValidRole(role) {
		return ErrBadRole
	}
	if err := s.roomForMember(ctx, t.ID); err != nil {
		return err
	}
	token := auth.NewToken("")
	_, err = s.Store.CreateInvitation(ctx, &store.Invitation{
		TenantID: t.ID, Email: email, Role: role, InvitedBy: &inviter.ID, ExpiresAt: time.Now().Add(InvitationTTL),
		SupportSession: v.SupportHash(),
	}, auth.HashToken(token))
	if err != nil {
		return err
	}
	return s.Mailer.Send(ctx, email, mail.InviteData{Inviter: inviter.DisplayName, Workspace: t.Name, Role: role,
		Link: s.BaseURL + "/invitations/accept?token=" + token})
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
		return "", nil, problem.Invalid("bad_token_name", "A token's name can be up to 100 characters.")
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
var ErrUnverifiedExternalEmail = problem.Forbidden("unverified_email", "Your Google account's email address is not verified, so we cannot use it to sign you in.")

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
		u, err = s.Store.CreateUser(ctx, id.Email, name, nil, true)
		if err == nil {
			err = s.Mailer.Send(ctx, u.Email, mail.WelcomeData{Name: u.DisplayName, Link: s.BaseURL + "/"})
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
	u, err := s.Store.CreateUser(ctx, email, strings.TrimSpace(name), &hash, true)
	if errors.Is(err, store.ErrConflict) {
		return nil, ErrEmailTaken
	}
	return u, err
}
