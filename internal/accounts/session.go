package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Lifetimes of browser sessions.
const (
	SessionLifetime = 30 * 24 * time.Hour
	// SupportLifetime bounds a platform admin's support view of a user.
	SupportLifetime = 2 * time.Hour
	// touchEvery limits how often a session's expiry is pushed forward.
	touchEvery = 10 * time.Minute
)

// Visitor is the person a session signs in, and the platform admin acting
// as them, if one is.
type Visitor struct {
	User    *store.User
	Session *store.Session
	// Impersonator is the platform admin acting as User, or nil.
	Impersonator *store.User
}

// SupportHash is the hash of the support view v is in, or nil when v is
// not a platform admin acting for someone: what is made in that view
// lives only as long as it.
func (v *Visitor) SupportHash() []byte {
	if v == nil || v.Impersonator == nil {
		return nil
	}
	return v.Session.Hash
}

// ErrSupportView refuses, during a support view, what only the person
// herself may do: make credentials (API tokens, passwords, email
// addresses, sign-in methods) or workspaces.
var ErrSupportView = problem.Forbidden("support_view", "Not during a support view: API tokens, passwords, email addresses, sign-in methods and new workspaces are for the owner to make herself.")

// NotSupporting refuses with ErrSupportView when v is a support view.
func NotSupporting(v *Visitor) error {
	if v != nil && v.Impersonator != nil {
		return ErrSupportView
	}
	return nil
}

// Actor is who did something, for the audit log: the user, and the
// platform admin acting as them when one is.
func (v *Visitor) Actor() (actor, asUser *int64) {
	if v.Impersonator != nil {
		return &v.Impersonator.ID, &v.User.ID
	}
	return &v.User.ID, nil
}

// ErrNoSession is a session token that signs nobody in (unknown, expired,
// ended, or an impersonation by someone who is no longer an admin).
var ErrNoSession = problem.Unauthorized("no_session", "Your session has ended. Please sign in again.")

// Visit returns the visitor of a session token and keeps the session
// alive (at most every few minutes).
func (s *Service) Visit(ctx context.Context, token string) (*Visitor, error) {
	v, err := s.visit(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSession.Wrap(err)
	}
	if err != nil {
		return nil, fmt.Errorf("accounts: session: %w", err)
	}
	return v, nil
}

func (s *Service) visit(ctx context.Context, token string) (*Visitor, error) {
	sess, err := s.Store.SessionByHash(ctx, auth.HashToken(token))
	if err != nil {
		return nil, err
	}
	u, err := s.Store.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	v := &Visitor{User: u, Session: sess}
	if sess.ImpersonatorID != nil {
		if v.Impersonator, err = s.Store.UserByID(ctx, *sess.ImpersonatorID); err != nil {
			return nil, err
		}
		// The view ends when its admin is no admin any more, and at
		// most SupportLifetime after it began, whatever its row says.
		if !v.Impersonator.IsPlatformAdmin || sess.TenantID == nil || time.Since(sess.CreatedAt) > SupportLifetime {
			return nil, store.ErrNotFound
		}
	}
	if time.Since(sess.LastSeenAt) > touchEvery {
		if err := s.Store.TouchSession(ctx, sess.Hash, time.Now().Add(SessionLifetime)); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Client is the browser a session is started for.
type Client struct {
	UserAgent, IP string
}

// StartSession signs u in with a brand-new session token (never reusing
// one a browser brought: no session fixation) and returns the token and
// its session. impersonator, when set, is the platform admin acting as u
// for support; such a session lasts SupportLifetime.
func (s *Service) StartSession(ctx context.Context, u *store.User, impersonator *store.User, c Client) (string, *store.Session, error) {
	return s.startSession(ctx, u, impersonator, 0, c)
}

// startSession is StartSession; a support view (impersonator set) reaches
// workspace tenantID only and ends SupportLifetime after it starts.
func (s *Service) startSession(ctx context.Context, u *store.User, impersonator *store.User, tenantID int64, c Client) (string, *store.Session, error) {
	token := auth.NewToken("")
	sess := &store.Session{UserID: u.ID, ExpiresAt: time.Now().Add(SessionLifetime), UserAgent: truncate(c.UserAgent, 200), IP: c.IP}
	if impersonator != nil {
		sess.ImpersonatorID, sess.TenantID = &impersonator.ID, &tenantID
		sess.ExpiresAt = time.Now().Add(SupportLifetime)
	}
	sess.Hash = auth.HashToken(token)
	if err := s.Store.CreateSession(ctx, sess.Hash, sess); err != nil {
		return "", nil, fmt.Errorf("accounts: start session: %w", err)
	}
	return token, sess, nil
}

// EndSession signs out the session of token (one already ended is fine).
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.EndSessionHash(ctx, auth.HashToken(token))
}

// EndSessionHash is EndSession for a session known by its hash.
func (s *Service) EndSessionHash(ctx context.Context, hash []byte) error {
	if err := s.Store.DeleteSession(ctx, hash); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("accounts: end session: %w", err)
	}
	return nil
}

// SignOutEverywhere ends every session of userID but keep (nil for all).
func (s *Service) SignOutEverywhere(ctx context.Context, userID int64, keep []byte) error {
	if err := s.Store.DeleteUserSessions(ctx, userID, keep); err != nil {
		return fmt.Errorf("accounts: sign out user %d: %w", userID, err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
