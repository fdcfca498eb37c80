package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/patternvault/patternvault/internal/store"
)

// pageData is what every page template receives.
type pageData struct {
	Title     string
	Tenant    *store.Tenant
	RequestID string
	Message   string
	Data      any
}

// parsePages parses each page template together with the shared layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).ParseFS(templateFiles, "templates/layout.html", name)
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", name, err)
		}
		pages[base] = t
	}
	return pages, nil
}

// render writes a page with status, buffering it so a template error never
// sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data pageData) {
	t, ok := s.pages[page]
	if !ok {
		s.serverError(w, r, fmt.Errorf("web: no template %q", page))
		return
	}
	data.RequestID = RequestID(r.Context())
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("render", "page", page, "id", data.RequestID, "err", err)
		http.Error(w, "Something went wrong on our side. Reference: "+data.RequestID, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "notfound", pageData{Title: "Page not found"})
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.log.Error("server error", "id", RequestID(r.Context()), "path", r.URL.Path, "err", err)
	}
	s.render(w, r, http.StatusInternalServerError, "error", pageData{Title: "Something went wrong"})
}
