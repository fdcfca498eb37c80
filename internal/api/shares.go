package api

import (
	"net/http"
	"time"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
)

// shareRoutes adds the share link endpoints.
func (h *Handler) shareRoutes() {
	viewer, editor := store.RoleViewer, store.RoleEditor
	h.mux.HandleFunc("POST "+Prefix+"/shares", h.authed(editor, h.createShare))
	h.mux.HandleFunc("GET "+Prefix+"/shares", h.authed(viewer, h.listShares))
	h.mux.HandleFunc("GET "+Prefix+"/shares/{id}/results", h.authed(viewer, h.shareResults))
	h.mux.HandleFunc("POST "+Prefix+"/shares/{id}/revoke", h.authed(editor, h.revokeShare))
}

func (h *Handler) createShare(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	var body struct {
		PatternIDs     []int64 `json:"pattern_ids"`
		Name           string  `json:"name"`
		RecipientName  string  `json:"recipient_name"`
		RecipientEmail string  `json:"recipient_email"`
		Message        string  `json:"message"`
		ExpiresInDays  int     `json:"expires_in_days"`
		AllowDownload  bool    `json:"allow_download"`
		ShowDesigner   *bool   `json:"show_designer"`
		VotingMode     string  `json:"voting_mode"`
	}
	if h.failed(w, r, httpx.DecodeJSON(r, 1<<20, &body, `Send {"pattern_ids": [...], "name": "..."}.`)) {
		return
	}
	show := body.ShowDesigner == nil || *body.ShowDesigner
	created, err := h.shares.Create(r.Context(), c.Tenant.ID, c.User.ID, share.Input{PatternIDs: body.PatternIDs, Name: body.Name,
		RecipientName: body.RecipientName, RecipientEmail: body.RecipientEmail, Message: body.Message, ExpiresInDays: body.ExpiresInDays,
		AllowDownload: body.AllowDownload, ShowDesigner: show, VotingMode: body.VotingMode, NotifyOwner: true})
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": created.Link.ID, "url": created.URL, "expires_at": created.Link.ExpiresAt})
}

// shareJSON is a link as the API shows it: never its token.
func shareJSON(l *store.ShareLink, now time.Time) map[string]any {
	return map[string]any{"id": l.ID, "name": l.Name, "recipient_name": l.RecipientName, "created_at": l.CreatedAt,
		"expires_at": l.ExpiresAt, "status": share.Status(l, now), "views": l.Views, "voters": l.Voters, "pattern_ids": l.Patterns,
		"allow_download": l.AllowDownload}
}

func (h *Handler) listShares(w http.ResponseWriter, r *http.Request) {
	var ls []*store.ShareLink
	err := h.store.ReadTenant(r.Context(), CallerFrom(r.Context()).Tenant.ID, func(tx *store.TenantTx) error {
		var err error
		ls, err = tx.Shares(r.Context())
		return err
	})
	if h.failed(w, r, err) {
		return
	}
	out := []map[string]any{}
	for _, l := range ls {
		out = append(out, shareJSON(l, h.shares.Now()))
	}
	writeJSON(w, http.StatusOK, map[string]any{"shares": out})
}

func (h *Handler) shareResults(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var res *share.Results
	if err == nil {
		res, err = h.shares.Results(r.Context(), CallerFrom(r.Context()).Tenant.ID, id)
	}
	if h.failed(w, r, err) {
		return
	}
	votes := []map[string]any{}
	for _, v := range res.Votes {
		votes = append(votes, map[string]any{"voter_name": v.VoterName, "pattern_id": v.PatternID, "vote": v.Vote, "rank": v.Rank, "comment": v.Comment})
	}
	writeJSON(w, http.StatusOK, map[string]any{"share": shareJSON(res.Link, h.shares.Now()), "voters": res.Voters, "designs": res.Designs, "votes": votes})
}

func (h *Handler) revokeShare(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = h.shares.Revoke(r.Context(), CallerFrom(r.Context()).Tenant.ID, id)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "status": "revoked"})
}
