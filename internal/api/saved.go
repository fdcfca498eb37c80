package api

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/patternvault/patternvault/internal/store"
)

// savedRoutes adds the saved-search endpoints (each person's own).
func (h *Handler) savedRoutes() {
	h.mux.HandleFunc("GET "+Prefix+"/saved-searches", h.authed(store.RoleViewer, h.listSaved))
	h.mux.HandleFunc("POST "+Prefix+"/saved-searches", h.authed(store.RoleViewer, h.createSaved))
	h.mux.HandleFunc("DELETE "+Prefix+"/saved-searches/{id}", h.authed(store.RoleViewer, h.deleteSaved))
}

func (h *Handler) listSaved(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	list, err := h.store.SavedSearches(r.Context(), c.Tenant.ID, c.User.ID)
	if h.failed(w, err) {
		return
	}
	if list == nil {
		list = []*store.SavedSearch{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"saved_searches": list})
}

func (h *Handler) createSaved(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	var ss store.SavedSearch
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&ss); err != nil {
		writeError(w, http.StatusBadRequest, "bad_json", `send {"name": "...", "query": "...", "filters": {"type": "...", "format": "...", "keyword": "...", "favorites": true}, "pinned": true}`)
		return
	}
	if err := ss.Check(); err != nil {
		writeError(w, http.StatusUnprocessableEntity, "invalid", err.Error())
		return
	}
	ss.ID = 0
	if h.failed(w, h.store.SaveSearch(r.Context(), c.Tenant.ID, c.User.ID, &ss)) {
		return
	}
	writeJSON(w, http.StatusCreated, ss)
}

func (h *Handler) deleteSaved(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if h.failed(w, h.store.DeleteSavedSearch(r.Context(), c.Tenant.ID, c.User.ID, id)) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
