package web

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/tenant"
)

// A design's pictures and files: thumbnails, the true-size preview and
// downloads.

// errBadSize is a thumbnail size that is not 256 or 1024.
var errBadSize = problem.NotFound("not_found", "There is no picture of that size.")

// thumbnail serves a design's picture from storage. It reads no row: the
// key is the tenant's own, so another tenant's id is simply not found.
func (s *Server) thumbnail(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	size := 0
	switch r.PathValue("size") {
	case "256.png":
		size = library.ThumbGrid
	case "1024.png":
		size = library.ThumbDetail
	default:
		s.fail(w, r, errBadSize)
		return
	}
	s.serveThumbnail(w, r, t.ID, id, size, 24*time.Hour)
}

// serveThumbnail sends design id's picture of size px, cacheable for
// maxAge; its ETag follows the stored picture, so a redrawn one (its
// orientation fixed) is fetched again rather than answered 304 for ever.
func (s *Server) serveThumbnail(w http.ResponseWriter, r *http.Request, tenantID, id int64, size int, maxAge time.Duration) {
	rc, info, err := s.library.Thumbnail(r.Context(), tenantID, id, size)
	if err != nil {
		w.Header().Set("Cache-Control", "no-store")
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	tag := httpx.ImageTag(strconv.FormatInt(id, 36)+"-"+strconv.Itoa(size), info.ModTime, info.Size)
	httpx.ServeImage(w, r, rc, "image/png", info.Size, tag, maxAge)
}

// previewSVG draws the design at its true size from its best readable file.
func (s *Server) previewSVG(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var svg []byte
	if err == nil {
		svg, err = s.library.Preview(r.Context(), t.ID, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Write(svg)
}

// download gives the design in a format: the original in that format when
// there is one, otherwise a conversion.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var dl *library.Download
	if err == nil {
		dl, err = s.library.Download(r.Context(), t.ID, currentUser(r).ID, id, r.URL.Query().Get("format"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer dl.Body.Close()
	httpx.Attachment(w, dl.Name, dl.ContentType, dl.Size, dl.Body)
}

// downloadFile gives one stored file as it was bought.
func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var fid int64
	if err == nil {
		fid, err = httpx.PathID(r, "file")
	}
	var dl *library.Download
	if err == nil {
		dl, err = s.library.DownloadFile(r.Context(), t.ID, currentUser(r).ID, id, fid)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer dl.Body.Close()
	httpx.Attachment(w, dl.Name, dl.ContentType, dl.Size, dl.Body)
}

// picture shows a picture of a design on its page (inline, cached; not
// counted as a download).
func (s *Server) picture(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var fid int64
	if err == nil {
		fid, err = httpx.PathID(r, "file")
	}
	var dl *library.Download
	if err == nil {
		dl, err = s.library.Picture(r.Context(), t.ID, id, fid)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer dl.Body.Close()
	w.Header().Set("Content-Type", dl.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(dl.Size, 10))
	w.Header().Set("Cache-Control", "private, max-age=86400")
	io.Copy(w, dl.Body)
}
