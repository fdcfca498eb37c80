package library

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/store"
)

// Export writes designs ids to w as one ZIP, a folder per design
// (designs deleted meanwhile are left out): each design's original files,
// and, when machine is set and the design has no original the machine
// takes, the design converted for it ("Rose.qli" for a Statler). Each
// entry is dated: an original by when it came into the library, a
// conversion by now. An error after the first byte leaves a broken ZIP:
// the caller cannot take back what it sent, only log it.
func (s *Service) Export(ctx context.Context, tenantID int64, ids []int64, machine *Machine, w io.Writer) error {
	if len(ids) == 0 {
		return ErrNothingTaken
	}
	type design struct {
		p     *store.Pattern
		files []*store.PatternFile
	}
	var designs []design
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		for _, id := range ids {
			p, err := tx.Pattern(ctx, id, 0)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			files, err := tx.Files(ctx, id)
			if err != nil {
				return err
			}
			designs = append(designs, design{p, files})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("library: export: %w", err)
	}
	zw := zip.NewWriter(w)
	used := map[string]bool{} // two designs of one name get two folders
	for _, d := range designs {
		folder := strings.TrimSuffix(FileName(d.p.Name, "x"), ".x")
		if used[strings.ToLower(folder)] {
			folder += " (" + strconv.FormatInt(d.p.ID, 10) + ")"
		}
		used[strings.ToLower(folder)] = true
		names := map[string]bool{}
		for _, f := range d.files {
			dl, err := s.original(ctx, f)
			if err != nil {
				return fmt.Errorf("library: export pattern %d: %w", d.p.ID, err)
			}
			err = addEntry(zw, folder, dl, f.CreatedAt, names)
			if err != nil {
				return fmt.Errorf("library: export pattern %d: %w", d.p.ID, err)
			}
		}
		if machine == nil {
			continue
		}
		src := pickSource(usable(d.files))
		format, converted, ok := ForMachine(machine, d.p.Formats, src != nil && src.Readable)
		if !ok || !converted {
			continue // the original for the machine is in the folder, or none can be made
		}
		dl, err := s.Fetch(ctx, tenantID, d.p, format)
		if err != nil {
			return fmt.Errorf("library: export pattern %d for %s: %w", d.p.ID, machine.Name, err)
		}
		if err := addEntry(zw, folder, dl, time.Now(), names); err != nil {
			return fmt.Errorf("library: export pattern %d: %w", d.p.ID, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("library: export: %w", err)
	}
	return nil
}

// addEntry copies a download into the ZIP as folder/name, dated modified;
// a name already used in the folder gets " (2)" before its extension.
func addEntry(zw *zip.Writer, folder string, dl *Download, modified time.Time, used map[string]bool) error {
	defer dl.Body.Close()
	name := dl.Name
	for i := 2; used[strings.ToLower(name)]; i++ {
		ext := path.Ext(dl.Name)
		name = fmt.Sprintf("%s (%d)%s", strings.TrimSuffix(dl.Name, ext), i, ext)
	}
	used[strings.ToLower(name)] = true
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: folder + "/" + name, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	_, err = io.Copy(fw, dl.Body)
	return err
}
