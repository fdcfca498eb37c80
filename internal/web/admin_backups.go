package web

import (
	"net/http"
	"time"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
)

// The platform admin's view of every workspace's backups: failed restore
// checks first, then each workspace's last backup, check and the bytes
// its backups keep.

type adminBackupRow struct {
	Tenant *store.Tenant
	State  *store.BackupState
	Line   string
}

func (s *Server) adminBackups(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	failed, err := s.store.FailedChecks(ctx, 50)
	var tenants []*store.Tenant
	var states map[int64]*store.BackupState
	if err == nil {
		tenants, err = s.store.Tenants(ctx)
	}
	if err == nil {
		states, err = s.store.BackupStates(ctx, nil)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := time.Now()
	byID := map[int64]*store.Tenant{}
	var rows []adminBackupRow
	var total int64
	for _, t := range tenants {
		byID[t.ID] = t
		st := states[t.ID]
		if st != nil {
			total += st.Bytes
		}
		rows = append(rows, adminBackupRow{Tenant: t, State: st, Line: backupLine(st, now)})
	}
	s.render(w, r, http.StatusOK, "admin_backups", pageData{Title: "Backups of every workspace", Data: struct {
		Failed  []*store.Snapshot
		Tenants map[int64]*store.Tenant
		Rows    []adminBackupRow
		Total   int64
	}{failed, byID, rows, total}})
}

// adminCancelDeletion cancels a workspace's pending deletion.
func (s *Server) adminCancelDeletion(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.backup.CancelDeletion(r.Context(), id, actor(r))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWith(w, r, "/admin", "The deletion is cancelled.")
}
