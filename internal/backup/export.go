package backup

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/designtype"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

//go:embed templates/index.html
var templateFiles embed.FS

var indexTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(templateFiles, "templates/index.html"))
})

// ExportOptions change what an export holds.
type ExportOptions struct {
	// Machine, a library.Machines id, adds to each design its conversion
	// for that machine when none of its originals is in a format the
	// machine takes. Empty adds none.
	Machine string
	// Progress, when set, is told how many designs are written, of how
	// many, as the export goes.
	Progress func(done, total int)
}

// ExportResult says what an export holds.
type ExportResult struct {
	Designs    int `json:"designs"`
	Trashed    int `json:"trashed"`
	Files      int `json:"files"`
	Converted  int `json:"converted"`
	Thumbnails int `json:"thumbnails"`
	// Photos are the business's photos copied (their originals).
	Photos int   `json:"photos"`
	Bytes  int64 `json:"bytes"`
}

// exportDesign is a design with where the export puts it.
type exportDesign struct {
	*store.ExportDesign
	folder string
	// paths are the ZIP paths of its files, by file id.
	paths map[int64]string
}

// WriteExport writes workspace tenantID to w as one ZIP, streamed: the
// manifest of every row read in one consistent transaction, then each
// design's folder with its original files (their SHA-256 checked as they
// are copied), thumbnails, and the offline catalogue index.html. Nothing
// is held in memory but one design's list and one file's buffer, and
// nothing is written to disk but w. An error after the first byte leaves
// w holding a ZIP without its central directory, which every reader (and
// restore) refuses.
func (s *Service) WriteExport(ctx context.Context, tenantID int64, w io.Writer, opt ExportOptions) (*ExportResult, error) {
	var machine *library.Machine
	if opt.Machine != "" {
		if machine = library.MachineByID(opt.Machine); machine == nil {
			return nil, ErrBadMachine
		}
	}
	cw := &countingWriter{w: w}
	zw := zip.NewWriter(cw)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, flate.BestSpeed) })
	res := &ExportResult{}
	var designs []*exportDesign
	var photos []store.PhotoOriginal
	var h *Header
	err := s.Store.TenantSnapshot(ctx, tenantID, true, func(tx *store.TenantTx) error {
		var err error
		if h, err = s.header(ctx, tx); err != nil {
			return err
		}
		mf, err := zw.CreateHeader(&zip.FileHeader{Name: "manifest.json", Method: zip.Deflate, Modified: h.CreatedAt})
		if err != nil {
			return err
		}
		mw, err := newManifestWriter(mf, h)
		if err != nil {
			return err
		}
		if _, err := dumpTables(ctx, tx, mw); err != nil {
			return err
		}
		all, err := tx.ExportDesigns(ctx)
		if err != nil {
			return err
		}
		designs = layOut(all)
		if photos, err = tx.PhotoOriginals(ctx); err != nil {
			return err
		}
		for _, d := range designs {
			for _, f := range d.Files {
				mw.file(FileEntry{FileID: f.ID, Path: d.paths[f.ID]})
			}
		}
		return mw.close()
	})
	if err != nil {
		return nil, fmt.Errorf("backup: export tenant %d: manifest: %w", tenantID, err)
	}
	total := len(designs)
	thumbs := map[int64]string{}
	for i, d := range designs {
		if err := s.exportDesign(ctx, zw, tenantID, d, machine, res, thumbs); err != nil {
			return nil, fmt.Errorf("backup: export tenant %d: %w", tenantID, err)
		}
		if d.Deleted {
			res.Trashed++
		} else {
			res.Designs++
		}
		if opt.Progress != nil {
			opt.Progress(i+1, total)
		}
	}
	for _, p := range photos {
		if err := s.exportPhoto(ctx, zw, tenantID, p, res); err != nil {
			return nil, fmt.Errorf("backup: export tenant %d: %w", tenantID, err)
		}
	}
	if err := writeIndex(zw, h, designs, thumbs, res); err != nil {
		return nil, fmt.Errorf("backup: export tenant %d: index.html: %w", tenantID, err)
	}
	if err := writeReadme(zw, h, res); err != nil {
		return nil, fmt.Errorf("backup: export tenant %d: README.txt: %w", tenantID, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("backup: export tenant %d: %w", tenantID, err)
	}
	res.Bytes = cw.n
	return res, nil
}

// exportPhoto copies a business photo's original to portfolio/{id}.{ext}
// (a photo deleted since the manifest was read is left out).
func (s *Service) exportPhoto(ctx context.Context, zw *zip.Writer, tenantID int64, p store.PhotoOriginal, res *ExportResult) error {
	rc, info, err := s.Blobs.Get(ctx, blob.Key(tenantID, "photos", strconv.FormatInt(p.ID, 10), "original"))
	if errors.Is(err, blob.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("photo %d: %w", p.ID, err)
	}
	defer rc.Close()
	ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}[p.ContentType]
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("portfolio/%d%s", p.ID, ext), Method: zip.Store, Modified: info.ModTime})
	if err == nil {
		_, err = io.Copy(fw, rc)
	}
	if err != nil {
		return fmt.Errorf("photo %d: %w", p.ID, err)
	}
	res.Photos++
	return nil
}

// ErrBadMachine is an export for a machine PatternVault does not know.
var ErrBadMachine = problem.Invalid("bad_machine", "Choose a machine from the list, or none.")

func checkMachine(id string) error {
	if library.MachineByID(id) == nil {
		return ErrBadMachine
	}
	return nil
}

// header reads the manifest's header inside tx.
func (s *Service) header(ctx context.Context, tx *store.TenantTx) (*Header, error) {
	ws, err := tx.WorkspaceHeader(ctx)
	if err != nil {
		return nil, err
	}
	gen := s.Generator
	if gen == "" {
		gen = "PatternVault"
	}
	return &Header{Format: Format, Version: Version, CreatedAt: s.now().UTC(), Generator: gen,
		SchemaVersion: ws.SchemaVersion, Workspace: *ws, Members: ws.Members}, nil
}

// dumpTables writes every copied table of the workspace into mw and
// returns the row counts by table.
func dumpTables(ctx context.Context, tx *store.TenantTx, mw *manifestWriter) (map[string]int64, error) {
	counts := map[string]int64{}
	for i := range store.WorkspaceTables {
		w := &store.WorkspaceTables[i]
		if !w.Copied() {
			continue
		}
		cols, err := tx.WorkspaceColumns(ctx, w)
		if err != nil {
			return nil, err
		}
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Name
		}
		mw.table(w.Name, names)
		n, err := tx.DumpWorkspaceTable(ctx, w, names, mw.row)
		if err != nil {
			return nil, err
		}
		mw.endTable()
		counts[w.Name] = n
	}
	return counts, mw.err
}

// layOut gives every design a folder named after it (designs/ for the
// library, trash/ for the trash; a second design of a name gets its id
// too) and every file its path in it.
func layOut(all []*store.ExportDesign) []*exportDesign {
	used := map[string]bool{}
	out := make([]*exportDesign, 0, len(all))
	for _, d := range all {
		top := "designs/"
		if d.Deleted {
			top = "trash/"
		}
		name := strings.TrimSuffix(library.FileName(d.Name, "x"), ".x")
		folder := top + name
		if used[strings.ToLower(folder)] {
			folder = fmt.Sprintf("%s%s (%d)", top, name, d.ID)
		}
		used[strings.ToLower(folder)] = true
		e := &exportDesign{ExportDesign: d, folder: folder, paths: map[int64]string{}}
		taken := map[string]bool{}
		for _, f := range d.Files {
			n := entryName(f.FileName)
			for i := 2; taken[strings.ToLower(n)]; i++ {
				n = fmt.Sprintf("%d-%s", i, entryName(f.FileName))
			}
			taken[strings.ToLower(n)] = true
			e.paths[f.ID] = folder + "/" + n
		}
		out = append(out, e)
	}
	return out
}

// entryName makes a stored file name safe as the last part of a ZIP path
// (no slashes, no control characters, not "." or ".."); the manifest
// keeps the name as it was.
func entryName(name string) string {
	n := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, name)
	if n == "" || n == "." || n == ".." {
		n = "_" + n
	}
	return n
}

func (s *Service) exportDesign(ctx context.Context, zw *zip.Writer, tenantID int64, d *exportDesign, m *library.Machine, res *ExportResult, thumbs map[int64]string) error {
	var have []string
	readable := false
	names := map[string]bool{}
	for _, f := range d.Files {
		if err := s.copyOriginal(ctx, zw, d, f); err != nil {
			return err
		}
		res.Files++
		names[strings.ToLower(path.Base(d.paths[f.ID]))] = true
		if f.Role == store.RoleDesign {
			have = append(have, f.Format)
			readable = readable || f.Readable
		}
	}
	if m != nil && len(have) > 0 {
		if format, converted, ok := library.ForMachine(m, have, readable); ok && converted {
			dl, err := s.Library.FetchFrom(ctx, d.ID, d.Name, d.Files, format)
			if err == nil {
				name := entryName(dl.Name)
				if names[strings.ToLower(name)] {
					name = "converted-" + name
				}
				err = writeEntry(zw, d.folder+"/"+name, dl.Body, time.Now())
				dl.Body.Close()
				if err != nil {
					return err
				}
				res.Converted++
			} else if ctx.Err() != nil {
				return ctx.Err()
			} else {
				s.log().Warn("backup: export: conversion", "tenant", tenantID, "design", d.ID, "format", format, "err", err)
			}
		}
	}
	rc, _, err := s.Blobs.Get(ctx, library.ThumbKey(tenantID, d.ID, library.ThumbGrid))
	switch {
	case errors.Is(err, blob.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("thumbnail of design %d: %w", d.ID, err)
	}
	defer rc.Close()
	p := fmt.Sprintf("index_files/thumbs/%d.png", d.ID)
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: p, Method: zip.Store, Modified: time.Now()})
	if err == nil {
		_, err = io.Copy(fw, io.LimitReader(rc, 8<<20))
	}
	if err != nil {
		return fmt.Errorf("thumbnail of design %d: %w", d.ID, err)
	}
	thumbs[d.ID] = p
	res.Thumbnails++
	return nil
}

// copyOriginal copies one stored file into the ZIP, checking that what is
// read is what was stored.
func (s *Service) copyOriginal(ctx context.Context, zw *zip.Writer, d *exportDesign, f *store.PatternFile) error {
	rc, _, err := s.Blobs.Get(ctx, f.BlobKey)
	if errors.Is(err, blob.ErrNotFound) {
		return ErrFileMissing.Reword(fmt.Sprintf("The file %q of the design %q is missing from storage, so the export stopped. The restore check of your backups can bring it back; please tell us.", f.FileName, d.Name)).Wrap(err)
	}
	if err != nil {
		return fmt.Errorf("open %q of design %d: %w", f.FileName, d.ID, err)
	}
	defer rc.Close()
	method := zip.Deflate
	if compressed(f.FileName) {
		method = zip.Store
	}
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: d.paths[f.ID], Method: method, Modified: f.CreatedAt})
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(fw, h), rc)
	if err != nil {
		return fmt.Errorf("copy %q of design %d: %w", f.FileName, d.ID, err)
	}
	if n != f.Size || !bytes.Equal(h.Sum(nil), f.SHA256) {
		return ErrDamaged.Reword(fmt.Sprintf("The stored file %q of the design %q does not match its checksum, so the export stopped. Please tell us.", f.FileName, d.Name))
	}
	return nil
}

// compressed reports whether a file is already compressed (pictures,
// archives), so the ZIP stores it as it is.
func compressed(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".zip", ".gz", ".7z", ".rar", ".pdf", ".mp4", ".mov":
		return true
	}
	return false
}

func writeEntry(zw *zip.Writer, name string, r io.Reader, mod time.Time) error {
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: mod})
	if err != nil {
		return err
	}
	_, err = io.Copy(fw, r)
	return err
}

// indexDesign is one design of index.html.
type indexDesign struct {
	Name, Type, Size, Designer, Keywords, Words string
	Thumb                                       string
	Deleted                                     bool
	Files                                       []indexFile
}

type indexFile struct {
	Name, Href, Note string
}

// writeIndex writes index.html, the offline catalogue: one card per
// design with its picture, words and a link to each file.
func writeIndex(zw *zip.Writer, h *Header, designs []*exportDesign, thumbs map[int64]string, res *ExportResult) error {
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: "index.html", Method: zip.Deflate, Modified: h.CreatedAt})
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(fw, 64<<10)
	head := struct {
		Workspace, Date  string
		Designs, Trashed int
	}{h.Workspace.Name, h.CreatedAt.Format("2 January 2006"), res.Designs, res.Trashed}
	if err := indexTemplate().ExecuteTemplate(bw, "head", head); err != nil {
		return err
	}
	for _, d := range designs {
		id := indexDesign{Name: d.Name, Designer: d.Designer, Keywords: strings.Join(d.Keywords, ", "), Deleted: d.Deleted,
			Thumb: href(thumbs[d.ID])}
		if d.Type != "" {
			id.Type = designtype.Word(d.Type)
		}
		if d.WidthIn != nil && d.HeightIn != nil {
			id.Size = fmt.Sprintf("%.1f × %.1f in", *d.WidthIn, *d.HeightIn)
		}
		id.Words = strings.ToLower(strings.Join([]string{d.Name, id.Type, d.Designer, id.Keywords}, " "))
		for _, f := range d.Files {
			note := f.Role
			if f.Role == store.RoleDesign {
				note = strings.ToUpper(f.Format)
			}
			id.Files = append(id.Files, indexFile{Name: path.Base(d.paths[f.ID]), Href: href(d.paths[f.ID]), Note: note})
		}
		if err := indexTemplate().ExecuteTemplate(bw, "design", id); err != nil {
			return err
		}
	}
	if err := indexTemplate().ExecuteTemplate(bw, "foot", nil); err != nil {
		return err
	}
	return bw.Flush()
}

// href is a relative link to a ZIP path, each part escaped.
func href(p string) string {
	if p == "" {
		return ""
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

func writeReadme(zw *zip.Writer, h *Header, res *ExportResult) error {
	text := fmt.Sprintf(`%s: exported from PatternVault on %s

Open index.html in any web browser to see every design with its picture,
type, size, designer and keywords, and links to its files. No internet
connection and no PatternVault are needed.

designs/   one folder per design, named after it, holding its files
           exactly as they were uploaded (%d designs, %d files)
trash/     designs that were in the trash
portfolio/ the photos of your quilts (originals), named by their id in
           manifest.json's photos (%d photos)
index.html the catalogue; index_files/ holds its pictures
manifest.json
           everything else: every design's details, keywords and groups,
           favourites, saved searches, share links with their votes, and
           the activity log, as described at docs/manifest.md in
           PatternVault's source (manifest version %d)

PatternVault restores this file exactly: create a new workspace and
choose "Restore from an export", or run
  patternvault restore --tenant NEW-WORKSPACE THIS-FILE.zip
`, h.Workspace.Name, h.CreatedAt.Format("2 January 2006 15:04 MST"), res.Designs, res.Files, res.Photos, Version)
	return writeEntry(zw, "README.txt", strings.NewReader(text), h.CreatedAt)
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
