package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
)

// sessionCookie holds the token of the browser's session.
const sessionCookie = "pv_session"

// visitor is the signed-in person of a request, if any.
type visitor = accounts.Visitor

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
// the request context; a cookie of an ended session is cleared.
func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" || len(c.Value) > 100 {
			next.ServeHTTP(w, r)
			return
		}
		v, err := s.accounts.Visit(r.Context(), c.Value)
		switch {
		case errors.Is(err, accounts.ErrNoSession):
			s.clearSessionCookie(w, r)
			next.ServeHTTP(w, r)
		case err != nil:
			s.serverError(w, r, err)
		default:
			// Nothing shown to a signed-in person is kept by the browser or a
			// proxy (a shared tablet, the back button after signing out);
			// pictures set their own, private caching.
			w.Header().Set("Cache-Control", "no-store")
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), visitorKey{}, v)))
		}
	})
}

// ownPasswordPaths are what a person signed in with a one-time password
// may reach before she chooses her own.
var ownPasswordPaths = map[string]bool{"/account": true, "/account/password": true, "/signout": true}

// ownPassword keeps a person who signed in with a one-time password (the
// first platform admin's, from `patternvault admin create`) on her
// account page until she has chosen her own password.
func (s *Server) ownPassword(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := visitorFrom(r.Context())
		if v == nil || !v.User.PasswordOneTime || v.Impersonator != nil || ownPasswordPaths[r.URL.Path] || platformPath(r.URL.Path) && strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			s.redirectWith(w, r, "/account", accounts.ErrChooseOwnPassword.Message)
			return
		}
		s.fail(w, r, accounts.ErrChooseOwnPassword)
	})
}

// client is the browser of r, as a session records it.
func client(r *http.Request) accounts.Client {
	return accounts.Client{UserAgent: r.UserAgent(), IP: clientIP(r)}
}

// startSession signs u in with a new session and ends the one this browser
// had, if any.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *store.User) error {
	if old, err := r.Cookie(sessionCookie); err == nil {
		if err := s.accounts.EndSession(r.Context(), old.Value); err != nil {
			return err
		}
	}
	token, sess, err := s.accounts.StartSession(r.Context(), u, nil, client(r))
	if err != nil {
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
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	if v := visitorFrom(r.Context()); v != nil {
		if err := s.accounts.EndSessionHash(r.Context(), v.Session.Hash); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w, r)
	return nil
}

// clientIP is the client's address (see httpx.ClientIPs: a forwarded
// header counts only from a trusted proxy).
func clientIP(r *http.Request) string { return httpx.ClientIP(r) }
