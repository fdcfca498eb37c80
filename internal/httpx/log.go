package httpx

import (
	"context"
	"io"
	"log/slog"
	"net/http"
)

// NewLogger returns the process's logger: text (key=value) or json lines
// on w at level, every record logged with a request's context carrying
// that request's id (see LogHandler).
func NewLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(LogHandler(h))
}

// LogHandler wraps h so that a record logged with a request's context
// (Logger.ErrorContext, WarnContext, LogAttrs...) carries the request's id
// as "id", so that every line about a request, an error above all, can
// be matched to the person's error page and the request line. A record
// that already has an "id" keeps its own.
func LogHandler(h slog.Handler) slog.Handler { return requestIDHandler{h} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		has := false
		r.Attrs(func(a slog.Attr) bool {
			has = a.Key == "id"
			return !has
		})
		if !has {
			r = r.Clone()
			r.AddAttrs(slog.String("id", id))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

type routeKey struct{}

// TrackRoute returns r with a place in its context for the route pattern
// that serves it (see NoteRoute), and that place: the request log and
// the latency metrics read it once the request is served.
func TrackRoute(r *http.Request) (*http.Request, *string) {
	p := new(string)
	return r.WithContext(context.WithValue(r.Context(), routeKey{}, p)), p
}

// NoteRoute records the pattern of the ServeMux route that served r
// (r.Pattern, set by ServeMux.ServeHTTP on r) as the request's route,
// unless a mux nested deeper already did: the JSON API's own mux names
// "GET /api/v1/patterns/{id}" where the outer one saw only "/api/v1/".
func NoteRoute(r *http.Request) {
	if p, ok := r.Context().Value(routeKey{}).(*string); ok && *p == "" {
		*p = r.Pattern
	}
}
