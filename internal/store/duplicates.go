package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Duplicate decisions.
const (
	KeepBoth = "keep_both"
	KeptA    = "kept_a"
	KeptB    = "kept_b"
)

// DuplicatePair is two patterns that look like the same design.
type DuplicatePair struct {
	A, B      *Pattern
	Kind      string // exact (same file content) or near (same shape)
	Distance  float32
	CreatedAt time.Time
}

// Fingerprints returns the shape fingerprints of the tenant's live patterns.
func (s *Store) Fingerprints(ctx context.Context, tenantID int64) (map[int64][]byte, error) {
	out := map[int64][]byte{}
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, fingerprint FROM patterns WHERE deleted_at IS NULL AND fingerprint IS NOT NULL`)
		if err != nil {
			return err
		}
		var id int64
		var fp []byte
		_, err = pgx.ForEachRow(rows, []any{&id, &fp}, func() error {
			out[id] = append([]byte(nil), fp...)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: fingerprints: %w", err)
	}
	return out, nil
}

// UncheckedPatterns returns up to limit patterns not yet compared with the
// rest of the library for duplicates (live or deleted: a deleted one is
// only marked checked), oldest first.
func (s *Store) UncheckedPatterns(ctx context.Context, tenantID int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT pattern_id FROM dup_pending ORDER BY pattern_id LIMIT $1`, limit)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: patterns to check for duplicates: %w", err)
	}
	return ids, nil
}

// TenantsWithUncheckedPatterns lists the active tenants that have patterns
// not yet compared for duplicates.
func (s *Store) TenantsWithUncheckedPatterns(ctx context.Context) ([]int64, error) {
	tenants, err := s.Tenants(ctx)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, t := range tenants {
		if t.Status != "active" {
			continue
		}
		var pending bool
		err := s.db.WithTenant(ctx, t.ID, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dup_pending)`).Scan(&pending)
		})
		if err != nil {
			return nil, fmt.Errorf("store: unchecked patterns of tenant %d: %w", t.ID, err)
		}
		if pending {
			out = append(out, t.ID)
		}
	}
	return out, nil
}

// duplicateInsertBatch is how many near pairs one statement inserts.
const duplicateInsertBatch = 5000

// AddDuplicateCandidates records, for the given patterns, the near pairs
// found (a < b or not: each is ordered) and every pair of live patterns
// sharing a design file's content with one of them, then marks them
// checked, in one transaction. Pairs already known, decided or not, are
// left alone. It returns how many pairs are new.
func (s *Store) AddDuplicateCandidates(ctx context.Context, tenantID int64, checked []int64, near [][2]int64, distances []float32) (int, error) {
	var n int
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO duplicate_candidates (a_id, b_id, kind)
			SELECT DISTINCT least(f1.pattern_id, f2.pattern_id), greatest(f1.pattern_id, f2.pattern_id), 'exact'
			FROM pattern_files f1 JOIN pattern_files f2 ON f1.sha256 = f2.sha256 AND f1.pattern_id <> f2.pattern_id
			JOIN patterns p1 ON p1.id = f1.pattern_id AND p1.deleted_at IS NULL
			JOIN patterns p2 ON p2.id = f2.pattern_id AND p2.deleted_at IS NULL
			WHERE f1.pattern_id = ANY($1) AND f1.role = 'design' AND f2.role = 'design'
			ON CONFLICT DO NOTHING`, checked)
		if err != nil {
			return err
		}
		n = int(tag.RowsAffected())
		for start := 0; start < len(near); start += duplicateInsertBatch {
			end := min(start+duplicateInsertBatch, len(near))
			as, bs := make([]int64, end-start), make([]int64, end-start)
			for i, p := range near[start:end] {
				as[i], bs[i] = min(p[0], p[1]), max(p[0], p[1])
			}
			tag, err = tx.Exec(ctx, `INSERT INTO duplicate_candidates (a_id, b_id, kind, distance)
				SELECT a, b, 'near', d FROM unnest($1::bigint[], $2::bigint[], $3::real[]) AS x(a, b, d)
				ON CONFLICT DO NOTHING`, as, bs, distances[start:end])
			if err != nil {
				return err
			}
			n += int(tag.RowsAffected())
		}
		_, err = tx.Exec(ctx, `DELETE FROM dup_pending WHERE pattern_id = ANY($1)`, checked)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: add duplicate candidates: %w", err)
	}
	return n, nil
}

// DuplicatePairs returns undecided pairs whose patterns are both live,
// newest first, keyset-paginated after (beforeAt, beforeA, beforeB).
func (s *Store) DuplicatePairs(ctx context.Context, tenantID int64, after *DuplicatePair, limit int) ([]*DuplicatePair, int, error) {
	var out []*DuplicatePair
	var total int
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM duplicate_candidates d
			JOIN patterns a ON a.id = d.a_id AND a.deleted_at IS NULL JOIN patterns b ON b.id = d.b_id AND b.deleted_at IS NULL
			WHERE d.decision = ''`).Scan(&total); err != nil {
			return err
		}
		var at time.Time
		var aID, bID int64 = 1 << 62, 1 << 62
		if after != nil {
			at, aID, bID = after.CreatedAt, after.A.ID, after.B.ID
		} else {
			at = time.Now().Add(time.Hour)
		}
		rows, err := tx.Query(ctx, `SELECT d.a_id, d.b_id, d.kind, d.distance, d.created_at FROM duplicate_candidates d
			JOIN patterns a ON a.id = d.a_id AND a.deleted_at IS NULL JOIN patterns b ON b.id = d.b_id AND b.deleted_at IS NULL
			WHERE d.decision = '' AND (d.created_at, d.a_id, d.b_id) < ($1, $2, $3)
			ORDER BY d.created_at DESC, d.a_id DESC, d.b_id DESC LIMIT $4`, at, aID, bID, limit)
		if err != nil {
			return err
		}
		type row struct {
			a, b int64
			kind string
			dist float32
			at   time.Time
		}
		var rs []row
		var r row
		if _, err := pgx.ForEachRow(rows, []any{&r.a, &r.b, &r.kind, &r.dist, &r.at}, func() error { rs = append(rs, r); return nil }); err != nil {
			return err
		}
		ids := make([]int64, 0, 2*len(rs))
		for _, r := range rs {
			ids = append(ids, r.a, r.b)
		}
		prows, err := tx.Query(ctx, `SELECT `+patternColumns+` FROM patterns WHERE id = ANY($1)`, ids)
		if err != nil {
			return err
		}
		ps, err := pgx.CollectRows(prows, func(cr pgx.CollectableRow) (*Pattern, error) { return scanPattern(cr) })
		if err != nil {
			return err
		}
		byID := map[int64]*Pattern{}
		for _, p := range ps {
			byID[p.ID] = p
		}
		if err := fillDetails(ctx, tx, ps); err != nil {
			return err
		}
		for _, r := range rs {
			out = append(out, &DuplicatePair{A: byID[r.a], B: byID[r.b], Kind: r.kind, Distance: r.dist, CreatedAt: r.at})
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: duplicate pairs: %w", err)
	}
	return out, total, nil
}

// DecideDuplicate records a decision on a pair; keeping one deletes the
// other (undoable through the activity it returns, 0 for keep_both).
func (s *Store) DecideDuplicate(ctx context.Context, tenantID, userID, a, b int64, decision string) (int64, error) {
	var act int64
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE duplicate_candidates SET decision = $3, decided_by = $4, decided_at = now()
			WHERE a_id = $1 AND b_id = $2 AND decision = ''`, a, b, decision, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		drop := int64(0)
		switch decision {
		case KeptA:
			drop = b
		case KeptB:
			drop = a
		}
		if drop == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE patterns SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, drop); err != nil {
			return err
		}
		act, err = logActivity(ctx, tx, userID, "delete", "Deleted a duplicate design", undoRecipe{Restore: []int64{drop}})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: decide duplicate %d/%d: %w", a, b, err)
	}
	return act, nil
}
