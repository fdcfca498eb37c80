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
	ID           int64        `json:"id"`
	CreatedBy    *int64       `json:"created_by"`
	Status       string       `json:"status"`
	Stage        bool         `json:"stage"`
	Files        int          `json:"files"`
	Bytes        int64        `json:"bytes"`
	DesignsTotal int          `json:"designs_total"`
	DesignsDone  int          `json:"designs_done"`
	Created      int          `json:"created"`
	Merged       int          `json:"merged"`
	Duplicates   int          `json:"duplicates"`
	Failed       []FailedFile `json:"failed"`
	// Warnings are files kept with a caveat (too large to preview, too
	// complex to analyse, unreadable).
	Warnings []FailedFile `json:"warnings"`
	// Skipped are the designs already in the library, each with the
	// design that holds it (FailedFile.PatternID).
	Skipped []FailedFile `json:"skipped"`
	// UploadNames are the names of the files uploaded ("Spring 2024.zip").
	UploadNames []string `json:"upload_names"`
	// ResumeAt is how many of the batch's designs (in the order the
	// import takes them) are stored: a rerun after a crash starts there.
	ResumeAt int `json:"-"`
	// LeaseOwner is the worker run that holds (or last held) the batch.
	LeaseOwner string `json:"-"`
	// Waiting names what an unfinished import waits for while it cannot
	// go on ("storage"); it is not stored (see library.Service.Batch).
	Waiting    string         `json:"waiting,omitempty"`
	Error      string         `json:"error"`
	CreatedAt  time.Time      `json:"created_at"`
	FinishedAt *time.Time     `json:"finished_at"`
	Uploads    []ImportUpload `json:"-"`
}

// FailedFile is a file of an import that could not be used, and why.
type FailedFile struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
	// PatternID, when set, is the design the file concerns (the one
	// already holding a skipped design).
	PatternID int64 `json:"pattern_id,omitempty"`
}

// ImportUpload is one uploaded file of a batch, held in blob storage.
type ImportUpload struct {
	N        int    `json:"n"`
	FileName string `json:"file_name"`
	Size     int64  `json:"size"`
	BlobKey  string `json:"-"`
}

const batchColumns = "id, created_by, status, stage, files, bytes, designs_total, designs_done, created, merged, duplicates, failed, warnings, skipped, upload_names, resume_at, lease_owner, error, created_at, finished_at"

func scanBatch(row pgx.Row) (*ImportBatch, error) {
	b := &ImportBatch{}
	err := row.Scan(&b.ID, &b.CreatedBy, &b.Status, &b.Stage, &b.Files, &b.Bytes, &b.DesignsTotal, &b.DesignsDone,
		&b.Created, &b.Merged, &b.Duplicates, &b.Failed, &b.Warnings, &b.Skipped, &b.UploadNames, &b.ResumeAt, &b.LeaseOwner, &b.Error, &b.CreatedAt, &b.FinishedAt)
	if b.Failed == nil {
		b.Failed = []FailedFile{}
	}
	if b.Warnings == nil {
		b.Warnings = []FailedFile{}
	}
	if b.Skipped == nil {
		b.Skipped = []FailedFile{}
	}
	if b.UploadNames == nil {
		b.UploadNames = []string{}
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
	names := make([]string, len(uploads))
	for i, u := range uploads {
		total += u.Size
		names[i] = u.FileName
	}
	b, err := scanBatch(tx.QueryRow(ctx, `INSERT INTO import_batches (created_by, stage, files, bytes, upload_names) VALUES ($1, $2, $3, $4, $5)
		RETURNING `+batchColumns, by, stage, len(uploads), total, names))
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

// ImportActive reports whether the tenant has an import queued or
// running.
func (s *Store) ImportActive(ctx context.Context, tenantID int64) (bool, error) {
	var active bool
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM import_batches WHERE status IN ('queued', 'running'))`).Scan(&active)
	})
	if err != nil {
		return false, fmt.Errorf("store: active imports of tenant %d: %w", tenantID, err)
	}
	return active, nil
}

// BatchProgress is a change to a batch's counters and state.
type BatchProgress struct {
	Status                           string
	DesignsTotal                     *int
	Done, Created, Merged, Duplicate int // added to the counters
	Failed                           []FailedFile
	Warnings                         []FailedFile
	Skipped                          []FailedFile
	Error                            string
	Finished                         bool
	// Stored is added to ResumeAt: designs taken, in order, and stored.
	Stored int
	// Owner, when set, applies the change only while Owner holds the
	// batch's lease, and renews the lease for LeaseFor (ErrLeaseLost
	// otherwise).
	Owner    string
	LeaseFor time.Duration
}

// ErrLeaseLost means another worker holds an import batch.
var ErrLeaseLost = errors.New("import batch held by another worker")

func jsonList(l []FailedFile) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l)
	return string(b)
}

// UpdateBatch applies progress to a batch.
func (t *TenantTx) UpdateBatch(ctx context.Context, id int64, p BatchProgress) error {
	return updateBatch(ctx, t.tx, id, p)
}

func updateBatch(ctx context.Context, tx pgx.Tx, id int64, p BatchProgress) error {
	tag, err := tx.Exec(ctx, `UPDATE import_batches SET
		status = coalesce(nullif($2, ''), status),
		designs_total = coalesce($3, designs_total),
		designs_done = designs_done + $4, created = created + $5, merged = merged + $6, duplicates = duplicates + $7,
		failed = failed || $8::jsonb,
		warnings = warnings || $9::jsonb,
		error = CASE WHEN $10 = '' THEN error ELSE $10 END,
		finished_at = CASE WHEN $11 THEN now() ELSE finished_at END,
		resume_at = resume_at + $12,
		lease_until = CASE WHEN $13 = '' THEN lease_until ELSE now() + $14 * interval '1 millisecond' END,
		skipped = skipped || $15::jsonb
		WHERE id = $1 AND ($13 = '' OR lease_owner = $13)`,
		id, p.Status, p.DesignsTotal, p.Done, p.Created, p.Merged, p.Duplicate, jsonList(p.Failed), jsonList(p.Warnings),
		p.Error, p.Finished, p.Stored, p.Owner, p.LeaseFor.Milliseconds(), jsonList(p.Skipped))
	if err != nil {
		return fmt.Errorf("store: update import batch %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 && p.Owner != "" {
		return fmt.Errorf("store: update import batch %d: %w", id, ErrLeaseLost)
	}
	return nil
}

// ResetBatch sets a batch's counters back to zero for a rerun that starts
// from its first design, with its design count and the uploads that failed.
func (s *Store) ResetBatch(ctx context.Context, tenantID, id int64, total int, failed []FailedFile) error {
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE import_batches SET status = 'running', designs_total = $2, designs_done = 0, created = 0,
			merged = 0, duplicates = 0, failed = $3::jsonb, warnings = '[]', skipped = '[]', error = '', resume_at = 0 WHERE id = $1`,
			id, total, jsonList(failed))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: reset import batch %d: %w", id, err)
	}
	return nil
}

// FinishBatch ends a batch with status (done or failed, with a message)
// and forgets its uploads, while owner holds its lease.
func (s *Store) FinishBatch(ctx context.Context, tenantID, id int64, status, message, owner string) error {
	return s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		if err := updateBatch(ctx, tx, id, BatchProgress{Status: status, Error: message, Finished: true, Owner: owner}); err != nil {
			return err
		}
		return DeleteUploads(ctx, tx, id)
	})
}

// ClaimBatch gives owner the lease on a queued or running batch for ttl,
// or renews it: false when another owner's lease is still running or the
// batch is finished. A batch's worker renews its lease as it goes; when
// the worker dies, the lease runs out and another may claim the batch, or
// at once when the caller knows the holder is dead (takeFrom: the holder
// whose lease is void; "" for none).
func (s *Store) ClaimBatch(ctx context.Context, tenantID, id int64, owner string, ttl time.Duration, takeFrom string) (bool, error) {
	var ok bool
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE import_batches SET lease_owner = $2, lease_until = now() + $3 * interval '1 millisecond'
			WHERE id = $1 AND status IN ('queued', 'running')
			AND (lease_owner = $2 OR lease_until IS NULL OR lease_until < now() OR ($4 <> '' AND lease_owner = $4))`,
			id, owner, ttl.Milliseconds(), takeFrom)
		ok = tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: claim import batch %d: %w", id, err)
	}
	return ok, nil
}

// ReleaseBatch ends owner's lease on a batch, so that another worker may
// take it at once.
func (s *Store) ReleaseBatch(ctx context.Context, tenantID, id int64, owner string) error {
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE import_batches SET lease_until = NULL WHERE id = $1 AND lease_owner = $2`, id, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: release import batch %d: %w", id, err)
	}
	return nil
}

// ReservePatternIDs returns n new pattern ids, for an import that stores
// a design's thumbnail before its row.
func (s *Store) ReservePatternIDs(ctx context.Context, tenantID int64, n int) ([]int64, error) {
	var ids []int64
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('patterns', 'id')) FROM generate_series(1, $1)`, n)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: reserve %d pattern ids: %w", n, err)
	}
	return ids, nil
}

// FileOwner is a live pattern holding a file's content, and the import
// batch that created that pattern (0 for none).
type FileOwner struct {
	PatternID, BatchID int64
}

// FileOwners returns, for each given SHA-256, a live pattern holding a
// file with that content (the oldest).
//
// The sums drive the join, so that each is one look-up in the SHA-256
// index whatever the planner believes of the tables: during a new
// workspace's first import its statistics say the library is empty, and
// `sha256 = ANY($1)` was then planned as a walk over every pattern, each
// row's sum compared with every sum of the chunk (0.2 s a chunk at 3,000
// designs, growing with the library).
func (t *TenantTx) FileOwners(ctx context.Context, sums [][]byte) (map[string]FileOwner, error) {
	rows, err := t.tx.Query(ctx, `SELECT DISTINCT ON (s.sha) s.sha, f.pattern_id, coalesce(p.batch_id, 0)
		FROM unnest($1::bytea[]) AS s(sha)
		JOIN pattern_files f ON f.sha256 = s.sha
		JOIN patterns p ON p.id = f.pattern_id AND p.deleted_at IS NULL
		ORDER BY s.sha, f.pattern_id`, sums)
	if err != nil {
		return nil, fmt.Errorf("store: find files by content: %w", err)
	}
	out := map[string]FileOwner{}
	var sum []byte
	var o FileOwner
	_, err = pgx.ForEachRow(rows, []any{&sum, &o.PatternID, &o.BatchID}, func() error {
		out[string(sum)] = o
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: find files by content: %w", err)
	}
	return out, nil
}

// InsertImported adds new patterns whose ids were reserved, with their
// keywords and files (names already unique within each pattern), in two
// round trips however many there are: the keywords first, then the
// patterns, with their search columns, in one statement, their files in
// another, and their keywords in a third.
func (t *TenantTx) InsertImported(ctx context.Context, ps []*Pattern, files []*PatternFile) error {
	tx := t.tx
	if len(ps) == 0 && len(files) == 0 {
		return nil
	}
	pids, kids, err := importedKeywords(ctx, tx, ps)
	if err != nil {
		return fmt.Errorf("store: keywords of %d imported patterns: %w", len(ps), err)
	}
	b := &pgx.Batch{}
	ids := make([]int64, len(ps))
	if len(ps) > 0 {
		queueInsertPatterns(b, ps, ids, pids, kids)
	}
	if len(files) > 0 {
		// One statement for all the files (five or six a design), in
		// their order.
		n := len(files)
		fpids, sizes := make([]int64, n), make([]int64, n)
		roles, fmts, names, keys, problems := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		sums, readable := make([][]byte, n), make([]bool, n)
		for i, f := range files {
			fpids[i], roles[i], fmts[i], names[i], sizes[i] = f.PatternID, f.Role, f.Format, f.FileName, f.Size
			sums[i], keys[i], readable[i], problems[i] = f.SHA256, f.BlobKey, f.Readable, f.Problem
		}
		b.Queue(`INSERT INTO pattern_files (pattern_id, role, format, file_name, size, sha256, blob_key, readable, problem)
			SELECT pattern_id, role, format, file_name, size, sha256, blob_key, readable, problem
			FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bytea[], $7::text[], $8::bool[], $9::text[])
				WITH ORDINALITY AS f(pattern_id, role, format, file_name, size, sha256, blob_key, readable, problem, n)
			ORDER BY n`,
			fpids, roles, fmts, names, sizes, sums, keys, readable, problems)
	}
	if len(pids) > 0 {
		b.Queue(`INSERT INTO pattern_keywords (pattern_id, keyword_id)
			SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING`, pids, kids)
	}
	if len(ids) > 0 {
		queueSearchChanged(b, ids)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("store: insert %d imported patterns: %w", len(ps), err)
	}
	return nil
}

// foldSQL is platform.fold(expr) written out: the same expression, which
// PostgreSQL cannot inline from the function (unaccent is only STABLE, the
// function IMMUTABLE), so that a statement computing thousands of folds
// saves a SQL-function call on each.
func foldSQL(expr string) string {
	return `lower(public.unaccent('public.unaccent'::regdictionary, ` + expr + `))`
}

// insertPatternsSQL inserts patterns from arrays ($1..$21, in order) with
// their search columns, built as refreshSearchSQL builds them from the
// keywords named by the pairs ($22 pattern ids, $23 keyword ids), each
// fold and word list computed once.
var insertPatternsSQL = `WITH kw AS (
		SELECT x.pattern_id, string_agg(k.name, ' ' ORDER BY k.name) AS words
		FROM unnest($22::bigint[], $23::bigint[]) AS x(pattern_id, keyword_id)
		JOIN keywords k ON k.id = x.keyword_id
		GROUP BY x.pattern_id)
	INSERT INTO patterns (id, name, designer, designer_url, notes, source, purchased_on, type, type_confidence,
		width_in, height_in, stitch_length_in, paths, jumps, thumb_state, mirror_lr, mirror_tb,
		suggested_rotation, rotation_confidence, fingerprint, batch_id, search_key, search_doc, search_text)
	OVERRIDING SYSTEM VALUE
	SELECT p.id, p.name, p.designer, p.designer_url, p.notes, p.source, p.purchased_on, p.type, p.type_confidence,
		p.width_in, p.height_in, p.stitch_length_in, p.paths, p.jumps, p.thumb_state, p.mirror_lr, p.mirror_tb,
		p.suggested_rotation, p.rotation_confidence, p.fingerprint, p.batch_id,
		s.key, s.key || setweight(to_tsvector('english', ` + foldSQL("p.notes") + `), 'D'),
		` + foldSQL("p.name || ' ' || s.words || ' ' || p.designer") + `
	FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::text[], $9::real[],
		$10::real[], $11::real[], $12::real[], $13::int[], $14::int[], $15::text[], $16::real[], $17::real[],
		$18::int[], $19::real[], $20::bytea[], $21::bigint[])
		WITH ORDINALITY AS p(id, name, designer, designer_url, notes, source, purchased_on, type, type_confidence,
		width_in, height_in, stitch_length_in, paths, jumps, thumb_state, mirror_lr, mirror_tb,
		suggested_rotation, rotation_confidence, fingerprint, batch_id, n)
	LEFT JOIN kw ON kw.pattern_id = p.id
	CROSS JOIN LATERAL (
		SELECT w.words,
			setweight(to_tsvector('english', ` + foldSQL("p.name") + `), 'A')
			|| setweight(to_tsvector('english', ` + foldSQL("w.words") + `), 'B')
			|| setweight(to_tsvector('english', ` + foldSQL("p.designer || ' ' || p.type") + `), 'C') AS key
		FROM (SELECT coalesce(kw.words, '') AS words) w
		OFFSET 0 -- computed once a row, not once a use
	) s
	ORDER BY p.n`

// queueInsertPatterns queues the insert of ps, filling ids with their ids.
func queueInsertPatterns(b *pgx.Batch, ps []*Pattern, ids, kwPatterns, kwIDs []int64) {
	n := len(ps)
	names, designers, urls, notes, sources, types, thumbs := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	purchased := make([]*time.Time, n)
	typeConf, rotConf := make([]float32, n), make([]float32, n)
	width, height, stitch, mirrorLR, mirrorTB := make([]*float32, n), make([]*float32, n), make([]*float32, n), make([]*float32, n), make([]*float32, n)
	paths, jumps := make([]*int32, n), make([]*int32, n)
	rotation := make([]int32, n)
	prints := make([][]byte, n)
	batches := make([]*int64, n)
	for i, p := range ps {
		ids[i] = p.ID
		thumb := p.ThumbState
		if thumb == "" {
			thumb = ThumbPending
		}
		names[i], designers[i], urls[i], notes[i], sources[i], types[i], thumbs[i] = p.Name, p.Designer, p.DesignerURL, p.Notes, p.Source, p.Type, thumb
		purchased[i], typeConf[i], rotConf[i] = p.PurchasedOn, p.TypeConfidence, p.RotationConfidence
		width[i], height[i], stitch[i], mirrorLR[i], mirrorTB[i] = p.WidthIn, p.HeightIn, p.StitchLengthIn, p.MirrorLR, p.MirrorTB
		paths[i], jumps[i], rotation[i], prints[i], batches[i] = p.Paths, p.Jumps, p.SuggestedRotation, p.Fingerprint, p.BatchID
	}
	b.Queue(insertPatternsSQL, ids, names, designers, urls, notes, sources, purchased, types, typeConf,
		width, height, stitch, paths, jumps, thumbs, mirrorLR, mirrorTB,
		rotation, rotConf, prints, batches, kwPatterns, kwIDs)
}

// importedKeywords finds or creates the keywords of ps in one round trip
// and returns the (pattern, keyword) pairs to record, each once.
func importedKeywords(ctx context.Context, tx pgx.Tx, ps []*Pattern) (pids, kids []int64, err error) {
	var names []string
	seen := map[string]bool{}
	for _, p := range ps {
		for _, k := range p.Keywords {
			if k = NormalizeKeyword(k); k != "" && !seen[k] {
				seen[k] = true
				names = append(names, k)
			}
		}
	}
	if len(names) == 0 {
		return nil, nil, nil
	}
	// Two imports may create the same keyword at once: the INSERT then
	// waits for the other and skips it, and the SELECT that follows (a
	// new snapshot under READ COMMITTED) finds the row the other
	// committed.
	byName := map[string]int64{}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO keywords (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, names)
	b.Queue(`SELECT id, lower(name) FROM keywords WHERE lower(name) = ANY($1)`, names).Query(func(rows pgx.Rows) error {
		var id int64
		var name string
		_, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error { byName[name] = id; return nil })
		return err
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, err
	}
	type pair struct{ p, k int64 }
	done := map[pair]bool{}
	for _, p := range ps {
		for _, k := range p.Keywords {
			kid, ok := byName[NormalizeKeyword(k)]
			if ok && !done[pair{p.ID, kid}] {
				done[pair{p.ID, kid}] = true
				pids, kids = append(pids, p.ID), append(kids, kid)
			}
		}
	}
	return pids, kids, nil
}

// UpdateBatch is the stand-alone form of UpdateBatch.
func (s *Store) UpdateBatch(ctx context.Context, tenantID, id int64, p BatchProgress) error {
	return s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error { return updateBatch(ctx, tx, id, p) })
}

// LogImportLines appends lines to a batch's log in one statement.
func (t *TenantTx) LogImportLines(ctx context.Context, batchID int64, lines []ImportLogLine) error {
	tx := t.tx
	if len(lines) == 0 {
		return nil
	}
	levels, files, msgs := make([]string, len(lines)), make([]string, len(lines)), make([]string, len(lines))
	for i, l := range lines {
		levels[i], files[i], msgs[i] = l.Level, l.File, l.Message
	}
	_, err := tx.Exec(ctx, `INSERT INTO import_log (batch_id, level, file, message)
		SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])`, batchID, levels, files, msgs)
	if err != nil {
		return fmt.Errorf("store: log %d lines of import %d: %w", len(lines), batchID, err)
	}
	return nil
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

// ImportFile is a file of a whole upload (a store's README, a licence at
// its root) kept once with its import rather than with every design.
type ImportFile struct {
	N        int    `json:"n"`
	FileName string `json:"file_name"`
	Size     int64  `json:"size"`
	BlobKey  string `json:"-"`
}

// SetImportFiles records the files kept with a batch, replacing those a
// previous run of it recorded.
func (s *Store) SetImportFiles(ctx context.Context, tenantID, batchID int64, files []ImportFile) error {
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM import_files WHERE batch_id = $1`, batchID); err != nil {
			return err
		}
		for _, f := range files {
			if _, err := tx.Exec(ctx, `INSERT INTO import_files (batch_id, n, file_name, size, blob_key) VALUES ($1, $2, $3, $4, $5)`,
				batchID, f.N, f.FileName, f.Size, f.BlobKey); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: files kept with import batch %d: %w", batchID, err)
	}
	return nil
}

// ImportFiles returns the files kept with a batch, in order.
func (s *Store) ImportFiles(ctx context.Context, tenantID, batchID int64) ([]ImportFile, error) {
	var out []ImportFile
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT n, file_name, size, blob_key FROM import_files WHERE batch_id = $1 ORDER BY n`, batchID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ImportFile, error) {
			var f ImportFile
			return f, r.Scan(&f.N, &f.FileName, &f.Size, &f.BlobKey)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: files kept with import batch %d: %w", batchID, err)
	}
	return out, nil
}

// AnalyzeGrownLibrary gathers the planner's statistics of the library's
// tables again when its patterns have more than doubled (and grown by
// over 200) since they were last gathered, and reports whether it did.
// A new workspace's first import is where that matters: its tables start
// empty, autovacuum looks at them once a minute at best, and until then
// queries are planned for an empty library (walks over every pattern
// where an index look-up was wanted).
func (s *Store) AnalyzeGrownLibrary(ctx context.Context, tenantID int64) (bool, error) {
	var done bool
	err := s.Tenant(ctx, tenantID, func(t *TenantTx) error {
		var gathered, live float64
		err := t.tx.QueryRow(ctx, `SELECT greatest(c.reltuples, 0), coalesce(pg_stat_get_live_tuples(c.oid), 0)
			FROM pg_class c WHERE c.oid = 'patterns'::regclass`).Scan(&gathered, &live)
		if err != nil || live <= 2*gathered+200 {
			return err
		}
		// The columns imports, duplicate scans and the library's pages
		// filter and join on; the words (tsvector and trigram columns,
		// costly to sample) wait for autovacuum.
		if _, err := t.tx.Exec(ctx, `ANALYZE patterns (id, deleted_at, type, batch_id, created_at),
			pattern_files (pattern_id, sha256, format), pattern_keywords, keywords`); err != nil {
			return err
		}
		done = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: analyze the library of tenant %d: %w", tenantID, err)
	}
	return done, nil
}
