package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// importsPage is the upload form and the recent imports.
type importsPage struct {
	Batches []*store.ImportBatch
	LimitMB int64
}

func (s *Server) imports(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	bs, err := s.store.Batches(r.Context(), t.ID, 20)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "uploads", pageData{Title: "Add designs", Data: importsPage{Batches: bs, LimitMB: s.uploadLimit() >> 20}})
}

func (s *Server) uploadLimit() int64 {
	if l := s.library.Limits.MaxUploadSize; l > 0 {
		return l
	}
	return 1 << 30
}

// upload streams the files of a multipart form into storage (never into
// memory) and queues their import.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, s.uploadLimit()+1<<20)
	fail := func(status int, msg string) {
		if r.Header.Get("Accept") == "application/json" {
			writeJSON(w, status, map[string]string{"error": msg})
			return
		}
		bs, _ := s.store.Batches(r.Context(), t.ID, 20)
		s.render(w, r, status, "uploads", pageData{Title: "Add designs", Error: msg, Data: importsPage{Batches: bs, LimitMB: s.uploadLimit() >> 20}})
	}
	mr, err := r.MultipartReader()
	if err != nil {
		fail(http.StatusBadRequest, "Choose one or more ZIP files or design files to upload.")
		return
	}
	next := library.MultipartUploads(mr, "file")

	b, err := s.library.StartImportStream(r.Context(), t.ID, currentUser(r).ID, next, false)
	var mbe *http.MaxBytesError
	var refused *library.RefusedError
	switch {
	case errors.As(err, &refused):
		fail(http.StatusBadRequest, refused.Reason+" Nothing was stored.")
		return
	case errors.Is(err, library.ErrNoFiles):
		fail(http.StatusBadRequest, "Choose one or more ZIP files or design files to upload.")
		return
	case errors.As(err, &mbe) || errors.Is(err, library.ErrUploadTooLarge):
		fail(http.StatusRequestEntityTooLarge, "That upload is larger than "+strconv.FormatInt(s.uploadLimit()>>20, 10)+" MB. Please upload fewer files at a time; nothing was stored.")
		return
	case err != nil:
		s.log.Warn("upload", "id", RequestID(r.Context()), "err", err)
		fail(http.StatusBadRequest, "The upload was interrupted; nothing was stored. Please try again.")
		return
	}
	target := "/t/" + t.Slug + "/imports/" + strconv.FormatInt(b.ID, 10)
	if r.Header.Get("Accept") == "application/json" {
		writeJSON(w, http.StatusAccepted, map[string]any{"id": b.ID, "url": target})
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (s *Server) batchFromPath(w http.ResponseWriter, r *http.Request) (*store.ImportBatch, bool) {
	t := tenant.FromContext(r.Context())
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	b, err := s.store.Batch(r.Context(), t.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return b, true
}

// importPage shows one import's progress and result.
func (s *Server) importPage(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	b, ok := s.batchFromPath(w, r)
	if !ok {
		return
	}
	log, err := s.store.ImportLog(r.Context(), t.ID, b.ID, 500)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "upload", pageData{Title: "Import " + strconv.FormatInt(b.ID, 10), Data: struct {
		Batch *store.ImportBatch
		Log   []store.ImportLogLine
	}{b, log}})
}

// importStatus is the progress the import page polls.
func (s *Server) importStatus(w http.ResponseWriter, r *http.Request) {
	b, ok := s.batchFromPath(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, b)
}
