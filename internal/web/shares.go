package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// Share links, the quilter's side: the list, the new-link form, a link's
// results, and what can be done to a link.

// sharesPage lists a workspace's links.
type sharesPage struct {
	Links []*store.ShareLink
	Now   time.Time
}

func (s *Server) sharesList(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	var links []*store.ShareLink
	err := s.store.ReadTenant(r.Context(), t.ID, func(tx *store.TenantTx) error {
		var err error
		links, err = tx.Shares(r.Context())
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "shares", pageData{Title: "Share links", Data: sharesPage{Links: links, Now: s.shares.Now()}})
}

// newShareForm shows the form for the designs chosen (?ids=1,2,3 or
// several ids= parameters, from the library's selection or a pattern page).
func (s *Server) newShareForm(w http.ResponseWriter, r *http.Request) {
	s.renderShareForm(w, r, parseIDs(r.URL.Query()["ids"]), map[string]string{"days": "30"}, nil)
}

// renderShareForm shows the new-link form for the designs ids, filled
// with form, and the problem of the form just sent when failed is one.
func (s *Server) renderShareForm(w http.ResponseWriter, r *http.Request, ids []int64, form map[string]string, failed error) {
	t := tenant.FromContext(r.Context())
	var patterns []*store.Pattern
	err := s.store.ReadTenant(r.Context(), t.ID, func(tx *store.TenantTx) error {
		byID, err := tx.PatternsByIDs(r.Context(), ids)
		for _, id := range ids {
			if p := byID[id]; p != nil {
				patterns = append(patterns, p)
			}
		}
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := pageData{Title: "Share designs with a customer", Data: patterns, Form: form}
	if failed != nil {
		s.failForm(w, r, failed, "share_new", data)
		return
	}
	s.render(w, r, http.StatusOK, "share_new", data)
}

// parseIDs reads ids given as several values and/or comma-separated
// lists, skipping what is not a positive number.
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
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadForm.Wrap(err))
		return
	}
	f := formValues(r, "name", "recipient_name", "recipient_email", "message", "days")
	days, _ := strconv.Atoi(f["days"]) // not a number: 0, the default
	in := share.Input{PatternIDs: parseIDs(r.PostForm["ids"]), Name: f["name"], RecipientName: f["recipient_name"],
		RecipientEmail: f["recipient_email"], Message: f["message"], ExpiresInDays: days,
		AllowDownload: r.PostFormValue("allow_download") == "on", ShowDesigner: r.PostFormValue("show_designer") == "on",
		VotingMode: r.PostFormValue("voting_mode"), NotifyOwner: r.PostFormValue("notify") == "on",
		Send: r.PostFormValue("send") == "on"}
	in.SupportSession = visitorFrom(r.Context()).SupportHash()
	c, err := s.shares.Create(r.Context(), t.ID, currentUser(r).ID, in)
	if err != nil {
		s.renderShareForm(w, r, in.PatternIDs, f, err)
		return
	}
	s.showCreated(w, r, c)
}

func (s *Server) showCreated(w http.ResponseWriter, r *http.Request, c *share.Created) {
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "share_created", pageData{Title: "Your link is ready",
		Data: createdPage{Link: c.Link, URL: c.URL, QR: qrSVG(c.URL), Sent: c.Sent}})
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
	// Kit fills the "Machine kit" fields for the designs she chose.
	Kit kitForm
}

func (s *Server) shareResults(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var res *share.Results
	if err == nil {
		res, err = s.shares.Results(r.Context(), t.ID, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "share_results", pageData{Title: res.Link.Name,
		Data: resultsPage{Results: res, Patterns: res.Patterns, Status: share.Status(res.Link, s.shares.Now()), Kit: newKitForm(r)}})
}

// shareExtend makes a link last longer.
func (s *Server) shareExtend(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var exp time.Time
	if err == nil {
		days, _ := strconv.Atoi(r.PostFormValue("days")) // not a number: the default
		exp, err = s.shares.Extend(r.Context(), t.ID, id, days)
	}
	s.shareChanged(w, r, err, tenant.Path(t.Slug, "shares", id), fmt.Sprintf("The link now lasts until %s.", exp.Format("2 January 2006")))
}

// shareReopen turns a turned-off link back on.
func (s *Server) shareReopen(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var exp time.Time
	if err == nil {
		days, _ := strconv.Atoi(r.PostFormValue("days")) // not a number: the default
		exp, err = s.shares.Reopen(r.Context(), t.ID, id, days)
	}
	s.shareChanged(w, r, err, tenant.Path(t.Slug, "shares", id),
		fmt.Sprintf("The link is on again until %s: your customer can open it and choose.", exp.Format("2 January 2006")))
}

// shareRevoke turns a link off.
func (s *Server) shareRevoke(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.shares.Revoke(r.Context(), t.ID, id)
	}
	s.shareChanged(w, r, err, tenant.Path(t.Slug, "shares", id), "The link is turned off: your customer will see that it has ended.")
}

// shareDelete removes a link and its votes.
func (s *Server) shareDelete(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.shares.Delete(r.Context(), t.ID, id)
	}
	s.shareChanged(w, r, err, tenant.Path(t.Slug, "shares"), "Link and its votes deleted.")
}

// shareDuplicate makes a new link like this one and shows it.
func (s *Server) shareDuplicate(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var c *share.Created
	if err == nil {
		c, err = s.shares.Duplicate(r.Context(), t.ID, currentUser(r).ID, id, visitorFrom(r.Context()).SupportHash())
	}
	if err != nil {
		s.shareChanged(w, r, err, tenant.Path(t.Slug, "shares", id), "")
		return
	}
	s.showCreated(w, r, c)
}

// shareChanged answers a change of a link: to target with done, or the
// problem (a link not found is the 404 page).
// shareVoterCap lets a link take more (or fewer) guests.
func (s *Server) shareVoterCap(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	n, _ := strconv.Atoi(r.PostFormValue("max_voters")) // not a number: refused as out of range
	if err == nil {
		err = s.shares.SetMaxVoters(r.Context(), t.ID, id, n)
	}
	s.shareChanged(w, r, err, tenant.Path(t.Slug, "shares", id), fmt.Sprintf("The link now takes up to %d guests.", n))
}

// shareRemoveVoter takes a guest and her votes off a link.
func (s *Server) shareRemoveVoter(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.shares.RemoveVoter(r.Context(), t.ID, id, r.PostFormValue("guest"))
	}
	s.shareChanged(w, r, err, tenant.Path(t.Slug, "shares", id), "The guest and her choices are removed.")
}

func (s *Server) shareChanged(w http.ResponseWriter, r *http.Request, err error, target, done string) {
	switch p := httpx.Problem(err); {
	case err == nil:
		s.redirectWith(w, r, target, done)
	case p == nil || p.Status == http.StatusNotFound:
		s.fail(w, r, err)
	default:
		s.failBack(w, r, err, target)
	}
}
