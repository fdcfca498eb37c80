package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/designtype"
)

// Pattern is one quilting design in a tenant's library.
type Pattern struct {
	ID                 int64      `json:"id"`
	Name               string     `json:"name"`
	Designer           string     `json:"designer"`
	DesignerURL        string     `json:"designer_url"`
	Notes              string     `json:"notes"`
	Source             string     `json:"source"`
	PurchasedOn        *time.Time `json:"purchased_on"`
	Type               string     `json:"type"`
	TypeName           string     `json:"type_name"` // the word people read for Type (designtype.Word)
	TypeConfidence     float32    `json:"type_confidence"`
	WidthIn            *float32   `json:"width_in"`
	HeightIn           *float32   `json:"height_in"`
	StitchLengthIn     *float32   `json:"stitch_length_in"`
	Paths              *int32     `json:"paths"`
	Jumps              *int32     `json:"jumps"`
	ThumbState         string     `json:"thumb_state"`
	MirrorLR           *float32   `json:"mirror_lr"`
	MirrorTB           *float32   `json:"mirror_tb"`
	SuggestedRotation  int32      `json:"suggested_rotation"`
	RotationConfidence float32    `json:"rotation_confidence"`
	Orientation        string     `json:"orientation"`
	Fingerprint        []byte     `json:"-"`
	BatchID            *int64     `json:"batch_id"`
	ViewCount          int32      `json:"view_count"`
	DownloadCount      int32      `json:"download_count"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`

	// Filled by queries that join them.
	Keywords []string `json:"keywords"`
	Favorite bool     `json:"favorite"`
	Formats  []string `json:"formats"`
}

// Thumbnail states.
const (
	ThumbPending = "pending" // not drawn yet
	ThumbReady   = "ready"   // drawn from the geometry
	ThumbPicture = "picture" // taken from a companion picture
	ThumbNone    = "none"    // nothing to draw from
)

const patternColumns = `id, name, designer, designer_url, notes, source, purchased_on, type, type_confidence,
	width_in, height_in, stitch_length_in, paths, jumps, thumb_state, mirror_lr, mirror_tb,
	suggested_rotation, rotation_confidence, orientation, fingerprint, batch_id, view_count, download_count,
	created_at, updated_at`

func scanPattern(row pgx.Row, extra ...any) (*Pattern, error) {
	p := &Pattern{}
	dest := []any{&p.ID, &p.Name, &p.Designer, &p.DesignerURL, &p.Notes, &p.Source, &p.PurchasedOn, &p.Type, &p.TypeConfidence,
		&p.WidthIn, &p.HeightIn, &p.StitchLengthIn, &p.Paths, &p.Jumps, &p.ThumbState, &p.MirrorLR, &p.MirrorTB,
		&p.SuggestedRotation, &p.RotationConfidence, &p.Orientation, &p.Fingerprint, &p.BatchID, &p.ViewCount, &p.DownloadCount,
		&p.CreatedAt, &p.UpdatedAt}
	err := row.Scan(append(dest, extra...)...)
	p.TypeName = designtype.Word(p.Type)
	return p, err
}

// InsertPattern adds a pattern with its keywords (p.Keywords) and indexes
// it for search.
func (t *TenantTx) InsertPattern(ctx context.Context, p *Pattern) (*Pattern, error) {
	thumb := p.ThumbState
	if thumb == "" {
		thumb = ThumbPending
	}
	out, err := scanPattern(t.tx.QueryRow(ctx, `
		INSERT INTO patterns (name, designer, designer_url, notes, source, purchased_on, type, type_confidence,
			width_in, height_in, stitch_length_in, paths, jumps, thumb_state, mirror_lr, mirror_tb,
			suggested_rotation, rotation_confidence, fingerprint, batch_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
		RETURNING `+patternColumns,
		p.Name, p.Designer, p.DesignerURL, p.Notes, p.Source, p.PurchasedOn, p.Type, p.TypeConfidence,
		p.WidthIn, p.HeightIn, p.StitchLengthIn, p.Paths, p.Jumps, thumb, p.MirrorLR, p.MirrorTB,
		p.SuggestedRotation, p.RotationConfidence, p.Fingerprint, p.BatchID))
	keywords := p.Keywords[:min(len(p.Keywords), MaxKeywordsPerDesign)]
	if err == nil {
		err = tagPatterns(ctx, t.tx, []int64{out.ID}, keywords)
	}
	if err == nil {
		err = RefreshSearch(ctx, t.tx, []int64{out.ID})
	}
	if err != nil {
		return nil, fmt.Errorf("store: insert pattern %q: %w", p.Name, err)
	}
	out.Keywords = keywords
	return out, nil
}

// CreatePattern adds a pattern to the tenant's library in its own
// transaction.
func (s *Store) CreatePattern(ctx context.Context, tenantID int64, p *Pattern) (*Pattern, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) (*Pattern, error) { return tx.InsertPattern(ctx, p) })
}

// Pattern returns one live pattern of the tenant with its keywords,
// formats, and whether userID (0 for nobody) marked it a favourite.
func (t *TenantTx) Pattern(ctx context.Context, id, userID int64) (*Pattern, error) {
	var fav bool
	out, err := scanPattern(t.tx.QueryRow(ctx, `SELECT `+patternColumns+`,
		EXISTS (SELECT 1 FROM favorites f WHERE f.pattern_id = patterns.id AND f.user_id = $2)
		FROM patterns WHERE id = $1 AND deleted_at IS NULL`, id, userID), &fav)
	if err == nil {
		out.Favorite = fav
		err = fillDetails(ctx, t.tx, []*Pattern{out})
	}
	if err != nil {
		return nil, fmt.Errorf("store: pattern %d: %w", id, notFound(err))
	}
	return out, nil
}

// Pattern is TenantTx.Pattern in its own transaction, without favourite.
func (s *Store) Pattern(ctx context.Context, tenantID, id int64) (*Pattern, error) {
	return s.PatternFor(ctx, tenantID, id, 0)
}

// PatternFor is TenantTx.Pattern in its own transaction.
func (s *Store) PatternFor(ctx context.Context, tenantID, id, userID int64) (*Pattern, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) (*Pattern, error) { return tx.Pattern(ctx, id, userID) })
}

// fillDetails loads keywords and formats of the given patterns in one
// round trip.
func fillDetails(ctx context.Context, tx pgx.Tx, ps []*Pattern) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]int64, len(ps))
	byID := make(map[int64]*Pattern, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
		byID[p.ID] = p
		p.Keywords, p.Formats = []string{}, []string{}
	}
	b := &pgx.Batch{}
	queueDetails(b, ids, byID)
	return tx.SendBatch(ctx, b).Close()
}

// queueDetails queues on b the two queries that fill in the keywords and
// formats of the patterns of byID among ids (rows of other ids are
// skipped); their lists must be empty, not nil, beforehand.
func queueDetails(b *pgx.Batch, ids []int64, byID map[int64]*Pattern) {
	b.Queue(`SELECT pk.pattern_id, k.name FROM pattern_keywords pk JOIN keywords k ON k.id = pk.keyword_id
		WHERE pk.pattern_id = ANY($1) ORDER BY lower(k.name)`, ids).Query(func(rows pgx.Rows) error {
		var id int64
		var name string
		_, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error {
			if p := byID[id]; p != nil {
				p.Keywords = append(p.Keywords, name)
			}
			return nil
		})
		return err
	})
	b.Queue(`SELECT DISTINCT pattern_id, format FROM pattern_files
		WHERE pattern_id = ANY($1) AND role = 'design' AND format <> '' AND problem = '' ORDER BY pattern_id, format`, ids).Query(func(rows pgx.Rows) error {
		var id int64
		var format string
		_, err := pgx.ForEachRow(rows, []any{&id, &format}, func() error {
			if p := byID[id]; p != nil {
				p.Formats = append(p.Formats, format)
			}
			return nil
		})
		return err
	})
}

// Sort orders of the library.
const (
	SortName     = "name"
	SortNewest   = "newest"
	SortDesigner = "designer"
)

// PatternQuery selects and orders a page of the library.
type PatternQuery struct {
	Sort       string
	Keyword    string // keyword name
	GroupID    int64  // keyword group
	Type       string
	Format     string
	Favorites  bool  // only UserID's favourites
	UserID     int64 // for favourites
	HasPreview *bool
	IDs        []int64 // only these patterns (search results)
	Text       string  // words that must appear in the name, designer or keywords
	Cursor     string
	Limit      int
}

// PatternPage is one page of the library and the cursor of the next.
type PatternPage struct {
	Patterns   []*Pattern `json:"patterns"`
	NextCursor string     `json:"next_cursor"`
}

type cursor struct {
	Key string    `json:"k,omitempty"`
	T   time.Time `json:"t,omitzero"`
	ID  int64     `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ErrBadCursor is returned for a cursor the library did not make.
var ErrBadCursor = errors.New("invalid page cursor")

func decodeCursor(s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil {
		return c, ErrBadCursor
	}
	return c, nil
}

// Patterns returns a page of the tenant's live patterns: keyset-paginated
// (no OFFSET), so page 200 is as fast as page 1.
func (t *TenantTx) Patterns(ctx context.Context, q PatternQuery) (*PatternPage, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 60
	}
	cur, err := decodeCursor(q.Cursor)
	if err != nil {
		return nil, err
	}
	where := []string{"p.deleted_at IS NULL"}
	args := []any{}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q.Keyword != "" {
		where = append(where, "EXISTS (SELECT 1 FROM pattern_keywords pk JOIN keywords k ON k.id = pk.keyword_id WHERE pk.pattern_id = p.id AND lower(k.name) = lower("+arg(q.Keyword)+"))")
	}
	if q.GroupID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM pattern_keywords pk JOIN keyword_group_keywords g ON g.keyword_id = pk.keyword_id WHERE pk.pattern_id = p.id AND g.group_id = "+arg(q.GroupID)+")")
	}
	if q.Type != "" {
		where = append(where, "p.type = "+arg(q.Type))
	}
	if q.Format != "" {
		where = append(where, "EXISTS (SELECT 1 FROM pattern_files f WHERE f.pattern_id = p.id AND f.role = 'design' AND f.problem = '' AND f.format = "+arg(q.Format)+")")
	}
	if q.Favorites {
		where = append(where, "EXISTS (SELECT 1 FROM favorites f WHERE f.pattern_id = p.id AND f.user_id = "+arg(q.UserID)+")")
	}
	if q.HasPreview != nil {
		if *q.HasPreview {
			where = append(where, "p.thumb_state IN ('ready', 'picture')")
		} else {
			where = append(where, "p.thumb_state NOT IN ('ready', 'picture')")
		}
	}
	for _, w := range strings.Fields(q.Text) {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(w)) + "%"
		a := arg(like)
		where = append(where, "(lower(p.name) LIKE "+a+" OR lower(p.designer) LIKE "+a+
			" OR EXISTS (SELECT 1 FROM pattern_keywords pk JOIN keywords k ON k.id = pk.keyword_id WHERE pk.pattern_id = p.id AND lower(k.name) LIKE "+a+"))")
	}
	if q.IDs != nil {
		where = append(where, "p.id = ANY("+arg(q.IDs)+")")
	}
	var order string
	switch q.Sort {
	case SortNewest:
		order = "p.created_at DESC, p.id DESC"
		if q.Cursor != "" {
			where = append(where, "(p.created_at, p.id) < ("+arg(cur.T)+", "+arg(cur.ID)+")")
		}
	case SortDesigner:
		order = "lower(p.designer), lower(p.name), p.id"
		if q.Cursor != "" {
			k1, k2, _ := strings.Cut(cur.Key, "\x00")
			where = append(where, "(lower(p.designer), lower(p.name), p.id) > ("+arg(k1)+", "+arg(k2)+", "+arg(cur.ID)+")")
		}
	default:
		q.Sort = SortName
		order = "lower(p.name), p.id"
		if q.Cursor != "" {
			where = append(where, "(lower(p.name), p.id) > ("+arg(cur.Key)+", "+arg(cur.ID)+")")
		}
	}
	userArg := arg(q.UserID)
	sql := `SELECT ` + prefixed("p.", patternColumns) + `,
		EXISTS (SELECT 1 FROM favorites f WHERE f.pattern_id = p.id AND f.user_id = ` + userArg + `)
		FROM patterns p WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order + ` LIMIT ` + arg(q.Limit+1)
	page := &PatternPage{Patterns: []*Pattern{}}
	rows, err := t.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list patterns: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Pattern, error) {
		var fav bool
		p, err := scanPattern(r, &fav)
		p.Favorite = fav
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list patterns: %w", err)
	}
	if len(list) > q.Limit {
		last := list[q.Limit-1]
		list = list[:q.Limit]
		c := cursor{ID: last.ID}
		switch q.Sort {
		case SortNewest:
			c.T = last.CreatedAt
		case SortDesigner:
			c.Key = strings.ToLower(last.Designer) + "\x00" + strings.ToLower(last.Name)
		default:
			c.Key = strings.ToLower(last.Name)
		}
		page.NextCursor = c.encode()
	}
	page.Patterns = list
	if err := fillDetails(ctx, t.tx, list); err != nil {
		return nil, fmt.Errorf("store: list patterns: %w", err)
	}
	return page, nil
}

// Patterns is TenantTx.Patterns in its own transaction.
func (s *Store) Patterns(ctx context.Context, tenantID int64, q PatternQuery) (*PatternPage, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) (*PatternPage, error) { return tx.Patterns(ctx, q) })
}

// PatternEdit is a change to a pattern's descriptive fields; nil fields
// stay as they are.
type PatternEdit struct {
	Name, Designer, DesignerURL, Notes, Source, Type, Orientation *string
}

// UpdatePattern applies an edit to a live pattern and returns it.
func (t *TenantTx) UpdatePattern(ctx context.Context, id int64, e PatternEdit) (*Pattern, error) {
	tag, err := t.tx.Exec(ctx, `
		UPDATE patterns SET name = coalesce($2, name), designer = coalesce($3, designer),
			designer_url = coalesce($4, designer_url), notes = coalesce($5, notes), source = coalesce($6, source),
			type = coalesce($7, type), orientation = coalesce($8, orientation), updated_at = now()
		WHERE id = $1 AND deleted_at IS NULL`, id, e.Name, e.Designer, e.DesignerURL, e.Notes, e.Source, e.Type, e.Orientation)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err == nil {
		err = RefreshSearch(ctx, t.tx, []int64{id})
	}
	if err != nil {
		return nil, fmt.Errorf("store: update pattern %d: %w", id, err)
	}
	return t.Pattern(ctx, id, 0)
}

// UpdatePattern is TenantTx.UpdatePattern in its own transaction.
func (s *Store) UpdatePattern(ctx context.Context, tenantID, id int64, e PatternEdit) (*Pattern, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) (*Pattern, error) { return tx.UpdatePattern(ctx, id, e) })
}

// DeletePatterns moves live patterns to the bin (undoable) and records the
// activity; it returns how many it deleted and the activity id. None of
// them live is ErrNotFound.
func (t *TenantTx) DeletePatterns(ctx context.Context, userID int64, ids []int64) (int, int64, error) {
	rows, err := t.tx.Query(ctx, `UPDATE patterns SET deleted_at = now() WHERE id = ANY($1) AND deleted_at IS NULL RETURNING id`, ids)
	if err != nil {
		return 0, 0, fmt.Errorf("store: delete patterns: %w", err)
	}
	deleted, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, 0, fmt.Errorf("store: delete patterns: %w", err)
	}
	n := len(deleted)
	if n == 0 {
		return 0, 0, fmt.Errorf("store: delete patterns: %w", ErrNotFound)
	}
	actID, err := logActivity(ctx, t.tx, userID, "delete", fmt.Sprintf("Deleted %d design%s", n, plural(n)), map[string]any{"restore": deleted})
	if err != nil {
		return 0, 0, fmt.Errorf("store: delete patterns: %w", err)
	}
	return n, actID, nil
}

// DeletePatterns is TenantTx.DeletePatterns in its own transaction.
func (s *Store) DeletePatterns(ctx context.Context, tenantID, userID int64, ids []int64) (int, int64, error) {
	var n int
	var act int64
	err := s.Tenant(ctx, tenantID, func(tx *TenantTx) error {
		var err error
		n, act, err = tx.DeletePatterns(ctx, userID, ids)
		return err
	})
	return n, act, err
}

// DeletePattern deletes one pattern (undoable) in its own transaction.
func (s *Store) DeletePattern(ctx context.Context, tenantID, id int64) error {
	_, _, err := s.DeletePatterns(ctx, tenantID, 0, []int64{id})
	return err
}

// CountPatterns returns how many live patterns the tenant has.
func (t *TenantTx) CountPatterns(ctx context.Context) (int64, error) {
	var n int64
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM patterns WHERE deleted_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count patterns: %w", err)
	}
	return n, nil
}

// CountPatterns is TenantTx.CountPatterns in its own transaction.
func (s *Store) CountPatterns(ctx context.Context, tenantID int64) (int64, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) (int64, error) { return tx.CountPatterns(ctx) })
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// OrientationCandidates lists live designs the shape analysis would turn
// upright and nobody has confirmed, the surest first.
func (t *TenantTx) OrientationCandidates(ctx context.Context, limit int) ([]*Pattern, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+patternColumns+` FROM patterns
		WHERE deleted_at IS NULL AND orientation = '' AND suggested_rotation <> 0 AND rotation_confidence >= 0.6
		ORDER BY rotation_confidence DESC, id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: orientation candidates: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Pattern, error) { return scanPattern(r) })
	if err != nil {
		return nil, fmt.Errorf("store: orientation candidates: %w", err)
	}
	return out, nil
}

// PatternsByIDs returns the live patterns among ids, with keywords and
// formats.
func (t *TenantTx) PatternsByIDs(ctx context.Context, ids []int64) (map[int64]*Pattern, error) {
	out := map[int64]*Pattern{}
	if len(ids) == 0 {
		return out, nil
	}
	b := &pgx.Batch{}
	queuePatternsByIDs(b, ids, out)
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("store: patterns by id: %w", err)
	}
	return out, nil
}

// queuePatternsByIDs queues on b the queries of PatternsByIDs (the
// patterns, their keywords, their formats), to fill out.
func queuePatternsByIDs(b *pgx.Batch, ids []int64, out map[int64]*Pattern) {
	b.Queue(`SELECT `+patternColumns+` FROM patterns WHERE id = ANY($1) AND deleted_at IS NULL`, ids).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			p, err := scanPattern(rows)
			if err != nil {
				return err
			}
			p.Keywords, p.Formats = []string{}, []string{}
			out[p.ID] = p
		}
		return rows.Err()
	})
	queueDetails(b, ids, out)
}

// PatternsByIDs is TenantTx.PatternsByIDs for a read of its own, in one
// round trip (ReadTenantBatch: read-only, on the replica when ctx allows).
func (s *Store) PatternsByIDs(ctx context.Context, tenantID int64, ids []int64) (map[int64]*Pattern, error) {
	out := map[int64]*Pattern{}
	if len(ids) == 0 {
		return out, nil
	}
	b := &pgx.Batch{}
	queuePatternsByIDs(b, ids, out)
	if err := s.db.ReadTenantBatch(ctx, tenantID, b); err != nil {
		return nil, fmt.Errorf("store: patterns by id: %w", err)
	}
	return out, nil
}

// PatternIDSet returns the ids of every design of a tenant, for the sweep
// that finds stored files no design uses any more.
func (s *Store) PatternIDSet(ctx context.Context, tenantID int64) (map[int64]bool, error) {
	ids := map[int64]bool{}
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM patterns`)
		if err != nil {
			return err
		}
		var id int64
		_, err = pgx.ForEachRow(rows, []any{&id}, func() error { ids[id] = true; return nil })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: ids of tenant %d's designs: %w", tenantID, err)
	}
	return ids, nil
}
