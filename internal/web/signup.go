package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/tenant"
)

// Signing up: the form, the account, and confirming the email address.
// Sign-up answers the same whether or not the address has an account
// (the mail tells its owner which), so it signs nobody in: following the
// emailed link does, and it brings her back to the page that sent her
// to sign up (next), if any. From an invitation, the address is the invited one
// and the account joins the workspace at once.

// signupData is the sign-up page; Workspace is set when it comes from an
// invitation (Form.invitation holds its token, Form.email its address).
type signupData struct {
	Workspace string
}

func (s *Server) signupForm(w http.ResponseWriter, r *http.Request) {
	if currentUser(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	form := map[string]string{"next": safeNext(r.URL.Query().Get("next"))}
	data := signupData{}
	if token := r.URL.Query().Get("invitation"); token != "" {
		inv, t, err := s.accounts.Invitation(r.Context(), token)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		form["invitation"], form["email"], data.Workspace = token, inv.Email, t.Name
	}
	s.render(w, r, http.StatusOK, "signup", pageData{Title: "Create your account", Form: form, Data: data})
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "name", "email", "next", "invitation")
	if f["invitation"] != "" {
		s.signupInvited(w, r, f)
		return
	}
	if _, err := s.accounts.SignUp(r.Context(), f["email"], f["name"], r.PostFormValue("password"), clientIP(r), safeNext(f["next"])); err != nil {
		s.failForm(w, r, err, "signup", pageData{Title: "Create your account", Form: f, Data: signupData{}})
		return
	}
	http.Redirect(w, r, "/verify/sent", http.StatusSeeOther)
}

// signupInvited makes the invited person's account, signs her in and
// brings her to the workspace she was invited to.
func (s *Server) signupInvited(w http.ResponseWriter, r *http.Request, f map[string]string) {
	u, t, err := s.accounts.SignUpInvited(r.Context(), f["invitation"], f["name"], r.PostFormValue("password"), clientIP(r))
	if err != nil {
		data := signupData{}
		if inv, t, err := s.accounts.Invitation(r.Context(), f["invitation"]); err == nil {
			f["email"], data.Workspace = inv.Email, t.Name
		}
		s.failForm(w, r, err, "signup", pageData{Title: "Create your account", Form: f, Data: data})
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug), "Welcome to "+t.Name+".")
}

// verifySent asks the person to open the link we emailed; a signed-in
// person whose address is not confirmed yet may have it sent again.
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
	// From a page that sent her to sign up (a store's claim link), the
	// link goes back there.
	target := safeNext(r.URL.Query().Get("next"))
	if target == "" {
		target = "/"
	}
	s.redirectWith(w, r, target, "Thank you, your email address is confirmed.")
}
