package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/patternvault/patternvault/internal/store"
)

type accountPage struct {
	Sessions []*store.Session
	Tokens   []*store.APIToken
	// NewToken is shown once, right after it is made.
	NewToken string
	// TenantSlugs names each token's workspace.
	TenantSlugs map[int64]string
	Current     []byte
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	s.renderAccount(w, r, http.StatusOK, "", "")
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, problem, newToken string) {
	v := visitorFrom(r.Context())
	sessions, err := s.store.UserSessions(r.Context(), v.User.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	tokens, err := s.store.UserAPITokens(r.Context(), v.User.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ws, err := s.store.UserTenants(r.Context(), v.User.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	slugs := map[int64]string{}
	for _, m := range ws {
		slugs[m.Tenant.ID] = m.Tenant.Slug
	}
	s.render(w, r, status, "account", pageData{Title: "Your account", Error: problem,
		Data: accountPage{Sessions: sessions, Tokens: tokens, NewToken: newToken, TenantSlugs: slugs, Current: v.Session.Hash}})
}

func (s *Server) accountName(w http.ResponseWriter, r *http.Request) {
	name := formValues(r, "name")["name"]
	if name == "" || len(name) > 100 {
		s.renderAccount(w, r, http.StatusUnprocessableEntity, "Please enter your name (up to 100 characters).", "")
		return
	}
	if err := s.store.SetDisplayName(r.Context(), currentUser(r).ID, name); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/account", "Name saved.")
}

func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request) {
	v := visitorFrom(r.Context())
	err := s.accounts.ChangePassword(r.Context(), v.User, r.PostFormValue("current"), r.PostFormValue("password"))
	if err != nil {
		if !isUserError(err) {
			s.serverError(w, r, err)
			return
		}
		s.renderAccount(w, r, http.StatusUnprocessableEntity, err.Error(), "")
		return
	}
	if err := s.store.DeleteUserSessions(r.Context(), v.User.ID, v.Session.Hash); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/account", "Password changed. Other devices were signed out.")
}

func (s *Server) signoutEverywhere(w http.ResponseWriter, r *http.Request) {
	v := visitorFrom(r.Context())
	if err := s.store.DeleteUserSessions(r.Context(), v.User.ID, nil); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.clearSessionCookie(w, r)
	s.redirectWith(w, r, "/signin", "You are signed out on every device.")
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	f := formValues(r, "name", "tenant")
	t, err := s.store.TenantBySlug(r.Context(), f["tenant"])
	if err != nil {
		s.renderAccount(w, r, http.StatusUnprocessableEntity, "Choose one of your workspaces.", "")
		return
	}
	token, _, err := s.accounts.CreateAPIToken(r.Context(), u, t, f["name"])
	if errors.Is(err, store.ErrNotFound) {
		s.renderAccount(w, r, http.StatusUnprocessableEntity, "Choose one of your workspaces.", "")
		return
	}
	if err != nil {
		if isUserError(err) {
			s.renderAccount(w, r, http.StatusUnprocessableEntity, err.Error(), "")
			return
		}
		s.serverError(w, r, err)
		return
	}
	s.renderAccount(w, r, http.StatusOK, "", token)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	err := s.store.RevokeAPIToken(r.Context(), currentUser(r).ID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/account", "Token revoked: it no longer works.")
}
