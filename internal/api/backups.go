package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
)

// backupRoutes adds the export endpoints: a ZIP of the whole workspace,
// made in the background.
func (h *Handler) backupRoutes() {
	owner := store.RoleOwner
	h.mux.HandleFunc("POST "+Prefix+"/exports", h.authed(owner, h.createExport))
	h.mux.HandleFunc("GET "+Prefix+"/exports/{id}", h.authed(owner, h.export))
	h.mux.HandleFunc("GET "+Prefix+"/exports/{id}/download", h.authed(owner, h.downloadExport))
}

// exportJSON is an export as the API shows it, with where to download it
// once it is done.
func exportJSON(r *http.Request, e *store.Export) map[string]any {
	out := map[string]any{"id": e.ID, "status": e.Status, "machine": e.Machine, "designs_total": e.DesignsTotal,
		"designs_done": e.DesignsDone, "bytes": e.Bytes, "created_at": e.CreatedAt, "finished_at": e.FinishedAt,
		"expires_at": e.ExpiresAt, "mailed_when_ready": e.Notify}
	if e.Error != "" {
		out["error"] = e.Error
	}
	if e.Status == store.JobDone {
		out["download_url"] = fmt.Sprintf("%s/exports/%d/download", Prefix, e.ID)
	}
	return out
}

func (h *Handler) createExport(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	var body struct {
		Machine string `json:"machine"`
	}
	if r.ContentLength != 0 && h.failed(w, r, httpx.DecodeJSON(r, 1<<10, &body, `Send {} or {"machine": "statler"}.`)) {
		return
	}
	e, err := h.backup.StartExport(r.Context(), c.Tenant.ID, c.User.ID, strings.TrimSpace(body.Machine))
	if h.failed(w, r, err) {
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/exports/%d", Prefix, e.ID))
	writeJSON(w, http.StatusAccepted, exportJSON(r, e))
}

func (h *Handler) export(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var e *store.Export
	if err == nil {
		e, err = h.store.Export(r.Context(), CallerFrom(r.Context()).Tenant.ID, id)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, exportJSON(r, e))
}

func (h *Handler) downloadExport(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, err := httpx.PathID(r, "id")
	if h.failed(w, r, err) {
		return
	}
	rc, e, err := h.backup.OpenExport(r.Context(), c.Tenant.ID, id)
	if h.failed(w, r, err) {
		return
	}
	defer rc.Close()
	httpx.Attachment(w, backup.ExportName(c.Tenant, e), "application/zip", e.Bytes, rc)
}
