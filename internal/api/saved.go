package api

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/httpx"
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
	list := []*store.SavedSearch{}
	err := h.store.ReadTenant(r.Context(), c.Tenant.ID, func(tx *store.TenantTx) error {
		found, err := tx.SavedSearches(r.Context(), c.User.ID)
		list = append(list, found...)
		return err
	})
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"saved_searches": list})
}

func (h *Handler) createSaved(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	var ss store.SavedSearch
	err := httpx.DecodeJSON(r, 64<<10, &ss, `Send {"name": "...", "query": "...", "filters": {"type": "...", "format": "...", "keyword": "...", "favorites": true}, "pinned": true}.`)
	if err == nil {
		err = h.library.SaveSearch(r.Context(), c.Tenant.ID, c.User.ID, &ss)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusCreated, ss)
}

func (h *Handler) deleteSaved(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = h.library.DeleteSavedSearch(r.Context(), c.Tenant.ID, c.User.ID, id)
	}
	if h.failed(w, r, err) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
