// Package library is the quilter's pattern library as a service: it takes
// uploads into storage and through the import job (unpack, group into
// designs, store files, read geometry, draw thumbnails, analyse shape,
// spot duplicates), and serves downloads in any machine's format. Web and
// API handlers and the CLI call it; it calls the store, blob storage, the
// job queue and the format engine.
package library

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/limits"
	"github.com/patternvault/patternvault/internal/metrics"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Thumbnail sizes in pixels: the grid and the detail view.
const (
	ThumbGrid   = 256
	ThumbDetail = 1024
)

// Service runs the library.
type Service struct {
	Store  *store.Store
	Blobs  blob.Store
	Queue  *jobs.Queue
	Limits ingest.Limits
	Log    *slog.Logger
	// Metrics, when set, counts imports.
	Metrics *metrics.Metrics
	// Quotas is the one check of the workspace's limits (the plans'
	// internal/billing.Service, or internal/limits.Checker alone): an
	// import over them is held as a staged batch (staged.go), a keyword
	// or saved search over them is refused; nil checks none.
	Quotas Quotas
	// ImportMemory is the memory budget of one import in bytes
	// (PV_IMPORT_MEMORY_MB); 0 means DefaultImportMemory.
	ImportMemory int64
	// Workers is how many designs one import reads at once; 0 means one
	// per core.
	Workers int
	// TempDir holds an import's temporary files (nested ZIPs, copies of
	// uploads kept in S3); empty means the system's.
	TempDir string
	// StorageDown, when set, reports whether file storage is unreachable
	// now (app: the storage guard's circuit is open); unfinished imports
	// then say they wait for storage.
	StorageDown func() bool

	// afterDesign, when set (tests), runs after each recorded design.
	afterDesign func()
	// chunkSize, when set (tests), is how many designs are recorded at once.
	chunkSize int
	// orphanGrace, when set (tests), replaces OrphanGrace.
	orphanGrace time.Duration
}

// ImportArgs is the job that processes one import batch.
type ImportArgs struct {
	TenantID int64 `json:"tenant_id"`
	BatchID  int64 `json:"batch_id"`
}

// Kind names the job for River.
func (ImportArgs) Kind() string { return "library_import" }

// InsertOpts puts imports on their own queue with a few attempts: a rerun
// after a crash picks up where the last one stopped.
func (ImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueImports, MaxAttempts: 10}
}

// ImportWorker runs import jobs.
type ImportWorker struct {
	river.WorkerDefaults[ImportArgs]
	svc *Service
}

// Worker returns the River worker of import jobs.
func (s *Service) Worker() *ImportWorker { return &ImportWorker{svc: s} }

// Timeout lets an import run for hours (River's default is one minute): a
// crashed worker's import is taken over through the job queue's heartbeat
// and the batch's lease, not by a timeout.
func (w *ImportWorker) Timeout(*river.Job[ImportArgs]) time.Duration { return jobs.ImportTimeout }

// Work processes a batch; while another live worker holds it, the job
// waits and tries again.
func (w *ImportWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	err := w.svc.Process(ctx, job.Args.TenantID, job.Args.BatchID)
	if errors.Is(err, ErrBatchBusy) {
		return river.JobSnooze(leaseTTL)
	}
	return err
}

// Upload is one file sent by the quilter.
type Upload struct {
	Name string
	Body io.Reader
	// Size is the declared size, or -1 when unknown (streamed).
	Size int64
}

// ErrUploadTooLarge is an upload over the limit of one import; nothing of
// it is kept.
var ErrUploadTooLarge = problem.TooLarge("too_large", "That upload is over the size limit of one import. Please upload fewer files at a time; nothing was stored.")

// StartImport stores the uploads and queues their processing, all or
// nothing: a failure removes every file stored for it.
func (s *Service) StartImport(ctx context.Context, tenantID, userID int64, uploads []Upload, stage bool) (*store.ImportBatch, error) {
	i := 0
	return s.StartImportStream(ctx, tenantID, userID, func() (*Upload, error) {
		if i == len(uploads) {
			return nil, nil
		}
		i++
		return &uploads[i-1], nil
	}, stage)
}

// StartImportStream is StartImport for uploads that arrive one after the
// other (the parts of a multipart request): next returns each in turn, nil
// at the end. Each upload's body is read to its end before next is called
// again, so nothing is held in memory.
func (s *Service) StartImportStream(ctx context.Context, tenantID, userID int64, next func() (*Upload, error), stage bool) (*store.ImportBatch, error) {
	if err := s.quota(ctx, tenantID, limits.UploadsPerHour, 1); err != nil {
		return nil, err
	}
	prefix := blob.Key(tenantID, "uploads", randomName())
	var recs []store.ImportUpload
	var total int64
	fail := func(err error) (*store.ImportBatch, error) {
		s.Blobs.DeletePrefix(context.WithoutCancel(ctx), prefix)
		return nil, err
	}
	for i := 0; ; i++ {
		u, err := next()
		if err != nil {
			return fail(brokenUpload("", err))
		}
		if u == nil {
			break
		}
		key := fmt.Sprintf("%s/%d", prefix, i)
		max := s.limits().MaxUploadSize - total
		cr := &countingReader{r: io.LimitReader(u.Body, max+1)}
		// An upload exists nowhere else: while S3 is down it is kept on
		// local disk (blob.Spool) and the import waits for the storage.
		if _, err := blob.PutSafe(ctx, s.Blobs, key, cr, -1, "application/octet-stream"); err != nil {
			if cr.err != nil {
				return fail(brokenUpload(u.Name, cr.err))
			}
			return fail(fmt.Errorf("library: store upload %q: %w", u.Name, err))
		}
		if cr.n > max {
			return fail(ErrUploadTooLarge.Reword(fmt.Sprintf("That upload is larger than %s, the limit of one import. Please upload fewer files at a time; nothing was stored.",
				humanBytes(s.limits().MaxUploadSize))).Wrap(fmt.Errorf("upload %q", u.Name)))
		}
		total += cr.n
		recs = append(recs, store.ImportUpload{N: i, FileName: cleanUploadName(u.Name), Size: cr.n, BlobKey: key})
	}
	if len(recs) == 0 {
		return nil, ErrNoFiles
	}
	for _, rec := range recs {
		if err := s.check(ctx, rec); err != nil {
			return fail(err)
		}
	}
	reason, err := s.held(ctx, tenantID, 0, total)
	if err != nil {
		return fail(err)
	}
	var batch *store.ImportBatch
	err = s.Store.DB().WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		var err error
		if batch, err = store.InsertBatch(ctx, tx, userID, recs, stage); err != nil {
			return err
		}
		if err := noteHeld(ctx, tx, batch, reason); err != nil {
			return err
		}
		_, err = s.Queue.InsertTx(ctx, tx, ImportArgs{TenantID: tenantID, BatchID: batch.ID}, nil)
		return err
	})
	if err != nil {
		return fail(fmt.Errorf("library: queue import: %w", err))
	}
	s.Metrics.Count("import")
	return batch, nil
}

// ErrNoFiles is an import that holds no file.
var ErrNoFiles = problem.BadRequest("no_files", "Choose one or more ZIP files or design files to upload.")

// ErrRefused is an upload refused at once, for a reason the quilter can
// act on (an empty or damaged ZIP, a ZIP bomb, a text file named .zip):
// the message is reworded to say which file and why.
var ErrRefused = problem.BadRequest("upload_refused", "That upload cannot be imported; nothing was stored.")

// check opens a stored upload as the import will, refusing at once what
// can be refused without reading its files.
func (s *Service) check(ctx context.Context, u store.ImportUpload) error {
	ra, size, drop, err := s.openUpload(ctx, u)
	if err != nil {
		return err
	}
	defer drop()
	if err := ingest.Check(ra, size, u.FileName, s.Limits, s.tempDir()); err != nil {
		var ie *ingest.Error
		if errors.As(err, &ie) {
			return ErrRefused.Reword(ingest.Explain(err) + " Nothing was stored.").Wrap(err)
		}
		return fmt.Errorf("library: check upload %q: %w", u.FileName, err)
	}
	return nil
}

func (s *Service) limits() ingest.Limits {
	l := s.Limits
	d := ingest.DefaultLimits()
	if l.MaxUploadSize <= 0 {
		l.MaxUploadSize = d.MaxUploadSize
	}
	return l
}

type countingReader struct {
	r   io.Reader
	n   int64
	err error // the reader's own failure (not EOF)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// ErrBrokenUpload is an upload whose body could not be read to its end
// (the client's connection broke off, a malformed form): the client's
// failure, not ours. Its cause is kept as text only, so that an
// unexpected EOF or a reset from the client's connection is never taken
// for an outage of the storage or the database.
var ErrBrokenUpload = errors.New("library: the upload could not be read to its end")

func brokenUpload(name string, cause error) error {
	var mbe *http.MaxBytesError
	if errors.As(cause, &mbe) {
		return fmt.Errorf("library: read upload %q: %w", name, cause) // over the request's limit: 413
	}
	return fmt.Errorf("%w: %q: %v", ErrBrokenUpload, name, cause)
}

// MultipartUploads returns the uploads of a multipart form, one after the
// other, from its parts named field (the parts stream; nothing is held in
// memory). It is the next func of StartImportStream.
func MultipartUploads(mr *multipart.Reader, field string) func() (*Upload, error) {
	return func() (*Upload, error) {
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			if part.FormName() == field && part.FileName() != "" {
				return &Upload{Name: part.FileName(), Body: part, Size: -1}, nil
			}
			part.Close()
		}
	}
}

// Batch returns import batch id of a tenant, saying what it waits for
// while it cannot go on.
func (s *Service) Batch(ctx context.Context, tenantID, id int64) (*store.ImportBatch, error) {
	b, err := s.Store.Batch(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	s.noteWaiting(b)
	return b, nil
}

// Batches lists a tenant's newest import batches (at most limit), as
// Batch does.
func (s *Service) Batches(ctx context.Context, tenantID int64, limit int) ([]*store.ImportBatch, error) {
	bs, err := s.Store.Batches(ctx, tenantID, limit)
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		s.noteWaiting(b)
	}
	return bs, nil
}

// noteWaiting sets b.Waiting to "storage" when b is unfinished and the
// storage is down: its job waits for the storage and goes on by itself.
func (s *Service) noteWaiting(b *store.ImportBatch) {
	if (b.Status == store.BatchQueued || b.Status == store.BatchRunning) && s.StorageDown != nil && s.StorageDown() {
		b.Waiting = "storage"
	}
}
