package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// The background side: jobs on the queue (internal/jobs) for exports,
// restores, snapshots and checks, and the tick that schedules them.

// JobTimeout bounds one export, restore, snapshot or check.
const JobTimeout = 4 * time.Hour

// TickEvery is how often the backup tick looks for work.
const TickEvery = 10 * time.Minute

// ExportArgs is the job that makes one export.
type ExportArgs struct {
	TenantID int64 `json:"tenant_id"`
	ExportID int64 `json:"export_id"`
}

// Kind names the job.
func (ExportArgs) Kind() string { return "backup_export" }

// InsertOpts allows a few attempts: a rerun starts the ZIP again.
func (ExportArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 3} }

// RestoreArgs is the job that runs one restore.
type RestoreArgs struct {
	TenantID  int64 `json:"tenant_id"`
	RestoreID int64 `json:"restore_id"`
}

// Kind names the job.
func (RestoreArgs) Kind() string { return "backup_restore" }

// InsertOpts allows a few attempts: a restore is one transaction, so a
// rerun after a crash starts it again from nothing.
func (RestoreArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 3} }

// SnapshotArgs is the job that takes one workspace's scheduled snapshot,
// then drops the snapshots the policy no longer keeps and empties the
// trash of designs past their time.
type SnapshotArgs struct {
	TenantID int64 `json:"tenant_id"`
}

// Kind names the job.
func (SnapshotArgs) Kind() string { return "backup_snapshot" }

// InsertOpts keeps one such job per workspace waiting at a time.
func (SnapshotArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// CheckArgs is the job that checks one workspace's latest snapshot.
type CheckArgs struct {
	TenantID int64 `json:"tenant_id"`
}

// Kind names the job.
func (CheckArgs) Kind() string { return "backup_check" }

// InsertOpts keeps one such job per workspace waiting at a time.
func (CheckArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// PurgeArgs is the job that deletes a workspace whose grace period ended.
type PurgeArgs struct {
	TenantID int64 `json:"tenant_id"`
}

// Kind names the job.
func (PurgeArgs) Kind() string { return "backup_purge_workspace" }

// InsertOpts keeps one such job per workspace.
func (PurgeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// TickArgs is the periodic job that schedules the others.
type TickArgs struct{}

// Kind names the job.
func (TickArgs) Kind() string { return "backup_tick" }

// InsertOpts keeps one tick waiting at a time.
func (TickArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// AddWorkers registers the backup jobs' workers.
func (s *Service) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &worker[ExportArgs]{run: func(ctx context.Context, a ExportArgs) error { return s.RunExport(ctx, a.TenantID, a.ExportID) }})
	river.AddWorker(w, &worker[RestoreArgs]{run: func(ctx context.Context, a RestoreArgs) error { return s.RunRestore(ctx, a.TenantID, a.RestoreID) }})
	river.AddWorker(w, &worker[SnapshotArgs]{run: func(ctx context.Context, a SnapshotArgs) error { return s.Nightly(ctx, a.TenantID) }})
	river.AddWorker(w, &worker[CheckArgs]{run: func(ctx context.Context, a CheckArgs) error { _, err := s.Check(ctx, a.TenantID); return err }})
	river.AddWorker(w, &worker[PurgeArgs]{run: func(ctx context.Context, a PurgeArgs) error { return s.PurgeWorkspace(ctx, a.TenantID) }})
	river.AddWorker(w, &worker[TickArgs]{run: func(ctx context.Context, _ TickArgs) error { return s.Tick(ctx) }})
}

// Periodic is the tick, for the queue's leader to insert every TickEvery.
func (s *Service) Periodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(TickEvery),
		func() (river.JobArgs, *river.InsertOpts) { return TickArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "backup_tick"})
}

type worker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	run func(context.Context, T) error
}

func (w *worker[T]) Work(ctx context.Context, job *river.Job[T]) error { return w.run(ctx, job.Args) }

func (w *worker[T]) Timeout(*river.Job[T]) time.Duration { return JobTimeout }

// Nightly takes a workspace's scheduled snapshot, drops what the policy no
// longer keeps and empties the trash of designs past their time.
func (s *Service) Nightly(ctx context.Context, tenantID int64) error {
	if _, err := s.Snapshot(ctx, tenantID, store.SnapshotScheduled); err != nil {
		return err
	}
	if _, err := s.Prune(ctx, tenantID); err != nil {
		return err
	}
	_, err := s.PurgeTrash(ctx, tenantID)
	return err
}

// due returns the last moment a scheduled snapshot should have been
// taken at or before now.
func (p Policy) due(now time.Time) time.Time {
	if p.Every > 0 {
		return now.Add(-p.Every)
	}
	y, m, d := now.Date()
	at := time.Date(y, m, d, 0, 0, 0, 0, now.Location()).Add(p.At)
	if at.After(now) {
		at = at.AddDate(0, 0, -1)
	}
	return at
}

// Tick schedules what is due: every workspace's snapshot, its weekly
// restore check (each workspace on its own day, so checks spread over
// the week), the purge of workspaces and accounts whose grace ended, and
// the removal of expired exports.
func (s *Service) Tick(ctx context.Context) error {
	now := s.now()
	tenants, err := s.Store.Tenants(ctx)
	if err != nil {
		return err
	}
	states, err := s.Store.BackupStates(ctx, nil)
	if err != nil {
		return err
	}
	due := s.Policy.due(now)
	for _, t := range tenants {
		st := states[t.ID]
		if st == nil {
			continue
		}
		if t.DeleteAfter != nil {
			if now.After(*t.DeleteAfter) {
				if _, err := s.Queue.Insert(ctx, PurgeArgs{TenantID: t.ID}, nil); err != nil {
					return err
				}
			}
			continue
		}
		if !s.Policy.Off && (st.Last == nil || st.Last.TakenAt.Before(due)) {
			if _, err := s.Queue.Insert(ctx, SnapshotArgs{TenantID: t.ID}, nil); err != nil {
				return err
			}
		}
		if st.Last != nil && s.Policy.CheckEvery > 0 && s.checkDue(t.ID, st, now) {
			if _, err := s.Queue.Insert(ctx, CheckArgs{TenantID: t.ID}, nil); err != nil {
				return err
			}
		}
	}
	if err := s.purgeAccounts(ctx); err != nil {
		return err
	}
	if err := s.expireExports(ctx); err != nil {
		return err
	}
	if s.Platform != nil {
		if err := s.Platform(ctx); err != nil {
			s.log().Error("backup: platform backup", "err", err)
		}
	}
	return nil
}

// checkDue: a workspace is checked on its own weekday (its id decides)
// once CheckEvery has passed since its last check, or any day once a day
// more has.
func (s *Service) checkDue(tenantID int64, st *store.BackupState, now time.Time) bool {
	if st.LastChecked == nil || st.LastChecked.CheckedAt == nil {
		return true
	}
	since := now.Sub(*st.LastChecked.CheckedAt)
	if since >= s.Policy.CheckEvery+24*time.Hour {
		return true
	}
	return since >= s.Policy.CheckEvery-12*time.Hour && int(now.Weekday()) == int(tenantID%7)
}

// expireExports deletes exports past their time.
func (s *Service) expireExports(ctx context.Context) error {
	old, err := s.Store.ExpiredExports(ctx, s.now())
	if err != nil {
		return err
	}
	for _, e := range old {
		if e.BlobKey != "" {
			if err := s.Blobs.Delete(ctx, e.BlobKey); err != nil {
				return err
			}
		}
		if err := s.Store.DeleteExport(ctx, e.ID); err != nil {
			return err
		}
	}
	return nil
}

// StartExport queues an export of workspace tenantID asked for by userID
// (for machine, a library.Machines id or ""). A large library's export
// mails its link when it is ready.
func (s *Service) StartExport(ctx context.Context, tenantID, userID int64, machine string) (*store.Export, error) {
	if machine != "" {
		if err := checkMachine(machine); err != nil {
			return nil, err
		}
	}
	var e *store.Export
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		n, err := tx.CountPatterns(ctx)
		if err != nil {
			return err
		}
		if e, err = tx.InsertExport(ctx, userID, machine, int(n), n >= LargeLibrary); err != nil {
			return err
		}
		_, err = s.Queue.InsertTx(ctx, txOf(tx), ExportArgs{TenantID: tenantID, ExportID: e.ID}, nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("backup: queue an export of tenant %d: %w", tenantID, err)
	}
	return e, nil
}

// txOf is the pgx transaction under a tenant transaction, for the queue.
func txOf(tx *store.TenantTx) pgx.Tx { return tx.Tx() }

// RunExport makes export id into blob storage, telling its progress as it
// goes, and mails its link when asked.
func (s *Service) RunExport(ctx context.Context, tenantID, id int64) error {
	e, err := s.Store.Export(ctx, tenantID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted meanwhile
	}
	if err != nil || e.Status == store.JobDone {
		return err
	}
	e.Status, e.DesignsDone, e.Error = store.JobRunning, 0, ""
	if err := s.Store.UpdateExport(ctx, e); err != nil {
		return err
	}
	key := blob.Key(tenantID, "exports", fmt.Sprintf("%d-%s.zip", id, randomName()))
	last := time.Now()
	var res *ExportResult
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := s.Blobs.Put(ctx, key, pr, -1, "application/zip")
		pr.CloseWithError(err)
		done <- err
	}()
	res, err = s.WriteExport(ctx, tenantID, pw, ExportOptions{Machine: e.Machine, Progress: func(n, total int) {
		if time.Since(last) > time.Second || n == total {
			last = time.Now()
			e.DesignsDone, e.DesignsTotal = n, total
			s.Store.UpdateExport(ctx, e)
		}
	}})
	pw.CloseWithError(err)
	if perr := <-done; err == nil {
		err = perr
	}
	now := s.now()
	if err != nil {
		s.Blobs.Delete(context.WithoutCancel(ctx), key)
		if ctx.Err() != nil {
			return err // shutting down: the job runs again
		}
		e.Status, e.Error, e.FinishedAt = store.JobFailed, message(err), &now
		s.log().Error("backup: export failed", "tenant", tenantID, "export", id, "err", err)
		return s.Store.UpdateExport(context.WithoutCancel(ctx), e)
	}
	expires := now.Add(ExportDays * 24 * time.Hour)
	e.Status, e.BlobKey, e.Bytes, e.FinishedAt, e.ExpiresAt = store.JobDone, key, res.Bytes, &now, &expires
	e.DesignsDone = res.Designs + res.Trashed
	if err := s.Store.UpdateExport(ctx, e); err != nil {
		return err
	}
	if e.Notify && e.RequestedBy != nil {
		s.mailExport(ctx, tenantID, *e.RequestedBy, e, res)
	}
	return nil
}

func (s *Service) mailExport(ctx context.Context, tenantID, userID int64, e *store.Export, res *ExportResult) {
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return
	}
	t, err := s.Store.TenantByID(ctx, tenantID)
	if err != nil {
		return
	}
	s.send(ctx, u.Email, mail.ExportReadyData{Name: u.DisplayName, Workspace: t.Name, Designs: res.Designs,
		Size: humanBytes(res.Bytes), Expires: e.ExpiresAt.Local().Format("Monday 2 January"),
		Link: s.BaseURL + tenant.Path(t.Slug, "backups")})
}

// OpenExport opens a finished export for download.
func (s *Service) OpenExport(ctx context.Context, tenantID, id int64) (io.ReadCloser, *store.Export, error) {
	e, err := s.Store.Export(ctx, tenantID, id)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case e.Status != store.JobDone:
		return nil, nil, ErrExportNotDone
	case e.ExpiresAt != nil && s.now().After(*e.ExpiresAt):
		return nil, nil, ErrExportGone
	}
	rc, _, err := s.Blobs.Get(ctx, e.BlobKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, nil, ErrExportGone.Wrap(err)
	}
	if err != nil {
		return nil, nil, err
	}
	return rc, e, nil
}

// ExportName is the download name of an export.
func ExportName(t *store.Tenant, e *store.Export) string {
	return fmt.Sprintf("PatternVault %s %s.zip", t.Slug, e.CreatedAt.Format("2006-01-02"))
}

// StartRestore queues a restore: of an export uploaded (body), of a whole
// snapshot, or of one design or share link from one (source
// store.Restore*; snapID and itemID as they apply).
func (s *Service) StartRestore(ctx context.Context, tenantID, userID int64, source string, snapID, itemID int64, body io.Reader, replace bool) (*store.Restore, error) {
	r := &store.Restore{Source: source, Replace: replace}
	if userID != 0 {
		r.RequestedBy = &userID
	}
	switch source {
	case store.RestoreExport:
		if body == nil {
			return nil, ErrNotManifest
		}
		r.UploadKey = blob.Key(tenantID, "restores", randomName()+".zip")
		cr := &countingReader{r: body}
		if err := s.Blobs.Put(ctx, r.UploadKey, cr, -1, "application/zip"); err != nil {
			return nil, fmt.Errorf("backup: keep the uploaded export: %w", err)
		}
		if cr.n == 0 {
			s.Blobs.Delete(ctx, r.UploadKey)
			return nil, ErrNotManifest
		}
	case store.RestoreSnapshot, store.RestoreDesign, store.RestoreShare:
		if _, err := s.Store.Snapshot(ctx, tenantID, snapID); err != nil {
			return nil, ErrNoSnapshot.Wrap(err)
		}
		r.SnapshotID = &snapID
		if source != store.RestoreSnapshot {
			r.ItemID = &itemID
		}
	default:
		return nil, fmt.Errorf("backup: unknown restore source %q", source)
	}
	var out *store.Restore
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if out, err = tx.InsertRestore(ctx, r); err != nil {
			return err
		}
		_, err = s.Queue.InsertTx(ctx, txOf(tx), RestoreArgs{TenantID: tenantID, RestoreID: out.ID}, nil)
		return err
	})
	if err != nil {
		if r.UploadKey != "" {
			s.Blobs.Delete(context.WithoutCancel(ctx), r.UploadKey)
		}
		return nil, fmt.Errorf("backup: queue a restore of tenant %d: %w", tenantID, err)
	}
	return out, nil
}

// RunRestore runs restore id. A problem (a damaged export, a workspace
// not empty) ends it as failed with its message; a crash leaves it to run
// again, from nothing (the restore is one transaction).
func (s *Service) RunRestore(ctx context.Context, tenantID, id int64) error {
	r, err := s.Store.Restore(ctx, tenantID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || r.Status == store.JobDone || r.Status == store.JobFailed {
		return err
	}
	r.Status = store.JobRunning
	if err := s.Store.UpdateRestore(ctx, r); err != nil {
		return err
	}
	var summary string
	switch r.Source {
	case store.RestoreExport:
		var ra io.ReaderAt
		var size int64
		var closer func()
		ra, size, closer, err = OpenReaderAt(ctx, s.Blobs, r.UploadKey)
		if err == nil {
			var sum *RestoreSummary
			sum, err = s.RestoreExport(ctx, tenantID, ra, size, RestoreOptions{Replace: r.Replace, Record: r})
			closer()
			if err == nil {
				summary = sum.String()
			}
		}
	case store.RestoreSnapshot:
		var sum *RestoreSummary
		if sum, err = s.RestoreSnapshot(ctx, tenantID, *r.SnapshotID, RestoreOptions{Record: r}); err == nil {
			summary = sum.String()
		}
	case store.RestoreDesign:
		summary, err = s.RestoreDesign(ctx, tenantID, userOf(r), *r.SnapshotID, *r.ItemID)
	case store.RestoreShare:
		summary, err = s.RestoreShare(ctx, tenantID, userOf(r), *r.SnapshotID, *r.ItemID)
	}
	if err != nil && ctx.Err() != nil {
		return err // shutting down: the job runs again
	}
	now := s.now()
	r.FinishedAt = &now
	if err != nil {
		r.Status, r.Error = store.JobFailed, message(err)
		if _, ok := problem.As(err); !ok {
			s.log().Error("backup: restore failed", "tenant", tenantID, "restore", id, "err", err)
			r.Error = "The restore failed on our side; nothing was changed. Please try again, or tell us."
		}
	} else {
		r.Status, r.Summary = store.JobDone, summary
	}
	if r.UploadKey != "" {
		s.Blobs.Delete(ctx, r.UploadKey)
	}
	return s.Store.UpdateRestore(ctx, r)
}

func userOf(r *store.Restore) int64 {
	if r.RequestedBy == nil {
		return 0
	}
	return *r.RequestedBy
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}
