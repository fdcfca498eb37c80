package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/patternvault/patternvault/internal/convert"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/render"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// orientationCandidates lists designs whose picture may be turned or
// mirrored wrongly, per the shape analysis, that nobody has confirmed.
func (s *Server) orientation(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	ps, err := s.store.OrientationCandidates(r.Context(), t.ID, 60)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "orientation", pageData{Title: "Check orientation", Data: ps})
}

// fixOrientation records the quilter's answer and redraws the thumbnails
// from the geometry; the original file never changes.
func (s *Server) fixOrientation(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	p, ok := s.patternFromPath(w, r)
	if !ok {
		return
	}
	answer := r.PostFormValue("answer")
	switch answer {
	case "ok", "rot90", "rot180", "rot270", "mirror":
	default:
		s.notFound(w, r)
		return
	}
	if _, err := s.store.UpdatePattern(r.Context(), t.ID, p.ID, store.PatternEdit{Orientation: &answer}); err != nil {
		s.serverError(w, r, err)
		return
	}
	// "ok" redraws too: it undoes an earlier turn the quilter took back.
	if err := s.redrawThumbnails(r, t, p, answer); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWith(w, r, "/t/"+t.Slug+"/review/orientation", "Saved “"+p.Name+"”.")
}

func (s *Server) redrawThumbnails(r *http.Request, t *store.Tenant, p *store.Pattern, answer string) error {
	dl, err := s.library.Fetch(r.Context(), t.ID, p, "original")
	if err != nil {
		return nil // nothing to draw from: keep the picture
	}
	var buf bytes.Buffer
	buf.ReadFrom(dl.Body)
	dl.Body.Close()
	d, _, err := convert.Read(dl.Name, buf.Bytes())
	if err != nil {
		return nil
	}
	d = orient(d, answer)
	for _, size := range []int{library.ThumbGrid, library.ThumbDetail} {
		var png bytes.Buffer
		if err := render.EncodePNG(&png, render.Thumbnail(d, size, render.Options{})); err != nil {
			return err
		}
		if err := s.library.Blobs.Put(r.Context(), library.ThumbKey(t.ID, p.ID, size), &png, int64(png.Len()), "image/png"); err != nil {
			return err
		}
	}
	return nil
}

// orient turns or mirrors a design's geometry as the quilter's orientation
// answer says ("rot90" is a quarter turn counter-clockwise, as the shape
// analysis suggests it); "ok" and "" leave it as it is.
func orient(d *geom.Design, answer string) *geom.Design {
	switch answer {
	case "rot90":
		return d.Rotate(90)
	case "rot180":
		return d.Rotate(180)
	case "rot270":
		return d.Rotate(270)
	case "mirror":
		return d.MirrorX()
	}
	return d
}

// doublesPage lists designs that look like the same design.
type doublesPage struct {
	Pairs []*store.DuplicatePair
	Total int
	Next  string
	// Undo is the activity a "keep one" just made, for its Undo button.
	Undo int64
}

func (s *Server) duplicates(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	var after *store.DuplicatePair
	if c := r.URL.Query().Get("after"); c != "" {
		if a := decodePairCursor(c); a != nil {
			after = a
		}
	}
	pairs, total, err := s.store.DuplicatePairs(r.Context(), t.ID, after, 30)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	page := doublesPage{Pairs: pairs, Total: total}
	page.Undo, _ = strconv.ParseInt(r.URL.Query().Get("undo"), 10, 64)
	if len(pairs) == 30 {
		last := pairs[29]
		page.Next = strconv.FormatInt(last.CreatedAt.UnixNano(), 36) + "." + strconv.FormatInt(last.A.ID, 36) + "." + strconv.FormatInt(last.B.ID, 36)
	}
	s.render(w, r, http.StatusOK, "doubles", pageData{Title: "Possible duplicates", Data: page})
}

func decodePairCursor(c string) *store.DuplicatePair {
	var parts [3]int64
	i := 0
	for _, f := range bytes.Split([]byte(c), []byte(".")) {
		if i == 3 {
			return nil
		}
		n, err := strconv.ParseInt(string(f), 36, 64)
		if err != nil {
			return nil
		}
		parts[i] = n
		i++
	}
	if i != 3 {
		return nil
	}
	return &store.DuplicatePair{CreatedAt: time.Unix(0, parts[0]), A: &store.Pattern{ID: parts[1]}, B: &store.Pattern{ID: parts[2]}}
}

func (s *Server) decideDuplicate(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	a, _ := strconv.ParseInt(r.PostFormValue("a"), 10, 64)
	b, _ := strconv.ParseInt(r.PostFormValue("b"), 10, 64)
	decision := r.PostFormValue("decision")
	if decision != store.KeepBoth && decision != store.KeptA && decision != store.KeptB {
		s.notFound(w, r)
		return
	}
	act, err := s.store.DecideDuplicate(r.Context(), t.ID, currentUser(r).ID, a, b, decision)
	if errors.Is(err, store.ErrNotFound) {
		s.redirectWith(w, r, "/t/"+t.Slug+"/review/duplicates", "That pair was already decided.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	msg := "Kept both."
	target := "/t/" + t.Slug + "/review/duplicates"
	if act != 0 {
		msg = "Kept one; the other is in the bin."
		target += "?undo=" + strconv.FormatInt(act, 10)
	}
	s.redirectWith(w, r, target, msg)
}
