package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/problem"
)

// The HTML mapper: how a page answers an error. A problem (see
// internal/problem) is shown with its status and message; a missing row
// is the friendly 404; anything else is the 500 page with a reference to
// the log line. fail shows the message on a page of its own, failForm
// above the form that was sent, failBack on the page the person came from.

// fail answers an action that failed.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := httpx.Problem(err)
	switch {
	case p == nil:
		s.serverError(w, r, err)
	case p.Status == http.StatusNotFound && p.Code == "not_found":
		s.notFound(w, r)
	case p.Status == http.StatusPaymentRequired:
		s.render(w, r, p.Status, "plan_needed", pageData{Title: "Your plan", Message: p.Message})
	default:
		s.logUnavailable(r, p)
		httpx.SetRetryAfter(w, p.RetryAfter)
		s.renderStatus(w, r, p.Status, problemTitle(p), p.Message)
	}
}

// logUnavailable logs a 5xx problem (storage or database unreachable,
// busy) once, with its cause and the request's id: the person sees a calm
// page, the operator the reason.
func (s *Server) logUnavailable(r *http.Request, p *problem.Error) {
	if p.Status >= 500 {
		s.log.WarnContext(r.Context(), "unavailable", "code", p.Code, "method", r.Method, "path", r.URL.Path, "err", p.Err)
	}
}

// failForm shows page again, filled with data (the form as sent), with
// the problem's message above the form.
func (s *Server) failForm(w http.ResponseWriter, r *http.Request, err error, page string, data pageData) {
	p := httpx.Problem(err)
	if p == nil {
		s.serverError(w, r, err)
		return
	}
	s.logUnavailable(r, p)
	httpx.SetRetryAfter(w, p.RetryAfter)
	data.Error, data.Upgrade = p.Message, p.Status == http.StatusPaymentRequired
	s.render(w, r, p.Status, page, data)
}

// failBack sends the browser back to the page at back with the problem's
// message shown on it.
func (s *Server) failBack(w http.ResponseWriter, r *http.Request, err error, back string) {
	p := httpx.Problem(err)
	if p == nil {
		s.serverError(w, r, err)
		return
	}
	s.logUnavailable(r, p)
	s.redirectWith(w, r, back, p.Message)
}

// problemTitle is the heading of a page that shows one problem.
func problemTitle(p *problem.Error) string {
	switch p.Status {
	case http.StatusUnauthorized:
		return "Please sign in"
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusNotFound:
		return "Not found"
	case http.StatusGone:
		return "This link has expired"
	case http.StatusRequestEntityTooLarge:
		return "That is too large"
	case http.StatusTooManyRequests:
		return "Please wait a moment"
	case http.StatusServiceUnavailable:
		return "Please try again soon"
	}
	return "That did not work"
}

// errBadForm is a form that could not be read.
var errBadForm = problem.BadRequest("bad_form", "The form could not be read. Please try again.")
