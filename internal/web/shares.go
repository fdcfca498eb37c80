package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// sharesPage lists a workspace's links.
type sharesPage struct {
	Links []*store.ShareLink
	Now   time.Time
}

func (s *Server) sharesList(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	links, err := s.store.Shares(r.Context(), t.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "shares", pageData{Title: "Share links", Data: sharesPage{Links: links, Now: s.shares.Now()}})
}

// newShareForm shows the form for the designs chosen (?ids=1,2,3 or
// several ids= parameters, from the library's selection or a pattern page).
func (s *Server) newShareForm(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	ids := parseIDs(r.URL.Query()["ids"])
	var patterns []*store.Pattern
	for _, id := range ids {
		if p, err := s.store.Pattern(r.Context(), t.ID, id); err == nil {
			patterns = append(patterns, p)
		}
	}
	s.render(w, r, http.StatusOK, "share_new", pageData{Title: "Share designs with a customer", Data: patterns,
		Form: map[string]string{"days": "30"}})
}

func parseIDs(values []string) []int64 {
	var ids []int64
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil && id > 0 {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// createdPage shows a new link: the only time its URL can be shown.
type createdPage struct {
	Link *store.ShareLink
	URL  string
	QR   template.HTML
	Sent string
}

func (s *Server) createShare(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	u := currentUser(r)
	r.ParseForm()
	f := formValues(r, "name", "recipient_name", "recipient_email", "message", "days")
	days, _ := strconv.Atoi(f["days"])
	in := share.Input{PatternIDs: parseIDs(r.PostForm["ids"]), Name: f["name"], RecipientName: f["recipient_name"],
		RecipientEmail: f["recipient_email"], Message: f["message"], ExpiresInDays: days,
		AllowDownload: r.PostFormValue("allow_download") == "on", ShowDesigner: r.PostFormValue("show_designer") == "on",
		VotingMode: r.PostFormValue("voting_mode"), NotifyOwner: r.PostFormValue("notify") == "on"}
	if in.RecipientEmail != "" {
		if _, err := accounts.CheckEmail(in.RecipientEmail); err != nil {
			s.shareFormError(w, r, in.PatternIDs, f, "The customer's email address does not look right.")
			return
		}
	}
	c, err := s.shares.Create(r.Context(), t.ID, u.ID, in)
	var p share.Problem
	if errors.As(err, &p) {
		s.shareFormError(w, r, in.PatternIDs, f, strings.ToUpper(p.Error()[:1])+p.Error()[1:]+".")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showCreated(w, r, t, c, in.RecipientEmail != "" && r.PostFormValue("send") == "on")
}

func (s *Server) shareFormError(w http.ResponseWriter, r *http.Request, ids []int64, f map[string]string, msg string) {
	t := tenant.FromContext(r.Context())
	var patterns []*store.Pattern
	for _, id := range ids {
		if p, err := s.store.Pattern(r.Context(), t.ID, id); err == nil {
			patterns = append(patterns, p)
		}
	}
	s.render(w, r, http.StatusUnprocessableEntity, "share_new", pageData{Title: "Share designs with a customer", Error: msg, Data: patterns, Form: f})
}

func (s *Server) showCreated(w http.ResponseWriter, r *http.Request, t *store.Tenant, c *share.Created, send bool) {
	page := createdPage{Link: c.Link, URL: c.URL, QR: qrSVG(c.URL)}
	if send {
		err := s.accounts.Mailer.Send(r.Context(), accounts.Email{Kind: "share", To: c.Link.RecipientEmail, Name: c.Link.RecipientName,
			Workspace: t.Name, Title: c.Link.Name, Count: len(c.Link.Patterns), Note: c.Link.Message, Link: c.URL})
		if err != nil {
			s.log.Error("share email", "id", RequestID(r.Context()), "err", err)
		} else {
			page.Sent = c.Link.RecipientEmail
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "share_created", pageData{Title: "Your link is ready", Data: page})
}

// qrSVG draws a QR code of text as inline SVG, on the server.
func qrSVG(text string) template.HTML {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return ""
	}
	var b strings.Builder
	n := code.Size + 8
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="240" height="240" role="img" aria-label="QR code of the link" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, n, n)
	for y := range code.Size {
		for x := range code.Size {
			if code.Black(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+4, y+4)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()) // built from numbers only
}

// resultsPage is a link's results for its owner.
type resultsPage struct {
	Results  *share.Results
	Patterns map[int64]*store.Pattern
	Status   string
}

func (s *Server) shareResults(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	res, err := s.shares.Results(r.Context(), t.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	page := resultsPage{Results: res, Patterns: map[int64]*store.Pattern{}, Status: shareStatus(res.Link, s.shares.Now())}
	for _, pid := range res.Link.Patterns {
		if p, err := s.store.Pattern(r.Context(), t.ID, pid); err == nil {
			page.Patterns[pid] = p
		}
	}
	s.render(w, r, http.StatusOK, "share_results", pageData{Title: res.Link.Name, Data: page})
}

func shareStatus(l *store.ShareLink, now time.Time) string {
	switch {
	case l.RevokedAt != nil:
		return "revoked"
	case !now.Before(l.ExpiresAt):
		return "expired"
	}
	return "active"
}

// shareAction extends, revokes, duplicates or deletes a link.
func (s *Server) shareAction(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	l, err := s.store.Share(r.Context(), t.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	back := "/t/" + t.Slug + "/shares/" + strconv.FormatInt(id, 10)
	switch r.PathValue("action") {
	case "extend":
		days, _ := strconv.Atoi(r.PostFormValue("days"))
		if days < 1 || days > share.MaxDays {
			days = 30
		}
		from := s.shares.Now()
		if l.ExpiresAt.After(from) {
			from = l.ExpiresAt
		}
		exp := from.Add(time.Duration(days) * 24 * time.Hour)
		err = s.store.UpdateShare(r.Context(), t.ID, id, &exp, false)
		if err == nil {
			s.redirectWith(w, r, back, fmt.Sprintf("The link now lasts until %s.", exp.Format("2 January 2006")))
		}
	case "revoke":
		err = s.store.UpdateShare(r.Context(), t.ID, id, nil, true)
		if err == nil {
			s.redirectWith(w, r, back, "The link is turned off: your customer will see that it has ended.")
		}
	case "delete":
		err = s.store.DeleteShare(r.Context(), t.ID, id)
		if err == nil {
			s.redirectWith(w, r, "/t/"+t.Slug+"/shares", "Link and its votes deleted.")
		}
	case "duplicate":
		var c *share.Created
		c, err = s.shares.Create(r.Context(), t.ID, currentUser(r).ID, share.Input{PatternIDs: l.Patterns, Name: l.Name + " (copy)",
			RecipientName: l.RecipientName, RecipientEmail: l.RecipientEmail, Message: l.Message, ExpiresInDays: share.DefaultDays,
			AllowDownload: l.AllowDownload, ShowDesigner: l.ShowDesigner, VotingMode: l.VotingMode, NotifyOwner: l.NotifyOwner})
		if err == nil {
			s.showCreated(w, r, t, c, false)
		}
	default:
		s.notFound(w, r)
		return
	}
	var p share.Problem
	if errors.As(err, &p) {
		s.redirectWith(w, r, back, p.Error())
	} else if err != nil {
		s.serverError(w, r, err)
	}
}
