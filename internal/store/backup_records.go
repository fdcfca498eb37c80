package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ExportDesign is one design as an export lays it out: its words for the
// catalogue and its files.
type ExportDesign struct {
	ID       int64
	Name     string
	Designer string
	Type     string
	WidthIn  *float32
	HeightIn *float32
	Deleted  bool
	Keywords []string
	Files    []*PatternFile
}

// ExportDesigns returns every design of the workspace (the trash too), by
// id, with its keywords and files (designs first, then pictures, notes
// and the rest, by name).
func (t *TenantTx) ExportDesigns(ctx context.Context) ([]*ExportDesign, error) {
	rows, err := t.tx.Query(ctx, `SELECT p.id, p.name, p.designer, p.type, p.width_in, p.height_in, p.deleted_at IS NOT NULL,
		coalesce((SELECT array_agg(k.name ORDER BY k.name) FROM pattern_keywords pk JOIN keywords k ON k.id = pk.keyword_id
		          WHERE pk.pattern_id = p.id), '{}')
		FROM patterns p ORDER BY p.id`)
	if err != nil {
		return nil, fmt.Errorf("store: designs to export: %w", err)
	}
	var out []*ExportDesign
	byID := map[int64]*ExportDesign{}
	for rows.Next() {
		d := &ExportDesign{}
		if err := rows.Scan(&d.ID, &d.Name, &d.Designer, &d.Type, &d.WidthIn, &d.HeightIn, &d.Deleted, &d.Keywords); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: designs to export: %w", err)
		}
		out = append(out, d)
		byID[d.ID] = d
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: designs to export: %w", err)
	}
	frows, err := t.tx.Query(ctx, `SELECT `+fileColumns+` FROM pattern_files
		ORDER BY pattern_id, CASE role WHEN 'design' THEN 0 WHEN 'picture' THEN 1 WHEN 'notes' THEN 2 ELSE 3 END, format, file_name`)
	if err != nil {
		return nil, fmt.Errorf("store: files to export: %w", err)
	}
	for frows.Next() {
		f, err := scanFile(frows)
		if err != nil {
			frows.Close()
			return nil, fmt.Errorf("store: files to export: %w", err)
		}
		if d := byID[f.PatternID]; d != nil {
			d.Files = append(d.Files, f)
		}
	}
	if err := frows.Err(); err != nil {
		return nil, fmt.Errorf("store: files to export: %w", err)
	}
	return out, nil
}

// Snapshot kinds.
const (
	SnapshotScheduled     = "scheduled"
	SnapshotManual        = "manual"
	SnapshotBeforeRestore = "before_restore"
	SnapshotBeforeDelete  = "before_delete"
)

// Snapshot is one kept snapshot of a workspace.
type Snapshot struct {
	ID          int64      `json:"id"`
	TenantID    int64      `json:"tenant_id"`
	Kind        string     `json:"kind"`
	TakenAt     time.Time  `json:"taken_at"`
	TookMS      int        `json:"took_ms"`
	IndexKey    string     `json:"-"`
	IndexSHA256 []byte     `json:"-"`
	Designs     int        `json:"designs"`
	Rows        int64      `json:"rows"`
	Files       int        `json:"files"`
	FileBytes   int64      `json:"file_bytes"`
	StoredBytes int64      `json:"stored_bytes"`
	RefsSHA256  []byte     `json:"-"`
	CheckedAt   *time.Time `json:"checked_at"`
	CheckOK     *bool      `json:"check_ok"`
	CheckReport string     `json:"check_report"`
}

const snapshotColumns = `id, tenant_id, kind, taken_at, took_ms, index_key, index_sha256, designs, rows, files, file_bytes,
	stored_bytes, refs_sha256, checked_at, check_ok, check_report`

func scanSnapshot(row pgx.Row) (*Snapshot, error) {
	s := &Snapshot{}
	err := row.Scan(&s.ID, &s.TenantID, &s.Kind, &s.TakenAt, &s.TookMS, &s.IndexKey, &s.IndexSHA256, &s.Designs, &s.Rows,
		&s.Files, &s.FileBytes, &s.StoredBytes, &s.RefsSHA256, &s.CheckedAt, &s.CheckOK, &s.CheckReport)
	return s, err
}

// NextSnapshotID reserves the id of the workspace's next snapshot.
func (t *TenantTx) NextSnapshotID(ctx context.Context) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('platform.backup_snapshots', 'id'))`).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: reserve a snapshot id: %w", err)
	}
	return id, nil
}

// InsertSnapshot records a snapshot whose id was reserved.
func (t *TenantTx) InsertSnapshot(ctx context.Context, s *Snapshot) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO platform.backup_snapshots (id, tenant_id, kind, taken_at, took_ms, index_key, index_sha256,
		designs, rows, files, file_bytes, stored_bytes, refs_sha256) OVERRIDING SYSTEM VALUE
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		s.ID, t.tenantID, s.Kind, s.TakenAt, s.TookMS, s.IndexKey, s.IndexSHA256, s.Designs, s.Rows, s.Files, s.FileBytes, s.StoredBytes, s.RefsSHA256)
	if err != nil {
		return fmt.Errorf("store: record snapshot: %w", err)
	}
	return nil
}

// LatestSnapshotID returns the id of the workspace's newest snapshot (0
// for none).
func (t *TenantTx) LatestSnapshotID(ctx context.Context) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM platform.backup_snapshots WHERE tenant_id = $1`, t.tenantID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: latest snapshot: %w", err)
	}
	return id, nil
}

// Snapshots lists a workspace's snapshots, newest first.
func (s *Store) Snapshots(ctx context.Context, tenantID int64) ([]*Snapshot, error) {
	rows, err := s.q.Query(ctx, `SELECT `+snapshotColumns+` FROM platform.backup_snapshots WHERE tenant_id = $1
		ORDER BY taken_at DESC, id DESC`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("store: snapshots of tenant %d: %w", tenantID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Snapshot, error) { return scanSnapshot(r) })
	if err != nil {
		return nil, fmt.Errorf("store: snapshots of tenant %d: %w", tenantID, err)
	}
	return out, nil
}

// Snapshot returns one snapshot of a workspace.
func (s *Store) Snapshot(ctx context.Context, tenantID, id int64) (*Snapshot, error) {
	out, err := scanSnapshot(s.q.QueryRow(ctx, `SELECT `+snapshotColumns+` FROM platform.backup_snapshots
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return nil, fmt.Errorf("store: snapshot %d: %w", id, notFound(err))
	}
	return out, nil
}

// DeleteSnapshots removes snapshot rows (their stored objects are the
// caller's to delete).
func (s *Store) DeleteSnapshots(ctx context.Context, tenantID int64, ids []int64) error {
	if _, err := s.q.Exec(ctx, `DELETE FROM platform.backup_snapshots WHERE tenant_id = $1 AND id = ANY($2)`, tenantID, ids); err != nil {
		return fmt.Errorf("store: delete snapshots: %w", err)
	}
	return nil
}

// SnapshotIndexKeys returns the stored objects of every snapshot of a
// workspace.
func (s *Store) SnapshotIndexKeys(ctx context.Context, tenantID int64) (map[string]bool, error) {
	rows, err := s.q.Query(ctx, `SELECT index_key FROM platform.backup_snapshots WHERE tenant_id = $1`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("store: snapshot objects: %w", err)
	}
	out := map[string]bool{}
	var k string
	if _, err := pgx.ForEachRow(rows, []any{&k}, func() error { out[k] = true; return nil }); err != nil {
		return nil, fmt.Errorf("store: snapshot objects: %w", err)
	}
	return out, nil
}

// RecordSnapshotCheck stores what a restore check of a snapshot found.
func (s *Store) RecordSnapshotCheck(ctx context.Context, id int64, ok bool, report string) error {
	_, err := s.q.Exec(ctx, `UPDATE platform.backup_snapshots SET checked_at = now(), check_ok = $2, check_report = $3 WHERE id = $1`,
		id, ok, report)
	if err != nil {
		return fmt.Errorf("store: record check of snapshot %d: %w", id, err)
	}
	return nil
}

// SetBackupBytes records what a workspace's backups keep.
func (s *Store) SetBackupBytes(ctx context.Context, tenantID, bytes int64) error {
	if _, err := s.q.Exec(ctx, `UPDATE platform.tenants SET backup_bytes = $2 WHERE id = $1`, tenantID, bytes); err != nil {
		return fmt.Errorf("store: backup bytes of tenant %d: %w", tenantID, err)
	}
	return nil
}

// BackupState is what the owner and the admin see of a workspace's
// backups.
type BackupState struct {
	TenantID    int64
	Bytes       int64
	Snapshots   int
	Last        *Snapshot
	LastChecked *Snapshot
}

// BackupStates returns the backup state of the given workspaces (every
// one when ids is nil).
func (s *Store) BackupStates(ctx context.Context, ids []int64) (map[int64]*BackupState, error) {
	rows, err := s.q.Query(ctx, `SELECT t.id, t.backup_bytes, (SELECT count(*) FROM platform.backup_snapshots b WHERE b.tenant_id = t.id)
		FROM platform.tenants t WHERE ($1::bigint[] IS NULL OR t.id = ANY($1))`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: backup states: %w", err)
	}
	out := map[int64]*BackupState{}
	var st BackupState
	if _, err := pgx.ForEachRow(rows, []any{&st.TenantID, &st.Bytes, &st.Snapshots}, func() error {
		c := st
		out[st.TenantID] = &c
		return nil
	}); err != nil {
		return nil, fmt.Errorf("store: backup states: %w", err)
	}
	last, err := s.q.Query(ctx, `SELECT DISTINCT ON (tenant_id) `+snapshotColumns+` FROM platform.backup_snapshots
		WHERE ($1::bigint[] IS NULL OR tenant_id = ANY($1)) ORDER BY tenant_id, taken_at DESC, id DESC`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: latest snapshots: %w", err)
	}
	snaps, err := pgx.CollectRows(last, func(r pgx.CollectableRow) (*Snapshot, error) { return scanSnapshot(r) })
	if err != nil {
		return nil, fmt.Errorf("store: latest snapshots: %w", err)
	}
	for _, sn := range snaps {
		if st := out[sn.TenantID]; st != nil {
			st.Last = sn
		}
	}
	checked, err := s.q.Query(ctx, `SELECT DISTINCT ON (tenant_id) `+snapshotColumns+` FROM platform.backup_snapshots
		WHERE checked_at IS NOT NULL AND ($1::bigint[] IS NULL OR tenant_id = ANY($1)) ORDER BY tenant_id, checked_at DESC`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: checked snapshots: %w", err)
	}
	snaps, err = pgx.CollectRows(checked, func(r pgx.CollectableRow) (*Snapshot, error) { return scanSnapshot(r) })
	if err != nil {
		return nil, fmt.Errorf("store: checked snapshots: %w", err)
	}
	for _, sn := range snaps {
		if st := out[sn.TenantID]; st != nil {
			st.LastChecked = sn
		}
	}
	return out, nil
}

// FailedChecks lists the snapshots whose latest restore check failed, of
// every workspace, newest first: the platform admin's alerts.
func (s *Store) FailedChecks(ctx context.Context, limit int) ([]*Snapshot, error) {
	rows, err := s.q.Query(ctx, `SELECT `+snapshotColumns+` FROM platform.backup_snapshots
		WHERE check_ok = false ORDER BY checked_at DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: failed restore checks: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Snapshot, error) { return scanSnapshot(r) })
	if err != nil {
		return nil, fmt.Errorf("store: failed restore checks: %w", err)
	}
	return out, nil
}

// Export statuses (and of restores).
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Export is one export of a workspace.
type Export struct {
	ID           int64      `json:"id"`
	TenantID     int64      `json:"-"`
	RequestedBy  *int64     `json:"-"`
	Machine      string     `json:"machine"`
	Status       string     `json:"status"`
	DesignsTotal int        `json:"designs_total"`
	DesignsDone  int        `json:"designs_done"`
	Bytes        int64      `json:"bytes"`
	BlobKey      string     `json:"-"`
	Error        string     `json:"error,omitempty"`
	Notify       bool       `json:"notify"`
	CreatedAt    time.Time  `json:"created_at"`
	FinishedAt   *time.Time `json:"finished_at"`
	ExpiresAt    *time.Time `json:"expires_at"`
}

const exportColumns = `id, tenant_id, requested_by, machine, status, designs_total, designs_done, bytes, blob_key, error, notify,
	created_at, finished_at, expires_at`

func scanExport(row pgx.Row) (*Export, error) {
	e := &Export{}
	err := row.Scan(&e.ID, &e.TenantID, &e.RequestedBy, &e.Machine, &e.Status, &e.DesignsTotal, &e.DesignsDone, &e.Bytes,
		&e.BlobKey, &e.Error, &e.Notify, &e.CreatedAt, &e.FinishedAt, &e.ExpiresAt)
	return e, err
}

// InsertExport records a queued export.
func (t *TenantTx) InsertExport(ctx context.Context, userID int64, machine string, designs int, notify bool) (*Export, error) {
	var by *int64
	if userID != 0 {
		by = &userID
	}
	e, err := scanExport(t.tx.QueryRow(ctx, `INSERT INTO platform.backup_exports (tenant_id, requested_by, machine, designs_total, notify)
		VALUES ($1, $2, $3, $4, $5) RETURNING `+exportColumns, t.tenantID, by, machine, designs, notify))
	if err != nil {
		return nil, fmt.Errorf("store: record export: %w", err)
	}
	return e, nil
}

// Export returns one export of a workspace.
func (s *Store) Export(ctx context.Context, tenantID, id int64) (*Export, error) {
	e, err := scanExport(s.q.QueryRow(ctx, `SELECT `+exportColumns+` FROM platform.backup_exports WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return nil, fmt.Errorf("store: export %d: %w", id, notFound(err))
	}
	return e, nil
}

// Exports lists a workspace's recent exports, newest first.
func (s *Store) Exports(ctx context.Context, tenantID int64, limit int) ([]*Export, error) {
	rows, err := s.q.Query(ctx, `SELECT `+exportColumns+` FROM platform.backup_exports WHERE tenant_id = $1
		ORDER BY created_at DESC, id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: exports: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Export, error) { return scanExport(r) })
	if err != nil {
		return nil, fmt.Errorf("store: exports: %w", err)
	}
	return out, nil
}

// UpdateExport records an export's progress or end.
func (s *Store) UpdateExport(ctx context.Context, e *Export) error {
	_, err := s.q.Exec(ctx, `UPDATE platform.backup_exports SET status = $2, designs_total = $3, designs_done = $4, bytes = $5,
		blob_key = $6, error = $7, finished_at = $8, expires_at = $9 WHERE id = $1`,
		e.ID, e.Status, e.DesignsTotal, e.DesignsDone, e.Bytes, e.BlobKey, e.Error, e.FinishedAt, e.ExpiresAt)
	if err != nil {
		return fmt.Errorf("store: update export %d: %w", e.ID, err)
	}
	return nil
}

// ExpiredExports returns finished exports whose time is up, of every
// workspace.
func (s *Store) ExpiredExports(ctx context.Context, now time.Time) ([]*Export, error) {
	rows, err := s.q.Query(ctx, `SELECT `+exportColumns+` FROM platform.backup_exports WHERE expires_at < $1 LIMIT 1000`, now)
	if err != nil {
		return nil, fmt.Errorf("store: expired exports: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Export, error) { return scanExport(r) })
	if err != nil {
		return nil, fmt.Errorf("store: expired exports: %w", err)
	}
	return out, nil
}

// DeleteExport removes an export's row.
func (s *Store) DeleteExport(ctx context.Context, id int64) error {
	if _, err := s.q.Exec(ctx, `DELETE FROM platform.backup_exports WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: delete export %d: %w", id, err)
	}
	return nil
}

// Restore sources.
const (
	RestoreExport   = "export"
	RestoreSnapshot = "snapshot"
	RestoreDesign   = "design"
	RestoreShare    = "share"
)

// Restore is one restore into a workspace.
type Restore struct {
	ID             int64      `json:"id"`
	TenantID       int64      `json:"-"`
	RequestedBy    *int64     `json:"-"`
	Source         string     `json:"source"`
	SnapshotID     *int64     `json:"snapshot_id"`
	ItemID         *int64     `json:"item_id"`
	UploadKey      string     `json:"-"`
	Replace        bool       `json:"replace"`
	Status         string     `json:"status"`
	BeforeSnapshot *int64     `json:"before_snapshot"`
	Summary        string     `json:"summary"`
	Error          string     `json:"error,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	FinishedAt     *time.Time `json:"finished_at"`
}

const restoreColumns = `id, tenant_id, requested_by, source, snapshot_id, item_id, upload_key, replace, status, before_snapshot,
	summary, error, created_at, finished_at`

func scanRestore(row pgx.Row) (*Restore, error) {
	r := &Restore{}
	err := row.Scan(&r.ID, &r.TenantID, &r.RequestedBy, &r.Source, &r.SnapshotID, &r.ItemID, &r.UploadKey, &r.Replace, &r.Status,
		&r.BeforeSnapshot, &r.Summary, &r.Error, &r.CreatedAt, &r.FinishedAt)
	return r, err
}

// InsertRestore records a queued restore.
func (t *TenantTx) InsertRestore(ctx context.Context, r *Restore) (*Restore, error) {
	out, err := scanRestore(t.tx.QueryRow(ctx, `INSERT INTO platform.backup_restores (tenant_id, requested_by, source, snapshot_id,
		item_id, upload_key, replace) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+restoreColumns,
		t.tenantID, r.RequestedBy, r.Source, r.SnapshotID, r.ItemID, r.UploadKey, r.Replace))
	if err != nil {
		return nil, fmt.Errorf("store: record restore: %w", err)
	}
	return out, nil
}

// Restore returns one restore of a workspace.
func (s *Store) Restore(ctx context.Context, tenantID, id int64) (*Restore, error) {
	r, err := scanRestore(s.q.QueryRow(ctx, `SELECT `+restoreColumns+` FROM platform.backup_restores WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return nil, fmt.Errorf("store: restore %d: %w", id, notFound(err))
	}
	return r, nil
}

// Restores lists a workspace's recent restores, newest first.
func (s *Store) Restores(ctx context.Context, tenantID int64, limit int) ([]*Restore, error) {
	rows, err := s.q.Query(ctx, `SELECT `+restoreColumns+` FROM platform.backup_restores WHERE tenant_id = $1
		ORDER BY created_at DESC, id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: restores: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Restore, error) { return scanRestore(r) })
	if err != nil {
		return nil, fmt.Errorf("store: restores: %w", err)
	}
	return out, nil
}

// UpdateRestore records a restore's state (inside the restore's own
// transaction when it ends, so its end and its rows commit together).
func (s *Store) UpdateRestore(ctx context.Context, r *Restore) error {
	_, err := s.q.Exec(ctx, `UPDATE platform.backup_restores SET status = $2, before_snapshot = $3, summary = $4, error = $5,
		finished_at = $6 WHERE id = $1`, r.ID, r.Status, r.BeforeSnapshot, r.Summary, r.Error, r.FinishedAt)
	if err != nil {
		return fmt.Errorf("store: update restore %d: %w", r.ID, err)
	}
	return nil
}

// WithBackupLock runs fn holding tenant tenantID's backup lock, a session
// advisory lock that snapshots, restores, restore checks and the pruning
// of old snapshots take, so that they never overlap within a workspace.
// It waits for the lock; a lock whose holder died is released with its
// connection.
func (s *Store) WithBackupLock(ctx context.Context, tenantID int64, fn func() error) error {
	conn, err := s.db.Session.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("store: backup lock: %w", err)
	}
	defer conn.Release()
	key := backupLockClass<<32 | tenantID&0xffffffff
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return fmt.Errorf("store: take backup lock of tenant %d: %w", tenantID, err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key)
	return fn()
}

// backupLockClass is the high half of backup advisory lock keys ("PVbk").
const backupLockClass int64 = 0x5056626b
