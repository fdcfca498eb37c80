package web

import (
	"bytes"
	"fmt"
	"github.com/patternvault/patternvault/internal/lazy"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/designtype"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/search"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// pageData is what every page template receives.
type pageData struct {
	Title     string
	Tenant    *store.Tenant
	RequestID string
	Message   string
	// Error is a message about the form just sent, shown above it.
	Error string
	// Form holds the values sent, to fill the form again after an error.
	Form map[string]string
	// Public pages (share links) show the quilter's name, not the app's menus.
	Public string
	Data   any
	// UndoURL, when set, puts an Undo button in the flash message (after a
	// delete), so the way back is in the same message, at once.
	UndoURL string
	// Settings names the settings tab a page is (workspace, members,
	// billing, integrations, danger); the tabs show when it is set.
	Settings string

	// Filled by render from the request.
	User         *store.User
	Impersonator *store.User
	Role         string
	Workspaces   []store.Membership
	Flash        string
	GoogleSignIn bool
	// Billing is the workspace's plan state, for its banners.
	Billing *billing.Account
	// Upgrade is set when Error is a plan's limit or feature: the page
	// offers the plans beside it.
	Upgrade bool
}

// machineFormData fills the "machine-form" template.
type machineFormData struct {
	Tenant *store.Tenant
	Return string
}

// templateFuncs are the helpers templates may call.
var templateFuncs = template.FuncMap{
	"list":  func(v ...string) []string { return v },
	"list2": func(a, b *store.Pattern) []*store.Pattern { return []*store.Pattern{a, b} },
	"join":  strings.Join,
	// price writes cents as dollars: "$299".
	"price": billing.Price,
	// settingsTabs are the tabs of the owner's settings pages.
	"settingsTabs": func() []settingsTab { return settingsTabs },
	"deref": func(f *float32) float32 {
		if f == nil {
			return 0
		}
		return *f
	},
	// machines is the table of quilting machines; machineOf is the
	// workspace's own (nil until chosen).
	"machines":  func() []library.Machine { return library.Machines },
	"machineOf": library.MachineOf,
	"upper":     strings.ToUpper,
	// machineForm is the data of the "machine-form" template: the
	// workspace and the page (below it) to come back to.
	"machineForm": func(t *store.Tenant, back string) machineFormData {
		return machineFormData{Tenant: t, Return: tenant.Path(t.Slug, back)}
	},
	// choices are the buttons under a design of a share link.
	"choices": func() []voteChoice { return voteChoices },
	// isTrue reads an optional yes or no (nil is no).
	"isTrue": func(b *bool) bool { return b != nil && *b },
	// cents turns a whole number of cents into units (for printf "%.2f").
	"cents": func(c int64) float64 { return float64(c) / 100 },
	// typeword is the word people read for a design type ("Edge to edge").
	"typeword":  designtype.Word,
	"highlight": highlight,
	// savedURL is the library address that runs a saved search (built
	// from encoded values, so safe as a URL).
	"savedURL": func(slug string, ss *store.SavedSearch) template.URL { return template.URL(savedSearchURL(slug, ss)) },
	// plural writes a count with its word: "1 time", "3 times".
	"plural": func(n any, word string) string {
		s := fmt.Sprint(n)
		if s != "1" {
			word += "s"
		}
		return s + " " + word
	},
	// minus subtracts: "and {{minus n 3}} more".
	"minus": func(a, b int) int { return a - b },
	"bytes": func(n int64) string {
		switch {
		case n >= 1<<30:
			return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d bytes", n)
	},
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
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue // the layout, and parts shared by pages (_*.html)
		}
		t, err := template.New(base).Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout.html", "templates/_*.html", name)
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
	if v := visitorFrom(r.Context()); v != nil {
		data.User, data.Impersonator = v.User, v.Impersonator
		ws, err := s.workspaces(r)
		if err != nil { // the menu is missing; the page itself can still be shown
			s.log.Error("render: workspaces", "id", data.RequestID, "err", err)
		}
		data.Workspaces = ws
	}
	if data.Tenant == nil {
		data.Tenant = tenant.FromContext(r.Context())
	}
	data.Role = roleFrom(r.Context())
	if data.Tenant != nil && data.Role != "" && data.Public == "" && s.billing != nil {
		a, err := s.billing.Account(r.Context(), data.Tenant.ID)
		if err != nil { // the banner is missing; the page itself can still be shown
			s.log.Error("render: billing state", "id", data.RequestID, "err", err)
		}
		data.Billing = a
	}
	data.Flash = s.takeFlash(w, r)
	data.GoogleSignIn = s.google != nil
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

// renderStatus shows a simple page with a title and one message.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	s.render(w, r, status, "status", pageData{Title: title, Message: message})
}

const flashCookie = "pv_flash"

// flash shows message on the next page this browser loads.
func (s *Server) flash(w http.ResponseWriter, message string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(message), Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
	msg, _ := url.QueryUnescape(c.Value)
	return msg
}

// redirectWith sends the browser to target with a message for the next page.
func (s *Server) redirectWith(w http.ResponseWriter, r *http.Request, target, message string) {
	if message != "" {
		s.flash(w, message)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// formValues returns the named form fields, trimmed, for re-filling a form.
func formValues(r *http.Request, names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = strings.TrimSpace(r.PostFormValue(n))
	}
	return m
}

// notFound is the one 404 page. A visitor who is not signed in is offered
// to sign in and come back (the page may be a workspace's, which only its
// members see): the offer is the same whether the page exists or not.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	data := pageData{Title: "Page not found"}
	if visitorFrom(r.Context()) == nil && r.Method == http.MethodGet {
		data.Form = map[string]string{"next": r.URL.RequestURI()}
	}
	s.render(w, r, http.StatusNotFound, "notfound", data)
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.log.Error("server error", "id", RequestID(r.Context()), "path", httpx.LogPath(r), "err", err)
	}
	s.render(w, r, http.StatusInternalServerError, "error", pageData{Title: "Something went wrong"})
}

// wordRun finds the words of a name (letters and digits).
var wordRun = lazy.Regexp(`[\p{L}\p{N}]+`)

// highlight escapes name and marks each of its words that a search
// matched: a word begins with one of matched (folded words, as search
// explains its hits), as typed or in its singular.
func highlight(name string, matched []string) template.HTML {
	var b strings.Builder
	last := 0
	for _, loc := range wordRun().FindAllStringIndex(name, -1) {
		word := name[loc[0]:loc[1]]
		if !matches(word, matched) {
			continue
		}
		b.WriteString(template.HTMLEscapeString(name[last:loc[0]]))
		b.WriteString("<mark>" + template.HTMLEscapeString(word) + "</mark>")
		last = loc[1]
	}
	b.WriteString(template.HTMLEscapeString(name[last:]))
	return template.HTML(b.String())
}

func matches(word string, matched []string) bool {
	forms := append(search.Words(word), strings.ToLower(word))
	for _, m := range matched {
		for _, f := range forms {
			if m != "" && strings.HasPrefix(f, m) {
				return true
			}
		}
	}
	return false
}

// back is where to go after a form of a workspace page: its "return"
// field when that is a page of the same workspace, else def.
func (s *Server) back(r *http.Request, def string) string {
	t := tenant.FromContext(r.Context())
	if ret := r.PostFormValue("return"); t != nil && strings.HasPrefix(ret, tenant.Path(t.Slug)) {
		return ret
	}
	return def
}
