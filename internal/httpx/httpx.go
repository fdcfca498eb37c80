// Package httpx holds the HTTP helpers that both the pages (internal/web)
// and the JSON API (internal/api) use, so that each does a thing one way:
// request ids, reading path ids and JSON bodies, writing JSON and JSON
// errors, serving thumbnails and file downloads, and turning an error into
// the problem (internal/problem) it answers with.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

type requestIDKey struct{}

// RequestIDs gives every request an id, in the context, the logs and the
// X-Request-Id response header, so that a person's error page can be
// matched to the log line.
func RequestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// RequestID returns the id of the request carried by ctx ("" outside one).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// notFound is the answer to anything the store did not find.
var notFound = problem.NotFound("not_found", "That is not here: it may have been deleted, or the address is wrong.")

// tooLarge answers a request body over http.MaxBytesReader's limit.
var tooLarge = problem.TooLarge("too_large", "That is larger than we accept at once; nothing was stored.")

// busy answers work that ran out of time (a query or a call that took too
// long, most often because the machine is loaded).
var busy = problem.Unavailable("busy", "We are busy right now: please try again in a moment.")

// StorageDown answers anything that needed file storage while it could
// not be reached (blob.ErrUnavailable): nothing is lost, try again soon.
var StorageDown = problem.Unavailable("storage_unavailable",
	"Your files are safe, but we cannot reach the place they are kept just now. Please try again in a minute.").Retry(30 * time.Second)

// DatabaseDown answers anything that needed the database while it could
// not be reached or was restarting (db.Unavailable).
var DatabaseDown = problem.Unavailable("database_unavailable",
	"We cannot reach your library just now; nothing is lost. Please try again in a minute.").Retry(15 * time.Second)

// Problem returns the problem err answers with, or nil when err is ours
// (a 500). A problem in err's chain wins; a row the store did not find is
// a plain 404; a body over its size limit is a 413; storage or a database
// that cannot be reached is a 503 with Retry-After (never a 404 or a
// 500: the file or the row is not known to be missing); work that ran out
// of time is a 503.
func Problem(err error) *problem.Error {
	if p, ok := problem.As(err); ok {
		return p
	}
	var mbe *http.MaxBytesError
	switch {
	case blob.Unavailable(err):
		return StorageDown.Wrap(err)
	case errors.Is(err, store.ErrNotFound):
		return notFound.Wrap(err)
	case errors.As(err, &mbe):
		return tooLarge.Wrap(err)
	case db.Unavailable(err):
		return DatabaseDown.Wrap(err)
	case errors.Is(err, context.DeadlineExceeded):
		return busy.Wrap(err)
	}
	return nil
}

// WriteJSON writes v as JSON with status; API answers are never cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// ErrorBody is the JSON body of every API error:
// {"error": {"code": "...", "message": "..."}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the code and message of an API error.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WriteError is the JSON mapper: it answers err as its problem's status,
// code and message (with Retry-After when the problem has one); any other
// error is logged with the request id and answered 500 "internal", with
// nothing of its text.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if log == nil {
		log = slog.Default()
	}
	p := Problem(err)
	if p == nil {
		log.ErrorContext(r.Context(), "internal error", "id", RequestID(r.Context()), "method", r.Method, "path", LogPath(r), "err", err)
		WriteJSON(w, http.StatusInternalServerError, ErrorBody{ErrorDetail{"internal",
			"Something went wrong on our side. Reference: " + RequestID(r.Context())}})
		return
	}
	if p.Err != nil && p.Status >= 500 {
		log.WarnContext(r.Context(), "unavailable", "id", RequestID(r.Context()), "path", LogPath(r), "err", p.Err)
	}
	SetRetryAfter(w, p.RetryAfter)
	WriteJSON(w, p.Status, ErrorBody{ErrorDetail{p.Code, p.Message}})
}

// SetRetryAfter sets the Retry-After header to d, rounded up to a whole
// second; nothing when d is 0.
func SetRetryAfter(w http.ResponseWriter, d time.Duration) {
	if d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
}

// badID answers a path whose id is not a positive number, as if the thing
// did not exist.
var badID = problem.NotFound("not_found", "That is not here: the address is wrong.")

// PathID reads the positive integer path value name ({id}); anything else
// is a 404 problem, as for an id that does not exist.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, badID.Wrap(fmt.Errorf("path value %s=%q", name, r.PathValue(name)))
	}
	return id, nil
}

// DecodeJSON reads a JSON body of at most limit bytes into v. A body that
// is not JSON of the right shape is a 400 problem "bad_json" whose message
// is hint (an example of what to send).
func DecodeJSON(r *http.Request, limit int64, v any, hint string) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, limit)).Decode(v); err != nil {
		return problem.BadRequest("bad_json", hint).Wrap(err)
	}
	return nil
}

// ServeImage sends a stored picture (a thumbnail) of contentType with a
// validator: etag names this version of it, so a redrawn picture is
// fetched again while an unchanged one is answered 304. maxAge is how long
// a browser may keep it without asking.
func ServeImage(w http.ResponseWriter, r *http.Request, body io.Reader, contentType string, size int64, etag string, maxAge time.Duration) {
	h := w.Header()
	h.Set("Cache-Control", "private, max-age="+strconv.Itoa(int(maxAge/time.Second)))
	h.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	if size >= 0 {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	io.Copy(w, body)
}

// ImageTag is the ETag of version modTime/size of picture key (a design
// id and a size, say).
func ImageTag(key string, modTime time.Time, size int64) string {
	return `"` + key + "-" + strconv.FormatInt(modTime.UnixNano(), 36) + "-" + strconv.FormatInt(size, 36) + `"`
}

// Attachment sends body as a download named name; size is sent when known
// (> 0).
func Attachment(w http.ResponseWriter, name, contentType string, size int64, body io.Reader) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	if size > 0 {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	io.Copy(w, body)
}
