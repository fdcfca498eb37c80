package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// The installable app (PWA). The pages stay server-rendered; the offline
// layer is static/sw.js (a service worker at the root scope: the app shell
// and static files, the designs kept on the device and the recently
// viewed ones, served from its caches when the network is gone) and
// static/offline.js (the "Keep on this device" buttons, the storage budget,
// the offline library and its search, and the queue of favourites and
// keywords changed offline, sent back here through offlineChanges). Without
// service workers every page works as before.

// manifest is the web app manifest: what an installed PatternVault is
// called and looks like.
var manifest = map[string]any{
	"id": "/", "name": "PatternVault", "short_name": "PatternVault",
	"description":      "Your quilting designs: find, download for your machine, share with customers, even without Wi-Fi.",
	"start_url":        "/",
	"scope":            "/",
	"display":          "standalone",
	"background_color": "#fdfcf9",
	"theme_color":      "#234e70",
	"icons": []map[string]string{
		{"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
		{"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
		{"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
	},
}

func (s *Server) webManifest(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Content-Type", "application/manifest+json")
	json.NewEncoder(w).Encode(manifest)
}

var (
	swOnce   sync.Once
	swScript []byte
)

// serviceWorker serves static/sw.js at the root, so its scope is the
// whole site, with its version (a digest of every static file and
// template) written in: a new release installs a fresh app shell.
func (s *Server) serviceWorker(w http.ResponseWriter, r *http.Request) {
	swOnce.Do(func() {
		h := sha256.New()
		for _, root := range []fs.FS{staticFiles, templateFiles} {
			fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					b, _ := fs.ReadFile(root, p)
					h.Write([]byte(p))
					h.Write(b)
				}
				return nil
			})
		}
		src, err := fs.ReadFile(staticFiles, "static/sw.js")
		if err != nil {
			panic(err) // embedded with the binary
		}
		swScript = []byte(strings.Replace(string(src), "__VERSION__", hex.EncodeToString(h.Sum(nil))[:12], 1))
	})
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Service-Worker-Allowed", "/")
	w.Write(swScript)
}

// offlinePage is the page the service worker shows, from its cache, for a
// library address opened without a connection: offline.js fills it with
// the designs kept on the device.
func (s *Server) offlinePage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "offline", pageData{Title: "Offline", Public: "PatternVault"})
}

// offlineDesign is what offline.js keeps about a design: its name and
// words for the offline search, and the addresses to keep.
type offlineDesign struct {
	Slug     string   `json:"slug"`
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Keywords []string `json:"keywords"`
	Designer string   `json:"designer,omitempty"`
	Size     string   `json:"size,omitempty"`
	Favorite bool     `json:"favorite"`
	Page     string   `json:"page"`
	Thumb    string   `json:"thumb,omitempty"`
	// Pictures are the page's own pictures (its SVG preview, or its large
	// thumbnail).
	Pictures []string `json:"pictures"`
	// File is the download for the quilter's machine (or the original).
	File string `json:"file,omitempty"`
}

// offlineData is the design page's data-offline attribute.
func offlineData(slug string, d *designPage) string {
	forMachine := ""
	if d.ForMachine != nil {
		forMachine = d.ForMachine.Format
	}
	b, _ := json.Marshal(offlineDesignOf(slug, d.Pattern, d.Readable, forMachine))
	return string(b)
}

// offlineDesignOf is what offline.js keeps of design p: readable says
// whether its SVG preview can be drawn, forMachine is the format of the
// quilter's machine it downloads in ("" for its original).
func offlineDesignOf(slug string, p *store.Pattern, readable bool, forMachine string) offlineDesign {
	base := tenant.Path(slug, "patterns", p.ID)
	v := "?v=" + strconv.FormatInt(p.UpdatedAt.Unix(), 10)
	o := offlineDesign{Slug: slug, ID: p.ID, Name: p.Name, Keywords: p.Keywords, Designer: p.Designer,
		Favorite: p.Favorite, Page: base, Pictures: []string{}}
	if o.Keywords == nil {
		o.Keywords = []string{}
	}
	if p.WidthIn != nil && p.HeightIn != nil {
		o.Size = strconv.FormatFloat(float64(*p.WidthIn), 'f', 1, 32) + " × " + strconv.FormatFloat(float64(*p.HeightIn), 'f', 1, 32) + " in"
	}
	hasPicture := p.ThumbState == store.ThumbReady || p.ThumbState == store.ThumbPicture
	if hasPicture {
		o.Thumb = base + "/thumb/256.png" + v
	}
	switch {
	case readable:
		o.Pictures = append(o.Pictures, base+"/preview.svg"+v)
	case hasPicture:
		o.Pictures = append(o.Pictures, base+"/thumb/1024.png"+v)
	}
	if forMachine != "" {
		o.File = base + "/download?format=" + forMachine
	} else if len(p.Formats) > 0 {
		o.File = base + "/download?format=original"
	}
	return o
}

// maxOfflineFavorites is how many favourites a device keeps without being
// asked (the newest first).
const maxOfflineFavorites = 100

// offlineFavorites lists the person's favourites as offline.js keeps
// them, so that they open without Wi-Fi even when not opened lately:
// {"designs": [...], "complete": true} (complete is false when she has
// more than maxOfflineFavorites).
func (s *Server) offlineFavorites(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	u := currentUser(r)
	machine := library.MachineOf(t)
	designs := []offlineDesign{}
	complete := true
	err := s.store.ReadTenant(r.Context(), t.ID, func(tx *store.TenantTx) error {
		page, err := tx.Patterns(r.Context(), store.PatternQuery{Favorites: true, UserID: u.ID, Sort: store.SortNewest, Limit: maxOfflineFavorites})
		if err != nil {
			return err
		}
		complete = page.NextCursor == ""
		for _, p := range page.Patterns {
			files, err := tx.Files(r.Context(), p.ID)
			if err != nil {
				return err
			}
			readable := false
			for _, f := range files {
				readable = readable || (f.Role == store.RoleDesign && f.Readable)
			}
			forMachine := ""
			if machine != nil {
				forMachine, _, _ = library.ForMachine(machine, p.Formats, readable)
			}
			p.Favorite = true
			designs = append(designs, offlineDesignOf(t.Slug, p, readable, forMachine))
		}
		return nil
	})
	if err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"designs": designs, "complete": complete})
}

// offlineChanges applies the favourites and keywords a device changed
// while offline: {"changes": [{"kind": "favorite", "pattern_id": 1,
// "favorite": true, "at": 1764900000000}, ...]}; last writer wins, and the
// answer says what became of each.
func (s *Server) offlineChanges(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	var body struct {
		Changes []library.OfflineChange `json:"changes"`
	}
	err := httpx.DecodeJSON(r, 1<<20, &body, `send {"changes": [{"kind": "favorite", "pattern_id": 1, "favorite": true, "at": 1764900000000}]}`)
	var res []library.OfflineResult
	if err == nil {
		// Favourites are a personal reading aid, kept in a read-only
		// workspace too; keywords need an editor and a writable workspace.
		noKeywords := ""
		if !store.RoleAtLeast(roleFrom(r.Context()), store.RoleEditor) {
			noKeywords = "your role cannot change keywords."
		} else if s.billing != nil {
			if werr := s.billing.Writable(r.Context(), t.ID); errors.Is(werr, billing.ErrReadOnly) {
				noKeywords = "the workspace is read-only, so keywords cannot change (favourites still can)."
			} else {
				err = werr
			}
		}
		if err == nil {
			res, err = s.library.ApplyOffline(r.Context(), t.ID, currentUser(r).ID, noKeywords, body.Changes)
		}
	}
	if err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"results": res})
}
