package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
)

// Share links, the customer's side: no account, and a link reaches only
// its own designs.

// guestNameCookie remembers a guest's name on her device for every link.
const guestNameCookie = "pv_guest_name"

// sharePage is what the public page of a link shows.
type sharePage struct {
	Link      *store.ShareLink
	Token     string
	Designs   []*sharedDesign
	GuestName string
	HasLogo   bool
	Gone      bool
}

// sharedDesign is one design as a guest sees it, with her own vote.
type sharedDesign struct {
	Number  int
	Pattern *store.Pattern
	Vote    string
	Rank    int
	Comment string
}

// openShare resolves {token}; on failure it has already answered with the
// friendly 404 or 410 page (both look the same, apart from the words).
func (s *Server) openShare(w http.ResponseWriter, r *http.Request) (*share.Opened, bool) {
	o, err := s.shares.Open(r.Context(), r.PathValue("token"), clientIP(r))
	switch {
	case err == nil:
		return o, true
	case errors.Is(err, share.ErrExpired):
		s.render(w, r, http.StatusGone, "share_gone", pageData{Title: "This link has ended", Data: sharePage{Gone: true},
			Message: o.Tenant.Name, Public: o.Tenant.Name})
	case errors.Is(err, share.ErrNotFound):
		s.render(w, r, http.StatusNotFound, "share_gone", pageData{Title: "Link not found", Data: sharePage{}, Public: "PatternVault"})
	default:
		s.fail(w, r, err)
	}
	return nil, false
}

// guest returns the voter id of this browser, making one if needed.
func (s *Server) guest(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(share.VoterCookieName); err == nil && len(c.Value) == 32 {
		return c.Value
	}
	id := share.NewVoterID()
	http.SetCookie(w, &http.Cookie{Name: share.VoterCookieName, Value: id, Path: "/s/", MaxAge: 400 * 24 * 3600,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
	return id
}

// guestName is the name this browser's guest typed, if any.
func guestName(r *http.Request) string {
	if c, err := r.Cookie(guestNameCookie); err == nil {
		if v, err := url.QueryUnescape(c.Value); err == nil {
			return v
		}
	}
	return ""
}

func (s *Server) sharePublic(w http.ResponseWriter, r *http.Request) {
	o, ok := s.openShare(w, r)
	if !ok {
		return
	}
	view, err := s.shares.View(r.Context(), o, s.guest(w, r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := &sharePage{Link: o.Link, Token: r.PathValue("token"), GuestName: guestName(r), HasLogo: o.Tenant.HasLogo}
	if page.GuestName == "" {
		page.GuestName = view.Name
	}
	for _, d := range view.Designs {
		sd := &sharedDesign{Number: d.Number, Pattern: d.Pattern, Vote: d.Vote.Vote, Comment: d.Vote.Comment}
		if d.Vote.Rank != nil {
			sd.Rank = *d.Vote.Rank
		}
		page.Designs = append(page.Designs, sd)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "share", pageData{Title: o.Link.Name, Data: page, Message: o.Tenant.Name, Public: o.Tenant.Name})
}

// shareName remembers the guest's name (a form for browsers without JS).
func (s *Server) shareName(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.openShare(w, r); !ok {
		return
	}
	name := strings.Join(strings.Fields(r.PostFormValue("voter_name")), " ")
	if name == "" || len([]rune(name)) > share.MaxVoterName {
		s.redirectWith(w, r, "/s/"+r.PathValue("token"), "Please type your name (up to 60 letters).")
		return
	}
	s.setGuestName(w, name)
	s.guest(w, r)
	http.Redirect(w, r, "/s/"+r.PathValue("token")+"#designs", http.StatusSeeOther)
}

func (s *Server) setGuestName(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: guestNameCookie, Value: url.QueryEscape(name), Path: "/s/", MaxAge: 400 * 24 * 3600,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
}

// voteInput is a vote as a form or as JSON sends it.
type voteInput struct {
	VoterName string `json:"voter_name"`
	PatternID int64  `json:"pattern_id"`
	Vote      string `json:"vote"`
	Rank      int    `json:"rank"`
	Comment   string `json:"comment"`
}

// shareVote takes a vote as a form (no JavaScript) or as JSON.
func (s *Server) shareVote(w http.ResponseWriter, r *http.Request) {
	o, ok := s.openShare(w, r)
	if !ok {
		return
	}
	isJSON := strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
	var in voteInput
	var err error
	if isJSON {
		err = httpx.DecodeJSON(r, 16<<10, &in, "Send a JSON object.")
	} else {
		in.VoterName = r.PostFormValue("voter_name")
		in.PatternID, _ = strconv.ParseInt(r.PostFormValue("pattern_id"), 10, 64) // not a number: no design of the link
		in.Vote = r.PostFormValue("vote")
		in.Rank, _ = strconv.Atoi(r.PostFormValue("rank")) // not a number: no rank
		in.Comment = r.PostFormValue("comment")
	}
	if in.VoterName == "" {
		in.VoterName = guestName(r)
	}
	if err == nil {
		err = s.shares.Vote(r.Context(), o, share.VoteInput{VoterID: s.guest(w, r), VoterName: in.VoterName, PatternID: in.PatternID,
			Vote: in.Vote, Rank: in.Rank, Comment: in.Comment}, clientIP(r))
	}
	if err == nil {
		s.setGuestName(w, strings.Join(strings.Fields(in.VoterName), " "))
	}
	p := httpx.Problem(err)
	if err != nil && p == nil {
		s.serverError(w, r, err)
		return
	}
	if isJSON {
		status, msg := http.StatusOK, "Saved."
		if p != nil {
			status, msg = p.Status, p.Message
			httpx.SetRetryAfter(w, p.RetryAfter)
		}
		writeJSON(w, status, map[string]any{"ok": err == nil, "message": msg, "pattern_id": in.PatternID, "vote": in.Vote})
		return
	}
	if err != nil {
		s.failBack(w, r, err, "/s/"+r.PathValue("token")+"#designs")
		return
	}
	http.Redirect(w, r, "/s/"+r.PathValue("token")+"#design-"+strconv.FormatInt(in.PatternID, 10), http.StatusSeeOther)
}

// shareDone tells the quilter the guest has finished (unless she opted out).
func (s *Server) shareDone(w http.ResponseWriter, r *http.Request) {
	o, ok := s.openShare(w, r)
	if !ok {
		return
	}
	if err := s.shares.Finish(r.Context(), o, s.guest(w, r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "status", pageData{Title: "Thank you!", Public: o.Tenant.Name,
		Message: o.Tenant.Name + " can see your choices now. You can come back and change them until the link ends."})
}

// shareThumb serves the thumbnail of a design of the link, and nothing else.
func (s *Server) shareThumb(w http.ResponseWriter, r *http.Request) {
	o, ok := s.openShare(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(strings.TrimSuffix(r.PathValue("id"), ".png"), 10, 64)
	if err != nil || !o.Holds(id) {
		s.fail(w, r, share.ErrNotInLink)
		return
	}
	size := library.ThumbDetail
	if r.URL.Query().Get("size") == "256" {
		size = library.ThumbGrid
	}
	s.serveThumbnail(w, r, o.Tenant.ID, id, size, time.Hour)
}

// shareLogo serves the quilter's logo under the link's own URL space.
func (s *Server) shareLogo(w http.ResponseWriter, r *http.Request) {
	if o, ok := s.openShare(w, r); ok {
		s.serveLogo(w, r, o.Tenant.ID, 3600)
	}
}

// errNoDownload refuses a download the quilter did not allow.
var errNoDownload = problem.NotFound("no_download", "The quilter did not allow downloads from this link.")

// shareDownload gives a design of the link when the quilter allowed it.
func (s *Server) shareDownload(w http.ResponseWriter, r *http.Request) {
	o, ok := s.openShare(w, r)
	if !ok {
		return
	}
	if !o.Link.AllowDownload {
		s.fail(w, r, errNoDownload)
		return
	}
	id, err := httpx.PathID(r, "id")
	var p *store.Pattern
	if err == nil {
		p, err = s.shares.Pattern(r.Context(), o, id)
	}
	var dl *library.Download
	if err == nil {
		dl, err = s.library.Fetch(r.Context(), o.Tenant.ID, p, r.URL.Query().Get("format"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer dl.Body.Close()
	httpx.Attachment(w, dl.Name, dl.ContentType, dl.Size, dl.Body)
}
