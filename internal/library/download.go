package library

import (
	"bytes"
	"context"
	"fmt"
	"github.com/patternvault/patternvault/internal/lazy"
	"io"
	"path"
	"strings"

	"github.com/patternvault/patternvault/internal/convert"
	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// ErrNoSuchFormat means a design cannot be had in the format asked for:
// no original in it and no conversion to it.
var ErrNoSuchFormat = problem.NotFound("no_such_format",
	"This design is not available in that format: it has no file we can read, so it can only be downloaded in the formats it came in.")

// Download is a file ready to send.
type Download struct {
	Name        string
	ContentType string
	Body        io.ReadCloser
	Size        int64
	// Converted is true when the file was made from another format.
	Converted bool
}

// Fetch returns a design in format ("original" for the most faithful
// original design file). An original in the format always wins over a
// conversion.
func (s *Service) Fetch(ctx context.Context, tenantID int64, p *store.Pattern, format string) (*Download, error) {
	files, err := s.Store.Files(ctx, tenantID, p.ID)
	if err != nil {
		return nil, err
	}
	return s.FetchFrom(ctx, p.ID, p.Name, files, format)
}

// FetchFrom is Fetch for design id named name whose files the caller has
// read (an export, which reads them all in one transaction).
func (s *Service) FetchFrom(ctx context.Context, id int64, name string, files []*store.PatternFile, format string) (*Download, error) {
	format = strings.ToLower(format)
	designs := usable(files)
	if format == "original" || format == "" {
		if len(designs) == 0 {
			return nil, ErrNoSuchFormat
		}
		return s.original(ctx, pickSource(designs))
	}
	for _, f := range designs {
		if f.Format == format {
			return s.original(ctx, f)
		}
	}
	target := formats.ByName(format)
	if target == nil || target.Write == nil {
		return nil, ErrNoSuchFormat
	}
	src := pickSource(designs)
	if src == nil || !src.Readable {
		return nil, ErrNoSuchFormat
	}
	data, err := s.readBlob(ctx, src.BlobKey)
	if err != nil {
		return nil, err
	}
	out, err := convert.Convert(src.FileName, data, target)
	if err != nil {
		return nil, fmt.Errorf("library: convert pattern %d to %s: %w", id, format, err)
	}
	return &Download{Name: FileName(name, format), ContentType: "application/octet-stream",
		Body: io.NopCloser(bytes.NewReader(out)), Size: int64(len(out)), Converted: true}, nil
}

// usable are the design files that may be offered for a machine or
// converted from: not those marked unreadable at import (kept, and
// listed with the design's files, but never machine-ready).
func usable(files []*store.PatternFile) []*store.PatternFile {
	var out []*store.PatternFile
	for _, f := range files {
		if f.Role == store.RoleDesign && f.Problem == "" {
			out = append(out, f)
		}
	}
	return out
}

// pickSource returns the most faithful readable design file, or any.
func pickSource(designs []*store.PatternFile) *store.PatternFile {
	var best *store.PatternFile
	for _, f := range designs {
		if best == nil || (f.Readable && !best.Readable) ||
			(f.Readable == best.Readable && preference(f.Format) < preference(best.Format)) {
			best = f
		}
	}
	return best
}

func (s *Service) original(ctx context.Context, f *store.PatternFile) (*Download, error) {
	rc, info, err := s.Blobs.Get(ctx, f.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("library: open %q: %w", f.FileName, err)
	}
	return &Download{Name: DownloadName(f), ContentType: "application/octet-stream", Body: rc, Size: info.Size}, nil
}

// DownloadName is the name a stored file is downloaded under: its own
// name, with an extension added when it has none, so that a quilting
// machine (which looks only at the extension) or a computer knows what it
// is: its format's (an extension-less G-code file becomes "… v1.bqm"),
// ".txt" for notes, ".bin" for anything else.
func DownloadName(f *store.PatternFile) string {
	if ingest.Ext(f.FileName) != "" {
		return f.FileName
	}
	switch {
	case f.Format != "":
		return f.FileName + "." + f.Format
	case f.Role == store.RoleNotes:
		return f.FileName + ".txt"
	}
	return f.FileName + ".bin"
}

func (s *Service) readBlob(ctx context.Context, key string) ([]byte, error) {
	rc, _, err := s.Blobs.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("library: open %s: %w", key, err)
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// OpenFile returns one stored file of a pattern as it was uploaded.
func (s *Service) OpenFile(ctx context.Context, f *store.PatternFile) (*Download, error) {
	return s.original(ctx, f)
}

var unsafeName = lazy.Regexp(`[^A-Za-z0-9 ._()-]+`)

// FileName makes a download name from a pattern name and extension.
func FileName(name, ext string) string {
	name = strings.TrimSpace(unsafeName().ReplaceAllString(name, " "))
	if name == "" {
		name = "design"
	}
	return name + "." + ext
}

// ForMachine picks what "Download for my machine" gives: the first format
// the machine takes that the design has as an original, else the first
// one PatternVault can convert to.
func ForMachine(m *Machine, have []string, readable bool) (format string, converted bool, ok bool) {
	for _, f := range m.Formats {
		for _, h := range have {
			if h == f {
				return f, false, true
			}
		}
	}
	if !readable {
		return "", false, false
	}
	for _, f := range m.Formats {
		if ff := formats.ByName(f); ff != nil && ff.Write != nil {
			return f, true, true
		}
	}
	return "", false, false
}

// Download returns design id in format (see Fetch) and counts the
// download by userID.
func (s *Service) Download(ctx context.Context, tenantID, userID, id int64, format string) (*Download, error) {
	p, err := s.Pattern(ctx, tenantID, id, 0)
	if err != nil {
		return nil, err
	}
	dl, err := s.Fetch(ctx, tenantID, p, format)
	if err != nil {
		return nil, err
	}
	if err := s.recordDownload(ctx, tenantID, id, userID, strings.ToLower(format)); err != nil {
		dl.Body.Close()
		return nil, err
	}
	return dl, nil
}

// DownloadFile returns one stored file of design id as it was uploaded,
// and counts the download by userID.
func (s *Service) DownloadFile(ctx context.Context, tenantID, userID, id, fileID int64) (*Download, error) {
	var f *store.PatternFile
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		f, err = tx.File(ctx, id, fileID)
		return err
	})
	if err != nil {
		return nil, err
	}
	dl, err := s.original(ctx, f)
	if err != nil {
		return nil, err
	}
	if err := s.recordDownload(ctx, tenantID, id, userID, f.Format); err != nil {
		dl.Body.Close()
		return nil, err
	}
	return dl, nil
}

func (s *Service) recordDownload(ctx context.Context, tenantID, id, userID int64, format string) error {
	return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		return tx.RecordEvent(ctx, id, userID, store.EventDownload, format)
	})
}

// FormatChoice is one way to download a design: an original file, or a
// conversion with what the target format cannot carry.
type FormatChoice struct {
	Format    string
	Converted bool
	// Losses says, for a conversion, what the target cannot carry, in
	// plain words (formats.Losses): shown beside the download.
	Losses []string
}

// Choices lists the formats design p (with its files) can be downloaded
// in: its originals, then every format PatternVault can write from its
// most faithful readable original, each with what it would lose. A design
// with no readable original has only its originals: nothing is offered
// that would answer "not available".
func (s *Service) Choices(ctx context.Context, p *store.Pattern, files []*store.PatternFile) ([]FormatChoice, error) {
	var out []FormatChoice
	have := map[string]bool{}
	designs := usable(files)
	for _, f := range designs {
		if f.Format != "" && !have[f.Format] {
			have[f.Format] = true
			out = append(out, FormatChoice{Format: f.Format})
		}
	}
	src := pickSource(designs)
	if src == nil || !src.Readable {
		return out, nil
	}
	data, err := s.readBlob(ctx, src.BlobKey)
	if err != nil {
		return nil, err
	}
	d, _, err := convert.Read(DownloadName(src), data)
	if err != nil {
		return out, nil // marked readable, yet it cannot be read now: originals only
	}
	for _, name := range convert.Writable() {
		if !have[name] {
			out = append(out, FormatChoice{Format: name, Converted: true, Losses: formats.Losses(d, name)})
		}
	}
	return out, nil
}

// errNoImportFile is a file number an import did not keep.
var errNoImportFile = problem.NotFound("no_such_file", "This import kept no such file.")

// ImportFile returns file n of those kept once with import batchID (a
// store's README or licence).
func (s *Service) ImportFile(ctx context.Context, tenantID, batchID int64, n int) (*Download, error) {
	files, err := s.Store.ImportFiles(ctx, tenantID, batchID)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.N != n {
			continue
		}
		rc, info, err := s.Blobs.Get(ctx, f.BlobKey)
		if err != nil {
			return nil, fmt.Errorf("library: open %q of import %d: %w", f.FileName, batchID, err)
		}
		name := path.Base(f.FileName)
		if ingest.Ext(name) == "" {
			name += ".txt"
		}
		return &Download{Name: name, ContentType: "application/octet-stream", Body: rc, Size: info.Size}, nil
	}
	return nil, errNoImportFile
}

// errNoPicture is a file that is not a picture a browser can show.
var errNoPicture = problem.NotFound("no_such_picture", "This design has no such picture.")

// ShowablePicture reports whether f is a picture of its design that a
// browser shows as it is (JPEG, PNG, GIF, WebP), by its name.
func ShowablePicture(f *store.PatternFile) bool {
	if f.Role != store.RolePicture {
		return false
	}
	switch ingest.Ext(f.FileName) {
	case "jpg", "jpeg", "png", "gif", "webp":
		return true
	}
	return false
}

// Picture returns a picture of design id to show on its page (not counted
// as a download), with its image type; any other file is not found.
func (s *Service) Picture(ctx context.Context, tenantID, id, fileID int64) (*Download, error) {
	var f *store.PatternFile
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		f, err = tx.File(ctx, id, fileID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !ShowablePicture(f) {
		return nil, errNoPicture
	}
	rc, info, err := s.Blobs.Get(ctx, f.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("library: open picture %q: %w", f.FileName, err)
	}
	ct := contentType(f.FileName)
	if ingest.Ext(f.FileName) == "webp" {
		ct = "image/webp"
	}
	return &Download{Name: f.FileName, ContentType: ct, Body: rc, Size: info.Size}, nil
}

// BestSource returns the design file conversions are made from: the most
// faithful readable one, else any design file not marked unreadable (nil
// when files has none).
func BestSource(files []*store.PatternFile) *store.PatternFile {
	return pickSource(usable(files))
}
