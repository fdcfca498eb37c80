package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// workspaceRoutes adds the workspace, member, invitation and platform
// admin endpoints (for scripts and the mobile app).
func (h *Handler) workspaceRoutes() {
	owner, viewer := store.RoleOwner, store.RoleViewer
	h.mux.HandleFunc("GET "+Prefix+"/tenants/{slug}", h.authed(viewer, h.inWorkspace(h.getTenant)))
	h.mux.HandleFunc("PATCH "+Prefix+"/tenants/{slug}", h.authed(owner, h.inWorkspace(h.patchTenant)))
	h.mux.HandleFunc("DELETE "+Prefix+"/tenants/{slug}", h.authed(owner, h.inWorkspace(h.deleteTenant)))
	h.mux.HandleFunc("GET "+Prefix+"/tenants/{slug}/members", h.authed(viewer, h.inWorkspace(h.listMembers)))
	h.mux.HandleFunc("POST "+Prefix+"/tenants/{slug}/members", h.authed(owner, h.inWorkspace(h.inviteMember)))
	h.mux.HandleFunc("PATCH "+Prefix+"/tenants/{slug}/members/{id}", h.authed(owner, h.inWorkspace(h.patchMember)))
	h.mux.HandleFunc("DELETE "+Prefix+"/tenants/{slug}/members/{id}", h.authed(owner, h.inWorkspace(h.deleteMember)))
	h.mux.HandleFunc("POST "+Prefix+"/invitations/{token}/accept", h.authed(viewer, h.acceptInvitation))
	h.mux.HandleFunc("GET "+Prefix+"/admin/tenants", h.authed(viewer, h.platformAdmin(h.adminTenants)))
	h.mux.HandleFunc("GET "+Prefix+"/admin/metrics", h.authed(viewer, h.platformAdmin(h.adminMetrics)))
	h.mux.HandleFunc("POST "+Prefix+"/admin/tenants/{slug}/suspend", h.authed(viewer, h.platformAdmin(h.adminSuspend)))
}

var errWrongWorkspace = problem.Forbidden("wrong_workspace", "This token belongs to another workspace.")

// inWorkspace lets through only requests whose {slug} is the token's
// workspace (by its current or a former address).
func (h *Handler) inWorkspace(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := CallerFrom(r.Context())
		if slug := r.PathValue("slug"); slug != c.Tenant.Slug {
			t, err := h.store.TenantBySlug(r.Context(), slug)
			if err != nil || t.ID != c.Tenant.ID {
				h.failed(w, r, errWrongWorkspace)
				return
			}
		}
		next(w, r)
	}
}

var errNotAdmin = problem.Forbidden("not_platform_admin", "Only a platform admin's token may do this.")

func (h *Handler) platformAdmin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !CallerFrom(r.Context()).User.IsPlatformAdmin {
			h.failed(w, r, errNotAdmin)
			return
		}
		if h.accounts == nil {
			h.failed(w, r, errNotWired)
			return
		}
		next(w, r)
	}
}

func tenantJSON(t *store.Tenant) map[string]any {
	return map[string]any{"id": t.ID, "slug": t.Slug, "name": t.Name, "plan": t.Plan, "status": t.Status, "created_at": t.CreatedAt}
}

func (h *Handler) getTenant(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	n, err := h.store.CountPatterns(r.Context(), c.Tenant.ID)
	if h.failed(w, r, err) {
		return
	}
	out := tenantJSON(c.Tenant)
	out["designs"], out["role"] = n, c.Role
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) patchTenant(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	var body struct {
		Name *string `json:"name"`
		Slug *string `json:"slug"`
	}
	if h.failed(w, r, decodeStrict(r, 16<<10, &body, `Send {"name": "Pam's Quilts"} and/or {"slug": "pams-quilts"}.`)) {
		return
	}
	if h.accounts == nil {
		h.failed(w, r, errNotWired)
		return
	}
	name, slug := c.Tenant.Name, ""
	if body.Name != nil {
		name = *body.Name
	}
	if body.Slug != nil {
		slug = *body.Slug
	}
	t, err := h.accounts.RenameWorkspace(r.Context(), c.Tenant, name, slug)
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, tenantJSON(t))
}

// deleteTenant starts the workspace's deletion, as Settings → Danger
// does: {"confirm": its name}; it is paused at once and deleted after
// the grace period, in which its owner can cancel (on that page).
func (h *Handler) deleteTenant(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	var body struct {
		Confirm string `json:"confirm"`
	}
	if h.failed(w, r, httpx.DecodeJSON(r, 1<<10, &body, `Send {"confirm": "the workspace's name"}.`)) {
		return
	}
	when, err := h.backup.RequestDeletion(r.Context(), c.Tenant, backup.Actor{UserID: c.User.ID, IP: clientIP(r)}, body.Confirm)
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"slug": c.Tenant.Slug, "status": store.TenantSuspended, "delete_after": when})
}

func (h *Handler) listMembers(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	ms, err := h.store.Members(r.Context(), c.Tenant.ID)
	if h.failed(w, r, err) {
		return
	}
	out := make([]map[string]any, len(ms))
	for i, m := range ms {
		out[i] = map[string]any{"id": m.User.ID, "email": m.User.Email, "name": m.User.DisplayName, "role": m.Role}
	}
	resp := map[string]any{"members": out}
	if c.Role == store.RoleOwner {
		inv, err := h.store.PendingInvitations(r.Context(), c.Tenant.ID)
		if h.failed(w, r, err) {
			return
		}
		list := make([]map[string]any, len(inv))
		for i, v := range inv {
			list[i] = map[string]any{"id": v.ID, "email": v.Email, "role": v.Role, "expires_at": v.ExpiresAt}
		}
		resp["invitations"] = list
	}
	writeJSON(w, http.StatusOK, resp)
}

func (h *Handler) inviteMember(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	var body struct {
		Email string `json:"email"`
		Role  string `json:"role"`
	}
	if h.failed(w, r, decodeStrict(r, 16<<10, &body, `Send {"email": "helper@example.com", "role": "editor"}.`)) {
		return
	}
	if h.accounts == nil {
		h.failed(w, r, errNotWired)
		return
	}
	if h.failed(w, r, h.accounts.Invite(r.Context(), c.Tenant, &accounts.Visitor{User: c.User}, body.Email, body.Role)) {
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"invited": body.Email, "role": body.Role})
}

func (h *Handler) patchMember(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, err := httpx.PathID(r, "id")
	var body struct {
		Role string `json:"role"`
	}
	if err == nil {
		err = decodeStrict(r, 16<<10, &body, `Send {"role": "owner" | "editor" | "viewer"}.`)
	}
	if err == nil && h.accounts == nil {
		err = errNotWired
	}
	if err == nil {
		err = h.accounts.ChangeRole(r.Context(), c.Tenant.ID, id, body.Role)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "role": body.Role})
}

func (h *Handler) deleteMember(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil && h.accounts == nil {
		err = errNotWired
	}
	if err == nil {
		err = h.accounts.RemoveMember(r.Context(), c.Tenant.ID, id)
	}
	if h.failed(w, r, err) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// acceptInvitation joins the token's person to the invitation's
// workspace, under the accounts service's rules.
func (h *Handler) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	if h.accounts == nil {
		h.failed(w, r, errNotWired)
		return
	}
	t, err := h.accounts.AcceptInvitation(r.Context(), r.PathValue("token"), CallerFrom(r.Context()).User)
	if h.failed(w, r, err) {
		return
	}
	role, err := h.store.Role(r.Context(), t.ID, CallerFrom(r.Context()).User.ID)
	if h.failed(w, r, err) {
		return
	}
	out := tenantJSON(t)
	out["role"] = role
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) adminTenants(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 && n <= 500 {
		limit = n
	}
	rows, err := h.store.TenantOverviews(r.Context(), r.URL.Query().Get("after"), limit)
	if h.failed(w, r, err) {
		return
	}
	out := make([]map[string]any, len(rows))
	for i, o := range rows {
		t := tenantJSON(o.Tenant)
		t["owner_email"], t["members"], t["designs"], t["storage_bytes"], t["last_activity"] = o.OwnerEmail, o.Members, o.Patterns, o.StorageBytes, o.LastActivity
		out[i] = t
	}
	resp := map[string]any{"tenants": out}
	if len(rows) == limit {
		resp["next"] = rows[len(rows)-1].Tenant.Slug
	}
	writeJSON(w, http.StatusOK, resp)
}

func (h *Handler) adminMetrics(w http.ResponseWriter, r *http.Request) {
	m, err := h.store.PlatformMetrics(r.Context(), since(0))
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (h *Handler) adminSuspend(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	t, err := h.store.TenantBySlug(r.Context(), r.PathValue("slug"))
	if err == nil {
		t, err = h.accounts.SetTenantStatus(r.Context(), &accounts.Visitor{User: c.User}, t.ID, store.TenantSuspended, clientIP(r))
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, tenantJSON(t))
}

// decodeStrict reads a JSON body of at most limit bytes into v, refusing
// unknown fields (a misspelt field is an error, not silently dropped).
func decodeStrict(r *http.Request, limit int64, v any, hint string) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil || int64(len(b)) > limit {
		return problem.TooLarge("too_large", "The request body is too large.")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		msg := hint
		if e := err.Error(); len(e) < 200 {
			msg = "The JSON could not be read (" + e + "). " + hint
		}
		return problem.BadRequest("bad_json", msg).Wrap(err)
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func clientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := bytes.LastIndexByte([]byte(host), ':'); i > 0 {
		host = host[:i]
	}
	return host
}
