package web

import (
	"errors"
	"fmt"
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
	// Saved confirms what a form without JavaScript just saved.
	Saved string
}

// voteChoice is one button under a design of a share link.
type voteChoice struct{ Value, Label string }

// voteChoices are the choices a guest has, in the order shown.
var voteChoices = []voteChoice{{share.Like, "♥ Like"}, {share.Favorite, "★ Favourite"}, {share.Maybe, "? Maybe"}}

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
	saved, _ := strconv.ParseInt(r.URL.Query().Get("saved"), 10, 64) // after a form vote without JavaScript
	for _, d := range view.Designs {
		sd := &sharedDesign{Number: d.Number, Pattern: d.Pattern, Vote: d.Vote.Vote, Comment: d.Vote.Comment}
		if d.Vote.Rank != nil {
			sd.Rank = *d.Vote.Rank
		}
		if saved == d.Pattern.ID {
			sd.Saved = savedWords(sentParts(r.URL.Query()["part"]), d.Vote)
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

// voteInput is a change of a vote as a form or as JSON sends it: a part
// that is absent (nil) is left as it is.
type voteInput struct {
	VoterName string  `json:"voter_name"`
	PatternID int64   `json:"pattern_id"`
	Vote      *string `json:"vote"`
	Rank      *int    `json:"rank"`
	Comment   *string `json:"comment"`
}

// formVote reads a vote change from a form: each part is there only when
// the form that was sent holds its control.
func formVote(r *http.Request) voteInput {
	in := voteInput{VoterName: r.PostFormValue("voter_name")}
	in.PatternID, _ = strconv.ParseInt(r.PostFormValue("pattern_id"), 10, 64) // not a number: no design of the link
	if v, ok := r.PostForm["vote"]; ok && len(v) > 0 {
		in.Vote = &v[0]
	}
	if v, ok := r.PostForm["rank"]; ok && len(v) > 0 {
		rank, _ := strconv.Atoi(v[0]) // not a number: no rank
		in.Rank = &rank
	}
	if v, ok := r.PostForm["comment"]; ok && len(v) > 0 {
		in.Comment = &v[0]
	}
	return in
}

// sentParts is a vote change that sent the named parts (the values do not
// matter to savedWords).
func sentParts(parts []string) voteInput {
	var in voteInput
	var none string
	var zero int
	for _, p := range parts {
		switch p {
		case "vote":
			in.Vote = &none
		case "rank":
			in.Rank = &zero
		case "comment":
			in.Comment = &none
		}
	}
	return in
}

// savedWords confirms what a vote change saved, for the guest.
func savedWords(in voteInput, now store.Vote) string {
	var said []string
	if in.Vote != nil {
		switch now.Vote {
		case share.Like:
			said = append(said, "You like this design.")
		case share.Favorite:
			said = append(said, "This is one of your favourites.")
		case share.Maybe:
			said = append(said, "Marked as maybe.")
		default:
			said = append(said, "Choice taken back.")
		}
	}
	if in.Rank != nil {
		if now.Rank != nil {
			said = append(said, fmt.Sprintf("Rank %d saved.", *now.Rank))
		} else {
			said = append(said, "Rank taken away.")
		}
	}
	if in.Comment != nil {
		if now.Comment != "" {
			said = append(said, "Comment saved.")
		} else {
			said = append(said, "Comment removed.")
		}
	}
	return strings.Join(said, " ")
}

// shareVote saves one part of a guest's vote (her choice, her rank or her
// comment), sent by a form (no JavaScript) or as JSON; the other parts
// keep what is stored.
func (s *Server) shareVote(w http.ResponseWriter, r *http.Request) {
	o, ok := s.openShare(w, r)
	if !ok {
		return
	}
	isJSON := strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
	var in voteInput
	var err error
	if isJSON {
		err = httpx.DecodeJSON(r, 16<<10, &in, `Send a JSON object such as {"voter_name": "Jane", "pattern_id": 12, "vote": "like"}.`)
	} else if err = r.ParseForm(); err == nil {
		in = formVote(r)
	} else {
		err = errBadForm.Wrap(err)
	}
	if in.VoterName == "" {
		in.VoterName = guestName(r)
	}
	var now store.Vote
	if err == nil {
		now, err = s.shares.Vote(r.Context(), o, share.VoteInput{VoterID: s.guest(w, r), VoterName: in.VoterName, PatternID: in.PatternID,
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
		if p != nil {
			httpx.SetRetryAfter(w, p.RetryAfter)
			writeJSON(w, p.Status, map[string]any{"ok": false, "message": p.Message, "pattern_id": in.PatternID})
			return
		}
		rank := 0
		if now.Rank != nil {
			rank = *now.Rank
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "message": savedWords(in, now), "pattern_id": in.PatternID,
			"vote": now.Vote, "rank": rank, "comment": now.Comment})
		return
	}
	back := "/s/" + r.PathValue("token")
	if err != nil {
		s.failBack(w, r, err, back+"#designs")
		return
	}
	// The card of the design says what was saved: the page reads which
	// parts from ?saved and &part, and the words from the stored vote.
	q := url.Values{"saved": {strconv.FormatInt(in.PatternID, 10)}}
	for part, sent := range map[string]bool{"vote": in.Vote != nil, "rank": in.Rank != nil, "comment": in.Comment != nil} {
		if sent {
			q.Add("part", part)
		}
	}
	http.Redirect(w, r, back+"?"+q.Encode()+"#design-"+strconv.FormatInt(in.PatternID, 10), http.StatusSeeOther)
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
