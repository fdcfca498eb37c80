package web

import (
	"net/http"
	"strconv"

	"github.com/patternvault/patternvault/internal/designtype"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/search"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// designPage is the page of one design.
type designPage struct {
	Pattern *store.Pattern
	Files   []*store.PatternFile
	// Machine is the workspace's machine (nil until one is chosen).
	Machine  *library.Machine
	Machines []library.Machine
	// ForMachine is what "Download for my machine" gives (nil when the
	// design cannot be had for it).
	ForMachine *library.FormatChoice
	Readable   bool
	// Choices are every format the design can be downloaded in.
	Choices []library.FormatChoice
	CanEdit bool
	// Types are the design types the quilter can choose from.
	Types []string
	// Pictures are the design's pictures a browser can show.
	Pictures []*store.PatternFile
	// Similar are the designs that look most like this one.
	Similar []*store.Pattern
	// Quilts are the photos of finished quilts made with it (customers'
	// names only for those who may see the business).
	Quilts []*store.Photo
	// Offline is what "Keep on this device" keeps (JSON for offline.js).
	Offline string
	// Purchases say which store sold the design, when, and its licence.
	Purchases []*store.Purchase
}

func (s *Server) designPage(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	u := currentUser(r)
	id, err := httpx.PathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var similar []int64
	if s.search != nil {
		// Only a suggestion: without it the page is still whole.
		if hits, err := s.search.Similar(r.Context(), t.ID, id, 6); err != nil {
			s.log.Warn("web: similar designs", "id", RequestID(r.Context()), "pattern", id, "err", err)
		} else {
			similar = search.IDs(hits)
		}
	}
	data := designPage{Machines: library.Machines, Machine: library.MachineOf(t), Types: designtype.Codes,
		CanEdit: store.RoleAtLeast(roleFrom(r.Context()), store.RoleEditor)}
	err = s.store.Tenant(r.Context(), t.ID, func(tx *store.TenantTx) error {
		var err error
		if data.Pattern, err = tx.Pattern(r.Context(), id, u.ID); err != nil {
			return err
		}
		if data.Files, err = tx.Files(r.Context(), id); err != nil {
			return err
		}
		if data.Purchases, err = tx.Purchases(r.Context(), id); err != nil {
			return err
		}
		// offline.js fetching the page to keep it on a device is not a view.
		if r.Header.Get("X-PV-Keep") == "" {
			if err := tx.RecordEvent(r.Context(), id, u.ID, store.EventView, ""); err != nil {
				return err
			}
		}
		if data.Quilts, err = tx.Photos(r.Context(), store.PhotoQuery{PatternID: id, Kind: "finished", Limit: 24}); err != nil {
			return err
		}
		byID, err := tx.PatternsByIDs(r.Context(), similar)
		for _, sid := range similar {
			if p := byID[sid]; p != nil {
				data.Similar = append(data.Similar, p)
			}
		}
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Opened from search results: the search log learns which design the
	// search led to (only a note, so a failure does not stop the page).
	if from := r.URL.Query().Get("from"); from != "" && len(from) <= 200 {
		if err := s.store.RecordSearchClick(r.Context(), t.ID, u.ID, from, id); err != nil {
			s.log.Warn("web: search click", "id", RequestID(r.Context()), "err", err)
		}
	}
	for _, f := range data.Files {
		if f.Role == store.RoleDesign && f.Readable {
			data.Readable = true
		}
	}
	for _, f := range data.Files {
		if library.ShowablePicture(f) {
			data.Pictures = append(data.Pictures, f)
		}
	}
	if data.Choices, err = s.library.Choices(r.Context(), data.Pattern, data.Files); err != nil {
		s.fail(w, r, err)
		return
	}
	if data.Machine != nil {
		if format, _, ok := library.ForMachine(data.Machine, data.Pattern.Formats, data.Readable); ok {
			for i := range data.Choices {
				if data.Choices[i].Format == format {
					data.ForMachine = &data.Choices[i]
				}
			}
		}
	}
	data.Offline = offlineData(t.Slug, &data)
	s.render(w, r, http.StatusOK, "design", pageData{Title: data.Pattern.Name, Data: data})
}

// setMachine chooses the workspace's machine: what "Download for my
// machine" and the library's ZIP give.
func (s *Server) setMachine(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	if err := s.library.SetMachine(r.Context(), t.ID, r.PostFormValue("machine")); err != nil {
		s.failBack(w, r, err, s.back(r, tenant.Path(t.Slug)))
		return
	}
	msg := "Saved: downloads are now for your machine."
	if m := library.MachineByID(r.PostFormValue("machine")); m != nil {
		msg = "Saved: downloads are now for your " + m.Name + "."
	}
	s.redirectWith(w, r, s.back(r, tenant.Path(t.Slug)), msg)
}

func (s *Server) favorite(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.library.SetFavorite(r.Context(), t.ID, currentUser(r).ID, id, r.PostFormValue("favorite") == "1")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, s.back(r, tenant.Path(t.Slug, "patterns", id)), http.StatusSeeOther)
}

// editDesign saves the name, designer, notes and keywords.
func (s *Server) editDesign(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := formValues(r, "name", "designer", "designer_url", "keywords", "type")
	notes := r.PostFormValue("notes")
	keywords := library.SplitKeywords(f["keywords"])
	e := library.Edit{Name: ptr(f["name"]), Designer: ptr(f["designer"]), DesignerURL: ptr(f["designer_url"]), Notes: &notes, Keywords: &keywords}
	if _, sent := r.PostForm["type"]; sent {
		e.Type = ptr(f["type"])
	}
	_, err = s.library.EditPattern(r.Context(), t.ID, id, e)
	back := tenant.Path(t.Slug, "patterns", id)
	if p := httpx.Problem(err); err != nil && (p == nil || p.Status == http.StatusNotFound) {
		s.fail(w, r, err)
		return
	}
	if err != nil {
		s.failBack(w, r, err, back)
		return
	}
	s.redirectWith(w, r, back, "Saved.")
}

// deleteDesign deletes one design, after asking (the same page as the
// library's Delete).
func (s *Server) deleteDesign(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		s.confirmDelete(w, r, []int64{id}, tenant.Path(t.Slug, "patterns", id))
		return
	}
	var p *store.Pattern
	p, err = s.library.Pattern(r.Context(), t.ID, id, 0)
	var act int64
	if err == nil {
		_, act, err = s.library.Delete(r.Context(), t.ID, currentUser(r).ID, []int64{id})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug)+"?undo="+strconv.FormatInt(act, 10), "Deleted “"+p.Name+"”.")
}

func ptr[T any](v T) *T { return &v }
