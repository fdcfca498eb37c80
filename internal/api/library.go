package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/designtype"
	"github.com/patternvault/patternvault/internal/library"
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
	next := library.MultipartUploads(mr, "file")

	batch, err := h.library.StartImportStream(r.Context(), c.Tenant.ID, c.User.ID, next, false)
	if errors.Is(err, library.ErrNoFiles) {
		writeError(w, http.StatusBadRequest, "no_files", `no file in the field "file"`)
		return
	}
	if err != nil {
		h.uploadError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": batch.ID, "status": batch.Status})
}

func (h *Handler) uploadError(w http.ResponseWriter, err error) {
	var mbe *http.MaxBytesError
	var refused *library.RefusedError
	switch {
	case errors.As(err, &refused):
		writeError(w, http.StatusBadRequest, "refused", refused.Reason)
	case errors.As(err, &mbe) || errors.Is(err, library.ErrUploadTooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "the upload is over the size limit of one import")
	default:
		h.log.Warn("api: upload", "err", err)
		writeError(w, http.StatusBadRequest, "bad_upload", "the upload could not be read")
	}
}

func (h *Handler) getImport(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	b, err := h.store.Batch(r.Context(), c.Tenant.ID, id)
	if h.failed(w, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": b.ID, "status": b.Status, "files": b.Files, "designs_total": b.DesignsTotal, "designs_done": b.DesignsDone,
		"created": b.Created, "merged": b.Merged, "duplicates": b.Duplicates, "failed": b.Failed, "warnings": b.Warnings, "error": b.Error,
		"created_at": b.CreatedAt, "finished_at": b.FinishedAt,
	})
}

func (h *Handler) listPatterns(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if text := strings.TrimSpace(q.Get("q")); text != "" && h.search != nil {
		h.searchPatterns(w, r, c, text, limit)
		return
	}
	page, err := h.store.Patterns(r.Context(), c.Tenant.ID, store.PatternQuery{
		Text: q.Get("q"), Keyword: q.Get("keyword"), Type: q.Get("type"), Format: q.Get("format"),
		Sort: q.Get("sort"), Favorites: q.Get("favorites") == "true", UserID: c.User.ID,
		Cursor: q.Get("cursor"), Limit: limit,
	})
	if errors.Is(err, store.ErrBadCursor) {
		writeError(w, http.StatusBadRequest, "bad_cursor", "cursor is not one this API gave out")
		return
	}
	if h.failed(w, err) {
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (h *Handler) pattern(w http.ResponseWriter, r *http.Request) (*store.Pattern, bool) {
	c := CallerFrom(r.Context())
	id, ok := pathID(w, r)
	if !ok {
		return nil, false
	}
	p, err := h.store.PatternFor(r.Context(), c.Tenant.ID, id, c.User.ID)
	if h.failed(w, err) {
		return nil, false
	}
	return p, true
}

func (h *Handler) getPattern(w http.ResponseWriter, r *http.Request) {
	if p, ok := h.pattern(w, r); ok {
		writeJSON(w, http.StatusOK, p)
	}
}

func (h *Handler) patchPattern(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var body struct {
		Name        *string   `json:"name"`
		Designer    *string   `json:"designer"`
		DesignerURL *string   `json:"designer_url"`
		Notes       *string   `json:"notes"`
		Source      *string   `json:"source"`
		Type        *string   `json:"type"`
		Keywords    *[]string `json:"keywords"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "bad_json", "send a JSON object")
		return
	}
	if body.Name != nil && (strings.TrimSpace(*body.Name) == "" || len(*body.Name) > 300) {
		writeError(w, http.StatusUnprocessableEntity, "bad_name", "name must be 1 to 300 characters")
		return
	}
	if body.Type != nil {
		_, err := h.library.SetType(r.Context(), c.Tenant.ID, []int64{id}, *body.Type)
		if errors.Is(err, library.ErrBadType) {
			writeError(w, http.StatusUnprocessableEntity, "bad_type", fmt.Sprintf("type must be one of %s, or empty", strings.Join(designtype.Codes, ", ")))
			return
		}
		if h.failed(w, err) {
			return
		}
	}
	p, err := h.store.UpdatePattern(r.Context(), c.Tenant.ID, id, store.PatternEdit{Name: body.Name, Designer: body.Designer,
		DesignerURL: body.DesignerURL, Notes: body.Notes, Source: body.Source})
	if h.failed(w, err) {
		return
	}
	if body.Keywords != nil {
		if h.failed(w, h.store.SetKeywords(r.Context(), c.Tenant.ID, id, *body.Keywords)) {
			return
		}
		if p, err = h.store.Pattern(r.Context(), c.Tenant.ID, id); h.failed(w, err) {
			return
		}
	}
	writeJSON(w, http.StatusOK, p)
}

func (h *Handler) deletePattern(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	_, act, err := h.store.DeletePatterns(r.Context(), c.Tenant.ID, c.User.ID, []int64{id})
	if h.failed(w, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": id, "undo_activity": act})
}

func (h *Handler) thumbnail(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	size := library.ThumbGrid
	if r.URL.Query().Get("size") == "1024" {
		size = library.ThumbDetail
	} else if s := r.URL.Query().Get("size"); s != "" && s != "256" {
		writeError(w, http.StatusBadRequest, "bad_size", "size is 256 or 1024")
		return
	}
	rc, info, err := h.library.Thumbnail(r.Context(), c.Tenant.ID, id, size)
	if err != nil {
		writeError(w, http.StatusNotFound, "not_found", "no thumbnail for that pattern")
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.FormatInt(info.Size, 10))
	w.Header().Set("Cache-Control", "private, max-age=86400")
	io.Copy(w, rc)
}

func (h *Handler) download(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	p, ok := h.pattern(w, r)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	dl, err := h.library.Fetch(r.Context(), c.Tenant.ID, p, format)
	if errors.Is(err, library.ErrNoSuchFormat) {
		writeError(w, http.StatusNotFound, "no_such_format", fmt.Sprintf("%q is not available in %q", p.Name, format))
		return
	}
	if h.failed(w, err) {
		return
	}
	defer dl.Body.Close()
	h.store.RecordEvent(r.Context(), c.Tenant.ID, p.ID, c.User.ID, "download", format)
	w.Header().Set("Content-Type", dl.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": dl.Name}))
	w.Header().Set("Content-Length", strconv.FormatInt(dl.Size, 10))
	io.Copy(w, dl.Body)
}

func (h *Handler) files(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	files, err := h.store.Files(r.Context(), c.Tenant.ID, id)
	if h.failed(w, err) {
		return
	}
	if len(files) == 0 {
		writeError(w, http.StatusNotFound, "not_found", "no such pattern")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"files": files})
}

func (h *Handler) keywords(w http.ResponseWriter, r *http.Request) {
	ks, err := h.store.Keywords(r.Context(), CallerFrom(r.Context()).Tenant.ID)
	if h.failed(w, err) {
		return
	}
	if ks == nil {
		ks = []*store.Keyword{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"keywords": ks})
}

func (h *Handler) addKeywords(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	p, ok := h.pattern(w, r)
	if !ok {
		return
	}
	var body struct {
		Keywords []string `json:"keywords"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil || len(body.Keywords) == 0 {
		writeError(w, http.StatusBadRequest, "bad_json", `send {"keywords": ["feather", ...]}`)
		return
	}
	if h.failed(w, h.store.AddKeywords(r.Context(), c.Tenant.ID, []int64{p.ID}, body.Keywords)) {
		return
	}
	p, err := h.store.Pattern(r.Context(), c.Tenant.ID, p.ID)
	if h.failed(w, err) {
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (h *Handler) removeKeyword(w http.ResponseWriter, r *http.Request) {
	c := CallerFrom(r.Context())
	p, ok := h.pattern(w, r)
	if !ok {
		return
	}
	if h.failed(w, h.store.RemoveKeywords(r.Context(), c.Tenant.ID, []int64{p.ID}, []string{r.PathValue("name")})) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// failed writes the JSON error for err and reports whether there was one.
func (h *Handler) failed(w http.ResponseWriter, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no such thing in this workspace")
	default:
		h.log.Error("api", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "something went wrong on our side")
	}
	return true
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusNotFound, "not_found", "no such thing in this workspace")
		return 0, false
	}
	return id, true
}

// searchPatterns answers ?q= with the plain-words search: results best
// first, each with its score and the words it matched.
func (h *Handler) searchPatterns(w http.ResponseWriter, r *http.Request, c *Caller, text string, limit int) {
	if limit <= 0 || limit > 200 {
		limit = 60
	}
	if ok, wait := h.searches.Allow(strconv.FormatInt(c.User.ID, 10)); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		writeError(w, http.StatusTooManyRequests, "rate_limited", "too many searches: wait a few seconds and try again")
		return
	}
	q := r.URL.Query()
	res, err := h.search.Search(r.Context(), c.Tenant.ID, c.User.ID, text, store.SearchFilter{
		Type: q.Get("type"), Format: q.Get("format"), Keyword: q.Get("keyword"), Favorites: q.Get("favorites") == "true"})
	if h.failed(w, err) {
		return
	}
	hits, next := res.Page(q.Get("cursor"), limit)
	byID, err := h.store.PatternsByIDs(r.Context(), c.Tenant.ID, search.IDs(hits))
	if h.failed(w, err) {
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
		byID, err := h.store.PatternsByIDs(r.Context(), c.Tenant.ID, search.IDs(res.Related))
		if h.failed(w, err) {
			return
		}
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
	p, ok := h.pattern(w, r)
	if !ok {
		return
	}
	hits, err := h.search.Similar(r.Context(), c.Tenant.ID, p.ID, 12)
	if h.failed(w, err) {
		return
	}
	byID, err := h.store.PatternsByIDs(r.Context(), c.Tenant.ID, search.IDs(hits))
	if h.failed(w, err) {
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
