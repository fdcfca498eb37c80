package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/store"
)

// adminSessionCookie keeps the admin's own session while they act as a
// tenant's user, so stopping the support view signs them back in as
// themselves.
const adminSessionCookie = "pv_admin_session"

func (s *Server) adminTenants(w http.ResponseWriter, r *http.Request) {
	rows, err := s.store.TenantOverviews(r.Context(), r.URL.Query().Get("after"), 100)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	next := ""
	if len(rows) == 100 {
		next = rows[99].Tenant.Slug
	}
	s.render(w, r, http.StatusOK, "admin_tenants", pageData{Title: "All workspaces", Data: struct {
		Rows []*store.TenantOverview
		Next string
	}{rows, next}})
}

func (s *Server) adminTenant(r *http.Request) (*store.Tenant, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, store.ErrNotFound
	}
	return s.store.TenantByID(r.Context(), id)
}

func (s *Server) adminSetStatus(status string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, err := s.adminTenant(r)
		if errors.Is(err, store.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if err := s.store.SetTenantStatus(r.Context(), t.ID, status); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.audit(r, "tenant "+status, t.ID, map[string]any{"slug": t.Slug})
		s.redirectWith(w, r, "/admin", t.Name+" is now "+status+".")
	}
}

func (s *Server) impersonate(w http.ResponseWriter, r *http.Request) {
	admin := visitorFrom(r.Context())
	t, err := s.adminTenant(r)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	owner, err := s.store.TenantOwner(r.Context(), t.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.redirectWith(w, r, "/admin", t.Name+" has no owner to act as.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	own, err := r.Cookie(sessionCookie)
	if err != nil {
		s.needSignIn(w, r)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: adminSessionCookie, Value: own.Value, Path: "/", Expires: time.Now().Add(sessionLifetime),
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
	if err := s.startSession(w, r, owner, &admin.User.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.store.Audit(r.Context(), &store.AuditEntry{ActorID: &admin.User.ID, AsUserID: &owner.ID, TenantID: &t.ID,
		Action: "impersonation started", IP: clientIP(r)})
	http.Redirect(w, r, "/t/"+t.Slug+"/", http.StatusSeeOther)
}

func (s *Server) stopImpersonating(w http.ResponseWriter, r *http.Request) {
	v := visitorFrom(r.Context())
	if v.Impersonator == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.audit(r, "impersonation stopped", 0, nil)
	s.store.DeleteSession(r.Context(), v.Session.Hash)
	own, err := r.Cookie(adminSessionCookie)
	http.SetCookie(w, &http.Cookie{Name: adminSessionCookie, Value: "", Path: "/", MaxAge: -1})
	if err != nil {
		s.clearSessionCookie(w, r)
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	if sess, err := s.store.SessionByHash(r.Context(), auth.HashToken(own.Value)); err == nil {
		s.setSessionCookie(w, r, own.Value, sess.ExpiresAt)
	}
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) {
	entries, err := s.store.AuditLog(r.Context(), 500)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_audit", pageData{Title: "Audit log", Data: entries})
}
