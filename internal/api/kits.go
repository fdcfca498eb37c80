package api

import (
	"mime"
	"net/http"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/kit"
	"github.com/patternvault/patternvault/internal/store"
)

// kitRoutes adds the machine kit endpoint.
func (h *Handler) kitRoutes() {
	h.mux.HandleFunc("POST "+Prefix+"/kits", h.authed(store.RoleViewer, h.createKit))
}

// createKit answers {"pattern_ids": [...], "machine": "statler",
// "width_in": 12} (or "height_in") with the kit's ZIP, streamed; a bad
// request is refused before the first byte.
func (h *Handler) createKit(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	var req kit.Request
	var plan *kit.Plan
	err := httpx.DecodeJSON(r, 1<<20, &req, `send {"pattern_ids": [1, 2], "machine": "statler", "width_in": 12} (or "height_in", or neither for their own size)`)
	if err == nil {
		plan, err = h.kits.Plan(r.Context(), c.Tenant.ID, req)
	}
	if h.failed(w, r, err) {
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": plan.FileName}))
	if err := h.kits.Write(r.Context(), plan, w); err != nil {
		// Part of the ZIP is sent: the client sees a broken download.
		h.log.Error("api: machine kit", "id", httpx.RequestID(r.Context()), "tenant", c.Tenant.ID, "err", err)
		panic(http.ErrAbortHandler)
	}
}
