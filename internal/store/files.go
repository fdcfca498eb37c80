package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// File roles within a design.
const (
	RoleDesign  = "design"
	RolePicture = "picture"
	RoleNotes   = "notes"
	RoleOther   = "other"
)

// PatternFile is one stored file of a pattern (a machine format, a
// picture, a notes text).
type PatternFile struct {
	ID        int64  `json:"id"`
	PatternID int64  `json:"pattern_id"`
	Role      string `json:"role"`
	Format    string `json:"format"`
	FileName  string `json:"file_name"`
	Size      int64  `json:"size"`
	SHA256    []byte `json:"-"`
	BlobKey   string `json:"-"`
	Readable  bool   `json:"readable"`
	// Problem, when set, says why a design file could not be read
	// ("qli: line 3: bad VP coordinates"): it is kept as it came, but
	// never offered for a machine nor converted from.
	Problem   string    `json:"problem,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

const fileColumns = "id, pattern_id, role, format, file_name, size, sha256, blob_key, readable, problem, created_at"

func scanFile(row pgx.Row) (*PatternFile, error) {
	f := &PatternFile{}
	err := row.Scan(&f.ID, &f.PatternID, &f.Role, &f.Format, &f.FileName, &f.Size, &f.SHA256, &f.BlobKey, &f.Readable, &f.Problem, &f.CreatedAt)
	return f, err
}

// InsertFile adds a file to a pattern. A second file of the same name
// gets a numbered name.
func (t *TenantTx) InsertFile(ctx context.Context, f *PatternFile) error {
	name := f.FileName
	for i := 2; ; i++ {
		tag, err := t.tx.Exec(ctx, `
			INSERT INTO pattern_files (pattern_id, role, format, file_name, size, sha256, blob_key, readable, problem)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (pattern_id, file_name) DO NOTHING`,
			f.PatternID, f.Role, f.Format, name, f.Size, f.SHA256, f.BlobKey, f.Readable, f.Problem)
		if err != nil {
			return fmt.Errorf("store: add file %q to pattern %d: %w", f.FileName, f.PatternID, err)
		}
		if tag.RowsAffected() == 1 || i > 50 {
			f.FileName = name
			return nil
		}
		name = fmt.Sprintf("%d-%s", i, f.FileName)
	}
}

// PatternsWithSHA returns, for each given SHA-256, a live pattern holding
// a file with that content.
func (t *TenantTx) PatternsWithSHA(ctx context.Context, sums [][]byte) (map[string]int64, error) {
	rows, err := t.tx.Query(ctx, `SELECT DISTINCT ON (f.sha256) f.sha256, f.pattern_id FROM pattern_files f
		JOIN patterns p ON p.id = f.pattern_id AND p.deleted_at IS NULL
		WHERE f.sha256 = ANY($1) ORDER BY f.sha256, f.pattern_id`, sums)
	if err != nil {
		return nil, fmt.Errorf("store: find files by content: %w", err)
	}
	out := map[string]int64{}
	var sum []byte
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&sum, &id}, func() error {
		out[string(sum)] = id
		return nil
	})
	return out, err
}

// Files lists the files of a live pattern: designs first.
func (t *TenantTx) Files(ctx context.Context, patternID int64) ([]*PatternFile, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+prefixed("f.", fileColumns)+` FROM pattern_files f
		JOIN patterns p ON p.id = f.pattern_id AND p.deleted_at IS NULL
		WHERE f.pattern_id = $1
		ORDER BY CASE f.role WHEN 'design' THEN 0 WHEN 'picture' THEN 1 WHEN 'notes' THEN 2 ELSE 3 END, f.format, f.file_name`, patternID)
	if err != nil {
		return nil, fmt.Errorf("store: files of pattern %d: %w", patternID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*PatternFile, error) { return scanFile(r) })
	if err != nil {
		return nil, fmt.Errorf("store: files of pattern %d: %w", patternID, err)
	}
	return out, nil
}

// Files is TenantTx.Files in its own transaction.
func (s *Store) Files(ctx context.Context, tenantID, patternID int64) ([]*PatternFile, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) ([]*PatternFile, error) { return tx.Files(ctx, patternID) })
}

// File returns one file of a live pattern.
func (t *TenantTx) File(ctx context.Context, patternID, fileID int64) (*PatternFile, error) {
	out, err := scanFile(t.tx.QueryRow(ctx, `SELECT `+prefixed("f.", fileColumns)+` FROM pattern_files f
		JOIN patterns p ON p.id = f.pattern_id AND p.deleted_at IS NULL
		WHERE f.pattern_id = $1 AND f.id = $2`, patternID, fileID))
	if err != nil {
		return nil, fmt.Errorf("store: file %d of pattern %d: %w", fileID, patternID, notFound(err))
	}
	return out, nil
}

// SetThumbState records how a pattern's thumbnail was made.
func (t *TenantTx) SetThumbState(ctx context.Context, patternID int64, state string) error {
	if _, err := t.tx.Exec(ctx, `UPDATE patterns SET thumb_state = $2 WHERE id = $1`, patternID, state); err != nil {
		return fmt.Errorf("store: thumbnail state of pattern %d: %w", patternID, err)
	}
	return nil
}

// BlobKeysInUse reports which of keys are still referenced by any file
// (of any pattern, deleted or not: the bin can be undone), upload, kept
// snapshot (backup_refs) or business photo, and which belong to the
// backups (snapshots, exports and restore uploads, which internal/backup
// cleans up itself). A photo's resized copies sit beside its original
// ("{tenant}/photos/{id}/original", ".../1600", ".../480"), so a key is a
// photo's when a photo's original shares its folder. It is the one check
// every cleanup of stored files makes before it deletes one: no cleanup
// may delete a file a snapshot references.
func (t *TenantTx) BlobKeysInUse(ctx context.Context, keys []string) (map[string]bool, error) {
	used := map[string]bool{}
	for _, k := range keys {
		if BackupKey(k) {
			used[k] = true
		}
	}
	rows, err := t.tx.Query(ctx, `SELECT DISTINCT blob_key FROM pattern_files WHERE blob_key = ANY($1)
		UNION SELECT blob_key FROM import_uploads WHERE blob_key = ANY($1)
		UNION SELECT blob_key FROM import_files WHERE blob_key = ANY($1)
		UNION SELECT blob_key FROM backup_refs WHERE blob_key = ANY($1)
		UNION SELECT k FROM unnest($1::text[]) AS k
			JOIN photos p ON regexp_replace(p.blob_key, '[^/]*$', '') = regexp_replace(k, '[^/]*$', '')
			WHERE k LIKE '%/photos/%'`, keys)
	if err == nil {
		var k string
		_, err = pgx.ForEachRow(rows, []any{&k}, func() error { used[k] = true; return nil })
	}
	if err != nil {
		return nil, fmt.Errorf("store: blob keys in use: %w", err)
	}
	return used, nil
}

// BlobKeysInUse is TenantTx.BlobKeysInUse in its own transaction.
func (s *Store) BlobKeysInUse(ctx context.Context, tenantID int64, keys []string) (map[string]bool, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) (map[string]bool, error) { return tx.BlobKeysInUse(ctx, keys) })
}

// BackupDirs are the folders of a tenant's stored files that belong to
// its backups ("{tenant}/snapshots/...", ...): only internal/backup
// deletes what is in them.
var BackupDirs = []string{"snapshots", "exports", "restores"}

// BackupKey reports whether a stored file's key lies in one of the
// tenant's BackupDirs.
func BackupKey(key string) bool {
	_, rest, ok := strings.Cut(key, "/")
	if !ok {
		return false
	}
	dir, _, _ := strings.Cut(rest, "/")
	return slices.Contains(BackupDirs, dir)
}
