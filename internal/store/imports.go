package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Import batch statuses.
const (
	BatchQueued  = "queued"
	BatchRunning = "running"
	BatchStaged  = "staged"
	BatchDone    = "done"
	BatchFailed  = "failed"
)

// ImportBatch is one upload of ZIPs or loose files and what became of it.
type ImportBatch struct {
	ID           int64          `json:"id"`
	CreatedBy    *int64         `json:"created_by"`
	Status       string         `json:"status"`
	Stage        bool           `json:"stage"`
	Files        int            `json:"files"`
	Bytes        int64          `json:"bytes"`
	DesignsTotal int            `json:"designs_total"`
	DesignsDone  int            `json:"designs_done"`
	Created      int            `json:"created"`
	Merged       int            `json:"merged"`
	Duplicates   int            `json:"duplicates"`
	Failed       []FailedFile   `json:"failed"`
	Error        string         `json:"error"`
	CreatedAt    time.Time      `json:"created_at"`
	FinishedAt   *time.Time     `json:"finished_at"`
	Uploads      []ImportUpload `json:"-"`
}

// FailedFile is a file of an import that could not be used, and why.
type FailedFile struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// ImportUpload is one uploaded file of a batch, held in blob storage.
type ImportUpload struct {
	N        int    `json:"n"`
	FileName string `json:"file_name"`
	Size     int64  `json:"size"`
	BlobKey  string `json:"-"`
}

const batchColumns = "id, created_by, status, stage, files, bytes, designs_total, designs_done, created, merged, duplicates, failed, error, created_at, finished_at"

func scanBatch(row pgx.Row) (*ImportBatch, error) {
	b := &ImportBatch{}
	err := row.Scan(&b.ID, &b.CreatedBy, &b.Status, &b.Stage, &b.Files, &b.Bytes, &b.DesignsTotal, &b.DesignsDone,
		&b.Created, &b.Merged, &b.Duplicates, &b.Failed, &b.Error, &b.CreatedAt, &b.FinishedAt)
	if b.Failed == nil {
		b.Failed = []FailedFile{}
	}
	return b, err
}

// InsertBatch records a new batch with its uploads inside the caller's
// tenant transaction (the job that processes it is queued in the same one).
func InsertBatch(ctx context.Context, tx pgx.Tx, createdBy int64, uploads []ImportUpload, stage bool) (*ImportBatch, error) {
	var by *int64
	if createdBy != 0 {
		by = &createdBy
	}
	var total int64
	for _, u := range uploads {
		total += u.Size
	}
	b, err := scanBatch(tx.QueryRow(ctx, `INSERT INTO import_batches (created_by, stage, files, bytes) VALUES ($1, $2, $3, $4)
		RETURNING `+batchColumns, by, stage, len(uploads), total))
	if err != nil {
		return nil, fmt.Errorf("store: create import batch: %w", err)
	}
	for _, u := range uploads {
		if _, err := tx.Exec(ctx, `INSERT INTO import_uploads (batch_id, n, file_name, size, blob_key) VALUES ($1, $2, $3, $4, $5)`,
			b.ID, u.N, u.FileName, u.Size, u.BlobKey); err != nil {
			return nil, fmt.Errorf("store: record upload %q: %w", u.FileName, err)
		}
	}
	b.Uploads = uploads
	return b, nil
}

// Batch returns a batch with its uploads.
func (s *Store) Batch(ctx context.Context, tenantID, id int64) (*ImportBatch, error) {
	var b *ImportBatch
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		var err error
		if b, err = scanBatch(tx.QueryRow(ctx, `SELECT `+batchColumns+` FROM import_batches WHERE id = $1`, id)); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT n, file_name, size, blob_key FROM import_uploads WHERE batch_id = $1 ORDER BY n`, id)
		if err != nil {
			return err
		}
		b.Uploads, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ImportUpload, error) {
			var u ImportUpload
			return u, r.Scan(&u.N, &u.FileName, &u.Size, &u.BlobKey)
		})
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: import batch %d: %w", id, err)
	}
	return b, nil
}

// Batches lists the newest batches first.
func (s *Store) Batches(ctx context.Context, tenantID int64, limit int) ([]*ImportBatch, error) {
	var out []*ImportBatch
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+batchColumns+` FROM import_batches ORDER BY id DESC LIMIT $1`, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*ImportBatch, error) { return scanBatch(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: import batches: %w", err)
	}
	return out, nil
}

// BatchProgress is a change to a batch's counters and state.
type BatchProgress struct {
	Status                           string
	DesignsTotal                     *int
	Done, Created, Merged, Duplicate int // added to the counters
	Failed                           []FailedFile
	Error                            string
	Finished                         bool
}

// UpdateBatch applies progress to a batch inside the caller's transaction.
func UpdateBatch(ctx context.Context, tx pgx.Tx, id int64, p BatchProgress) error {
	failed, _ := json.Marshal(p.Failed)
	if p.Failed == nil {
		failed = []byte("[]")
	}
	_, err := tx.Exec(ctx, `UPDATE import_batches SET
		status = coalesce(nullif($2, ''), status),
		designs_total = coalesce($3, designs_total),
		designs_done = designs_done + $4, created = created + $5, merged = merged + $6, duplicates = duplicates + $7,
		failed = failed || $8::jsonb,
		error = CASE WHEN $9 = '' THEN error ELSE $9 END,
		finished_at = CASE WHEN $10 THEN now() ELSE finished_at END
		WHERE id = $1`, id, p.Status, p.DesignsTotal, p.Done, p.Created, p.Merged, p.Duplicate, string(failed), p.Error, p.Finished)
	if err != nil {
		return fmt.Errorf("store: update import batch %d: %w", id, err)
	}
	return nil
}

// UpdateBatch is the stand-alone form of UpdateBatch.
func (s *Store) UpdateBatch(ctx context.Context, tenantID, id int64, p BatchProgress) error {
	return s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error { return UpdateBatch(ctx, tx, id, p) })
}

// LogImport appends a line to a batch's log.
func LogImport(ctx context.Context, tx pgx.Tx, batchID int64, level, file, message string) error {
	_, err := tx.Exec(ctx, `INSERT INTO import_log (batch_id, level, file, message) VALUES ($1, $2, $3, $4)`, batchID, level, file, message)
	return err
}

// ImportLogLine is one line of a batch's log.
type ImportLogLine struct {
	At      time.Time `json:"at"`
	Level   string    `json:"level"`
	File    string    `json:"file"`
	Message string    `json:"message"`
}

// ImportLog returns a batch's log, oldest first.
func (s *Store) ImportLog(ctx context.Context, tenantID, batchID int64, limit int) ([]ImportLogLine, error) {
	var out []ImportLogLine
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT at, level, file, message FROM import_log WHERE batch_id = $1 ORDER BY id LIMIT $2`, batchID, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ImportLogLine, error) {
			var l ImportLogLine
			return l, r.Scan(&l.At, &l.Level, &l.File, &l.Message)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: import log %d: %w", batchID, err)
	}
	return out, nil
}

// DeleteUploads forgets a batch's uploaded files once processed.
func DeleteUploads(ctx context.Context, tx pgx.Tx, batchID int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM import_uploads WHERE batch_id = $1`, batchID)
	return err
}
