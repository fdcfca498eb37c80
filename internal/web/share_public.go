package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
)

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
	case errors.Is(err, share.ErrLimited):
		s.renderStatus(w, r, http.StatusTooManyRequests, "Please wait a moment", "Too many requests from your connection. Try again in a minute.")
	case errors.Is(err, share.ErrExpired):
		s.render(w, r, http.StatusGone, "share_gone", pageData{Title: "This link has ended", Data: sharePage{Gone: true},
			Message: o.Tenant.Name, Public: o.Tenant.Name})
	case errors.Is(err, share.ErrNotFound):
		s.render(w, r, http.StatusNotFound, "share_gone", pageData{Title: "Link not found", Data: sharePage{}, Public: "PatternVault"})
	default:
		s.serverError(w, r, err)
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
	voter := s.guest(w, r)
	s.store.CountShareView(r.Context(), o.Link.ID)
	page, err := s.sharePageData(r, o, voter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "share", pageData{Title: o.Link.Name, Data: page, Message: o.Tenant.Name, Public: o.Tenant.Name})
}

func (s *Server) sharePageData(r *http.Request, o *share.Opened, voter string) (*sharePage, error) {
	page := &sharePage{Link: o.Link, Token: r.PathValue("token"), GuestName: guestName(r)}
	votes, err := s.store.Votes(r.Context(), o.Link.ID, voter)
	if err != nil {
		return nil, err
	}
	mine := map[int64]store.Vote{}
	for _, v := range votes {
		mine[v.PatternID] = v
		if page.GuestName == "" {
			page.GuestName = v.VoterName
		}
	}
	patterns, err := s.store.PatternsByIDs(r.Context(), o.Tenant.ID, o.Link.Patterns)
	if err != nil {
		return nil, err
	}
	for i, id := range o.Link.Patterns {
		p, ok := patterns[id]
		if !ok {
			continue // deleted since the link was made
		}
		d := &sharedDesign{Number: i + 1, Pattern: p}
		if v, ok := mine[id]; ok {
			d.Vote, d.Comment = v.Vote, v.Comment
			if v.Rank != nil {
				d.Rank = *v.Rank
			}
		}
		page.Designs = append(page.Designs, d)
	}
	page.HasLogo = o.Tenant.HasLogo
	return page, nil
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

// shareVote takes a vote as a form (no JavaScript) or as JSON.
func (s *Server) shareVote(w http.ResponseWriter, r *http.Request) {
	o, ok := s.openShare(w, r)
	if !ok {
		return
	}
	isJSON := strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
	var in struct {
		VoterName string `json:"voter_name"`
		PatternID int64  `json:"pattern_id"`
		Vote      string `json:"vote"`
		Rank      int    `json:"rank"`
		Comment   string `json:"comment"`
	}
	if isJSON {
		if err := json.NewDecoder(io.LimitReader(r.Body, 16<<10)).Decode(&in); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "send a JSON object"})
			return
		}
	} else {
		in.VoterName = r.PostFormValue("voter_name")
		in.PatternID, _ = strconv.ParseInt(r.PostFormValue("pattern_id"), 10, 64)
		in.Vote = r.PostFormValue("vote")
		in.Rank, _ = strconv.Atoi(r.PostFormValue("rank"))
		in.Comment = r.PostFormValue("comment")
	}
	if in.VoterName == "" {
		in.VoterName = guestName(r)
	}
	voter := s.guest(w, r)
	err := s.shares.Vote(r.Context(), o, share.VoteInput{VoterID: voter, VoterName: in.VoterName, PatternID: in.PatternID,
		Vote: in.Vote, Rank: in.Rank, Comment: in.Comment}, clientIP(r))
	var p share.Problem
	status, msg := http.StatusOK, "Saved."
	switch {
	case err == nil:
		s.setGuestName(w, strings.Join(strings.Fields(in.VoterName), " "))
	case errors.As(err, &p):
		status, msg = http.StatusUnprocessableEntity, p.Error()
	case errors.Is(err, share.ErrNotFound):
		status, msg = http.StatusNotFound, "That design is not part of this link."
	case errors.Is(err, share.ErrLimited):
		status, msg = http.StatusTooManyRequests, "Too many votes at once: please wait a moment."
	default:
		s.serverError(w, r, err)
		return
	}
	if isJSON {
		writeJSON(w, status, map[string]any{"ok": err == nil, "message": msg, "pattern_id": in.PatternID, "vote": in.Vote})
		return
	}
	if err != nil {
		s.redirectWith(w, r, "/s/"+r.PathValue("token")+"#designs", msg)
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
	voter := s.guest(w, r)
	votes, err := s.store.Votes(r.Context(), o.Link.ID, voter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(votes) > 0 && o.Link.NotifyOwner && o.Link.CreatedBy != nil {
		if owner, err := s.store.UserByID(r.Context(), *o.Link.CreatedBy); err == nil {
			liked := 0
			for _, v := range votes {
				if v.Vote != share.Maybe {
					liked++
				}
			}
			s.accounts.Mailer.Send(r.Context(), accounts.Email{Kind: "vote_notification", To: owner.Email, Name: owner.DisplayName,
				Guest: votes[0].VoterName, Title: o.Link.Name, Count: liked,
				Link: s.cfg.BaseURL + "/t/" + o.Tenant.Slug + "/shares/" + strconv.FormatInt(o.Link.ID, 10)})
		}
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
	id, _ := strconv.ParseInt(strings.TrimSuffix(r.PathValue("id"), ".png"), 10, 64)
	size := library.ThumbDetail
	if r.URL.Query().Get("size") == "256" {
		size = library.ThumbGrid
	}
	if !o.Holds(id) {
		s.notFound(w, r)
		return
	}
	rc, info, err := s.library.Thumbnail(r.Context(), o.Tenant.ID, id, size)
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.FormatInt(info.Size, 10))
	w.Header().Set("Cache-Control", "private, max-age=3600")
	io.Copy(w, rc)
}

// shareLogo serves the quilter's logo under the link's own URL space.
func (s *Server) shareLogo(w http.ResponseWriter, r *http.Request) {
	o, ok := s.openShare(w, r)
	if !ok {
		return
	}
	b, ctype, err := s.store.TenantLogo(r.Context(), o.Tenant.ID)
	if err != nil {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Write(b)
}

// shareDownload gives a design of the link when the quilter allowed it.
func (s *Server) shareDownload(w http.ResponseWriter, r *http.Request) {
	o, ok := s.openShare(w, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if !o.Link.AllowDownload || !o.Holds(id) {
		s.notFound(w, r)
		return
	}
	p, err := s.store.Pattern(r.Context(), o.Tenant.ID, id)
	if err != nil {
		s.notFound(w, r)
		return
	}
	dl, err := s.library.Fetch(r.Context(), o.Tenant.ID, p, r.URL.Query().Get("format"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer dl.Body.Close()
	w.Header().Set("Content-Type", dl.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": dl.Name}))
	io.Copy(w, dl.Body)
}
