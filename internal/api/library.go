package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/search"
	"github.com/patternvault/patternvault/internal/store"
)

// libraryRoutes adds the library endpoints.
func (h *Handler) libraryRoutes() {
	viewer, editor := store.RoleViewer, store.RoleEditor
	h.mux.HandleFunc("POST "+Prefix+"/imports", h.authed(editor, h.createImport))
	h.mux.HandleFunc("GET "+Prefix+"/imports/{id}", h.authed(viewer, h.getImport))
	h.mux.HandleFunc("GET "+Prefix+"/patterns", h.authed(viewer, h.listPatterns))
	h.mux.HandleFunc("GET "+Prefix+"/patterns/{id}", h.authed(viewer, h.getPattern))
	h.mux.HandleFunc("PATCH "+Prefix+"/patterns/{id}", h.authed(editor, h.patchPattern))
	h.mux.HandleFunc("DELETE "+Prefix+"/patterns/{id}", h.authed(editor, h.deletePattern))
	h.mux.HandleFunc("GET "+Prefix+"/patterns/{id}/thumbnail", h.authed(viewer, h.thumbnail))
	h.mux.HandleFunc("GET "+Prefix+"/patterns/{id}/download", h.authed(viewer, h.download))
	h.mux.HandleFunc("GET "+Prefix+"/patterns/{id}/files", h.authed(viewer, h.files))
	h.mux.HandleFunc("GET "+Prefix+"/patterns/{id}/similar", h.authed(viewer, h.similar))
	h.mux.HandleFunc("GET "+Prefix+"/keywords", h.authed(viewer, h.keywords))
	h.mux.HandleFunc("POST "+Prefix+"/patterns/{id}/keywords", h.authed(editor, h.addKeywords))
	h.mux.HandleFunc("DELETE "+Prefix+"/patterns/{id}/keywords/{name}", h.authed(editor, h.removeKeyword))
}

// createImport takes one or more files in multipart field "file" and
// queues them: 202 with the batch id. Parts are streamed to storage, never
// held in memory.
func (h *Handler) createImport(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	limit := h.library.Limits.MaxUploadSize
	if limit <= 0 {
		limit = 1 << 30
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `send the files as multipart/form-data in the field "file"`)
		return
	}
	batch, err := h.library.StartImportStream(r.Context(), c.Tenant.ID, c.User.ID, library.MultipartUploads(mr, "file"), false)
	if err != nil && httpx.Problem(err) == nil {
		// The body broke off or was not multipart: the client's side.
		h.log.WarnContext(r.Context(), "api: upload", "err", err)
		err = errBadUpload.Wrap(err)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusAccepted, importJSON(batch))
}

// errBadUpload is an upload that could not be read to its end.
var errBadUpload = problem.BadRequest("bad_upload", "The upload could not be read; nothing was stored.")

func (h *Handler) getImport(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, err := httpx.PathID(r, "id")
	var b *store.ImportBatch
	if err == nil {
		b, err = h.library.Batch(r.Context(), c.Tenant.ID, id)
	}
	if h.failed(w, r, err) {
		return
	}
	out := importJSON(b)
	for k, v := range map[string]any{"files": b.Files, "designs_total": b.DesignsTotal, "designs_done": b.DesignsDone,
		"created": b.Created, "merged": b.Merged, "duplicates": b.Duplicates, "failed": b.Failed, "warnings": b.Warnings, "error": b.Error,
		"created_at": b.CreatedAt, "finished_at": b.FinishedAt, "waiting": b.Waiting} {
		out[k] = v
	}
	writeJSON(w, http.StatusOK, out)
}

// errBadCursor is a page cursor the API did not give out.
var errBadCursor = problem.BadRequest("bad_cursor", "That cursor is not one this API gave out: start again without it.")

func (h *Handler) listPatterns(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit")) // not a number: the default
	if text := strings.TrimSpace(q.Get("q")); text != "" && h.search != nil {
		h.searchPatterns(w, r, c, text, limit)
		return
	}
	var page *store.PatternPage
	err := h.store.ReadTenant(r.Context(), c.Tenant.ID, func(tx *store.TenantTx) error {
		var err error
		page, err = tx.Patterns(r.Context(), store.PatternQuery{
			Text: q.Get("q"), Keyword: q.Get("keyword"), Type: q.Get("type"), Format: q.Get("format"),
			Sort: q.Get("sort"), Favorites: q.Get("favorites") == "true", UserID: c.User.ID,
			Cursor: q.Get("cursor"), Limit: limit,
		})
		return err
	})
	if errors.Is(err, store.ErrBadCursor) {
		err = errBadCursor.Wrap(err)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// pattern loads design {id} of the caller's workspace.
func (h *Handler) pattern(r *http.Request) (*store.Pattern, error) {
	c := CallerFrom(r.Context())
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	return h.library.Pattern(r.Context(), c.Tenant.ID, id, c.User.ID)
}

func (h *Handler) getPattern(w http.ResponseWriter, r *http.Request) {
	p, err := h.pattern(r)
	if !h.failed(w, r, err) {
		writeJSON(w, http.StatusOK, p)
	}
}

func (h *Handler) patchPattern(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, err := httpx.PathID(r, "id")
	var body struct {
		Name        *string   `json:"name"`
		Designer    *string   `json:"designer"`
		DesignerURL *string   `json:"designer_url"`
		Notes       *string   `json:"notes"`
		Source      *string   `json:"source"`
		Type        *string   `json:"type"`
		Keywords    *[]string `json:"keywords"`
	}
	if err == nil {
		err = httpx.DecodeJSON(r, 1<<20, &body, "send a JSON object")
	}
	var p *store.Pattern
	if err == nil {
		p, err = h.library.EditPattern(r.Context(), c.Tenant.ID, id, library.Edit{Name: body.Name, Designer: body.Designer,
			DesignerURL: body.DesignerURL, Notes: body.Notes, Source: body.Source, Type: body.Type, Keywords: body.Keywords})
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (h *Handler) deletePattern(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, err := httpx.PathID(r, "id")
	var act int64
	if err == nil {
		_, act, err = h.library.Delete(r.Context(), c.Tenant.ID, c.User.ID, []int64{id})
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": id, "undo_activity": act})
}

// errBadSize is a thumbnail size the API does not make.
var errBadSize = problem.BadRequest("bad_size", "A thumbnail is 256 or 1024 pixels: ask for size 256 or 1024.")

func (h *Handler) thumbnail(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, err := httpx.PathID(r, "id")
	size := library.ThumbGrid
	switch r.URL.Query().Get("size") {
	case "", "256":
	case "1024":
		size = library.ThumbDetail
	default:
		err = errBadSize
	}
	var rc io.ReadCloser
	var info blob.Info
	if err == nil {
		rc, info, err = h.library.Thumbnail(r.Context(), c.Tenant.ID, id, size)
	}
	if h.failed(w, r, err) {
		return
	}
	defer rc.Close()
	tag := httpx.ImageTag(strconv.FormatInt(id, 36)+"-"+strconv.Itoa(size), info.ModTime, info.Size)
	httpx.ServeImage(w, r, rc, "image/png", info.Size, tag, 24*time.Hour)
}

func (h *Handler) download(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, err := httpx.PathID(r, "id")
	var dl *library.Download
	if err == nil {
		dl, err = h.library.Download(r.Context(), c.Tenant.ID, c.User.ID, id, r.URL.Query().Get("format"))
	}
	if h.failed(w, r, err) {
		return
	}
	defer dl.Body.Close()
	httpx.Attachment(w, dl.Name, dl.ContentType, dl.Size, dl.Body)
}

func (h *Handler) files(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, err := httpx.PathID(r, "id")
	var files []*store.PatternFile
	if err == nil {
		err = h.store.ReadTenant(r.Context(), c.Tenant.ID, func(tx *store.TenantTx) error {
			if _, err := tx.Pattern(r.Context(), id, 0); err != nil {
				return err
			}
			files, err = tx.Files(r.Context(), id)
			return err
		})
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"files": files})
}

// keywordsPerPage bounds one answer of GET /keywords; "next" names the
// after= of the next page.
const keywordsPerPage = 1000

func (h *Handler) keywords(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var page *store.KeywordPage
	err := h.store.ReadTenant(r.Context(), CallerFrom(r.Context()).Tenant.ID, func(tx *store.TenantTx) error {
		var err error
		page, err = tx.KeywordsPage(r.Context(), q.Get("q"), q.Get("after"), keywordsPerPage)
		return err
	})
	if h.failed(w, r, err) {
		return
	}
	ks := append([]*store.Keyword{}, page.Keywords...)
	writeJSON(w, http.StatusOK, map[string]any{"keywords": ks, "total": page.Total, "next": page.Next})
}

func (h *Handler) addKeywords(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	p, err := h.pattern(r)
	var body struct {
		Keywords []string `json:"keywords"`
	}
	if err == nil {
		err = httpx.DecodeJSON(r, 1<<20, &body, `send {"keywords": ["feather", ...]}`)
	}
	if err == nil {
		err = h.library.AddKeywords(r.Context(), c.Tenant.ID, []int64{p.ID}, body.Keywords)
	}
	if err == nil {
		p, err = h.library.Pattern(r.Context(), c.Tenant.ID, p.ID, c.User.ID)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (h *Handler) removeKeyword(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	p, err := h.pattern(r)
	if err == nil {
		err = h.library.RemoveKeywords(r.Context(), c.Tenant.ID, []int64{p.ID}, []string{r.PathValue("name")})
	}
	if h.failed(w, r, err) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// failed writes the JSON error for err (see httpx.WriteError) and reports
// whether there was one.
func (h *Handler) failed(w http.ResponseWriter, r *http.Request, err error) bool {
	if err == nil {
		return false
	}
	httpx.WriteError(w, r, h.log, err)
	return true
}

// errSearchLimit is one person searching faster than a person can.
var errSearchLimit = problem.TooMany("rate_limited", "Too many searches at once: please wait a few seconds and try again.", 0)

// searchPatterns answers ?q= with the plain-words search: results best
// first, each with its score and the words it matched.
func (h *Handler) searchPatterns(w http.ResponseWriter, r *http.Request, c *Caller, text string, limit int) {
	if limit <= 0 || limit > 200 {
		limit = 60
	}
	if ok, wait := h.searches.Allow(strconv.FormatInt(c.User.ID, 10)); !ok {
		h.failed(w, r, errSearchLimit.Retry(wait))
		return
	}
	q := r.URL.Query()
	res, err := h.search.Search(r.Context(), c.Tenant.ID, c.User.ID, text, store.SearchFilter{
		Type: q.Get("type"), Format: q.Get("format"), Keyword: q.Get("keyword"), Favorites: q.Get("favorites") == "true"})
	if h.failed(w, r, err) {
		return
	}
	hits, next := res.Page(q.Get("cursor"), limit)
	// The page's designs and the related ones, in one read.
	byID, err := h.patternsByIDs(r, append(search.IDs(hits), search.IDs(res.Related)...))
	if h.failed(w, r, err) {
		return
	}
	type scored struct {
		*store.Pattern
		Score   float64  `json:"score"`
		Matched []string `json:"matched"`
	}
	out := []scored{}
	for _, hit := range hits {
		if p := byID[hit.ID]; p != nil {
			out = append(out, scored{p, hit.Score, hit.Why})
		}
	}
	body := map[string]any{"patterns": out, "total": len(res.Hits), "next_cursor": next}
	if res.DidYouMean != "" {
		body["did_you_mean"] = res.DidYouMean
	}
	// Related designs are not matches: they hold some of the words, or
	// are near by vector alone.
	if len(res.Related) > 0 {
		related := []scored{}
		for _, hit := range res.Related {
			if p := byID[hit.ID]; p != nil {
				related = append(related, scored{p, hit.Score, hit.Why})
			}
		}
		body["related"] = related
	}
	writeJSON(w, http.StatusOK, body)
}

// similar lists the designs that look most like this one ("more like this").
func (h *Handler) similar(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	p, err := h.pattern(r)
	var hits []search.Hit
	if err == nil {
		hits, err = h.search.Similar(r.Context(), c.Tenant.ID, p.ID, 12)
	}
	var byID map[int64]*store.Pattern
	if err == nil {
		byID, err = h.patternsByIDs(r, search.IDs(hits))
	}
	if h.failed(w, r, err) {
		return
	}
	out := []map[string]any{}
	for _, hit := range hits {
		if q := byID[hit.ID]; q != nil {
			out = append(out, map[string]any{"id": q.ID, "name": q.Name, "score": hit.Score, "why": hit.Why})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"patterns": out})
}

// patternsByIDs loads the caller's live designs among ids.
func (h *Handler) patternsByIDs(r *http.Request, ids []int64) (map[int64]*store.Pattern, error) {
	return h.store.PatternsByIDs(r.Context(), CallerFrom(r.Context()).Tenant.ID, ids)
}

// importJSON is an import's id and status; an import held over the
// workspace's plan (staged, or to be staged once counted) says so in
// "held", with the reason, its designs kept.
func importJSON(b *store.ImportBatch) map[string]any {
	out := map[string]any{"id": b.ID, "status": b.Status}
	if b.Stage || b.Status == store.BatchStaged {
		out["held"] = b.Error
	}
	return out
}
