// Package problem is PatternVault's one user-facing error type, after
// GoToSocial's gtserror.WithCode: an Error carries a stable code for
// programs, a message written for the person (safe to show: it never holds
// internal detail), the HTTP status that fits, and the cause, which is
// logged but never shown.
//
// Services return problems for everything a person can act on (a rule
// broken, something not found, a rate limit); every other error is "ours"
// and is answered with a 500 and a reference to the log. Handlers do not
// decide statuses or wording: the HTML mapper (web) and the JSON mapper
// (httpx.WriteError) read them from the problem.
//
//	if name == "" {
//		return problem.Invalid("bad_name", "A design needs a name.")
//	}
//	var ErrEmailTaken = problem.Conflict("email_taken", "An account with that email already exists.")
//	return problem.NotFound("no_such_share", "That link does not exist.").Wrap(err)
//
// A problem declared once as a package variable is a sentinel:
// errors.Is(err, ErrEmailTaken) finds it, also through Wrap and %w.
package problem

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// Error is an error a person can act on.
type Error struct {
	// Code is a stable, machine-readable name ("bad_name", "not_found").
	Code string
	// Message is written for the person and safe to show as it is.
	Message string
	// Status is the HTTP status that answers it.
	Status int
	// RetryAfter, when set, is how long to wait before trying again.
	RetryAfter time.Duration
	// Err is the cause, for the log; it is never shown.
	Err error

	// origin is the sentinel this problem was made from (Wrap), so that
	// errors.Is still finds the sentinel.
	origin *Error
}

// Error returns the message, followed by the cause when there is one.
func (e *Error) Error() string {
	if e.Err != nil {
		return strings.TrimSuffix(e.Message, ".") + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is e or the sentinel e was made from.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && (t == e || (e.origin != nil && t == e.origin))
}

// Wrap returns a copy of e with cause attached (for the log); errors.Is
// still matches e.
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.Err = cause
	if e.origin == nil {
		c.origin = e
	}
	return &c
}

// Reword returns a copy of e with another message (one that names the
// limit or the value, say); errors.Is still matches e.
func (e *Error) Reword(message string) *Error {
	c := e.Wrap(e.Err)
	c.Message = message
	return c
}

// Retry returns a copy of e that asks to wait d before trying again.
func (e *Error) Retry(d time.Duration) *Error {
	c := e.Wrap(e.Err)
	c.RetryAfter = d
	return c
}

// New returns a problem with any status.
func New(status int, code, message string) *Error {
	return &Error{Code: code, Message: message, Status: status}
}

// BadRequest is a request that cannot be read (malformed JSON, a missing
// form): 400.
func BadRequest(code, message string) *Error { return New(http.StatusBadRequest, code, message) }

// Invalid is a well-formed request that breaks a rule (an empty name, a
// date in the past): 422.
func Invalid(code, message string) *Error {
	return New(http.StatusUnprocessableEntity, code, message)
}

// Unauthorized asks the person to sign in, or says the credentials were
// wrong: 401.
func Unauthorized(code, message string) *Error { return New(http.StatusUnauthorized, code, message) }

// Forbidden is an action the person's role or the workspace's state does
// not allow: 403.
func Forbidden(code, message string) *Error { return New(http.StatusForbidden, code, message) }

// NotFound is something that is not there, or not there for this person
// (the two look the same): 404.
func NotFound(code, message string) *Error { return New(http.StatusNotFound, code, message) }

// Conflict is a change that clashes with the current state (a name
// taken, the last owner leaving): 409.
func Conflict(code, message string) *Error { return New(http.StatusConflict, code, message) }

// Gone is a link or token that worked once and no longer does: 410.
func Gone(code, message string) *Error { return New(http.StatusGone, code, message) }

// TooLarge is an upload over a limit: 413.
func TooLarge(code, message string) *Error {
	return New(http.StatusRequestEntityTooLarge, code, message)
}

// TooMany is a rate limit; wait says how long until the next try may work
// (0 when unknown): 429.
func TooMany(code, message string, wait time.Duration) *Error {
	e := New(http.StatusTooManyRequests, code, message)
	e.RetryAfter = wait
	return e
}

// Unavailable is a service that cannot answer now (paused, overloaded,
// starting): 503.
func Unavailable(code, message string) *Error {
	return New(http.StatusServiceUnavailable, code, message)
}

// As returns the problem in err's chain, if there is one.
func As(err error) (*Error, bool) {
	var p *Error
	if errors.As(err, &p) {
		return p, true
	}
	return nil, false
}

// Status returns the HTTP status of err: its problem's, or 500.
func Status(err error) int {
	if p, ok := As(err); ok {
		return p.Status
	}
	return http.StatusInternalServerError
}
