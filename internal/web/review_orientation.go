package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// orientation lists designs whose picture may be turned or mirrored
// wrongly, per the shape analysis, that nobody has confirmed.
func (s *Server) orientation(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	var ps []*store.Pattern
	err := s.store.ReadTenant(r.Context(), t.ID, func(tx *store.TenantTx) error {
		var err error
		ps, err = tx.OrientationCandidates(r.Context(), 60)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "orientation", pageData{Title: "Check orientation", Data: ps})
}

// fixOrientation records the quilter's answer; the library redraws the
// thumbnails from the geometry (the original file never changes).
func (s *Server) fixOrientation(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var p *store.Pattern
	if err == nil {
		p, err = s.library.FixOrientation(r.Context(), t.ID, id, r.PostFormValue("answer"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "review", "orientation"), "Saved “"+p.Name+"”.")
}
