package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/auth/google"
)

const (
	googleFlowCookie = "pv_google_flow"
	googleCallback   = "/auth/google/callback"
)

func (s *Server) googleBegin(w http.ResponseWriter, r *http.Request) {
	if s.google == nil {
		s.notFound(w, r)
		return
	}
	if err := accounts.NotSupporting(visitorFrom(r.Context())); err != nil {
		s.fail(w, r, err) // no sign-in method is linked during a support view
		return
	}
	authURL, flow := s.google.Begin()
	http.SetCookie(w, &http.Cookie{Name: googleFlowCookie, Value: flow.Encode(), Path: googleCallback,
		Expires: time.Now().Add(10 * time.Minute), HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, authURL, http.StatusSeeOther)
}

func (s *Server) googleFinish(w http.ResponseWriter, r *http.Request) {
	if s.google == nil {
		s.notFound(w, r)
		return
	}
	if err := accounts.NotSupporting(visitorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := r.Cookie(googleFlowCookie)
	http.SetCookie(w, &http.Cookie{Name: googleFlowCookie, Value: "", Path: googleCallback, MaxAge: -1})
	if err != nil {
		s.renderStatus(w, r, http.StatusBadRequest, "Sign-in took too long", "Please try Sign in with Google again.")
		return
	}
	flow, err := google.DecodeFlow(c.Value)
	if err != nil {
		s.renderStatus(w, r, http.StatusBadRequest, "Sign-in took too long", "Please try Sign in with Google again.")
		return
	}
	id, err := s.google.Finish(r.Context(), flow, r.URL.Query())
	switch {
	case errors.Is(err, google.ErrDenied):
		s.redirectWith(w, r, "/signin", "Google sign-in was cancelled.")
		return
	case err != nil:
		s.log.Warn("google sign-in", "id", RequestID(r.Context()), "err", err)
		s.renderStatus(w, r, http.StatusBadRequest, "Google sign-in did not work", "Please try again, or sign in with your email and password.")
		return
	}
	u, err := s.accounts.SignInExternal(r.Context(), accounts.ExternalIdentity{Provider: "google", Subject: id.Subject,
		Email: id.Email, Name: id.Name, EmailVerified: id.EmailVerified})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
