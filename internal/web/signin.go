package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// safeNext returns a local path to go to after signing in, or "".
func safeNext(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\") && !strings.ContainsAny(next, "\r\n") {
		return next
	}
	return ""
}

func (s *Server) signupForm(w http.ResponseWriter, r *http.Request) {
	if currentUser(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "signup", pageData{Title: "Create your account", Form: map[string]string{"next": safeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "name", "email", "next")
	u, err := s.accounts.SignUp(r.Context(), f["email"], f["name"], r.PostFormValue("password"))
	if err != nil {
		if !isUserError(err) {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "signup", pageData{Title: "Create your account", Error: err.Error(), Form: f})
		return
	}
	if err := s.startSession(w, r, u, nil); err != nil {
		s.serverError(w, r, err)
		return
	}
	target := "/verify/sent"
	if next := safeNext(f["next"]); next != "" {
		target += "?next=" + next
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// isUserError reports whether err is something the person can fix, whose
// text is fit to show.
func isUserError(err error) bool {
	var rl *accounts.RateLimitError
	var ue userError
	return errors.Is(err, accounts.ErrBadEmail) || errors.Is(err, accounts.ErrEmailTaken) ||
		errors.Is(err, auth.ErrWeakPassword) || errors.Is(err, accounts.ErrBadCredentials) ||
		errors.Is(err, accounts.ErrNotVerified) || errors.Is(err, store.ErrTokenUsed) ||
		errors.Is(err, tenant.ErrBadSlug) || errors.Is(err, tenant.ErrBadName) || errors.Is(err, store.ErrLastOwner) ||
		errors.As(err, &rl) || errors.As(err, &ue) || accounts.IsProblem(err)
}

// userError is a message written for the person, shown as is.
type userError string

func (e userError) Error() string { return string(e) }

func (s *Server) verifySent(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "verify_sent", pageData{Title: "Check your email"})
}

func (s *Server) verifyResend(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	if u.Verified() {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if err := s.accounts.SendVerification(r.Context(), u); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/verify/sent", "We sent you a new link.")
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	u, err := s.accounts.Verify(r.Context(), r.URL.Query().Get("token"))
	if errors.Is(err, store.ErrTokenUsed) {
		s.renderStatus(w, r, http.StatusGone, "This link has expired", "This confirmation link was already used or is too old. Sign in and we will send you a new one.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if cur := currentUser(r); cur == nil || cur.ID != u.ID {
		if err := s.startSession(w, r, u, nil); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.redirectWith(w, r, "/", "Thank you, your email address is confirmed.")
}

func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) {
	if currentUser(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "signin", pageData{Title: "Sign in", Form: map[string]string{"next": safeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "email", "next")
	u, err := s.accounts.SignIn(r.Context(), f["email"], r.PostFormValue("password"), clientIP(r))
	if err != nil {
		if !isUserError(err) {
			s.serverError(w, r, err)
			return
		}
		status := http.StatusUnauthorized
		if errors.Is(err, accounts.ErrRateLimited) {
			status = http.StatusTooManyRequests
		}
		s.render(w, r, status, "signin", pageData{Title: "Sign in", Error: err.Error(), Form: f})
		return
	}
	if err := s.startSession(w, r, u, nil); err != nil {
		s.serverError(w, r, err)
		return
	}
	target := safeNext(f["next"])
	if target == "" {
		target = "/"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	s.endSession(w, r)
	s.redirectWith(w, r, "/signin", "You are signed out.")
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "forgot", pageData{Title: "Forgot your password?"})
}

// resetSent is the one answer to a reset request, whether or not the
// email has an account.
const resetSent = "If an account uses that email, we have sent it a link. It works for one hour."

func (s *Server) forgot(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "email")
	err := s.accounts.RequestReset(r.Context(), f["email"], clientIP(r))
	var rl *accounts.RateLimitError
	switch {
	case errors.As(err, &rl):
		s.render(w, r, http.StatusTooManyRequests, "forgot", pageData{Title: "Forgot your password?", Error: err.Error(), Form: f})
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.render(w, r, http.StatusOK, "forgot", pageData{Title: "Check your email", Message: resetSent})
	}
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reset", pageData{Title: "Choose a new password", Form: map[string]string{"token": r.URL.Query().Get("token")}})
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "token")
	u, err := s.accounts.ResetPassword(r.Context(), f["token"], r.PostFormValue("password"))
	if err != nil {
		if !isUserError(err) {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "reset", pageData{Title: "Choose a new password", Error: err.Error(), Form: f})
		return
	}
	if err := s.startSession(w, r, u, nil); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/", "Your new password is set. You were signed out on every other device.")
}

func (s *Server) magicRequest(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "email")
	err := s.accounts.RequestMagicLink(r.Context(), f["email"], clientIP(r))
	var rl *accounts.RateLimitError
	switch {
	case errors.As(err, &rl):
		s.render(w, r, http.StatusTooManyRequests, "signin", pageData{Title: "Sign in", Error: err.Error(), Form: f})
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.renderStatus(w, r, http.StatusOK, "Check your email", "If an account uses that email, we have sent it a sign-in link. It works once, for 15 minutes.")
	}
}

func (s *Server) magicUse(w http.ResponseWriter, r *http.Request) {
	u, err := s.accounts.UseMagicLink(r.Context(), r.URL.Query().Get("token"))
	if errors.Is(err, store.ErrTokenUsed) {
		s.renderStatus(w, r, http.StatusGone, "This link has expired", "Sign-in links work once, for 15 minutes. Ask for a new one on the sign-in page.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.startSession(w, r, u, nil); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
