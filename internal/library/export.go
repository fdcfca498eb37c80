package library

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/store"
)

// Export writes the original files of designs ids to w as one ZIP, a
// folder per design (designs deleted meanwhile are left out). An error
// after the first byte leaves a broken ZIP: the caller cannot take back
// what it sent, only log it.
func (s *Service) Export(ctx context.Context, tenantID int64, ids []int64, w io.Writer) error {
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
		if used[folder] {
			folder += " (" + strconv.FormatInt(d.p.ID, 10) + ")"
		}
		used[folder] = true
		for _, f := range d.files {
			if err := s.exportFile(ctx, zw, folder+"/"+f.FileName, f); err != nil {
				return fmt.Errorf("library: export pattern %d: %w", d.p.ID, err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("library: export: %w", err)
	}
	return nil
}

func (s *Service) exportFile(ctx context.Context, zw *zip.Writer, name string, f *store.PatternFile) error {
	dl, err := s.original(ctx, f)
	if err != nil {
		return err
	}
	defer dl.Body.Close()
	fw, err := zw.Create(name)
	if err != nil {
		return err
	}
	_, err = io.Copy(fw, dl.Body)
	return err
}
