package backup

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
)

// Bounds on an export a restore reads.
const (
	// MaxZipEntries is the most entries an export may have.
	MaxZipEntries = 2_000_000
	// MaxFileRows is the most files a manifest may list.
	MaxFileRows = 1_000_000
	// batchRows and batchBytes bound one INSERT of a restore.
	batchRows  = 500
	batchBytes = 4 << 20
)

// RestoreOptions change a restore.
type RestoreOptions struct {
	// Replace lets a restore from an export replace everything in a
	// workspace that is not empty, after a snapshot of what is there.
	// (A restore of a snapshot always replaces, after one.)
	Replace bool
	// Record, when set, is the restore's row: it is marked done in the
	// restore's own transaction, so a crash never leaves it half done.
	Record *store.Restore
}

// RestoreSummary says what a restore did.
type RestoreSummary struct {
	Designs int   `json:"designs"`
	Trashed int   `json:"trashed"`
	Files   int   `json:"files"`
	Shares  int   `json:"shares"`
	Rows    int64 `json:"rows"`
	// Stored is how many files were written to storage (an export's;
	// a snapshot's are there already).
	Stored int `json:"files_stored"`
	// Thumbnails were taken from the export; Redrawn drawn again.
	Thumbnails int `json:"thumbnails"`
	Redrawn    int `json:"redrawn"`
	// LeftOut counts rows of people unknown on this platform (their
	// favourites, pins, saved searches), which were left out.
	LeftOut int64 `json:"left_out"`
	// NewLinks counts share links whose address was in use elsewhere
	// (the workspace copied was still there): they got new addresses.
	NewLinks int `json:"new_links"`
	// Before is the snapshot of what was there, taken first (0: none).
	Before int64 `json:"before_snapshot"`
}

// String says it in a sentence.
func (r *RestoreSummary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Restored %d designs", r.Designs)
	if r.Trashed > 0 {
		fmt.Fprintf(&b, " (and %d in the trash)", r.Trashed)
	}
	fmt.Fprintf(&b, " with %d files, and %d share links.", r.Files, r.Shares)
	if r.LeftOut > 0 {
		fmt.Fprintf(&b, " %d favourites, pins or saved searches of people without an account here were left out.", r.LeftOut)
	}
	if r.NewLinks > 0 {
		fmt.Fprintf(&b, " %d share links got new addresses (the old ones still lead to the workspace this was copied from).", r.NewLinks)
	}
	if r.Before > 0 {
		fmt.Fprintf(&b, " What was there before is kept in snapshot %d.", r.Before)
	}
	return b.String()
}

// fileRow is a pattern_files row as a restore checks it.
type fileRow struct {
	ID        int64  `json:"id"`
	PatternID int64  `json:"pattern_id"`
	FileName  string `json:"file_name"`
	BlobKey   string `json:"blob_key"`
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	sum       []byte
}

// bytea decodes PostgreSQL's JSON form of a bytea ("\\x0a1b...").
func bytea(s string) ([]byte, error) {
	h, ok := strings.CutPrefix(s, `\x`)
	if !ok {
		return nil, fmt.Errorf("not a bytea: %.20q", s)
	}
	return hex.DecodeString(h)
}

// checker reads a whole manifest before a restore writes anything: that
// it is complete (every table's rows as many as it says), of a version
// and schema this PatternVault reads, naming only tables it copies, and
// what files it needs.
type checker struct {
	tenantID  int64
	snapshot  bool // a snapshot of this tenant: its file keys are kept
	maxSchema int
	h         *Header
	seen      map[string]bool
	files     map[int64]*fileRow
	paths     map[int64]string
	designs   int
	trashed   int
	shares    int
	rows      int64
	counts    map[string]int64
}

func newChecker(tenantID int64, snapshot bool) *checker {
	return &checker{tenantID: tenantID, snapshot: snapshot, maxSchema: len(db.TenantMigrations()),
		seen: map[string]bool{}, counts: map[string]int64{}, files: map[int64]*fileRow{}, paths: map[int64]string{}}
}

func (c *checker) header(h *Header) error {
	if h.SchemaVersion > c.maxSchema {
		return ErrTooNew.Reword(fmt.Sprintf("This export was made by a newer PatternVault (its workspace schema is version %d; this one knows up to %d). Update PatternVault, then restore it; nothing was restored.", h.SchemaVersion, c.maxSchema))
	}
	if h.SchemaVersion < 1 {
		return ErrCorrupt.Reword("This export does not say which version of PatternVault made it, so nothing was restored.")
	}
	c.h = h
	return nil
}

func (c *checker) table(name string, columns []string) (func([]byte) error, error) {
	w := store.WorkspaceTableByName(name)
	if w == nil || !w.Copied() {
		return nil, ErrCorrupt.Reword(fmt.Sprintf("This export holds a table PatternVault does not restore (%q), so nothing was restored.", name))
	}
	if c.seen[name] {
		return nil, ErrCorrupt.Reword(fmt.Sprintf("This export holds the table %q twice, so nothing was restored.", name))
	}
	c.seen[name] = true
	cols := map[string]bool{}
	for _, col := range columns {
		if col == "" || cols[col] {
			return nil, ErrCorrupt.Reword(fmt.Sprintf("The table %q of this export has a blank or repeated column, so nothing was restored.", name))
		}
		cols[col] = true
	}
	switch name {
	case "patterns":
		return c.pattern, nil
	case "pattern_files":
		return c.fileRow, nil
	case "platform.share_links":
		return func([]byte) error { c.shares++; return nil }, nil
	}
	return func([]byte) error { return nil }, nil
}

func (c *checker) pattern(row []byte) error {
	var p struct {
		DeletedAt *string `json:"deleted_at"`
	}
	if err := json.Unmarshal(row, &p); err != nil {
		return fmt.Errorf("a design: %w", err)
	}
	if p.DeletedAt != nil {
		c.trashed++
	} else {
		c.designs++
	}
	return nil
}

func (c *checker) fileRow(row []byte) error {
	if len(c.files) >= MaxFileRows {
		return ErrCorrupt.Reword(fmt.Sprintf("This export lists more than %d files, more than PatternVault restores at once; nothing was restored.", MaxFileRows))
	}
	f := &fileRow{}
	if err := json.Unmarshal(row, f); err != nil {
		return fmt.Errorf("a file: %w", err)
	}
	sum, err := bytea(f.SHA256)
	if err != nil || len(sum) != sha256.Size || f.Size < 0 || f.FileName == "" || f.ID <= 0 {
		return ErrCorrupt.Reword(fmt.Sprintf("The file %q of this export is described wrongly (its checksum or size), so nothing was restored.", f.FileName))
	}
	if c.snapshot && (!blob.ValidKey(f.BlobKey) || !strings.HasPrefix(f.BlobKey, blob.Key(c.tenantID)+"/")) {
		return ErrDamaged.Reword(fmt.Sprintf("The snapshot names a stored file outside this workspace (%q), so nothing was restored.", f.BlobKey))
	}
	if _, dup := c.files[f.ID]; dup {
		return ErrCorrupt.Reword("This export lists a file twice, so nothing was restored.")
	}
	f.sum = sum
	c.files[f.ID] = f
	return nil
}

func (c *checker) endTable(name string, rows, stated int64) error {
	if stated != rows {
		return ErrCorrupt.Reword(fmt.Sprintf("This export is incomplete: its table %q holds %d rows where it says %d. Nothing was restored.", name, rows, stated))
	}
	c.rows += rows
	c.counts[name] = rows
	return nil
}

func (c *checker) file(e FileEntry) error {
	if _, ok := c.files[e.FileID]; !ok {
		return ErrCorrupt.Reword(fmt.Sprintf("This export places a file (%q) that no design has, so nothing was restored.", e.Path))
	}
	c.paths[e.FileID] = e.Path
	return nil
}

// loader loads a checked manifest into the workspace, inside the
// restore's transaction.
type loader struct {
	ctx      context.Context
	tx       *store.TenantTx
	tenantID int64
	export   bool // an export: file keys are this workspace's content addresses
	// tenantOnly skips platform tables (a scratch schema has none).
	tenantOnly bool
	m          *store.RestoreMap
	w          *store.WorkspaceTable
	cols       []store.TableColumn
	buf        bytes.Buffer
	n          int
	read       int64
	inserted   int64
	leftOut    int64
	newLinks   int
}

func (l *loader) header(*Header) error { return nil }

func (l *loader) file(FileEntry) error { return nil }

func (l *loader) table(name string, columns []string) (func([]byte) error, error) {
	w := store.WorkspaceTableByName(name)
	if l.tenantOnly && w.Platform() {
		l.w = nil
		return func([]byte) error { return nil }, nil
	}
	real, err := l.tx.WorkspaceColumns(l.ctx, w)
	if err != nil {
		return nil, err
	}
	l.w, l.cols, l.n, l.read = w, nil, 0, 0
	l.buf.Reset()
	for _, c := range real {
		if slices.Contains(columns, c.Name) {
			l.cols = append(l.cols, c)
		}
	}
	return l.row, nil
}

func (l *loader) row(row []byte) error {
	l.read++
	if l.export {
		var err error
		switch l.w.Name {
		case "pattern_files":
			row, err = l.fileKey(row)
		case "platform.share_links":
			row, err = l.shareToken(row)
		}
		if err != nil {
			return err
		}
	}
	if l.n == 0 {
		l.buf.WriteByte('[')
	} else {
		l.buf.WriteByte(',')
	}
	l.buf.Write(row)
	l.n++
	if l.n >= batchRows || l.buf.Len() >= batchBytes {
		return l.flush()
	}
	return nil
}

func (l *loader) flush() error {
	if l.n == 0 {
		return nil
	}
	l.buf.WriteByte(']')
	n, err := l.tx.LoadWorkspaceRows(l.ctx, l.w, l.cols, l.buf.Bytes(), l.m)
	if err != nil {
		return ErrCorrupt.Reword(fmt.Sprintf("The rows of %q in this backup could not be restored, so nothing was restored.", l.w.Name)).Wrap(err)
	}
	l.inserted += n
	l.buf.Reset()
	l.n = 0
	return nil
}

func (l *loader) endTable(name string, rows, _ int64) error {
	if l.w == nil {
		return nil
	}
	if err := l.flush(); err != nil {
		return err
	}
	if len(l.w.Users) > 0 {
		l.leftOut += l.read - l.inserted
	}
	l.inserted = 0
	return nil
}

// fileKey points a file row of an export at this workspace's copy of the
// file (its content address), whatever key the export carried.
func (l *loader) fileKey(row []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(row, &m); err != nil {
		return nil, err
	}
	var s string
	if err := json.Unmarshal(m["sha256"], &s); err != nil {
		return nil, err
	}
	sum, err := bytea(s)
	if err != nil || len(sum) != sha256.Size {
		return nil, ErrCorrupt
	}
	key, _ := json.Marshal(blob.SHA256Key(l.tenantID, [32]byte(sum)))
	m["blob_key"] = key
	return json.Marshal(m)
}

// shareToken gives a share link restored from an export a new address
// when its old one is in use (by the workspace it was copied from).
func (l *loader) shareToken(row []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(row, &m); err != nil {
		return nil, err
	}
	var s string
	if err := json.Unmarshal(m["token_hash"], &s); err != nil {
		return nil, err
	}
	hash, err := bytea(s)
	if err != nil {
		return nil, ErrCorrupt
	}
	taken, err := l.tx.ShareTokenTaken(l.ctx, hash)
	if err != nil || !taken {
		return row, err
	}
	fresh := make([]byte, sha256.Size)
	rand.Read(fresh)
	m["token_hash"], _ = json.Marshal(`\x` + hex.EncodeToString(fresh))
	l.newLinks++
	return json.Marshal(m)
}

// checkedExport is an export read whole and found complete.
type checkedExport struct {
	chk     *checker
	entries map[string]*zip.File
	open    func() (io.ReadCloser, error)
}

// CheckExport reads the export in r (size bytes) whole, as a restore does
// before it writes anything, and returns its header: a damaged,
// truncated, foreign or too new file is refused with the reason.
func (s *Service) CheckExport(ctx context.Context, r io.ReaderAt, size int64) (*Header, error) {
	ce, err := s.checkExport(ctx, 0, r, size)
	if err != nil {
		return nil, err
	}
	return ce.chk.h, nil
}

func (s *Service) checkExport(ctx context.Context, tenantID int64, r io.ReaderAt, size int64) (*checkedExport, error) {
	if n, ok := ingest.CountZipEntries(r, size, MaxZipEntries); !ok {
		return nil, ErrNotManifest.Reword("This is not a PatternVault export, or it is damaged or incomplete (it is not a whole ZIP file). Nothing was restored.")
	} else if n > MaxZipEntries {
		return nil, ErrCorrupt.Reword(fmt.Sprintf("This file holds more than %d entries, more than an export has; nothing was restored.", MaxZipEntries))
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, ErrNotManifest.Reword("This is not a PatternVault export, or it is damaged or incomplete (it is not a whole ZIP file). Nothing was restored.").Wrap(err)
	}
	entries := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		entries[f.Name] = f
	}
	mf := entries["manifest.json"]
	if mf == nil {
		return nil, ErrNotManifest
	}
	openManifest := func() (io.ReadCloser, error) { return mf.Open() }
	chk := newChecker(tenantID, false)
	if err := readFrom(openManifest, chk); err != nil {
		return nil, err
	}
	if err := s.checkZipFiles(ctx, chk, entries); err != nil {
		return nil, err
	}
	return &checkedExport{chk: chk, entries: entries, open: openManifest}, nil
}

// RestoreExport restores the export in r (size bytes: a ZIP made by
// WriteExport) into workspace tenantID. All of it is checked first (every
// table complete, every file present with its SHA-256); a damaged,
// truncated or foreign file is refused before anything is written. The
// workspace must be empty unless opt.Replace, which snapshots it first.
func (s *Service) RestoreExport(ctx context.Context, tenantID int64, r io.ReaderAt, size int64, opt RestoreOptions) (*RestoreSummary, error) {
	ce, err := s.checkExport(ctx, tenantID, r, size)
	if err != nil {
		return nil, err
	}
	chk, entries, openManifest := ce.chk, ce.entries, ce.open
	var sum *RestoreSummary
	err = s.Store.WithBackupLock(ctx, tenantID, func() error {
		before, err := s.prepare(ctx, tenantID, opt.Replace)
		if err != nil {
			return err
		}
		stored, err := s.storeZipFiles(ctx, tenantID, chk, entries)
		if err != nil {
			return err
		}
		sum, err = s.load(ctx, tenantID, chk, openManifest, true, opt)
		if err != nil {
			return err
		}
		sum.Stored, sum.Before = stored, before
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.thumbnails(ctx, tenantID, chk, entries, sum)
	return sum, nil
}

// readFrom opens a manifest and reads it into to.
func readFrom(open func() (io.ReadCloser, error), to manifestReader) error {
	rc, err := open()
	if err != nil {
		return ErrCorrupt.Wrap(err)
	}
	defer rc.Close()
	return readManifest(rc, to)
}

// checkZipFiles makes sure every file the manifest lists is in the ZIP,
// whole, with the SHA-256 and size the manifest gives.
func (s *Service) checkZipFiles(ctx context.Context, chk *checker, entries map[string]*zip.File) error {
	for id, f := range chk.files {
		p, ok := chk.paths[id]
		if !ok {
			return ErrCorrupt.Reword(fmt.Sprintf("This export does not say where the file %q is, so nothing was restored.", f.FileName))
		}
		e := entries[p]
		if e == nil {
			return ErrCorrupt.Reword(fmt.Sprintf("This export is incomplete: the file %q is missing. Nothing was restored.", p))
		}
		if e.UncompressedSize64 != uint64(f.Size) {
			return ErrCorrupt.Reword(fmt.Sprintf("The file %q of this export has the wrong size (%d bytes, the manifest says %d). Nothing was restored.", p, e.UncompressedSize64, f.Size))
		}
	}
	checked := map[string]bool{}
	for id, f := range chk.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := chk.paths[id]
		if checked[p] {
			continue
		}
		checked[p] = true
		rc, err := entries[p].Open()
		if err != nil {
			return ErrCorrupt.Reword(fmt.Sprintf("The file %q of this export cannot be read (%v). Nothing was restored.", p, err)).Wrap(err)
		}
		h := sha256.New()
		_, err = io.Copy(h, rc)
		rc.Close()
		if err != nil {
			return ErrCorrupt.Reword(fmt.Sprintf("The file %q of this export is damaged (%v). Nothing was restored.", p, err)).Wrap(err)
		}
		if !bytes.Equal(h.Sum(nil), f.sum) {
			return ErrCorrupt.Reword(fmt.Sprintf("The file %q of this export does not match its checksum: it was changed or damaged. Nothing was restored.", p))
		}
	}
	return nil
}

// prepare checks the workspace can take a restore: no import running,
// empty unless replace. When it is not empty it takes a snapshot first
// and returns its id.
func (s *Service) prepare(ctx context.Context, tenantID int64, replace bool) (int64, error) {
	var empty, running bool
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if running, err = tx.ImportRunning(ctx); err != nil {
			return err
		}
		empty, err = tx.WorkspaceEmpty(ctx)
		return err
	})
	switch {
	case err != nil:
		return 0, err
	case running:
		return 0, ErrImportRunning
	case empty:
		return 0, nil
	case !replace:
		return 0, ErrNotEmpty
	}
	snap, err := s.snapshotLocked(ctx, tenantID, store.SnapshotBeforeRestore)
	if err != nil {
		return 0, fmt.Errorf("backup: snapshot before the restore: %w", err)
	}
	return snap.ID, nil
}

// storeZipFiles copies the export's files into the workspace's storage,
// each under its content address; files already there are left alone.
// A file that reads differently than when it was checked is refused
// before it is kept.
func (s *Service) storeZipFiles(ctx context.Context, tenantID int64, chk *checker, entries map[string]*zip.File) (int, error) {
	done := map[string]bool{}
	stored := 0
	for id, f := range chk.files {
		key := blob.SHA256Key(tenantID, [32]byte(f.sum))
		if done[key] {
			continue
		}
		done[key] = true
		if info, err := s.Blobs.Stat(ctx, key); err == nil && info.Size == f.Size {
			continue
		}
		rc, err := entries[chk.paths[id]].Open()
		if err != nil {
			return stored, ErrCorrupt.Wrap(err)
		}
		err = s.Blobs.Put(ctx, key, &verifyingReader{r: rc, h: sha256.New(), want: f.sum, name: chk.paths[id]}, -1, "application/octet-stream")
		rc.Close()
		if err != nil {
			if errors.Is(err, ErrCorrupt) {
				return stored, err
			}
			return stored, fmt.Errorf("backup: store %q: %w", chk.paths[id], err)
		}
		stored++
	}
	return stored, nil
}

// verifyingReader fails at its end when what was read does not hash to
// want, so that a store never keeps a file under the wrong address.
type verifyingReader struct {
	r    io.Reader
	h    hash.Hash
	want []byte
	name string
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF && !bytes.Equal(v.h.Sum(nil), v.want) {
		return n, ErrCorrupt.Reword(fmt.Sprintf("The file %q changed while it was restored. Nothing was restored.", v.name))
	}
	return n, err
}

// load clears the workspace and loads the manifest into it, in one
// transaction.
func (s *Service) load(ctx context.Context, tenantID int64, chk *checker, open func() (io.ReadCloser, error), export bool, opt RestoreOptions) (*RestoreSummary, error) {
	var users map[int64]int64 // a snapshot keeps its own people's ids
	if export {
		var err error
		if users, err = s.Store.MapUsers(ctx, chk.h.Members); err != nil {
			return nil, err
		}
	}
	sum := &RestoreSummary{Designs: chk.designs, Trashed: chk.trashed, Files: len(chk.files), Shares: chk.shares, Rows: chk.rows}
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		if err := tx.ClearWorkspace(ctx); err != nil {
			return err
		}
		l := &loader{ctx: ctx, tx: tx, tenantID: tenantID, export: export, m: &store.RestoreMap{Users: users}}
		if err := readFrom(open, l); err != nil {
			return err
		}
		if _, err := tx.FinishRestore(ctx); err != nil {
			return err
		}
		ws := chk.h.Workspace
		if err := tx.RestoreWorkspaceSettings(ctx, ws.Settings, ws.Logo, ws.LogoType); err != nil {
			return err
		}
		sum.LeftOut, sum.NewLinks = l.leftOut, l.newLinks
		if r := opt.Record; r != nil {
			now := s.now()
			r.Status, r.Summary, r.FinishedAt = store.JobDone, sum.String(), &now
			return tx.Platform().UpdateRestore(ctx, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: restore into tenant %d: %w", tenantID, err)
	}
	return sum, nil
}

// thumbnails gives the restored designs their pictures: the export's,
// else drawn again from their files.
func (s *Service) thumbnails(ctx context.Context, tenantID int64, chk *checker, entries map[string]*zip.File, sum *RestoreSummary) {
	ids := map[int64]bool{}
	for _, f := range chk.files {
		ids[f.PatternID] = true
	}
	for id := range ids {
		if e := entries["index_files/thumbs/"+strconv.FormatInt(id, 10)+".png"]; e != nil && e.UncompressedSize64 < 8<<20 {
			if rc, err := e.Open(); err == nil {
				err = s.Blobs.Put(ctx, library.ThumbKey(tenantID, id, library.ThumbGrid), rc, int64(e.UncompressedSize64), "image/png")
				rc.Close()
				if err == nil {
					sum.Thumbnails++
					continue
				}
			}
		}
		if s.Library != nil && s.Library.RedrawThumbnail(ctx, tenantID, id) == nil {
			sum.Redrawn++
		}
	}
}

// OpenReaderAt opens a stored file for random access (a restore reads a
// ZIP's directory at its end): directly when the store's reader allows
// it, else through a temporary copy. The returned func closes it.
func OpenReaderAt(ctx context.Context, blobs blob.Store, key string) (io.ReaderAt, int64, func(), error) {
	rc, info, err := blobs.Get(ctx, key)
	if err != nil {
		return nil, 0, nil, err
	}
	if ra, ok := rc.(io.ReaderAt); ok {
		return ra, info.Size, func() { rc.Close() }, nil
	}
	defer rc.Close()
	tmp, err := os.CreateTemp("", "pv-restore-*.zip")
	if err != nil {
		return nil, 0, nil, err
	}
	os.Remove(tmp.Name())
	n, err := io.Copy(tmp, rc)
	if err != nil {
		tmp.Close()
		return nil, 0, nil, err
	}
	return tmp, n, func() { tmp.Close() }, nil
}
