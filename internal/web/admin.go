package web

import (
	"net/http"
	"sync"
	"time"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// Platform administration: every workspace, pausing and resuming one, the
// support view (acting as a workspace's owner) and the audit log.

// adminSessionCookie keeps the admin's own session while they act as a
// tenant's user, so stopping the support view signs them back in as
// themselves.
const adminSessionCookie = "pv_admin_session"

// tenantRow is a workspace on the admin's list, with the bytes its files
// take beside its database tables.
type tenantRow struct {
	*store.TenantOverview
	FileBytes int64
	// Partial is set when the files could not all be counted in time:
	// FileBytes is then a lower bound.
	Partial bool
}

// Storage is what the workspace takes in all: database tables and files.
func (t tenantRow) Storage() int64 { return t.StorageBytes + t.FileBytes }

func (s *Server) adminTenants(w http.ResponseWriter, r *http.Request) {
	overviews, err := s.store.TenantOverviews(r.Context(), r.URL.Query().Get("after"), 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]tenantRow, len(overviews))
	// The files are counted four workspaces at a time, for at most five
	// seconds in all; a count cut short shows as "at least".
	deadline := time.Now().Add(5 * time.Second)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, o := range overviews {
		rows[i].TenantOverview = o
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			n, complete, err := s.library.FileBytes(r.Context(), o.Tenant.ID, deadline)
			if err != nil {
				s.log.Warn("admin: count files", "tenant", o.Tenant.ID, "err", err)
			}
			rows[i].FileBytes, rows[i].Partial = n, !complete
		}()
	}
	wg.Wait()
	next := ""
	if len(rows) == 100 {
		next = rows[99].Tenant.Slug
	}
	s.render(w, r, http.StatusOK, "admin_tenants", pageData{Title: "All workspaces", Data: struct {
		Rows []tenantRow
		Next string
	}{rows, next}})
}

// adminSetStatus pauses or resumes a workspace.
func (s *Server) adminSetStatus(status string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := httpx.PathID(r, "id")
		var t *store.Tenant
		if err == nil {
			t, err = s.accounts.SetTenantStatus(r.Context(), visitorFrom(r.Context()), id, status, clientIP(r))
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.redirectWith(w, r, "/admin", t.Name+" is now "+status+".")
	}
}

// impersonate starts the support view: the admin acts as the workspace's
// owner, in a short session, every action audited.
func (s *Server) impersonate(w http.ResponseWriter, r *http.Request) {
	admin := visitorFrom(r.Context())
	own, err := r.Cookie(sessionCookie)
	if err != nil {
		s.needSignIn(w, r)
		return
	}
	id, err := httpx.PathID(r, "id")
	var token string
	var sess *store.Session
	var t *store.Tenant
	if err == nil {
		token, sess, t, err = s.accounts.Impersonate(r.Context(), admin.User, id, client(r))
	}
	if err != nil {
		s.failBack(w, r, err, "/admin")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: adminSessionCookie, Value: own.Value, Path: "/", Expires: time.Now().Add(30 * 24 * time.Hour),
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
	s.setSessionCookie(w, r, token, sess.ExpiresAt)
	http.Redirect(w, r, tenant.Path(t.Slug), http.StatusSeeOther)
}

// stopImpersonating ends the support view and brings the admin's own
// session back.
func (s *Server) stopImpersonating(w http.ResponseWriter, r *http.Request) {
	v := visitorFrom(r.Context())
	if v.Impersonator == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	ownToken := ""
	if c, err := r.Cookie(adminSessionCookie); err == nil {
		ownToken = c.Value
	}
	own, err := s.accounts.StopImpersonating(r.Context(), v, ownToken, clientIP(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: adminSessionCookie, Value: "", Path: "/", MaxAge: -1})
	if own == nil {
		s.clearSessionCookie(w, r)
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	s.setSessionCookie(w, r, ownToken, own.ExpiresAt)
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) {
	entries, err := s.store.AuditLog(r.Context(), 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_audit", pageData{Title: "Audit log", Data: entries})
}
