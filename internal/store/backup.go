package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/db"
)

// The SQL of backups (internal/backup): copying a workspace's declared
// tables (WorkspaceTables) row by row as JSON, loading them back, and the
// bookkeeping of snapshots, exports and restores.

// TenantSnapshot runs fn in one REPEATABLE READ transaction on tenant
// tenantID's data: every query of fn sees the workspace as it was at its
// first one, while others keep writing. fn may write (the snapshot's own
// rows); it commits when fn returns nil.
func (s *Store) TenantSnapshot(ctx context.Context, tenantID int64, readOnly bool, fn func(*TenantTx) error) error {
	schema := db.TenantSchema(tenantID)
	if !db.ValidSchema(schema) {
		return fmt.Errorf("store: tenant %d: %w", tenantID, db.ErrBadSchema)
	}
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead}
	if readOnly {
		opts.AccessMode = pgx.ReadOnly
	}
	return pgx.BeginTxFunc(ctx, s.db.Pool, opts, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('search_path', $1, true)", schema); err != nil {
			return fmt.Errorf("store: set search_path %s: %w", schema, err)
		}
		return fn(&TenantTx{tx: tx, tenantID: tenantID, db: s.db})
	})
}

// Scratch runs fn in one transaction on a scratch schema of tenant
// tenantID (db.ScratchSchema), made at the latest version first and
// dropped at the end whatever happens: a restore check restores a
// snapshot into it and compares. The transaction never commits, so the
// scratch schema is never visible to anyone else.
func (s *Store) Scratch(ctx context.Context, tenantID int64, fn func(*TenantTx) error) error {
	tx, err := s.db.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: scratch schema: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := db.CreateScratchSchema(ctx, tx, tenantID, db.TenantMigrations()); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "SELECT set_config('search_path', $1, true)", db.ScratchSchema(tenantID)); err != nil {
		return fmt.Errorf("store: scratch search_path: %w", err)
	}
	// The migrations seed some tables (the business's default price
	// list): the scratch copy holds only what the restore puts in it.
	for i := len(WorkspaceTables) - 1; i >= 0; i-- {
		w := &WorkspaceTables[i]
		if !w.Copied() || w.Platform() {
			continue
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+ident(w.Name)); err != nil {
			return fmt.Errorf("store: clear scratch %s: %w", w.Name, err)
		}
	}
	return fn(&TenantTx{tx: tx, tenantID: tenantID, db: s.db})
}

// TableColumn is one column of a workspace table.
type TableColumn struct {
	Name    string
	NotNull bool
}

// WorkspaceColumns returns the columns of a declared table that a copy
// holds, in the table's order: every column but the generated ones and
// those the declaration skips.
func (t *TenantTx) WorkspaceColumns(ctx context.Context, w *WorkspaceTable) ([]TableColumn, error) {
	rows, err := t.tx.Query(ctx, `SELECT attname, attnotnull FROM pg_attribute
		WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
		ORDER BY attnum`, w.Name)
	if err != nil {
		return nil, fmt.Errorf("store: columns of %s: %w", w.Name, err)
	}
	var out []TableColumn
	var c TableColumn
	_, err = pgx.ForEachRow(rows, []any{&c.Name, &c.NotNull}, func() error {
		if !slices.Contains(w.Skip, c.Name) {
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: columns of %s: %w", w.Name, err)
	}
	return out, nil
}

// ident quotes a table name ("patterns", "platform.share_links") or a
// column for SQL. Only names read from the catalogue or declared in code
// reach it.
func ident(name string) string {
	return pgx.Identifier(strings.Split(name, ".")).Sanitize()
}

func columnList(prefix string, cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = prefix + ident(c)
	}
	return strings.Join(q, ", ")
}

// scope is the WHERE clause that picks the workspace's rows of a platform
// table (alias x), with the tenant id as $1; "" for a tenant table.
func scope(w *WorkspaceTable) string {
	switch {
	case w.Tenant != "":
		return " WHERE x." + ident(w.Tenant) + " = $1"
	case w.Parent != "":
		p := WorkspaceTableByName(w.Parent)
		return " WHERE x." + ident(w.ParentColumn) + " IN (SELECT id FROM " + ident(p.Name) + " WHERE " + ident(p.Tenant) + " = $1)"
	}
	return ""
}

// DumpWorkspaceTable calls fn with every row of a declared table, as one
// JSON object of the columns cols, in the declared order. The bytes are
// valid only during the call. It returns how many rows there were.
func (t *TenantTx) DumpWorkspaceTable(ctx context.Context, w *WorkspaceTable, cols []string, fn func(row []byte) error) (int64, error) {
	sql := `SELECT to_jsonb(r)::text FROM (SELECT ` + columnList("x.", cols) + ` FROM ` + ident(w.Name) + ` x` + scope(w)
	order := strings.Split(w.Order, ", ")
	sql += ` ORDER BY ` + columnList("x.", order) + `) r`
	var args []any
	if w.Platform() {
		args = append(args, t.tenantID)
	}
	rows, err := t.tx.Query(ctx, sql, args...)
	if err != nil {
		return 0, fmt.Errorf("store: copy %s: %w", w.Name, err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		if err := fn(rows.RawValues()[0]); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("store: copy %s: %w", w.Name, err)
	}
	return n, nil
}

// CountWorkspaceTable counts the workspace's rows of a declared table.
func (t *TenantTx) CountWorkspaceTable(ctx context.Context, w *WorkspaceTable) (int64, error) {
	var args []any
	if w.Platform() {
		args = append(args, t.tenantID)
	}
	var n int64
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM `+ident(w.Name)+` x`+scope(w), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count %s: %w", w.Name, err)
	}
	return n, nil
}

// WorkspaceEmpty reports whether the workspace holds nothing a person
// made: no design (not even in the trash), keyword, group, saved search or
// share link, and no import running. A restore from an export goes only
// into an empty workspace.
func (t *TenantTx) WorkspaceEmpty(ctx context.Context) (bool, error) {
	var busy, shares bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM patterns) OR EXISTS (SELECT 1 FROM keywords)
		OR EXISTS (SELECT 1 FROM keyword_groups) OR EXISTS (SELECT 1 FROM saved_searches)`).Scan(&busy)
	if err == nil {
		err = t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM platform.share_links WHERE tenant_id = $1)`, t.tenantID).Scan(&shares)
	}
	if err != nil {
		return false, fmt.Errorf("store: is workspace empty: %w", err)
	}
	return !busy && !shares, nil
}

// ImportRunning reports whether an import of the workspace is queued or
// running.
func (t *TenantTx) ImportRunning(ctx context.Context) (bool, error) {
	var busy bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM import_batches WHERE status IN ('queued', 'running'))`).Scan(&busy)
	if err != nil {
		return false, fmt.Errorf("store: import running: %w", err)
	}
	return busy, nil
}

// ClearWorkspace deletes every row of the declared tables of the
// workspace (and what hangs off them), children first, inside the
// transaction: the restore that follows fills them again, and others see
// the old rows until it commits.
func (t *TenantTx) ClearWorkspace(ctx context.Context) error {
	for i := len(WorkspaceTables) - 1; i >= 0; i-- {
		w := &WorkspaceTables[i]
		if !w.Copied() {
			continue
		}
		var args []any
		if w.Platform() {
			args = append(args, t.tenantID)
		}
		if _, err := t.tx.Exec(ctx, `DELETE FROM `+ident(w.Name)+` x`+scope(w), args...); err != nil {
			return fmt.Errorf("store: clear %s: %w", w.Name, err)
		}
	}
	return nil
}

// RestoreMap turns a manifest's platform ids into this platform's: people
// (Users, old id to new, absent when unknown here) and the renumbered
// rows of platform tables (filled by LoadWorkspaceRows as it goes).
type RestoreMap struct {
	// Users maps people; nil keeps user ids as they are (a snapshot
	// restored into its own workspace on its own platform).
	Users map[int64]int64
	ids   map[string]map[int64]int64
}

// Renumbered returns the new id of a platform table's row (0 when the
// row was not restored).
func (m *RestoreMap) Renumbered(table string, old int64) int64 { return m.ids[table][old] }

// ManifestMember is a person of a manifest's workspace: a member with
// their role, or someone its rows name (Role empty).
type ManifestMember struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// MapUsers finds the manifest's people on this platform: the same id with
// the same address, else the account with that address.
func (s *Store) MapUsers(ctx context.Context, members []ManifestMember) (map[int64]int64, error) {
	out := map[int64]int64{}
	for _, m := range members {
		var id int64
		err := s.q.QueryRow(ctx, `SELECT id FROM platform.users WHERE lower(email) = lower($2)
			ORDER BY id = $1 DESC, id LIMIT 1`, m.ID, m.Email).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: find person %q: %w", m.Email, err)
		}
		out[m.ID] = id
	}
	return out, nil
}

// LoadWorkspaceRows inserts rows (a JSON array of objects) into a declared
// table: the columns cols from each object, every other column its
// default. User columns are mapped through m (a row whose NOT NULL user
// column maps to nobody is left out), a platform table's tenant column is
// this workspace, its Renumber column gets new ids and its ParentColumn
// the parent's new ids. Tenant tables keep their ids. It returns how many
// rows were inserted. cols must be columns of the table (from
// WorkspaceColumns).
func (t *TenantTx) LoadWorkspaceRows(ctx context.Context, w *WorkspaceTable, cols []TableColumn, rows []byte, m *RestoreMap) (int64, error) {
	if m.ids == nil {
		m.ids = map[string]map[int64]int64{}
	}
	args := []any{string(rows)}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	var names, exprs, joins, where []string
	for i, c := range cols {
		names = append(names, ident(c.Name))
		col := "r." + ident(c.Name)
		switch {
		case w.Tenant != "" && c.Name == w.Tenant:
			exprs = append(exprs, arg(t.tenantID)+"::bigint")
		case w.Renumber != "" && c.Name == w.Renumber:
			newIDs, err := t.renumber(ctx, w, rows, m)
			if err != nil {
				return 0, err
			}
			old, nw := pairs(newIDs)
			joins = append(joins, fmt.Sprintf(" JOIN unnest(%s::bigint[], %s::bigint[]) AS idm(old, new) ON idm.old = %s", arg(old), arg(nw), col))
			exprs = append(exprs, "idm.new")
		case w.ParentColumn != "" && c.Name == w.ParentColumn:
			old, nw := pairs(m.ids[w.Parent])
			joins = append(joins, fmt.Sprintf(" JOIN unnest(%s::bigint[], %s::bigint[]) AS pm(old, new) ON pm.old = %s", arg(old), arg(nw), col))
			exprs = append(exprs, "pm.new")
		case slices.Contains(w.Users, c.Name) && m.Users != nil:
			old, nw := pairs(m.Users)
			alias := fmt.Sprintf("u%d", i)
			joins = append(joins, fmt.Sprintf(" LEFT JOIN unnest(%s::bigint[], %s::bigint[]) AS %s(old, new) ON %s.old = %s", arg(old), arg(nw), alias, alias, col))
			exprs = append(exprs, alias+".new")
			if c.NotNull {
				where = append(where, alias+".new IS NOT NULL")
			}
		default:
			exprs = append(exprs, col)
		}
	}
	sql := `INSERT INTO ` + ident(w.Name) + ` (` + strings.Join(names, ", ") + `) OVERRIDING SYSTEM VALUE SELECT ` +
		strings.Join(exprs, ", ") + ` FROM jsonb_populate_recordset(NULL::` + ident(w.Name) + `, $1::jsonb) AS r` + strings.Join(joins, "")
	if len(where) > 0 {
		sql += ` WHERE ` + strings.Join(where, " AND ")
	}
	tag, err := t.tx.Exec(ctx, sql, args...)
	if err != nil {
		return 0, fmt.Errorf("store: restore %s: %w", w.Name, err)
	}
	return tag.RowsAffected(), nil
}

// renumber gives the rows' Renumber ids new values, from the table's own
// sequence or, for a table whose ids are random (platform.random_id, no
// sequence), random ones, and records them in m.
func (t *TenantTx) renumber(ctx context.Context, w *WorkspaceTable, rows []byte, m *RestoreMap) (map[int64]int64, error) {
	q, err := t.tx.Query(ctx, `SELECT r.old, COALESCE(nextval(pg_get_serial_sequence($2, $3)), platform.random_id($2::regclass))
		FROM (SELECT (e ->> $3)::bigint AS old FROM jsonb_array_elements($1::jsonb) e) r`, string(rows), w.Name, w.Renumber)
	if err != nil {
		return nil, fmt.Errorf("store: renumber %s: %w", w.Name, err)
	}
	batch := map[int64]int64{}
	var old, nw int64
	if _, err := pgx.ForEachRow(q, []any{&old, &nw}, func() error { batch[old] = nw; return nil }); err != nil {
		return nil, fmt.Errorf("store: renumber %s: %w", w.Name, err)
	}
	if m.ids[w.Name] == nil {
		m.ids[w.Name] = map[int64]int64{}
	}
	for o, n := range batch {
		m.ids[w.Name][o] = n
	}
	return batch, nil
}

func pairs(m map[int64]int64) (old, nw []int64) {
	old, nw = make([]int64, 0, len(m)), make([]int64, 0, len(m))
	for o, n := range m {
		old, nw = append(old, o), append(nw, n)
	}
	return old, nw
}

// FinishRestore makes the restored rows whole: every identity sequence of
// the tenant's tables moves past the largest id restored (never back, so
// no id is ever given twice), the search documents are rebuilt, vectors
// are dropped to be recomputed, and the search index's version moves on.
// It returns the ids of the restored designs.
func (t *TenantTx) FinishRestore(ctx context.Context) ([]int64, error) {
	rows, err := t.tx.Query(ctx, `SELECT c.relname, a.attname FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attidentity <> '' AND NOT a.attisdropped`)
	if err != nil {
		return nil, fmt.Errorf("store: identity columns: %w", err)
	}
	type idcol struct{ table, col string }
	var cols []idcol
	var c idcol
	if _, err := pgx.ForEachRow(rows, []any{&c.table, &c.col}, func() error { cols = append(cols, c); return nil }); err != nil {
		return nil, fmt.Errorf("store: identity columns: %w", err)
	}
	for _, c := range cols {
		if err := t.moveSequence(ctx, c.table, c.col); err != nil {
			return nil, err
		}
	}
	// The business's settings are one row the workspace always has; a
	// manifest from before the business had none.
	if _, err := t.tx.Exec(ctx, `INSERT INTO business_settings DEFAULT VALUES ON CONFLICT DO NOTHING`); err != nil {
		return nil, fmt.Errorf("store: business settings after a restore: %w", err)
	}
	var ids []int64
	idRows, err := t.tx.Query(ctx, `SELECT id FROM patterns ORDER BY id`)
	if err == nil {
		ids, err = pgx.CollectRows(idRows, pgx.RowTo[int64])
	}
	if err != nil {
		return nil, fmt.Errorf("store: restored designs: %w", err)
	}
	if err := RefreshSearch(ctx, t.tx, ids); err != nil {
		return nil, err
	}
	if _, err := t.tx.Exec(ctx, `UPDATE search_version SET version = version + 1`); err != nil {
		return nil, fmt.Errorf("store: move the search version on: %w", err)
	}
	return ids, nil
}

// moveSequence sets the sequence of an identity column past the largest
// value in it, never back.
func (t *TenantTx) moveSequence(ctx context.Context, table, col string) error {
	var seq string
	var max *int64
	err := t.tx.QueryRow(ctx, `SELECT pg_get_serial_sequence($1, $2), (SELECT max(`+ident(col)+`) FROM `+ident(table)+`)`,
		ident(table), col).Scan(&seq, &max)
	if err != nil || max == nil {
		return wrapErr("store: the largest "+table+"."+col, err)
	}
	var last int64
	var called bool
	if err := t.tx.QueryRow(ctx, `SELECT last_value, is_called FROM `+seq).Scan(&last, &called); err != nil {
		return fmt.Errorf("store: sequence of %s.%s: %w", table, col, err)
	}
	if !called {
		last--
	}
	if *max > last {
		if _, err := t.tx.Exec(ctx, `SELECT setval($1::regclass, $2)`, seq, *max); err != nil {
			return fmt.Errorf("store: move the sequence of %s.%s on: %w", table, col, err)
		}
	}
	return nil
}

// wrapErr wraps err with what failed, or returns nil.
func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// WorkspaceHeader is what a manifest says about the workspace itself.
type WorkspaceHeader struct {
	ID        int64            `json:"id"`
	Slug      string           `json:"slug"`
	Name      string           `json:"name"`
	Plan      string           `json:"plan"`
	Settings  map[string]any   `json:"settings"`
	CreatedAt time.Time        `json:"created_at"`
	Logo      []byte           `json:"logo,omitempty"`
	LogoType  string           `json:"logo_type,omitempty"`
	Members   []ManifestMember `json:"-"`
	// SchemaVersion is the tenant schema's version.
	SchemaVersion int `json:"-"`
}

// WorkspaceHeader reads the workspace's own row, its people and its
// schema version.
func (t *TenantTx) WorkspaceHeader(ctx context.Context) (*WorkspaceHeader, error) {
	h := &WorkspaceHeader{}
	var logoType *string
	err := t.tx.QueryRow(ctx, `SELECT id, slug, name, plan, settings, created_at, logo, logo_type
		FROM platform.tenants WHERE id = $1`, t.tenantID).Scan(&h.ID, &h.Slug, &h.Name, &h.Plan, &h.Settings, &h.CreatedAt, &h.Logo, &logoType)
	if err != nil {
		return nil, fmt.Errorf("store: workspace %d: %w", t.tenantID, notFound(err))
	}
	if logoType != nil {
		h.LogoType = *logoType
	}
	// The people: members with their role, and everyone else the rows
	// name (a former member's favourites), without one. The rows' people
	// are read per table, so no statement mixes the tenant's schema and
	// platform tables.
	named := []int64{}
	for i := range WorkspaceTables {
		w := &WorkspaceTables[i]
		var args []any
		if w.Platform() {
			args = append(args, t.tenantID)
		}
		for _, c := range w.Users {
			q, err := t.tx.Query(ctx, `SELECT DISTINCT x.`+ident(c)+` FROM `+ident(w.Name)+` x`+scope(w), args...)
			if err != nil {
				return nil, fmt.Errorf("store: people of %s: %w", w.Name, err)
			}
			ids, err := pgx.CollectRows(q, pgx.RowTo[*int64])
			if err != nil {
				return nil, fmt.Errorf("store: people of %s: %w", w.Name, err)
			}
			for _, id := range ids {
				if id != nil {
					named = append(named, *id)
				}
			}
		}
	}
	rows, err := t.tx.Query(ctx, `SELECT u.id, u.email, u.display_name, coalesce(m.role, '') FROM platform.users u
		LEFT JOIN platform.memberships m ON m.user_id = u.id AND m.tenant_id = $1
		WHERE m.tenant_id IS NOT NULL OR u.id = ANY($2) ORDER BY u.id`, t.tenantID, named)
	if err != nil {
		return nil, fmt.Errorf("store: people of workspace %d: %w", t.tenantID, err)
	}
	var m ManifestMember
	if _, err := pgx.ForEachRow(rows, []any{&m.ID, &m.Email, &m.Name, &m.Role}, func() error {
		h.Members = append(h.Members, m)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("store: people of workspace %d: %w", t.tenantID, err)
	}
	if err := t.tx.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&h.SchemaVersion); err != nil {
		return nil, fmt.Errorf("store: schema version of workspace %d: %w", t.tenantID, err)
	}
	return h, nil
}

// RestoreWorkspaceSettings sets the workspace's settings and logo to a
// manifest's (its name and address stay).
func (t *TenantTx) RestoreWorkspaceSettings(ctx context.Context, settings map[string]any, logo []byte, logoType string) error {
	if settings == nil {
		settings = map[string]any{}
	}
	var lt *string
	if len(logo) > 0 {
		lt = &logoType
	} else {
		logo = nil
	}
	_, err := t.tx.Exec(ctx, `UPDATE platform.tenants SET settings = $2, logo = $3, logo_type = $4 WHERE id = $1`,
		t.tenantID, settings, logo, lt)
	if err != nil {
		return fmt.Errorf("store: restore settings of workspace %d: %w", t.tenantID, err)
	}
	return nil
}

// FileRef is a stored file a workspace's rows point at.
type FileRef struct {
	PatternID int64
	FileName  string
	BlobKey   string
	SHA256    []byte
	Size      int64
}

// FileRefs calls fn for every file row of the workspace (designs in the
// trash included), by id.
func (t *TenantTx) FileRefs(ctx context.Context, fn func(FileRef) error) error {
	rows, err := t.tx.Query(ctx, `SELECT pattern_id, file_name, blob_key, sha256, size FROM pattern_files ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: file references: %w", err)
	}
	var f FileRef
	_, err = pgx.ForEachRow(rows, []any{&f.PatternID, &f.FileName, &f.BlobKey, &f.SHA256, &f.Size}, func() error { return fn(f) })
	if err != nil {
		return fmt.Errorf("store: file references: %w", err)
	}
	return nil
}

// FileRefsSum is a checksum of every file reference of the workspace:
// SHA-256 over "key sha256 size" lines in id order. A snapshot records it
// and a restore check recomputes it from the restored rows. It also
// returns how many references there are and the bytes of the distinct
// files they reach.
func (t *TenantTx) FileRefsSum(ctx context.Context) (sum []byte, n, bytes int64, err error) {
	err = t.tx.QueryRow(ctx, `SELECT sha256(convert_to(coalesce(string_agg(blob_key || ' ' || encode(sha256, 'hex') || ' ' || size, E'\n' ORDER BY id), ''), 'UTF8')),
		count(*), (SELECT coalesce(sum(size), 0) FROM (SELECT DISTINCT ON (blob_key) size FROM pattern_files ORDER BY blob_key) d)::bigint
		FROM pattern_files`).Scan(&sum, &n, &bytes)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("store: checksum of file references: %w", err)
	}
	return sum, n, bytes, nil
}

// SampleFiles returns up to n file references picked at random.
func (t *TenantTx) SampleFiles(ctx context.Context, n int) ([]FileRef, error) {
	rows, err := t.tx.Query(ctx, `SELECT pattern_id, file_name, blob_key, sha256, size FROM pattern_files ORDER BY random() LIMIT $1`, n)
	if err != nil {
		return nil, fmt.Errorf("store: sample files: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FileRef, error) {
		var f FileRef
		err := r.Scan(&f.PatternID, &f.FileName, &f.BlobKey, &f.SHA256, &f.Size)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: sample files: %w", err)
	}
	return out, nil
}

// RecordBackupRefs records that snapshot snap references the workspace's
// files as they are now (designs' files and business photos' originals):
// files gone since the previous snapshot prev (0 for none) close their
// interval at prev, files new since open one at snap. Only what changed
// is written. A photo's key is made from the workspace and its id (as
// business.PhotoFile makes it), never read from its row; its size is not
// kept in its row, so its reference counts 0 bytes.
func (t *TenantTx) RecordBackupRefs(ctx context.Context, snap, prev int64) error {
	if _, err := t.tx.Exec(ctx, `UPDATE backup_refs r SET to_snap = greatest($1, r.from_snap) WHERE r.to_snap IS NULL
		AND NOT EXISTS (SELECT 1 FROM pattern_files f WHERE f.blob_key = r.blob_key)
		AND NOT EXISTS (SELECT 1 FROM photos p WHERE format('%s/photos/%s/original', $2::bigint, p.id) = r.blob_key)`, prev, t.tenantID); err != nil {
		return fmt.Errorf("store: close backup references: %w", err)
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO backup_refs (blob_key, size, from_snap)
		SELECT f.blob_key, max(f.size), $1 FROM (SELECT blob_key, size FROM pattern_files
			UNION ALL SELECT format('%s/photos/%s/original', $2::bigint, id), 0 FROM photos) f
		WHERE NOT EXISTS (SELECT 1 FROM backup_refs r WHERE r.blob_key = f.blob_key AND r.to_snap IS NULL)
		GROUP BY f.blob_key`, snap, t.tenantID)
	if err != nil {
		return fmt.Errorf("store: open backup references: %w", err)
	}
	return nil
}

// PruneBackupRefs drops the references that no kept snapshot (ids kept)
// falls in, and returns how many bytes the files still kept only for
// backups (no live or trashed design holds them) take.
func (t *TenantTx) PruneBackupRefs(ctx context.Context, kept []int64) (int64, error) {
	_, err := t.tx.Exec(ctx, `DELETE FROM backup_refs r WHERE NOT EXISTS (SELECT 1 FROM unnest($1::bigint[]) AS s(id)
		WHERE s.id >= r.from_snap AND (r.to_snap IS NULL OR s.id <= r.to_snap))`, kept)
	if err != nil {
		return 0, fmt.Errorf("store: drop backup references: %w", err)
	}
	var only int64
	err = t.tx.QueryRow(ctx, `SELECT coalesce(sum(size), 0) FROM (SELECT DISTINCT ON (blob_key) blob_key, size FROM backup_refs) r
		WHERE NOT EXISTS (SELECT 1 FROM pattern_files f WHERE f.blob_key = r.blob_key)`).Scan(&only)
	if err != nil {
		return 0, fmt.Errorf("store: bytes kept for backups: %w", err)
	}
	return only, nil
}

// PurgeTrash deletes for good the designs deleted before cutoff (their
// rows and what hangs off them; their files stay until no snapshot
// needs them) and returns their ids.
func (t *TenantTx) PurgeTrash(ctx context.Context, cutoff time.Time) ([]int64, error) {
	rows, err := t.tx.Query(ctx, `DELETE FROM patterns WHERE deleted_at < $1 RETURNING id`, cutoff)
	if err != nil {
		return nil, fmt.Errorf("store: empty the trash: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: empty the trash: %w", err)
	}
	return ids, nil
}

// TrashedPattern is a design in the trash.
type TrashedPattern struct {
	ID        int64
	Name      string
	Designer  string
	DeletedAt time.Time
}

// Trash lists the designs in the trash, most recently deleted first.
func (t *TenantTx) Trash(ctx context.Context, limit int) ([]TrashedPattern, int64, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, name, designer, deleted_at FROM patterns WHERE deleted_at IS NOT NULL
		ORDER BY deleted_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: trash: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TrashedPattern, error) {
		var p TrashedPattern
		err := r.Scan(&p.ID, &p.Name, &p.Designer, &p.DeletedAt)
		return p, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: trash: %w", err)
	}
	var n int64
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM patterns WHERE deleted_at IS NOT NULL`).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("store: trash: %w", err)
	}
	return out, n, nil
}

// RestoreFromTrash takes designs out of the trash and returns how many.
func (t *TenantTx) RestoreFromTrash(ctx context.Context, ids []int64) (int, error) {
	tag, err := t.tx.Exec(ctx, `UPDATE patterns SET deleted_at = NULL WHERE id = ANY($1) AND deleted_at IS NOT NULL`, ids)
	if err != nil {
		return 0, fmt.Errorf("store: take designs out of the trash: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// ShareTokenTaken reports whether a share link of any workspace has the
// token hash.
func (t *TenantTx) ShareTokenTaken(ctx context.Context, hash []byte) (bool, error) {
	var taken bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM platform.share_links WHERE token_hash = $1)`, hash).Scan(&taken)
	if err != nil {
		return false, fmt.Errorf("store: share token in use: %w", err)
	}
	return taken, nil
}

// PlatformAdminEmails returns the addresses of the platform admins.
func (s *Store) PlatformAdminEmails(ctx context.Context) ([]string, error) {
	rows, err := s.q.Query(ctx, `SELECT email FROM platform.users WHERE is_platform_admin ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: platform admins: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: platform admins: %w", err)
	}
	return out, nil
}

// UpsertWorkspaceRows inserts rows (a JSON array of objects) into a
// declared table, or, where a row of the same key is there, sets its
// columns to the row's: a single design or share link brought back from
// a snapshot. Ids and people stay as they are; a platform table's tenant
// column is this workspace, and a row of another workspace is never
// touched.
func (t *TenantTx) UpsertWorkspaceRows(ctx context.Context, w *WorkspaceTable, cols []TableColumn, rows []byte, key []string) (int64, error) {
	args := []any{string(rows)}
	var names, exprs, sets []string
	for _, c := range cols {
		names = append(names, ident(c.Name))
		if w.Tenant != "" && c.Name == w.Tenant {
			args = append(args, t.tenantID)
			exprs = append(exprs, fmt.Sprintf("$%d::bigint", len(args)))
		} else {
			exprs = append(exprs, "r."+ident(c.Name))
		}
		if !slices.Contains(key, c.Name) {
			sets = append(sets, ident(c.Name)+" = EXCLUDED."+ident(c.Name))
		}
	}
	sql := `INSERT INTO ` + ident(w.Name) + ` AS x (` + strings.Join(names, ", ") + `) OVERRIDING SYSTEM VALUE SELECT ` +
		strings.Join(exprs, ", ") + ` FROM jsonb_populate_recordset(NULL::` + ident(w.Name) + `, $1::jsonb) AS r
		ON CONFLICT (` + columnList("", key) + `) DO `
	if len(sets) == 0 {
		sql += `NOTHING`
	} else {
		sql += `UPDATE SET ` + strings.Join(sets, ", ")
		if w.Tenant != "" {
			sql += ` WHERE x.` + ident(w.Tenant) + ` = $2`
		}
	}
	tag, err := t.tx.Exec(ctx, sql, args...)
	if err != nil {
		return 0, fmt.Errorf("store: bring back rows of %s: %w", w.Name, err)
	}
	return tag.RowsAffected(), nil
}

// DeleteWorkspaceRows deletes the workspace's rows of a declared table
// whose column col is one of ids.
func (t *TenantTx) DeleteWorkspaceRows(ctx context.Context, w *WorkspaceTable, col string, ids []int64) error {
	args := []any{ids}
	sql := `DELETE FROM ` + ident(w.Name) + ` x WHERE x.` + ident(col) + ` = ANY($1)`
	if w.Platform() {
		args = []any{t.tenantID, ids}
		sql = `DELETE FROM ` + ident(w.Name) + ` x` + scope(w) + ` AND x.` + ident(col) + ` = ANY($2)`
	}
	if _, err := t.tx.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("store: delete rows of %s: %w", w.Name, err)
	}
	return nil
}

// PatternExists reports whether design id has a row (live or trashed).
func (t *TenantTx) PatternExists(ctx context.Context, id int64) (bool, error) {
	var ok bool
	if err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM patterns WHERE id = $1)`, id).Scan(&ok); err != nil {
		return false, fmt.Errorf("store: design %d: %w", id, err)
	}
	return ok, nil
}

// LogRestore records in the activity log that something was brought back.
func (t *TenantTx) LogRestore(ctx context.Context, userID int64, summary string) error {
	if _, err := logActivity(ctx, t.tx, userID, "restore", summary, nil); err != nil {
		return fmt.Errorf("store: log restore: %w", err)
	}
	return nil
}

// RefreshSearch rebuilds the search documents of designs ids.
func (t *TenantTx) RefreshSearch(ctx context.Context, ids []int64) error {
	return RefreshSearch(ctx, t.tx, ids)
}

// Tx is the transaction itself, for work that must commit with it and
// lives outside the store (a job inserted with jobs.Queue.InsertTx).
func (t *TenantTx) Tx() pgx.Tx { return t.tx }
