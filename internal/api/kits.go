package api

import (
	"mime"
	"net/http"

	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/kit"
	"github.com/patternvault/patternvault/internal/store"
)

// kitRoutes adds the machine kit endpoint.
func (h *Handler) kitRoutes() {
	h.mux.HandleFunc("POST "+Prefix+"/kits", h.authed(store.RoleViewer, h.createKit))
}

// createKit answers {"pattern_ids": [...], "machine": "statler",
// "width_in": 12} (or "height_in"), or {"job_id": 7, "machine":
// "statler"} for a job's designs with its rows and thread, with the kit's
// ZIP, streamed; a bad request is refused before the first byte.
func (h *Handler) createKit(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	var req struct {
		kit.Request
		JobID int64 `json:"job_id"`
	}
	var plan *kit.Plan
	err := httpx.DecodeJSON(r, 1<<20, &req, `send {"pattern_ids": [1, 2], "machine": "statler", "width_in": 12} (or "height_in", or neither for their own size), or {"job_id": 7, "machine": "statler"}`)
	switch {
	case err != nil:
	case req.JobID != 0 && !store.RoleAtLeast(c.Role, store.RoleEditor):
		err = kit.ErrJobNotForRole
	case req.JobID != 0:
		var job *business.KitJob
		if job, err = h.business.JobForKit(r.Context(), c.Tenant.ID, req.JobID); err == nil {
			plan, err = h.kits.PlanJob(r.Context(), c.Tenant.ID, req.Machine, kit.JobOf(job), req.WidthIn, req.HeightIn)
		}
	default:
		plan, err = h.kits.Plan(r.Context(), c.Tenant.ID, req.Request)
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
