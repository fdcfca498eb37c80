package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// The owner's Backups page: the state of the automatic snapshots, the
// export of everything, restores (of a snapshot, of one design or share
// link from one, or of an export into a new workspace).

// backupsPage is what the Backups page shows.
type backupsPage struct {
	Line      string
	State     *store.BackupState
	Empty     bool
	Exports   []*store.Export
	Snapshots []*store.Snapshot
	Restores  []*store.Restore
	Machines  []library.Machine
	Machine   string
}

// backupLine says how a workspace's backups stand, in one line: "Last
// backup: today 02:00 · 3,214 designs · restore checked Sunday ✓".
func backupLine(st *store.BackupState, now time.Time) string {
	if st == nil || st.Last == nil {
		return "No backup yet: the first is taken tonight."
	}
	parts := []string{"Last backup: " + backupWhen(st.Last.TakenAt, now), counted(st.Last.Designs, "design")}
	switch c := st.LastChecked; {
	case c == nil || c.CheckedAt == nil:
		parts = append(parts, "restore not checked yet")
	case c.CheckOK != nil && *c.CheckOK:
		parts = append(parts, "restore checked "+backupDay(*c.CheckedAt, now)+" ✓")
	default:
		parts = append(parts, "restore check FAILED "+backupDay(*c.CheckedAt, now)+": we are on it")
	}
	return strings.Join(parts, " · ")
}

// backupWhen is "today 02:00", "yesterday 02:00", "Sunday 02:00" or "3
// March 02:00".
func backupWhen(t, now time.Time) string { return backupDay(t, now) + " " + t.Local().Format("15:04") }

func backupDay(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	y1, m1, d1 := t.Date()
	y2, m2, d2 := now.Date()
	days := int(time.Date(y2, m2, d2, 0, 0, 0, 0, time.Local).Sub(time.Date(y1, m1, d1, 0, 0, 0, 0, time.Local)).Hours() / 24)
	switch {
	case days == 0:
		return "today"
	case days == 1:
		return "yesterday"
	case days > 1 && days < 7:
		return t.Format("Monday")
	}
	return t.Format("2 January")
}

// counted writes a count with its word: "1 design", "3,214 designs".
func counted(n int, word string) string {
	s := strconv.Itoa(n)
	if n >= 1000 {
		s = fmt.Sprintf("%d,%03d", n/1000, n%1000)
	}
	if n != 1 {
		word += "s"
	}
	return s + " " + word
}

func (s *Server) backups(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	ctx := r.Context()
	p := backupsPage{Machines: library.Machines}
	if m := library.MachineOf(t); m != nil {
		p.Machine = m.ID
	}
	states, err := s.store.BackupStates(ctx, []int64{t.ID})
	if err == nil {
		p.State = states[t.ID]
		p.Line = backupLine(p.State, time.Now())
		p.Snapshots, err = s.store.Snapshots(ctx, t.ID)
	}
	if err == nil {
		p.Exports, err = s.store.Exports(ctx, t.ID, 10)
	}
	if err == nil {
		p.Restores, err = s.store.Restores(ctx, t.ID, 10)
	}
	if err == nil {
		err = s.store.ReadTenant(ctx, t.ID, func(tx *store.TenantTx) error {
			var err error
			p.Empty, err = tx.WorkspaceEmpty(ctx)
			return err
		})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "backups", pageData{Title: "Backups", Data: p})
}

func (s *Server) startExport(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	e, err := s.backup.StartExport(r.Context(), t.ID, currentUser(r).ID, r.PostFormValue("machine"))
	if err != nil {
		s.failBack(w, r, err, tenant.Path(t.Slug, "backups"))
		return
	}
	msg := "Your export is being made."
	if e.Notify {
		msg += " It is a large library: we will also email you the link when it is ready."
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "exports", e.ID), msg)
}

// progress is what a progress page polls.
type progress struct {
	Status  string `json:"status"`
	Done    int    `json:"done"`
	Total   int    `json:"total"`
	Message string `json:"message"`
}

func exportProgress(e *store.Export) progress {
	p := progress{Status: e.Status, Done: e.DesignsDone, Total: e.DesignsTotal}
	switch e.Status {
	case store.JobQueued:
		p.Message = "Waiting to start…"
	case store.JobRunning:
		p.Message = fmt.Sprintf("Working: %d of %d designs done.", e.DesignsDone, e.DesignsTotal)
	case store.JobDone:
		p.Message = "Ready."
	default:
		p.Message = e.Error
	}
	return p
}

func (s *Server) exportFromPath(r *http.Request) (*store.Export, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.store.Export(r.Context(), tenant.FromContext(r.Context()).ID, id)
}

func (s *Server) exportPage(w http.ResponseWriter, r *http.Request) {
	e, err := s.exportFromPath(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "export", pageData{Title: "Export", Data: struct {
		Export   *store.Export
		Progress progress
	}{e, exportProgress(e)}})
}

func (s *Server) exportStatus(w http.ResponseWriter, r *http.Request) {
	e, err := s.exportFromPath(r)
	if err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, exportProgress(e))
}

func (s *Server) downloadExport(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rc, e, err := s.backup.OpenExport(r.Context(), t.ID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	httpx.Attachment(w, backup.ExportName(t, e), "application/zip", e.Bytes, rc)
}

// MaxRestoreUpload bounds an export uploaded for a restore.
const MaxRestoreUpload = 64 << 30

// errNoExport is a restore form sent without a file.
var errNoExport = problem.BadRequest("no_file", "Choose the export file (a .zip made by PatternVault) to restore.")

// uploadRestore streams an uploaded export into storage and queues its
// restore (the file is checked whole before anything is written).
func (s *Server) uploadRestore(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, MaxRestoreUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		s.failBack(w, r, errNoExport.Wrap(err), tenant.Path(t.Slug, "backups"))
		return
	}
	replace := false
	var rs *store.Restore
	for {
		part, err := mr.NextPart()
		if err != nil {
			s.failBack(w, r, errNoExport.Wrap(err), tenant.Path(t.Slug, "backups"))
			return
		}
		if part.FormName() == "replace" {
			replace = true
			continue
		}
		if part.FormName() != "file" || part.FileName() == "" {
			continue
		}
		rs, err = s.backup.StartRestore(r.Context(), t.ID, currentUser(r).ID, store.RestoreExport, 0, 0, part, replace)
		if err != nil {
			if httpx.Problem(err) == nil {
				s.log.Warn("restore upload", "id", RequestID(r.Context()), "err", err)
				err = errInterrupted.Wrap(err)
			}
			s.failBack(w, r, err, tenant.Path(t.Slug, "backups"))
			return
		}
		break
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "restores", rs.ID), "Your export is uploaded. It is checked from end to end before anything is restored.")
}

// restoreSnapshot queues the restore of the whole workspace to a
// snapshot (what is there now is snapshotted first).
func (s *Server) restoreSnapshot(w http.ResponseWriter, r *http.Request) {
	s.queueRestore(w, r, store.RestoreSnapshot, "")
}

func (s *Server) restoreSnapshotDesign(w http.ResponseWriter, r *http.Request) {
	s.queueRestore(w, r, store.RestoreDesign, "pid")
}

func (s *Server) restoreSnapshotShare(w http.ResponseWriter, r *http.Request) {
	s.queueRestore(w, r, store.RestoreShare, "sid")
}

// errConfirmRestore asks to confirm a restore of the whole workspace.
var errConfirmRestore = problem.Invalid("confirm_restore", "Tick the box to confirm that everything in the workspace is put back as it was then.")

func (s *Server) queueRestore(w http.ResponseWriter, r *http.Request, source, item string) {
	t := tenant.FromContext(r.Context())
	snap, err := httpx.PathID(r, "id")
	var itemID int64
	if err == nil && item != "" {
		itemID, err = httpx.PathID(r, item)
	}
	if err == nil && source == store.RestoreSnapshot && r.PostFormValue("confirm") != "yes" {
		err = errConfirmRestore
	}
	var rs *store.Restore
	if err == nil {
		rs, err = s.backup.StartRestore(r.Context(), t.ID, currentUser(r).ID, source, snap, itemID, nil, true)
	}
	if err != nil {
		s.failBack(w, r, err, tenant.Path(t.Slug, "snapshots", snap))
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "restores", rs.ID), "")
}

func restoreProgress(rs *store.Restore) progress {
	p := progress{Status: rs.Status}
	switch rs.Status {
	case store.JobQueued:
		p.Message = "Waiting to start…"
	case store.JobRunning:
		p.Message = "Checking and restoring… (what is there now is saved first)"
	case store.JobDone:
		p.Message, p.Done, p.Total = rs.Summary, 1, 1
	default:
		p.Message = rs.Error
	}
	return p
}

func (s *Server) restoreFromPath(r *http.Request) (*store.Restore, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.store.Restore(r.Context(), tenant.FromContext(r.Context()).ID, id)
}

func (s *Server) restorePage(w http.ResponseWriter, r *http.Request) {
	rs, err := s.restoreFromPath(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "restore", pageData{Title: "Restore", Data: struct {
		Restore  *store.Restore
		Progress progress
	}{rs, restoreProgress(rs)}})
}

func (s *Server) restoreStatus(w http.ResponseWriter, r *http.Request) {
	rs, err := s.restoreFromPath(r)
	if err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, restoreProgress(rs))
}

// snapshotPage shows a snapshot and what it holds that the workspace has
// lost since, each with a button to bring it back.
func (s *Server) snapshotPage(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	snap, designs, shares, err := s.backup.SnapshotContents(r.Context(), t.ID, id, 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "snapshot", pageData{Title: "Snapshot of " + snap.TakenAt.Local().Format("2 January 2006 15:04"), Data: struct {
		Snapshot *store.Snapshot
		Designs  []backup.SnapshotItem
		Shares   []backup.SnapshotItem
	}{snap, designs, shares}})
}
