package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// portfolioPage is the finished quilts, the upload form and the gallery
// switch.
type portfolioPage struct {
	Photos    []*store.Photo
	Settings  *store.BusinessSettings
	Customers []*store.Customer
	Designs   map[int64]*store.Pattern
}

func (s *Server) portfolio(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	var data portfolioPage
	var err error
	if data.Photos, err = s.business.Photos(r.Context(), t.ID, store.PhotoQuery{Kind: business.PhotoFinished}); err == nil {
		_, data.Settings, err = s.business.PriceList(r.Context(), t.ID)
	}
	if err == nil {
		data.Customers, err = s.business.Customers(r.Context(), t.ID, store.CustomerQuery{})
	}
	if err == nil {
		var ids []int64
		for _, p := range data.Photos {
			ids = append(ids, p.PatternIDs...)
		}
		data.Designs, err = s.store.PatternsByIDs(r.Context(), t.ID, ids)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "portfolio", pageData{Title: "Portfolio", Data: data})
}

// addPortfolioPhoto takes a finished quilt's photo.
func (s *Server) addPortfolioPhoto(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	back := tenant.Path(t.Slug, "portfolio")
	r.Body = http.MaxBytesReader(w, r.Body, business.MaxPhotoBytes+64<<10)
	file, _, err := r.FormFile("photo")
	if err != nil {
		s.failBack(w, r, errBadForm.Reword("Choose a photo first.").Wrap(err), back)
		return
	}
	defer file.Close()
	in := business.PhotoInput{Kind: business.PhotoFinished, Caption: r.PostFormValue("caption"), Public: r.PostFormValue("public") == "on",
		PatternIDs: parseIDs(r.PostForm["ids"]), Data: file}
	in.CustomerID, _ = strconv.ParseInt(r.PostFormValue("customer"), 10, 64)
	_, err = s.business.AddPhoto(r.Context(), t.ID, in)
	s.jobDone(w, r, err, back, "Photo added to your portfolio.")
}

func (s *Server) updatePhoto(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	back := s.back(r, tenant.Path(t.Slug, "portfolio"))
	if err == nil {
		err = r.ParseForm()
	}
	in := business.PhotoEdit{Caption: r.PostFormValue("caption"), Public: r.PostFormValue("public") == "on", PatternIDs: parseIDs(r.PostForm["ids"])}
	in.CustomerID, _ = strconv.ParseInt(r.PostFormValue("customer"), 10, 64)
	if err == nil {
		err = s.business.UpdatePhoto(r.Context(), t.ID, id, in)
	}
	s.jobDone(w, r, err, back, "Photo saved.")
}

func (s *Server) deletePhoto(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.business.DeletePhoto(r.Context(), t.ID, id)
	}
	s.jobDone(w, r, err, s.back(r, tenant.Path(t.Slug, "portfolio")), "Photo removed.")
}

// photo serves a photo to a member (size: 480, 1600 or original).
func (s *Server) photo(w http.ResponseWriter, r *http.Request) { s.servePhoto(w, r, false) }

// galleryPhoto serves a photo of the public gallery.
func (s *Server) galleryPhoto(w http.ResponseWriter, r *http.Request) { s.servePhoto(w, r, true) }

func (s *Server) servePhoto(w http.ResponseWriter, r *http.Request, public bool) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	size := r.PathValue("size")
	if public && size == "original" {
		size = "" // the gallery shows the resized copies only
	}
	if err != nil {
		s.notFound(w, r)
		return
	}
	rc, info, err := s.business.PhotoFile(r.Context(), t.ID, id, size, public)
	if err != nil && public {
		s.publicFail(w, r, err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	ct := info.ContentType
	if ct == "" {
		ct = "image/jpeg"
	}
	httpx.ServeImage(w, r, rc, ct, info.Size, httpx.ImageTag("photo-"+size+"-"+strconv.FormatInt(id, 10), info.ModTime, info.Size), 24*time.Hour)
}

// The customer's side: no account; each page reaches one job by its
// token, or the gallery the quilter opened.

// publicJobPage is a customer's quote or status page.
type publicJobPage struct {
	P      *business.PublicJob
	Token  string
	Status bool
}

func (s *Server) publicQuote(w http.ResponseWriter, r *http.Request) { s.publicJob(w, r, false) }

func (s *Server) publicStatus(w http.ResponseWriter, r *http.Request) { s.publicJob(w, r, true) }

func (s *Server) publicJob(w http.ResponseWriter, r *http.Request, status bool) {
	t := tenant.FromContext(r.Context())
	token := r.PathValue("token")
	p, err := s.business.OpenJobLink(r.Context(), t, token, status)
	if err != nil {
		s.publicFail(w, r, err)
		return
	}
	s.renderPublicJob(w, r, p, token, status)
}

func (s *Server) renderPublicJob(w http.ResponseWriter, r *http.Request, p *business.PublicJob, token string, status bool) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	title := "Your quote from " + p.Business
	if status || p.Job.Status != business.StatusQuote {
		title = "Your quilt at " + p.Business
	}
	s.render(w, r, http.StatusOK, "public_job", pageData{Title: title, Public: p.Business, Data: publicJobPage{P: p, Token: token, Status: status}})
}

// publicFail shows a customer's problem without the workspace's menus;
// a wrong token or a closed gallery gets the 404 of a workspace that
// does not exist (publicTenant).
func (s *Server) publicFail(w http.ResponseWriter, r *http.Request, err error) {
	p := httpx.Problem(err)
	if p == nil {
		s.serverError(w, r, err)
		return
	}
	if p.Status == http.StatusNotFound { // not a word of the workspace
		s.notFound(w, r.WithContext(tenant.NewContext(r.Context(), nil)))
		return
	}
	t := tenant.FromContext(r.Context())
	s.render(w, r, p.Status, "status", pageData{Title: problemTitle(p), Message: p.Message, Public: t.Name})
}

func (s *Server) acceptQuote(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	token := r.PathValue("token")
	p, err := s.business.AcceptQuote(r.Context(), t, token, r.PostFormValue("name"))
	if err != nil {
		if pr := httpx.Problem(err); pr != nil && pr.Status == http.StatusUnprocessableEntity {
			if open, oerr := s.business.OpenJobLink(r.Context(), t, token, false); oerr == nil {
				w.Header().Set("Cache-Control", "no-store")
				s.render(w, r, pr.Status, "public_job", pageData{Title: "Your quote from " + open.Business, Public: open.Business, Error: pr.Message,
					Data: publicJobPage{P: open, Token: token}})
				return
			}
		}
		s.publicFail(w, r, err)
		return
	}
	s.renderPublicJob(w, r, p, token, false)
}

func (s *Server) gallery(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	g, err := s.business.Gallery(r.Context(), t)
	if err != nil {
		s.publicFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "gallery", pageData{Title: g.Business + "'s quilts", Public: g.Business, Data: g})
}
