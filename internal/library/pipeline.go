package library

// The import pipeline. An upload stays in blob storage and is read through
// io.ReaderAt (the local file itself, or a temporary copy of an S3
// object), one ZIP entry at a time:
//
//  1. list: every upload is opened (ingest.OpenArchive checks its limits
//     and unpacks nested ZIPs to temporary files) and grouped into
//     designs from its listing alone (names, and the few bytes grouping
//     reads);
//  2. prepare, on Service.Workers goroutines (all cores by default), one
//     design each: read its files, hash them, put them in storage
//     (unsynced), read the best design file, measure and analyse it, draw
//     its thumbnail, then drop everything but a few hundred bytes of
//     facts. A design holds the import's memory budget (memBudget) for
//     what it reads; one that would need more than the whole budget is
//     kept without a preview;
//  3. commit, in design order, a chunk at a time (up to chunkDesigns, or
//     what is ready after chunkWait): one sync makes the chunk's files
//     durable, then one transaction decides new, merged or duplicate,
//     inserts the patterns, files, keywords and log lines, and advances
//     the batch's counters and ResumeAt, while the worker still holds the
//     batch's lease.
//
// At most window designs are between 2 and 3 at once, so memory does not
// grow with the upload.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"image"
	"io"
	"path"
	"slices"
	"sync"
	"time"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/render"
	"github.com/patternvault/patternvault/internal/store"
)

// Pipeline tuning.
const (
	chunkDesigns = 64                     // designs recorded in one transaction at most
	chunkWait    = 250 * time.Millisecond // ... or what is ready after this long
	holdLimit    = 1 << 20                // files this small are read once into memory; larger ones are streamed
	idBlock      = 64                     // pattern ids reserved at a time
)

// importRun is one run of Process over a batch.
type importRun struct {
	s                 *Service
	tenantID, batchID int64
	owner             string
	budget            *memBudget
	blobs             blob.Batch
	ids               *idPool

	designs []designRef
	// shared are the files of whole uploads (a store's README, a licence
	// at its root), stored once with the batch, not with every design.
	shared  []store.ImportFile
	uploads int // how many files were uploaded
	closers []func()
}

// designRef is one design of the batch and the archive holding its files.
type designRef struct {
	arc    *ingest.Archive
	design ingest.Design
}

// list opens every upload of b and groups it into designs, in upload
// order. It returns the uploads that could not be opened, with why.
//
// An upload that cannot be read because the storage is unreachable is no
// fault of the upload: that ends the run with the storage's error (the job
// waits and runs again; see blob.WithPatience), the upload kept.
func (r *importRun) list(ctx context.Context, b *store.ImportBatch) ([]store.FailedFile, error) {
	var failed []store.FailedFile
	r.uploads = len(b.Uploads)
	for _, u := range b.Uploads {
		if ctx.Err() != nil {
			return nil, nil
		}
		designs, err := r.listUpload(ctx, u)
		if blob.Unavailable(err) {
			return nil, err
		}
		if err != nil {
			failed = append(failed, store.FailedFile{File: u.FileName, Reason: ingest.Explain(err)})
			r.s.log().Info("library: upload refused", "tenant", r.tenantID, "batch", r.batchID, "file", u.FileName, "err", err)
			continue
		}
		r.designs = append(r.designs, designs...)
	}
	return failed, nil
}

func (r *importRun) listUpload(ctx context.Context, u store.ImportUpload) ([]designRef, error) {
	ra, size, drop, err := r.s.openUpload(ctx, u)
	if err != nil {
		return nil, err
	}
	r.closers = append(r.closers, drop)
	arc, err := ingest.OpenArchive(ra, size, u.FileName, r.s.Limits, r.s.tempDir())
	if err != nil {
		return nil, err
	}
	r.closers = append(r.closers, func() { arc.Close() })
	files, err := arc.Listing()
	if err != nil {
		return nil, err
	}
	up := ingest.GroupUpload(files)
	refs := make([]designRef, len(up.Designs))
	for i := range up.Designs {
		refs[i] = designRef{arc: arc, design: up.Designs[i]}
	}
	for _, df := range up.Shared {
		if err := r.keepShared(ctx, arc, u, df); err != nil {
			return nil, err
		}
	}
	return refs, nil
}

// keepShared stores a file of the whole upload once, as the batch's own.
func (r *importRun) keepShared(ctx context.Context, arc *ingest.Archive, u store.ImportUpload, df ingest.DesignFile) error {
	e := arc.Entry(df.Path)
	if e == nil {
		return fmt.Errorf("library: %s: not in the upload", df.Path)
	}
	f := &storedFile{path: df.Path, size: e.Size, role: roleOf(df.Role), format: df.Format}
	held, err := r.store(ctx, e, f)
	r.budget.release(held)
	f.data = nil
	if err != nil {
		return err
	}
	name := df.Path
	if r.uploads > 1 {
		name = u.FileName + ": " + df.Path // which upload it came with
	}
	r.shared = append(r.shared, store.ImportFile{N: len(r.shared) + 1, FileName: name, Size: e.Size, BlobKey: f.key})
	return nil
}

// recordShared makes the files of whole uploads durable and records them
// with the batch (replacing what an earlier run recorded).
func (r *importRun) recordShared(ctx context.Context) error {
	if len(r.shared) > 0 {
		if err := r.blobs.Commit(ctx); err != nil {
			return err
		}
	}
	return r.s.Store.SetImportFiles(ctx, r.tenantID, r.batchID, r.shared)
}

// close releases the uploads and temporary files.
func (r *importRun) close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
	r.closers = nil
}

// prepared is a design read, analysed, drawn and stored, waiting to be
// recorded.
type prepared struct {
	index    int
	design   *ingest.Design
	files    []*storedFile
	pattern  *store.Pattern // the row, should the design be new (ID reserved)
	thumbKey string         // the thumbnail stored under the reserved ID, if any
	warning  string         // kept with a caveat
	err      error          // the design could not be read
}

// run prepares and records designs start.. of the batch.
func (r *importRun) run(ctx context.Context, start int) error {
	n := len(r.designs)
	if start >= n {
		return nil
	}
	workers := r.s.workers()
	chunk := r.s.chunkSize
	if chunk <= 0 {
		chunk = chunkDesigns
	}
	// Two chunks may be in flight: one being recorded, the next being
	// prepared.
	window := make(chan struct{}, 2*chunk+4*workers)
	work := make(chan job)
	results := make(chan *prepared, workers)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	// Designs get their pattern ids here, in order, so that ids follow
	// the designs' order as when they were stored one by one.
	go func() {
		defer close(work)
		for i := start; i < n; i++ {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			id, err := r.ids.next(ctx)
			if err != nil {
				cancel(err)
				return
			}
			select {
			case work <- job{i, id}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range work {
				p := r.prepare(ctx, j.index, j.id)
				select {
				case results <- p:
				case <-ctx.Done():
					r.discard(p)
				}
			}
		})
	}
	go func() { wg.Wait(); close(results) }()

	// The recorder takes chunks in order, while the loop below goes on
	// gathering the next one.
	chunks := make(chan []*prepared, 1)
	recorded := make(chan error, 1)
	go func() {
		var err error
		for c := range chunks {
			if err == nil {
				if err = r.commit(ctx, c); err != nil {
					cancel(err)
				}
			}
			if err != nil {
				for _, p := range c {
					r.discard(p)
				}
			}
			for range c {
				<-window
			}
		}
		recorded <- err
	}()

	ready := map[int]*prepared{}
	var pending []*prepared
	next := start
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	flush := func() {
		if len(pending) > 0 {
			chunks <- pending
			pending = nil
		}
	}
	var err error
gather:
	for {
		select {
		case p, ok := <-results:
			if !ok {
				break gather
			}
			ready[p.index] = p
			for ready[next] != nil {
				if len(pending) == 0 {
					timer.Reset(chunkWait)
				}
				pending = append(pending, ready[next])
				delete(ready, next)
				next++
				if len(pending) >= chunk {
					flush()
				}
			}
		case <-timer.C:
			flush()
		case <-ctx.Done():
			for p := range results { // let the workers finish, and clean up
				r.discard(p)
			}
			break gather
		}
	}
	if ctx.Err() == nil {
		flush()
	}
	close(chunks)
	err = <-recorded
	if err == nil {
		err = context.Cause(ctx)
	}
	if err == nil && next < n {
		err = fmt.Errorf("designs %d..%d were not prepared", next, n-1)
	}
	if err != nil {
		cancel(err)
		for _, p := range pending {
			r.discard(p)
		}
		for _, p := range ready {
			r.discard(p)
		}
	}
	return err
}

// discard removes the thumbnail of a design that will not be recorded
// (its files are content-addressed: the orphan sweep finds those that no
// design uses).
func (r *importRun) discard(p *prepared) {
	if p.thumbKey != "" {
		r.s.Blobs.Delete(context.Background(), p.thumbKey)
	}
}

// job is a design to prepare and the id its pattern will have.
type job struct {
	index int
	id    int64
}

// prepare reads, stores, analyses and draws design i, whose pattern (if
// new) will have id.
func (r *importRun) prepare(ctx context.Context, i int, id int64) *prepared {
	ref := &r.designs[i]
	p := &prepared{index: i, design: &ref.design}
	held := int64(0)
	defer func() { r.budget.release(held) }()
	for _, df := range ref.design.Files {
		e := ref.arc.Entry(df.Path)
		if e == nil {
			p.err = fmt.Errorf("library: %s: not in the upload", df.Path)
			return p
		}
		f := &storedFile{path: df.Path, size: e.Size, role: roleOf(df.Role), format: df.Format}
		n, err := r.store(ctx, e, f)
		held += n
		if err != nil {
			p.err = err
			return p
		}
		p.files = append(p.files, f)
	}
	// The listing did not read the QLI files: their NO INFO lines join
	// the notes now.
	d := ref.design
	var qlis [][]byte
	for _, f := range p.files {
		if f.data != nil && ingest.Ext(f.path) == "qli" {
			qlis = append(qlis, f.data)
		}
	}
	d.Notes = ingest.MergeInfoLines(d.Notes, qlis...)
	a := r.s.analyse(ctx, p.files, r.budget)
	p.warning = a.warning
	for _, f := range p.files {
		f.data = nil
	}
	r.budget.release(held)
	held = 0
	p.pattern = a.pattern(&d, r.batchID)
	p.pattern.ID = id
	if a.thumb != nil {
		key := ThumbKey(r.tenantID, id, ThumbGrid)
		if err := r.blobs.Put(ctx, key, bytes.NewReader(a.thumb), int64(len(a.thumb)), "image/png"); err != nil {
			p.err = err
			return p
		}
		p.thumbKey = key
	}
	return p
}

// blobType is the content type a design's files are stored with. Stored
// by content, a file may be the content of several rows of different
// names (a .txt and a .qli of the same bytes), so its type is said where
// it is served, from the row's name (contentType); and on local storage a
// type of its own would cost each file a second file beside it.
const blobType = "application/octet-stream"

// store hashes one file and puts it in storage under its content address.
// Files up to holdLimit, and design files and pictures the analysis may
// read, are read into memory once (their size taken from the budget, and
// returned as held); larger ones are streamed twice, to hash and to store.
func (r *importRun) store(ctx context.Context, e *ingest.Entry, f *storedFile) (held int64, err error) {
	keep := (f.role == store.RoleDesign && e.Size <= maxDesignRead) ||
		(f.role == store.RolePicture && e.Size <= maxPictureRead) || f.format == "ans"
	if e.Size <= holdLimit || keep && r.budget.fits(e.Size) {
		if err := r.budget.acquire(ctx, e.Size); err != nil {
			return 0, err
		}
		data, err := e.ReadAll()
		if err != nil {
			return e.Size, err
		}
		f.sum = sha256.Sum256(data)
		f.key = blob.SHA256Key(r.tenantID, f.sum)
		if f.role == store.RoleDesign {
			f.format = detectFormat(f.path, f.format, data)
		}
		if err := r.blobs.Put(ctx, f.key, bytes.NewReader(data), e.Size, blobType); err != nil {
			return e.Size, err
		}
		if keep {
			f.data = data
			return e.Size, nil
		}
		r.budget.release(e.Size)
		return 0, nil
	}
	h := sha256.New()
	var hd headWriter
	if err := copyEntry(io.MultiWriter(h, &hd), e); err != nil {
		return 0, err
	}
	h.Sum(f.sum[:0])
	f.key = blob.SHA256Key(r.tenantID, f.sum)
	if f.role == store.RoleDesign {
		f.format = detectFormat(f.path, f.format, hd.b)
	}
	rc, err := e.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	check := &sumReader{r: rc, h: sha256.New()}
	if err := r.blobs.Put(ctx, f.key, check, e.Size, blobType); err != nil {
		return 0, err
	}
	if !bytes.Equal(check.h.Sum(nil), f.sum[:]) {
		// The entry read differently the second time: never keep a
		// file under the wrong address.
		r.s.Blobs.Delete(context.WithoutCancel(ctx), f.key)
		return 0, fmt.Errorf("library: %s changed while it was read", f.path)
	}
	return 0, nil
}

// copyEntry streams an entry's content to w.
func copyEntry(w io.Writer, e *ingest.Entry) error {
	rc, err := e.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(w, rc)
	return err
}

// headWriter keeps the first bytes written to it (for format detection).
type headWriter struct{ b []byte }

func (w *headWriter) Write(p []byte) (int, error) {
	if room := 512 - len(w.b); room > 0 {
		w.b = append(w.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// sumReader hashes what it reads.
type sumReader struct {
	r io.Reader
	h hash.Hash
}

func (s *sumReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.h.Write(p[:n])
	return n, err
}

// commit records a chunk of prepared designs, in order, in one
// transaction, after making their files durable. A design that failed
// because the storage was unreachable is not the design's fault: the chunk
// is not recorded and the run ends with that error, so that a later run
// (the job waits out the outage) starts again at this chunk.
func (r *importRun) commit(ctx context.Context, chunk []*prepared) error {
	for _, p := range chunk {
		if blob.Unavailable(p.err) {
			return fmt.Errorf("design %q: %w", p.design.Name, p.err)
		}
	}
	if err := r.blobs.Commit(ctx); err != nil {
		return err
	}
	var sums [][]byte
	for _, p := range chunk {
		for _, f := range p.files {
			sums = append(sums, f.sum[:])
		}
	}
	var unused []string
	err := r.s.Store.Tenant(ctx, r.tenantID, func(tx *store.TenantTx) error {
		unused = unused[:0]
		owners, err := tx.FileOwners(ctx, sums)
		if err != nil {
			return err
		}
		progress := store.BatchProgress{Stored: len(chunk), Owner: r.owner, LeaseFor: leaseTTL}
		var created []*store.Pattern
		var files, merged []*store.PatternFile
		var lines []store.ImportLogLine
		for _, p := range chunk {
			progress.Done++
			if p.err != nil {
				reason := ingest.Explain(p.err)
				var ie *ingest.Error
				if !errors.As(p.err, &ie) {
					reason = "It could not be read; please upload it again."
					r.s.log().Warn("library: design not imported", "tenant", r.tenantID, "batch", r.batchID, "design", p.design.Name, "err", p.err)
				}
				progress.Failed = append(progress.Failed, store.FailedFile{File: designFile(p), Reason: reason})
				lines = append(lines, store.ImportLogLine{Level: "error", File: p.design.Folder, Message: p.design.Name + ": not imported: " + reason})
				if p.thumbKey != "" {
					unused = append(unused, p.thumbKey)
				}
				continue
			}
			var one store.BatchProgress
			target, fresh := mergeTarget(p.files, owners)
			switch {
			case target != 0 && len(fresh) == 0:
				if owners[firstSum(p.files, target, owners)].BatchID == r.batchID {
					one.Created = 1 // stored by an earlier run of this batch
				} else {
					one.Duplicate = 1
					progress.Skipped = append(progress.Skipped, store.FailedFile{File: designFile(p),
						Reason: "already in your library", PatternID: target})
				}
			case target != 0:
				one.Merged = 1
				for _, f := range fresh {
					merged = append(merged, fileRow(target, f, f.path))
				}
			default:
				one.Created = 1
				created = append(created, p.pattern)
				names := map[string]bool{}
				for _, f := range p.files {
					files = append(files, fileRow(p.pattern.ID, f, uniqueName(names, path.Base(f.path))))
					owners[string(f.sum[:])] = store.FileOwner{PatternID: p.pattern.ID, BatchID: r.batchID}
				}
			}
			if target != 0 && p.thumbKey != "" {
				unused = append(unused, p.thumbKey)
			}
			progress.Created += one.Created
			progress.Merged += one.Merged
			progress.Duplicate += one.Duplicate
			lines = append(lines, store.ImportLogLine{Level: "info", File: p.design.Folder, Message: logLine(p.design, one)})
			if p.warning != "" && target == 0 {
				progress.Warnings = append(progress.Warnings, store.FailedFile{File: designFile(p), Reason: p.warning})
				lines = append(lines, store.ImportLogLine{Level: "warn", File: p.design.Folder, Message: p.design.Name + ": " + p.warning})
			}
		}
		if err := tx.InsertImported(ctx, created, files); err != nil {
			return err
		}
		for _, f := range merged {
			if err := tx.InsertFile(ctx, f); err != nil {
				return err
			}
		}
		if err := tx.LogImportLines(ctx, r.batchID, lines); err != nil {
			return err
		}
		return tx.UpdateBatch(ctx, r.batchID, progress)
	})
	if err != nil {
		return fmt.Errorf("library: record designs %d..%d: %w", chunk[0].index, chunk[len(chunk)-1].index, err)
	}
	for _, k := range unused {
		r.s.Blobs.Delete(ctx, k)
	}
	// A first import into a new workspace outgrows the planner's view of
	// it (an empty library) within seconds: keep it up to date.
	if _, err := r.s.Store.AnalyzeGrownLibrary(ctx, r.tenantID); err != nil && ctx.Err() == nil {
		r.s.log().Warn("library: statistics not refreshed", "tenant", r.tenantID, "batch", r.batchID, "err", err)
	}
	for _, p := range chunk {
		p.thumbKey = "" // recorded (or deleted above)
		if r.s.afterDesign != nil {
			r.s.afterDesign()
		}
	}
	return nil
}

// firstSum is the content of one of files that pattern target holds.
func firstSum(files []*storedFile, target int64, owners map[string]store.FileOwner) string {
	for _, f := range files {
		if o, ok := owners[string(f.sum[:])]; ok && o.PatternID == target {
			return string(f.sum[:])
		}
	}
	return ""
}

// designFile names a design in the batch's lists: its best design file,
// or its first file.
func designFile(p *prepared) string {
	for _, f := range p.design.Files {
		if f.Role == ingest.RoleDesign {
			return f.Path
		}
	}
	if len(p.design.Files) > 0 {
		return p.design.Files[0].Path
	}
	return p.design.Name
}

func fileRow(patternID int64, f *storedFile, name string) *store.PatternFile {
	return &store.PatternFile{PatternID: patternID, Role: f.role, Format: f.format, FileName: name,
		Size: f.size, SHA256: slices.Clone(f.sum[:]), BlobKey: f.key, Readable: f.readable, Problem: f.problem}
}

// uniqueName returns name, or "2-name", "3-name", ... as InsertFile names
// a second file of the same name, so that a new pattern's files can be
// inserted together.
func uniqueName(seen map[string]bool, name string) string {
	candidate := name
	for i := 2; seen[candidate]; i++ {
		candidate = fmt.Sprintf("%d-%s", i, name)
	}
	seen[candidate] = true
	return candidate
}

// idPool hands out pattern ids reserved a block at a time, in order.
type idPool struct {
	s        *Service
	tenantID int64
	mu       sync.Mutex
	free     []int64
}

func (p *idPool) next(ctx context.Context) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) == 0 {
		ids, err := p.s.Store.ReservePatternIDs(ctx, p.tenantID, idBlock)
		if err != nil {
			return 0, err
		}
		p.free = ids
	}
	id := p.free[0]
	p.free = p.free[1:]
	return id, nil
}

// decodePicture decodes a picture whose size (by its header) fits within
// maxPicturePixels, or returns nil.
func decodePicture(data []byte) image.Image {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || int64(cfg.Width)*int64(cfg.Height) > maxPicturePixels {
		return nil
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	return img
}

// thumbnailPNG draws and encodes a thumbnail.
func thumbnailPNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := render.EncodePNG(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
