package web

import (
	"net/http"
)

// Signing up: the form, the account, and confirming the email address.

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
		s.failForm(w, r, err, "signup", pageData{Title: "Create your account", Form: f})
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	target := "/verify/sent"
	if next := safeNext(f["next"]); next != "" {
		target += "?next=" + next
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

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
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if cur := currentUser(r); cur == nil || cur.ID != u.ID {
		if err := s.startSession(w, r, u); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.redirectWith(w, r, "/", "Thank you, your email address is confirmed.")
}
