package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/embed"
)

// SearchChangedChannel is the PostgreSQL NOTIFY channel on which every
// change to a design's searchable text announces its tenant's schema, at
// commit. The embedding worker listens to it.
const SearchChangedChannel = "pv_search_changed"

// markSearchChanged drops the embeddings of changed patterns (they are
// computed again from the new text) and announces the change at commit.
func markSearchChanged(ctx context.Context, tx pgx.Tx, patternIDs []int64) error {
	_, err := tx.Exec(ctx, searchChangedSQL, patternIDs)
	return err
}

// queueSearchChanged is markSearchChanged queued in a batch.
func queueSearchChanged(b *pgx.Batch, patternIDs []int64) {
	b.Queue(searchChangedSQL, patternIDs)
}

const searchChangedSQL = `WITH gone AS (DELETE FROM pattern_embeddings WHERE pattern_id = ANY($1))
	SELECT pg_notify('` + SearchChangedChannel + `', current_schema())`

// TenantOfSchema returns the tenant id of a tenant schema name ("t_42").
func TenantOfSchema(schema string) (int64, bool) {
	rest, ok := strings.CutPrefix(schema, "t_")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// EmbedSource is the text of a design an embedding is computed from.
type EmbedSource struct {
	ID       int64
	Name     string
	Keywords string
	// Text is everything searchable: name, keywords, designer, type, notes.
	Text string
}

// PendingEmbeddings returns up to limit live patterns that have no
// embedding of provider yet, newest first, below id before (0: from the
// newest). Designs wait for their vectors mostly right after an import,
// at the top of the ids: walking down from there finds them at once,
// where walking up from the oldest passed every design already embedded
// on every call (at 15,000 designs, 40 ms of PostgreSQL's time a call, a
// few hundred calls an import). A caller pages down with before set to
// the lowest id of the previous page.
func (s *Store) PendingEmbeddings(ctx context.Context, tenantID int64, provider string, limit int, before int64) ([]EmbedSource, error) {
	var out []EmbedSource
	if before <= 0 {
		before = math.MaxInt64
	}
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT p.id, p.name,
				coalesce((SELECT string_agg(k.name, ' ' ORDER BY k.name) FROM pattern_keywords pk
					JOIN keywords k ON k.id = pk.keyword_id WHERE pk.pattern_id = p.id), ''),
				p.designer || ' ' || p.type || ' ' || p.notes
			FROM patterns p
			WHERE p.deleted_at IS NULL AND p.id < $3
			  AND NOT EXISTS (SELECT 1 FROM pattern_embeddings e WHERE e.pattern_id = p.id AND e.provider = $1)
			ORDER BY p.id DESC LIMIT $2`, provider, limit, before)
		if err != nil {
			return err
		}
		var e EmbedSource
		var rest string
		_, err = pgx.ForEachRow(rows, []any{&e.ID, &e.Name, &e.Keywords, &rest}, func() error {
			e.Text = e.Name + ". " + e.Keywords + ". " + rest
			out = append(out, e)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: pending embeddings of tenant %d: %w", tenantID, err)
	}
	return out, nil
}

// SaveEmbeddings stores vectors (one per id) of provider and moves the
// tenant's search version on, in one transaction. lockKey serialises
// writers of one tenant across app servers.
func (s *Store) SaveEmbeddings(ctx context.Context, tenantID int64, provider string, ids []int64, vectors [][]float32) error {
	if len(ids) != len(vectors) {
		return fmt.Errorf("store: save embeddings: %d ids for %d vectors", len(ids), len(vectors))
	}
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		blobs := make([][]byte, len(vectors))
		dims := make([]int32, len(vectors))
		for i, v := range vectors {
			blobs[i], dims[i] = EncodeVector(v), int32(len(v))
		}
		// The same provider's vectors of other revisions are replaced.
		family, _, _ := strings.Cut(provider, embed.RevisionSeparator)
		if _, err := tx.Exec(ctx, `DELETE FROM pattern_embeddings WHERE pattern_id = ANY($1) AND provider <> $2
			AND (provider = $3 OR starts_with(provider, $4))`, ids, provider, family, family+embed.RevisionSeparator); err != nil {
			return err
		}
		// Patterns deleted meanwhile are skipped by the join.
		if _, err := tx.Exec(ctx, `
			INSERT INTO pattern_embeddings (pattern_id, provider, dim, vector)
			SELECT x.id, $1, x.dim, x.vec FROM unnest($2::bigint[], $3::int[], $4::bytea[]) AS x(id, dim, vec)
			JOIN patterns p ON p.id = x.id
			ON CONFLICT (pattern_id, provider) DO UPDATE SET dim = excluded.dim, vector = excluded.vector, created_at = now()`,
			provider, ids, dims, blobs); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE search_version SET version = version + 1`)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save %d embeddings of tenant %d: %w", len(ids), tenantID, err)
	}
	return nil
}

// Embeddings returns every stored vector of provider in the tenant (live
// and deleted designs: searches filter), with the search version they are
// current at and how many live patterns still lack one.
func (s *Store) Embeddings(ctx context.Context, tenantID int64, provider string, dim int) (ids []int64, vectors [][]float32, version int64, pending int, err error) {
	err = s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		// One statement, one snapshot: the version and the rows agree.
		rows, err := tx.Query(ctx, `SELECT v.version, e.pattern_id, e.vector FROM search_version v
			LEFT JOIN pattern_embeddings e ON e.provider = $1 AND e.dim = $2 ORDER BY e.pattern_id`, provider, dim)
		if err != nil {
			return err
		}
		var id *int64
		var blob []byte
		if _, err = pgx.ForEachRow(rows, []any{&version, &id, &blob}, func() error {
			if id == nil {
				return nil
			}
			v, err := DecodeVector(blob, dim)
			if err != nil {
				return fmt.Errorf("pattern %d: %w", *id, err)
			}
			ids, vectors = append(ids, *id), append(vectors, v)
			return nil
		}); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM patterns p WHERE p.deleted_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM pattern_embeddings e WHERE e.pattern_id = p.id AND e.provider = $1)`, provider).Scan(&pending)
	})
	if err != nil {
		return nil, nil, 0, 0, fmt.Errorf("store: embeddings of tenant %d: %w", tenantID, err)
	}
	return ids, vectors, version, pending, nil
}

// EncodeVector packs a vector as little-endian float32s.
func EncodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// DecodeVector unpacks a vector of dim float32s.
func DecodeVector(b []byte, dim int) ([]float32, error) {
	if len(b) != 4*dim {
		return nil, fmt.Errorf("vector of %d bytes, want %d", len(b), 4*dim)
	}
	v := make([]float32, dim)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// TenantsWithPendingEmbeddings returns the active tenants with live
// patterns lacking an embedding of provider (for the worker's start-up
// sweep).
func (s *Store) TenantsWithPendingEmbeddings(ctx context.Context, provider string) ([]int64, error) {
	tenants, err := s.Tenants(ctx)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, t := range tenants {
		if t.Status != "active" {
			continue
		}
		id := t.ID
		var pending bool
		err := s.db.WithTenant(ctx, id, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM patterns p WHERE p.deleted_at IS NULL
				AND NOT EXISTS (SELECT 1 FROM pattern_embeddings e WHERE e.pattern_id = p.id AND e.provider = $1))`, provider).Scan(&pending)
		})
		if err != nil {
			return nil, fmt.Errorf("store: pending embeddings of tenant %d: %w", id, err)
		}
		if pending {
			out = append(out, id)
		}
	}
	return out, nil
}

// RecordEmbeddingUsage adds what an embedding call cost to the tenant's
// count for today.
func (s *Store) RecordEmbeddingUsage(ctx context.Context, tenantID int64, provider string, tokens, inputs int) error {
	_, err := s.db.Pool.Exec(ctx, `
		INSERT INTO platform.embedding_usage (tenant_id, provider, day, requests, inputs, tokens)
		VALUES ($1, $2, current_date, 1, $3, $4)
		ON CONFLICT (tenant_id, provider, day) DO UPDATE SET requests = embedding_usage.requests + 1,
			inputs = embedding_usage.inputs + excluded.inputs, tokens = embedding_usage.tokens + excluded.tokens`,
		tenantID, provider, inputs, tokens)
	if err != nil {
		return fmt.Errorf("store: record embedding usage of tenant %d: %w", tenantID, err)
	}
	return nil
}

// FilterCandidates returns which of ids are live designs passing f (with
// their search text and type, in no order) and the tenant's search version, in one
// transaction.
func (s *Store) FilterCandidates(ctx context.Context, tenantID int64, ids []int64, f SearchFilter) ([]RankedID, int64, error) {
	var out []RankedID
	var version int64
	args := []any{ids}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	b := &pgx.Batch{}
	b.Queue(`SELECT p.id, 0::float8, p.search_text, p.type, v.version FROM search_version v
		LEFT JOIN patterns p ON p.id = ANY($1) AND p.deleted_at IS NULL`+f.where(arg), args...).Query(func(rows pgx.Rows) error {
		var id *int64
		var text, typ *string
		var score *float64
		_, err := pgx.ForEachRow(rows, []any{&id, &score, &text, &typ, &version}, func() error {
			if id != nil {
				out = append(out, RankedID{ID: *id, Text: *text, Type: *typ})
			}
			return nil
		})
		return err
	})
	err := s.db.TenantBatch(ctx, tenantID, b)
	if err != nil {
		return nil, 0, fmt.Errorf("store: filter %d candidates of tenant %d: %w", len(ids), tenantID, err)
	}
	return out, version, nil
}

// WithAdvisoryLock runs fn holding PostgreSQL session advisory lock key,
// waiting for it: app servers take turns. It holds a connection of the
// session pool for the whole of fn.
func (s *Store) WithAdvisoryLock(ctx context.Context, key int64, fn func() error) error {
	conn, err := s.db.Session.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("store: advisory lock %d: %w", key, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return fmt.Errorf("store: advisory lock %d: %w", key, err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key)
	return fn()
}

// Listen calls fn with the payload of every notification on channel until
// ctx ends or the connection fails.
func (s *Store) Listen(ctx context.Context, channel string, fn func(payload string)) error {
	conn, err := s.db.Session.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("store: listen %s: %w", channel, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("store: listen %s: %w", channel, err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "UNLISTEN *")
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("store: listen %s: %w", channel, err)
		}
		fn(n.Payload)
	}
}
