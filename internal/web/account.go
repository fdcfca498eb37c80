package web

import (
	"net/http"
	"time"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
)

// The person's own account: name, password, sessions and API tokens.

type accountPage struct {
	Sessions []*store.Session
	Tokens   []*store.APIToken
	// NewToken is shown once, right after it is made.
	NewToken string
	// TenantSlugs names each token's workspace.
	TenantSlugs map[int64]string
	Current     []byte
	// DeleteAfter is when the account is deleted, if its deletion was
	// asked for.
	DeleteAfter *time.Time
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	s.renderAccount(w, r, nil, "")
}

// renderAccount shows the account page, with the problem of the form just
// sent when failed is one, or the token just made.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, failed error, newToken string) {
	v := visitorFrom(r.Context())
	page := accountPage{NewToken: newToken, TenantSlugs: map[int64]string{}, Current: v.Session.Hash}
	err := s.store.Tx(r.Context(), func(st *store.Store) error {
		var err error
		if page.Sessions, err = st.UserSessions(r.Context(), v.User.ID); err != nil {
			return err
		}
		if page.DeleteAfter, err = st.UserDeleteAfter(r.Context(), v.User.ID); err != nil {
			return err
		}
		page.Tokens, err = st.UserAPITokens(r.Context(), v.User.ID)
		return err
	})
	var ws []store.Membership
	if err == nil {
		ws, err = s.workspaces(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, m := range ws {
		page.TenantSlugs[m.Tenant.ID] = m.Tenant.Slug
	}
	data := pageData{Title: "Your account", Data: page}
	if failed != nil {
		s.failForm(w, r, failed, "account", data)
		return
	}
	s.render(w, r, http.StatusOK, "account", data)
}

func (s *Server) accountName(w http.ResponseWriter, r *http.Request) {
	if err := s.accounts.SetName(r.Context(), currentUser(r).ID, r.PostFormValue("name")); err != nil {
		s.renderAccount(w, r, err, "")
		return
	}
	s.redirectWith(w, r, "/account", "Name saved.")
}

func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request) {
	err := s.accounts.ChangePasswordElsewhere(r.Context(), visitorFrom(r.Context()), r.PostFormValue("current"), r.PostFormValue("password"))
	if err != nil {
		s.renderAccount(w, r, err, "")
		return
	}
	s.redirectWith(w, r, "/account", "Password changed. Other devices were signed out.")
}

func (s *Server) signoutEverywhere(w http.ResponseWriter, r *http.Request) {
	if err := s.accounts.SignOutEverywhere(r.Context(), currentUser(r).ID, nil); err != nil {
		s.fail(w, r, err)
		return
	}
	s.clearSessionCookie(w, r)
	s.redirectWith(w, r, "/signin", "You are signed out on every device.")
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "name", "tenant")
	token, _, err := s.accounts.CreateAPITokenIn(r.Context(), visitorFrom(r.Context()), f["tenant"], f["name"])
	if err != nil {
		s.renderAccount(w, r, err, "")
		return
	}
	s.renderAccount(w, r, nil, token)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.accounts.RevokeAPIToken(r.Context(), currentUser(r).ID, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWith(w, r, "/account", "Token revoked: it no longer works.")
}
