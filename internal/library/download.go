package library

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/patternvault/patternvault/internal/convert"
	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/store"
)

// ErrNoSuchFormat means a design cannot be had in the format asked for:
// no original in it and no conversion to it.
var ErrNoSuchFormat = errors.New("this design is not available in that format")

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
	format = strings.ToLower(format)
	files, err := s.Store.Files(ctx, tenantID, p.ID)
	if err != nil {
		return nil, err
	}
	var designs []*store.PatternFile
	for _, f := range files {
		if f.Role == store.RoleDesign {
			designs = append(designs, f)
		}
	}
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
		return nil, fmt.Errorf("library: convert pattern %d to %s: %w", p.ID, format, err)
	}
	return &Download{Name: FileName(p.Name, format), ContentType: "application/octet-stream",
		Body: io.NopCloser(bytes.NewReader(out)), Size: int64(len(out)), Converted: true}, nil
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
	return &Download{Name: f.FileName, ContentType: "application/octet-stream", Body: rc, Size: info.Size}, nil
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

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9 ._()-]+`)

// FileName makes a download name from a pattern name and extension.
func FileName(name, ext string) string {
	name = strings.TrimSpace(unsafeName.ReplaceAllString(name, " "))
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
