package web

import (
	"net/http"
	"strconv"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// importsPage is the upload form and the recent imports.
type importsPage struct {
	Batches []*store.ImportBatch
	LimitMB int64
}

func (s *Server) imports(w http.ResponseWriter, r *http.Request) {
	s.renderImports(w, r, nil)
}

// renderImports shows the upload form, with the problem of the upload
// just sent when failed is one.
func (s *Server) renderImports(w http.ResponseWriter, r *http.Request, failed error) {
	t := tenant.FromContext(r.Context())
	bs, err := s.library.Batches(r.Context(), t.ID, 20)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := pageData{Title: "Add designs", Data: importsPage{Batches: bs, LimitMB: s.uploadLimit() >> 20}}
	if failed != nil {
		s.failForm(w, r, failed, "uploads", data)
		return
	}
	s.render(w, r, http.StatusOK, "uploads", data)
}

func (s *Server) uploadLimit() int64 {
	if l := s.library.Limits.MaxUploadSize; l > 0 {
		return l
	}
	return 1 << 30
}

// errInterrupted is an upload that broke off before its end.
var errInterrupted = problem.BadRequest("bad_upload", "The upload was interrupted; nothing was stored. Please try again.")

// upload streams the files of a multipart form into storage (never into
// memory) and queues their import. It answers JSON to a script that asks
// for it (the upload page's progress bar).
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	wantJSON := r.Header.Get("Accept") == "application/json"
	r.Body = http.MaxBytesReader(w, r.Body, s.uploadLimit()+1<<20)
	var b *store.ImportBatch
	mr, err := r.MultipartReader()
	if err != nil {
		err = library.ErrNoFiles.Wrap(err)
	} else {
		b, err = s.library.StartImportStream(r.Context(), t.ID, currentUser(r).ID, library.MultipartUploads(mr, "file"), false)
	}
	if err != nil && httpx.Problem(err) == nil {
		// The body broke off: the person's connection, not our fault.
		s.log.Warn("upload", "id", RequestID(r.Context()), "err", err)
		err = errInterrupted.Wrap(err)
	}
	switch {
	case err != nil && wantJSON:
		httpx.WriteError(w, r, s.log, err)
	case err != nil:
		s.renderImports(w, r, err)
	case wantJSON:
		writeJSON(w, http.StatusAccepted, map[string]any{"id": b.ID, "url": tenant.Path(t.Slug, "imports", b.ID)})
	default:
		http.Redirect(w, r, tenant.Path(t.Slug, "imports", b.ID), http.StatusSeeOther)
	}
}

// batchFromPath loads import {id} of the request's tenant.
func (s *Server) batchFromPath(r *http.Request) (*store.ImportBatch, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.library.Batch(r.Context(), tenant.FromContext(r.Context()).ID, id)
}

// importPage shows one import's progress and result.
func (s *Server) importPage(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	b, err := s.batchFromPath(r)
	var log []store.ImportLogLine
	var kept []store.ImportFile
	if err == nil {
		log, err = s.store.ImportLog(r.Context(), t.ID, b.ID, 500)
	}
	if err == nil {
		kept, err = s.store.ImportFiles(r.Context(), t.ID, b.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "upload", pageData{Title: "Import " + strconv.FormatInt(b.ID, 10), Data: struct {
		Batch *store.ImportBatch
		Log   []store.ImportLogLine
		// Kept are the files of the whole upload, kept once.
		Kept []store.ImportFile
	}{b, log, kept}})
}

// importFile gives a file kept once with an import (a store's README).
func (s *Server) importFile(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var n int64
	if err == nil {
		n, err = httpx.PathID(r, "n")
	}
	var dl *library.Download
	if err == nil {
		dl, err = s.library.ImportFile(r.Context(), t.ID, id, int(n))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer dl.Body.Close()
	httpx.Attachment(w, dl.Name, dl.ContentType, dl.Size, dl.Body)
}

// importStatus is the progress the import page polls.
func (s *Server) importStatus(w http.ResponseWriter, r *http.Request) {
	b, err := s.batchFromPath(r)
	if err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}
