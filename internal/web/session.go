package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/store"
)

const (
	sessionCookie   = "pv_session"
	sessionLifetime = 30 * 24 * time.Hour
	// touchEvery limits how often a session's expiry is pushed forward.
	touchEvery = 10 * time.Minute
)

// visitor is the signed-in person of a request, if any.
type visitor struct {
	User    *store.User
	Session *store.Session
	// Impersonator is the platform admin acting as User, or nil.
	Impersonator *store.User
}

type visitorKey struct{}

func visitorFrom(ctx context.Context) *visitor {
	v, _ := ctx.Value(visitorKey{}).(*visitor)
	return v
}

// currentUser returns the signed-in user or nil.
func currentUser(r *http.Request) *store.User {
	if v := visitorFrom(r.Context()); v != nil {
		return v.User
	}
	return nil
}

// loadSession reads the session cookie, if any, and puts the visitor in
// the request context.
func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" || len(c.Value) > 100 {
			next.ServeHTTP(w, r)
			return
		}
		v, err := s.visitorFor(r.Context(), c.Value)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				s.serverError(w, r, err)
				return
			}
			s.clearSessionCookie(w, r)
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), visitorKey{}, v)))
	})
}

func (s *Server) visitorFor(ctx context.Context, token string) (*visitor, error) {
	sess, err := s.store.SessionByHash(ctx, auth.HashToken(token))
	if err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	v := &visitor{User: u, Session: sess}
	if sess.ImpersonatorID != nil {
		if v.Impersonator, err = s.store.UserByID(ctx, *sess.ImpersonatorID); err != nil {
			return nil, err
		}
		if !v.Impersonator.IsPlatformAdmin {
			return nil, store.ErrNotFound
		}
	}
	if time.Since(sess.LastSeenAt) > touchEvery {
		if err := s.store.TouchSession(ctx, sess.Hash, time.Now().Add(sessionLifetime)); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// startSession signs u in with a brand-new session token (never reusing
// one the browser brought: no session fixation) and ends the old one.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *store.User, impersonator *int64) error {
	if old, err := r.Cookie(sessionCookie); err == nil && impersonator == nil {
		s.store.DeleteSession(r.Context(), auth.HashToken(old.Value))
	}
	token := auth.NewToken("")
	sess := &store.Session{UserID: u.ID, ImpersonatorID: impersonator, ExpiresAt: time.Now().Add(sessionLifetime),
		UserAgent: truncate(r.UserAgent(), 200), IP: clientIP(r)}
	if impersonator != nil {
		sess.ExpiresAt = time.Now().Add(2 * time.Hour)
	}
	if err := s.store.CreateSession(r.Context(), auth.HashToken(token), sess); err != nil {
		return err
	}
	s.setSessionCookie(w, r, token, sess.ExpiresAt)
	return nil
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: expires, Domain: s.cookieDomain(r),
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, Domain: s.cookieDomain(r),
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
}

// cookieDomain shares the session with every workspace subdomain when the
// request came through the base domain or one of its subdomains.
func (s *Server) cookieDomain(r *http.Request) string {
	base := s.cfg.BaseDomain
	if base == "" {
		return ""
	}
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == base || strings.HasSuffix(host, "."+base) {
		return base
	}
	return ""
}

func (s *Server) secureCookies() bool { return strings.HasPrefix(s.cfg.BaseURL, "https://") }

// endSession signs the current browser out.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	if v := visitorFrom(r.Context()); v != nil {
		s.store.DeleteSession(r.Context(), v.Session.Hash)
	}
	s.clearSessionCookie(w, r)
}

// clientIP is the peer address (a proxy in front must be trusted
// explicitly before X-Forwarded-For could be believed; it is not, yet).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
