package web

import (
	"net/http"
)

// A forgotten password: the request, the emailed link, the new password.

// resetSent is the one answer to a reset request, whether or not the
// email has an account.
const resetSent = "If an account uses that email, we have sent it a link. It works for one hour."

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "forgot", pageData{Title: "Forgot your password?"})
}

func (s *Server) forgot(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "email")
	if err := s.accounts.RequestReset(r.Context(), f["email"], clientIP(r)); err != nil {
		s.failForm(w, r, err, "forgot", pageData{Title: "Forgot your password?", Form: f})
		return
	}
	s.render(w, r, http.StatusOK, "forgot", pageData{Title: "Check your email", Message: resetSent})
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reset", pageData{Title: "Choose a new password", Form: map[string]string{"token": r.URL.Query().Get("token")}})
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "token")
	u, err := s.accounts.ResetPassword(r.Context(), f["token"], r.PostFormValue("password"))
	if err != nil {
		s.failForm(w, r, err, "reset", pageData{Title: "Choose a new password", Form: f})
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/", "Your new password is set. You were signed out on every other device.")
}
