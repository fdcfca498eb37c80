package web

import (
	"net/http"
	"strings"
)

// safeNext returns a local path to go to after signing in, or "".
func safeNext(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\") && !strings.ContainsAny(next, "\r\n") {
		return next
	}
	return ""
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
		s.failForm(w, r, err, "signin", pageData{Title: "Sign in", Form: f})
		return
	}
	if err := s.startSession(w, r, u); err != nil {
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
	if v := visitorFrom(r.Context()); v != nil && v.Impersonator != nil {
		s.stopImpersonating(w, r) // signing out of a support view ends it as Stop does
		return
	}
	if err := s.endSession(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWith(w, r, "/signin", "You are signed out.")
}

func (s *Server) magicRequest(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "email")
	if err := s.accounts.RequestMagicLink(r.Context(), f["email"], clientIP(r)); err != nil {
		s.failForm(w, r, err, "signin", pageData{Title: "Sign in", Form: f})
		return
	}
	s.renderStatus(w, r, http.StatusOK, "Check your email", "If an account uses that email, we have sent it a sign-in link. It works once, for 15 minutes.")
}

func (s *Server) magicUse(w http.ResponseWriter, r *http.Request) {
	u, err := s.accounts.UseMagicLink(r.Context(), r.URL.Query().Get("token"))
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
