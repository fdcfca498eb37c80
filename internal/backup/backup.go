// Package backup keeps PatternVault's promise that nothing is lost
// (DESIGN decision 12): exports a quilter can take home, automatic
// snapshots of every workspace, restores from either, restore checks that
// prove the snapshots restore, the trash, and the deletion of a workspace
// or an account.
//
// # The manifest
//
// Every copy of a workspace is one document, the manifest
// (manifest.go, documented in docs/manifest.md): a header (the workspace,
// its people, the versions) and every row of every table declared in
// store.WorkspaceTables, as JSON objects, streamed row by row. Adding a
// table is one declaration there; a new column is copied by itself.
//
//   - An export is a ZIP: manifest.json, one folder per design with its
//     original files byte-exact (and a conversion for the quilter's
//     machine when no original is in its format), and index.html, an
//     offline catalogue with thumbnails and links to every file.
//   - A snapshot is the same manifest, gzipped, in blob storage under
//     "{tenant}/snapshots/". Design files are content-addressed and
//     immutable, so a snapshot only references them; the tenant table
//     backup_refs records which files kept snapshots reference, and the
//     one check every cleanup makes (store.TenantTx.BlobKeysInUse) keeps
//     them.
//
// # Restores
//
// A restore reads a manifest twice: once to check all of it (structure,
// row counts, every file's SHA-256) before anything is written, then to
// load it in one transaction that first clears the workspace: others see
// the old rows until it commits, a crash rolls all of it back. Tenant
// tables keep their ids; platform rows (share links) get new ones. A
// restore into a workspace that is not empty is refused unless it
// replaces, and replacing takes a snapshot of the present first.
//
// Snapshots, restores and restore checks of one workspace take its backup
// lock (store.WithBackupLock), so they never overlap.
package backup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Service runs exports, snapshots, restores and deletions.
type Service struct {
	Store   *store.Store
	Blobs   blob.Store
	Library *library.Service
	// Queue runs exports, snapshots and restores in the background; nil
	// in commands that work in the foreground.
	Queue *jobs.Queue
	// Mail sends the export-ready, deletion and alert mails; nil sends
	// none.
	Mail mail.Sender
	// BaseURL is the public address, for links in mail.
	BaseURL string
	Log     *slog.Logger
	// Policy is when snapshots are taken and how long they are kept.
	Policy Policy
	// Generator names this PatternVault in manifests.
	Generator string
	// Now is the clock (tests move it).
	Now func() time.Time
	// Sample is how many stored files a restore check reads back (0:
	// SampleFiles).
	Sample int
	// Platform, when set, takes the platform's pgBackRest backup that is
	// due (internal/pgbackrest); the tick calls it.
	Platform func(context.Context) error
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// send mails data to the address, logging a failure (a mail is never
// worth failing the work it reports on).
func (s *Service) send(ctx context.Context, to string, data mail.Data) {
	if s.Mail == nil || to == "" {
		return
	}
	if err := s.Mail.Send(ctx, to, data); err != nil {
		s.log().Error("backup: send mail", "kind", data.Kind(), "to", to, "err", err)
	}
}

// TrashDays is how long a deleted design stays in the trash.
const TrashDays = 30

// DeleteGraceDays is how long a workspace (or account) whose deletion was
// asked for stays before it is purged.
const DeleteGraceDays = 30

// ExportDays is how long a finished export stays downloadable.
const ExportDays = 7

// LargeLibrary is the size from which an export mails its link when it
// is ready (a small one is ready before the person leaves the page).
const LargeLibrary = 500

// Problems of backups.
var (
	ErrNotEmpty      = problem.Conflict("workspace_not_empty", "This workspace is not empty. Restore into a new workspace, or choose to replace everything in it (a snapshot of what is there now is taken first).")
	ErrImportRunning = problem.Conflict("import_running", "An import is still running in this workspace. Wait for it to finish, then restore.")
	ErrNoSnapshot    = problem.NotFound("no_such_snapshot", "That snapshot does not exist (it may have been dropped by the retention rules).")
	ErrNotInSnapshot = problem.NotFound("not_in_snapshot", "That snapshot does not hold it.")
	ErrExportGone    = problem.Gone("export_expired", "That export has expired. Make a new one.")
	ErrExportNotDone = problem.Conflict("export_not_ready", "That export is not ready yet.")
	ErrDamaged       = problem.Invalid("backup_damaged", "A stored copy is damaged, so nothing was restored.")
	ErrFileMissing   = problem.Invalid("file_missing", "A file this restore needs is missing from storage, so nothing was restored.")
)

// randomName is a short random name for stored objects.
func randomName() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
