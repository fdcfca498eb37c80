package api

import (
	"net/http"
	"strings"
)

// routeMux is the API's ServeMux, which also remembers every pattern, so
// that the OpenAPI test can check the document lists every route.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func newRouteMux() *routeMux { return &routeMux{ServeMux: http.NewServeMux()} }

// HandleFunc registers fn for pattern and remembers the pattern.
func (m *routeMux) HandleFunc(pattern string, fn func(http.ResponseWriter, *http.Request)) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.HandleFunc(pattern, fn)
}

// Routes returns every "METHOD /path" the API serves (the catch-all
// 404 aside).
func (h *Handler) Routes() []string {
	var out []string
	for _, p := range h.mux.patterns {
		if strings.Contains(p, " ") {
			out = append(out, p)
		}
	}
	return out
}
