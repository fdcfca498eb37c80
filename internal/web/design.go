package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/convert"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/render"
	"github.com/patternvault/patternvault/internal/search"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// machineCookie remembers the quilter's machine for "Download for ...".
const machineCookie = "pv_machine"

// designPage is the page of one design.
type designPage struct {
	Pattern  *store.Pattern
	Files    []*store.PatternFile
	Machine  *library.Machine
	Machines []library.Machine
	// ForMachine is the format "Download for my machine" gives.
	ForMachine string
	Converted  bool
	Readable   bool
	Writable   []string
	CanEdit    bool
	// Similar are the designs that look most like this one.
	Similar []*store.Pattern
}

// patternFromPath loads {id} of the request's tenant, answering 404 itself.
func (s *Server) patternFromPath(w http.ResponseWriter, r *http.Request) (*store.Pattern, bool) {
	t := tenant.FromContext(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return nil, false
	}
	p, err := s.store.PatternFor(r.Context(), t.ID, id, currentUser(r).ID)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return p, true
}

func (s *Server) designPage(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	p, ok := s.patternFromPath(w, r)
	if !ok {
		return
	}
	files, err := s.store.Files(r.Context(), t.ID, p.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.store.RecordEvent(r.Context(), t.ID, p.ID, currentUser(r).ID, "view", "")
	// Opened from search results: the search log learns which design the
	// search led to (only a note, so a failure does not stop the page).
	if from := r.URL.Query().Get("from"); from != "" && len(from) <= 200 {
		if err := s.store.RecordSearchClick(r.Context(), t.ID, currentUser(r).ID, from, p.ID); err != nil {
			s.log.Warn("web: search click", "id", RequestID(r.Context()), "err", err)
		}
	}
	data := designPage{Pattern: p, Files: files, Machines: library.Machines, Writable: writableFormats(),
		CanEdit: store.RoleAtLeast(roleFrom(r.Context()), store.RoleEditor)}
	for _, f := range files {
		if f.Role == store.RoleDesign && f.Readable {
			data.Readable = true
		}
	}
	if s.search != nil {
		if hits, err := s.search.Similar(r.Context(), t.ID, p.ID, 6); err == nil && len(hits) > 0 {
			ids := search.IDs(hits)
			byID, err := s.store.PatternsByIDs(r.Context(), t.ID, ids)
			if err == nil {
				for _, id := range ids {
					if q := byID[id]; q != nil {
						data.Similar = append(data.Similar, q)
					}
				}
			}
		}
	}
	if c, err := r.Cookie(machineCookie); err == nil {
		data.Machine = library.MachineByID(c.Value)
	}
	if data.Machine != nil {
		data.ForMachine, data.Converted, _ = library.ForMachine(data.Machine, p.Formats, data.Readable)
	}
	s.render(w, r, http.StatusOK, "design", pageData{Title: p.Name, Data: data})
}

func writableFormats() []string {
	return []string{"qli", "bqm", "plt", "dxf", "svg", "csq", "qcc"}
}

// setMachine remembers the quilter's machine on this device.
func (s *Server) setMachine(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id := r.PostFormValue("machine")
	if library.MachineByID(id) == nil {
		id = ""
	}
	http.SetCookie(w, &http.Cookie{Name: machineCookie, Value: id, Path: "/", MaxAge: 5 * 365 * 24 * 3600,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
	back := "/t/" + t.Slug + "/"
	if ret := r.PostFormValue("return"); strings.HasPrefix(ret, back) {
		back = ret
	}
	s.redirectWith(w, r, back, "Saved: downloads are now for your machine.")
}

// thumbnail serves a design's picture from storage. It reads no row: the
// key is the tenant's own, so another tenant's id is simply not found.
func (s *Server) thumbnail(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	size := library.ThumbGrid
	switch r.PathValue("size") {
	case "256.png":
	case "1024.png":
		size = library.ThumbDetail
	default:
		err = errors.New("bad size")
	}
	if err != nil {
		s.notFound(w, r)
		return
	}
	rc, info, err := s.library.Thumbnail(r.Context(), t.ID, id, size)
	if err != nil {
		w.Header().Set("Cache-Control", "no-store")
		s.notFound(w, r)
		return
	}
	defer rc.Close()
	// The tag follows the stored picture, so a redrawn one (orientation
	// fixed) is fetched again rather than answered 304 for ever.
	etag := `"` + strconv.FormatInt(id, 36) + "-" + strconv.Itoa(size) + "-" +
		strconv.FormatInt(info.ModTime.UnixNano(), 36) + "-" + strconv.FormatInt(info.Size, 36) + `"`
	h := w.Header()
	if r.Header.Get("If-None-Match") == etag {
		h.Set("Cache-Control", "private, max-age=86400")
		h.Set("ETag", etag)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "image/png")
	h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("ETag", etag)
	io.Copy(w, rc)
}

// previewSVG draws the design at its true size from its best readable file.
func (s *Server) previewSVG(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	p, ok := s.patternFromPath(w, r)
	if !ok {
		return
	}
	dl, err := s.library.Fetch(r.Context(), t.ID, p, "original")
	if err != nil {
		s.notFound(w, r)
		return
	}
	data, err := io.ReadAll(dl.Body)
	dl.Body.Close()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d, _, err := convert.Read(dl.Name, data)
	if err != nil {
		s.notFound(w, r)
		return
	}
	var buf bytes.Buffer
	if err := render.PreviewSVG(&buf, orient(d, p.Orientation)); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Write(buf.Bytes())
}

// download gives the design in a format: the original in that format when
// there is one, otherwise a conversion.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	p, ok := s.patternFromPath(w, r)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	dl, err := s.library.Fetch(r.Context(), t.ID, p, format)
	if errors.Is(err, library.ErrNoSuchFormat) {
		s.renderStatus(w, r, http.StatusNotFound, "Not available in that format",
			"This design has no file we can read, so it can only be downloaded in the formats it came in.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	defer dl.Body.Close()
	s.store.RecordEvent(r.Context(), t.ID, p.ID, currentUser(r).ID, "download", format)
	sendFile(w, dl)
}

func sendFile(w http.ResponseWriter, dl *library.Download) {
	w.Header().Set("Content-Type", dl.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": dl.Name}))
	if dl.Size > 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(dl.Size, 10))
	}
	io.Copy(w, dl.Body)
}

// downloadFile gives one stored file as it was bought.
func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	p, ok := s.patternFromPath(w, r)
	if !ok {
		return
	}
	fid, _ := strconv.ParseInt(r.PathValue("file"), 10, 64)
	f, err := s.store.File(r.Context(), t.ID, p.ID, fid)
	if err != nil {
		s.notFound(w, r)
		return
	}
	dl, err := s.library.OpenFile(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	defer dl.Body.Close()
	s.store.RecordEvent(r.Context(), t.ID, p.ID, currentUser(r).ID, "download", f.Format)
	sendFile(w, dl)
}

func (s *Server) favorite(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	p, ok := s.patternFromPath(w, r)
	if !ok {
		return
	}
	on := r.PostFormValue("favorite") == "1"
	if err := s.store.SetFavorite(r.Context(), t.ID, currentUser(r).ID, p.ID, on); err != nil {
		s.serverError(w, r, err)
		return
	}
	back := "/t/" + t.Slug + "/patterns/" + strconv.FormatInt(p.ID, 10)
	if ret := r.PostFormValue("return"); strings.HasPrefix(ret, "/t/"+t.Slug+"/") {
		back = ret
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// editDesign saves the name, designer, notes and keywords.
func (s *Server) editDesign(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	p, ok := s.patternFromPath(w, r)
	if !ok {
		return
	}
	f := formValues(r, "name", "designer", "designer_url", "notes", "keywords")
	if f["name"] == "" || len(f["name"]) > 300 {
		s.redirectWith(w, r, "/t/"+t.Slug+"/patterns/"+strconv.FormatInt(p.ID, 10), "A design needs a name of up to 300 characters.")
		return
	}
	notes := r.PostFormValue("notes")
	if _, err := s.store.UpdatePattern(r.Context(), t.ID, p.ID, store.PatternEdit{Name: ptr(f["name"]), Designer: ptr(f["designer"]),
		DesignerURL: ptr(f["designer_url"]), Notes: &notes}); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.store.SetKeywords(r.Context(), t.ID, p.ID, splitKeywords(f["keywords"])); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/t/"+t.Slug+"/patterns/"+strconv.FormatInt(p.ID, 10), "Saved.")
}

func (s *Server) deleteDesign(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	p, ok := s.patternFromPath(w, r)
	if !ok {
		return
	}
	_, act, err := s.store.DeletePatterns(r.Context(), t.ID, currentUser(r).ID, []int64{p.ID})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/t/"+t.Slug+"/?undo="+strconv.FormatInt(act, 10), "Deleted “"+p.Name+"”.")
}

func ptr[T any](v T) *T { return &v }
