package library

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"runtime"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/store"
)

// The import's lease on its batch: renewed every leaseRenew while it
// runs, it lapses leaseTTL after a worker dies, so that another may take
// the batch over (the job queue hands the job to a live process about a
// minute after the dead one's last heartbeat).
const (
	leaseTTL   = 45 * time.Second
	leaseRenew = 10 * time.Second
)

// ErrBatchBusy means another live worker is processing the batch; the job
// tries again later.
var ErrBatchBusy = errors.New("library: import batch is being processed by another worker")

// Process runs an import batch (see the package documentation of the
// pipeline in pipeline.go): every upload is opened and its designs listed
// (a bad upload is reported and the rest go on), then the designs are
// read, analysed, drawn and stored on all cores, a design at a time each,
// and recorded in order, a chunk at a time, so the page shows progress
// and a crash loses at most the chunk in hand. A rerun (after a crash, by
// any process) starts at the first design not yet recorded.
func (s *Service) Process(ctx context.Context, tenantID, batchID int64) error {
	b, err := s.Store.Batch(ctx, tenantID, batchID)
	if err != nil {
		return err
	}
	if b.Status == store.BatchDone || b.Status == store.BatchFailed || b.Status == store.BatchStaged {
		return nil
	}
	owner := s.ownerID()
	ok, err := s.Store.ClaimBatch(ctx, tenantID, batchID, owner, leaseTTL, s.deadHolder(ctx, b.LeaseOwner))
	if err != nil {
		return err
	}
	if !ok {
		return ErrBatchBusy
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopLease := s.keepLease(ctx, cancel, tenantID, batchID, owner)
	defer func() {
		stopLease()
		s.Store.ReleaseBatch(context.WithoutCancel(ctx), tenantID, batchID, owner)
	}()

	r := &importRun{s: s, tenantID: tenantID, batchID: batchID, owner: owner,
		budget: newMemBudget(s.ImportMemory), blobs: blob.NewBatch(s.Blobs), ids: &idPool{s: s, tenantID: tenantID}}
	r.closers = append(r.closers, func() { r.blobs.Close() })
	defer r.close()
	failed, err := r.list(ctx, b)
	if err != nil {
		return fmt.Errorf("library: import %d: %w", batchID, err)
	}
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	if err := r.recordShared(ctx); err != nil {
		return fmt.Errorf("library: import %d: %w", batchID, err)
	}
	total := len(r.designs)
	if b.Status == store.BatchQueued {
		if held, err := s.hold(ctx, tenantID, b, total, unpackedBytes(b, r.designs)); held || err != nil {
			return err // held over the limits: the uploads stay for later
		}
	}
	start := b.ResumeAt
	switch {
	case b.Status == store.BatchQueued:
		err = s.Store.UpdateBatch(ctx, tenantID, batchID, store.BatchProgress{Status: store.BatchRunning, DesignsTotal: &total,
			Failed: failed, Owner: owner, LeaseFor: leaseTTL})
	case start == 0:
		// A run that stopped before recording anything (or one of an
		// older version, which counted from zero): count from zero.
		err = s.Store.ResetBatch(ctx, tenantID, batchID, total, failed)
	}
	if err != nil {
		return err
	}
	if start > total {
		start = total
	}
	if err := r.run(ctx, start); err != nil {
		if c := context.Cause(ctx); c != nil {
			err = c
		}
		return fmt.Errorf("library: import %d: %w", batchID, err)
	}
	return s.finish(ctx, r, b, owner)
}

// finish marks a processed batch done (failed when nothing at all could
// be used), forgets its uploads and asks for a duplicate scan.
func (s *Service) finish(ctx context.Context, r *importRun, b *store.ImportBatch, owner string) error {
	cur, err := s.Store.Batch(ctx, r.tenantID, r.batchID)
	if err != nil {
		return err
	}
	status, msg := store.BatchDone, ""
	if cur.Created+cur.Merged+cur.Duplicates == 0 && len(cur.Failed) > 0 {
		status, msg = store.BatchFailed, "Nothing could be imported: see the reasons below."
	}
	if err := s.Store.FinishBatch(ctx, r.tenantID, r.batchID, status, msg, owner); err != nil {
		return err
	}
	s.Metrics.ObserveImport(status, cur.Created, cur.Merged, cur.Duplicates, len(cur.Failed))
	for _, u := range b.Uploads {
		s.Blobs.Delete(ctx, u.BlobKey)
	}
	s.QueueDuplicateScan(ctx, r.tenantID)
	return nil
}

// unpackedBytes is what the batch's designs would add to the bytes the
// workspace stores: their files as unpacked (a small ZIP may hold a lot;
// the listing knows each size) less the uploads, which are counted already
// and go once imported.
func unpackedBytes(b *store.ImportBatch, designs []designRef) int64 {
	var bytes int64
	for _, d := range designs {
		for _, f := range d.design.Files {
			bytes += f.Size
		}
	}
	for _, u := range b.Uploads {
		bytes -= u.Size
	}
	return bytes
}

// keepLease renews the batch's lease until the returned func is called;
// when another worker has taken the batch, it cancels ctx.
func (s *Service) keepLease(ctx context.Context, cancel context.CancelCauseFunc, tenantID, batchID int64, owner string) func() {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(leaseRenew)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			ok, err := s.Store.ClaimBatch(ctx, tenantID, batchID, owner, leaseTTL, "")
			switch {
			case err != nil && ctx.Err() == nil:
				s.log().Warn("library: renew import lease", "tenant", tenantID, "batch", batchID, "err", err)
			case err == nil && !ok:
				cancel(store.ErrLeaseLost)
				return
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// deadHolder returns the holder of a batch's lease when its job worker
// (the holder less its last "/run" part) has stopped, so its lease is
// void; "" otherwise.
func (s *Service) deadHolder(ctx context.Context, holder string) string {
	i := strings.LastIndexByte(holder, '/')
	if i <= 0 || s.Queue == nil {
		return ""
	}
	stopped, err := s.Queue.Stopped(ctx, holder[:i])
	if err != nil || !stopped {
		return ""
	}
	return holder
}

// ownerID names one run of Process for the batch lease.
func (s *Service) ownerID() string {
	prefix := "process"
	if s.Queue != nil && s.Queue.ID != "" {
		prefix = s.Queue.ID
	}
	return prefix + "/" + randomName()[:8]
}

// workers is how many designs an import reads at once.
func (s *Service) workers() int {
	if s.Workers > 0 {
		return s.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (s *Service) tempDir() string {
	if s.TempDir != "" {
		os.MkdirAll(s.TempDir, 0o700)
		return s.TempDir
	}
	return os.TempDir()
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// openUpload returns a stored upload for random access: the local file
// itself, or a temporary copy (S3), removed by the returned func.
func (s *Service) openUpload(ctx context.Context, u store.ImportUpload) (io.ReaderAt, int64, func(), error) {
	rc, info, err := s.Blobs.Get(ctx, u.BlobKey)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("library: read upload %q: %w", u.FileName, err)
	}
	if f, ok := rc.(*os.File); ok {
		return f, info.Size, func() { f.Close() }, nil
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(s.tempDir(), "pv-upload-*")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("library: copy upload %q: %w", u.FileName, err)
	}
	drop := func() { tmp.Close(); os.Remove(tmp.Name()) }
	n, err := io.Copy(tmp, io.LimitReader(rc, s.limits().MaxUploadSize+1))
	if err != nil {
		drop()
		return nil, 0, nil, fmt.Errorf("library: copy upload %q: %w", u.FileName, err)
	}
	return tmp, n, drop, nil
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

// storedFile is one file of a design as the import stores it.
type storedFile struct {
	path     string
	size     int64
	sum      [32]byte
	key      string
	format   string
	role     string
	readable bool
	// problem says why a design file could not be read ("" when it
	// could, or when it was not looked at): kept, but marked.
	problem string
	data    []byte // the content, while a worker needs it
}

// mergeTarget returns the pattern that already holds one of the files
// (0 for none) and the files it does not hold yet.
func mergeTarget(files []*storedFile, existing map[string]store.FileOwner) (int64, []*storedFile) {
	var target int64
	for _, f := range files {
		if f.role == store.RoleNotes {
			continue // one notes file is shared by many designs
		}
		if o, ok := existing[string(f.sum[:])]; ok {
			target = o.PatternID
			break
		}
	}
	var fresh []*storedFile
	for _, f := range files {
		o, ok := existing[string(f.sum[:])]
		if ok && o.PatternID == target {
			continue
		}
		if ok && f.role == store.RoleNotes && target != 0 {
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
	return fmt.Sprintf("%s: added (%s)", d.Name, plural(len(d.Files), "file"))
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
