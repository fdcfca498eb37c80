package library

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"path"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/store"
)

// Process runs an import batch: every upload is unpacked within the
// limits (a bad one is reported and the rest go on), grouped into designs,
// and each design is stored in its own transaction, so the page shows
// progress and a crash loses at most the design in hand. Rerunning a batch
// (River retries after a crash) finds the designs it already stored by
// their content and goes on from there.
func (s *Service) Process(ctx context.Context, tenantID, batchID int64) error {
	b, err := s.Store.Batch(ctx, tenantID, batchID)
	if err != nil {
		return err
	}
	if b.Status == store.BatchDone || b.Status == store.BatchFailed {
		return nil
	}
	// A rerun counts from zero again.
	err = s.withTenant(ctx, tenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE import_batches SET status = 'running', designs_done = 0, created = 0, merged = 0,
			duplicates = 0, failed = '[]', error = '' WHERE id = $1`, batchID)
		return err
	})
	if err != nil {
		return fmt.Errorf("library: start batch %d: %w", batchID, err)
	}
	var designs []ingest.Design
	var failed []store.FailedFile
	for _, u := range b.Uploads {
		files, err := s.unpack(ctx, u)
		if err != nil {
			failed = append(failed, store.FailedFile{File: u.FileName, Reason: ingest.Explain(err)})
			continue
		}
		designs = append(designs, ingest.Group(files)...)
	}
	total := len(designs)
	if err := s.Store.UpdateBatch(ctx, tenantID, batchID, store.BatchProgress{DesignsTotal: &total, Failed: failed}); err != nil {
		return err
	}
	if held, err := s.hold(ctx, tenantID, b, total); held || err != nil {
		return err // held over the plan: the uploads stay for later
	}
	for i := range designs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.importDesign(ctx, tenantID, batchID, &designs[i]); err != nil {
			return err
		}
		if s.afterDesign != nil {
			s.afterDesign()
		}
	}
	status := store.BatchDone
	msg := ""
	if total == 0 && len(failed) > 0 {
		status, msg = store.BatchFailed, "Nothing could be imported: see the reasons below."
	}
	err = s.withTenant(ctx, tenantID, func(tx pgx.Tx) error {
		if err := store.UpdateBatch(ctx, tx, batchID, store.BatchProgress{Status: status, Error: msg, Finished: true}); err != nil {
			return err
		}
		return store.DeleteUploads(ctx, tx, batchID)
	})
	if err != nil {
		return err
	}
	for _, u := range b.Uploads {
		s.Blobs.Delete(ctx, u.BlobKey)
	}
	if s.Queue != nil && s.Queue.Client != nil {
		if _, err := s.Queue.Insert(ctx, DuplicatesArgs{TenantID: tenantID}, nil); err != nil {
			s.log().Warn("queue duplicate scan", "tenant", tenantID, "err", err)
		}
	}
	return nil
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// unpack reads one upload from storage and unpacks it within the limits.
func (s *Service) unpack(ctx context.Context, u store.ImportUpload) ([]ingest.File, error) {
	rc, info, err := s.Blobs.Get(ctx, u.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("library: read upload %q: %w", u.FileName, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, s.limits().MaxUploadSize+1))
	if err != nil {
		return nil, fmt.Errorf("library: read upload %q: %w", u.FileName, err)
	}
	_ = info
	return ingest.Unpack(bytes.NewReader(data), int64(len(data)), u.FileName, s.Limits)
}

// designPreference is the order in which design files are read for the
// geometry: the formats whose readers are most faithful first.
var designPreference = []string{"qli", "bqm", "plt", "dxf", "csq", "svg", "qcc", "iqp"}

func preference(format string) int {
	for i, f := range designPreference {
		if f == format {
			return i
		}
	}
	return len(designPreference)
}

// storedFile is one file of a design with its content address.
type storedFile struct {
	ingest.DesignFile
	sum      [32]byte
	key      string
	format   string
	role     string
	readable bool
}

// importDesign stores one design: new, merged into the pattern that
// already holds some of its files, or skipped as an exact duplicate.
func (s *Service) importDesign(ctx context.Context, tenantID, batchID int64, d *ingest.Design) error {
	files := make([]*storedFile, 0, len(d.Files))
	sums := make([][]byte, 0, len(d.Files))
	for _, f := range d.Files {
		sf := &storedFile{DesignFile: f, sum: sha256.Sum256(f.Data), role: roleOf(f.Role)}
		sf.key = blob.SHA256Key(tenantID, sf.sum)
		if sf.role == store.RoleDesign {
			sf.format = f.Format
			if ff := formats.Detect(f.Path, head(f.Data)); ff != nil {
				sf.format = ff.Name
			}
		}
		files = append(files, sf)
		sums = append(sums, sf.sum[:])
	}
	a := analyse(files, d)

	var progress store.BatchProgress
	var newBlobs []string
	err := s.withTenant(ctx, tenantID, func(tx pgx.Tx) error {
		progress = store.BatchProgress{Done: 1}
		existing, err := store.PatternsWithSHA(ctx, tx, sums)
		if err != nil {
			return err
		}
		target, fresh := mergeTarget(files, existing)
		switch {
		case target != 0 && len(fresh) == 0:
			if batchOf(ctx, tx, target) == batchID {
				progress.Created = 1 // stored by an earlier run of this batch
			} else {
				progress.Duplicate = 1
			}
			return store.UpdateBatch(ctx, tx, batchID, progress)
		case target != 0:
			progress.Merged = 1
		default:
			p, err := store.InsertPattern(ctx, tx, a.pattern(d, batchID))
			if err != nil {
				return err
			}
			target = p.ID
			progress.Created = 1
			state, keys, err := s.storeThumbnails(ctx, tenantID, p.ID, a)
			newBlobs = append(newBlobs, keys...)
			if err != nil {
				return err
			}
			if err := store.SetThumbState(ctx, tx, p.ID, state); err != nil {
				return err
			}
		}
		for _, f := range fresh {
			if err := s.Blobs.Put(ctx, f.key, bytes.NewReader(f.Data), int64(len(f.Data)), contentType(f.Path)); err != nil {
				return err
			}
			newBlobs = append(newBlobs, f.key)
			err := store.InsertFile(ctx, tx, &store.PatternFile{PatternID: target, Role: f.role, Format: f.format,
				FileName: path.Base(f.Path), Size: int64(len(f.Data)), SHA256: f.sum[:], BlobKey: f.key, Readable: f.readable})
			if err != nil {
				return err
			}
		}
		if err := store.LogImport(ctx, tx, batchID, "info", d.Folder, logLine(d, progress)); err != nil {
			return err
		}
		return store.UpdateBatch(ctx, tx, batchID, progress)
	})
	if err != nil {
		s.forget(context.WithoutCancel(ctx), tenantID, newBlobs)
		return fmt.Errorf("library: import design %q: %w", d.Name, err)
	}
	return nil
}

// forget removes blobs written for a design whose transaction failed,
// unless another pattern uses the same content.
func (s *Service) forget(ctx context.Context, tenantID int64, keys []string) {
	if len(keys) == 0 {
		return
	}
	used, err := s.Store.BlobKeysInUse(ctx, tenantID, keys)
	if err != nil {
		return // the orphan sweep will get them
	}
	for _, k := range keys {
		if !used[k] {
			s.Blobs.Delete(ctx, k)
		}
	}
}

// mergeTarget returns the pattern that already holds one of the files
// (0 for none) and the files it does not hold yet.
func mergeTarget(files []*storedFile, existing map[string]int64) (int64, []*storedFile) {
	var target int64
	for _, f := range files {
		if f.role == store.RoleNotes {
			continue // one notes file is shared by many designs
		}
		if id, ok := existing[string(f.sum[:])]; ok {
			target = id
			break
		}
	}
	var fresh []*storedFile
	for _, f := range files {
		if id, ok := existing[string(f.sum[:])]; ok && id == target {
			continue
		}
		if _, ok := existing[string(f.sum[:])]; ok && f.role == store.RoleNotes && target != 0 {
			continue
		}
		fresh = append(fresh, f)
	}
	if target != 0 {
		// Notes alone do not make a design new.
		onlyNotes := true
		for _, f := range fresh {
			if f.role != store.RoleNotes {
				onlyNotes = false
			}
		}
		if onlyNotes {
			fresh = nil
		}
	}
	return target, fresh
}

func batchOf(ctx context.Context, tx pgx.Tx, patternID int64) int64 {
	var b *int64
	tx.QueryRow(ctx, `SELECT batch_id FROM patterns WHERE id = $1`, patternID).Scan(&b)
	if b == nil {
		return 0
	}
	return *b
}

func roleOf(r ingest.Role) string {
	switch r {
	case ingest.RoleDesign:
		return store.RoleDesign
	case ingest.RolePicture:
		return store.RolePicture
	case ingest.RoleNotes:
		return store.RoleNotes
	}
	return store.RoleOther
}

func logLine(d *ingest.Design, p store.BatchProgress) string {
	switch {
	case p.Duplicate > 0:
		return fmt.Sprintf("%s: already in your library, skipped", d.Name)
	case p.Merged > 0:
		return fmt.Sprintf("%s: new files added to the design already in your library", d.Name)
	}
	return fmt.Sprintf("%s: added (%d files)", d.Name, len(d.Files))
}

func head(b []byte) []byte {
	if len(b) > formats.SniffLen {
		return b[:formats.SniffLen]
	}
	return b
}

func contentType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	case ".gif":
		return "image/gif"
	case ".svg":
		return "image/svg+xml"
	case ".pdf":
		return "application/pdf"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}

func randomName() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// cleanUploadName keeps the base name of an uploaded file for display.
func cleanUploadName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if len(name) > 200 {
		name = name[:200]
	}
	if name == "." || name == "/" || name == "" {
		return "upload"
	}
	return name
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.0f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", n>>10)
}
