package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Keyword is a tag with how many live patterns carry it.
type Keyword struct {
	ID     int64   `json:"id"`
	Name   string  `json:"name"`
	Count  int     `json:"count"`
	Groups []int64 `json:"groups"`
}

// KeywordGroup gathers keywords ("Animals", "Holidays").
type KeywordGroup struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// MaxKeywordsPerDesign is the most keywords one design carries: an import
// keeps the first ones (its file name's words come first), an edit that
// would go over is refused (ErrTooManyKeywords).
const MaxKeywordsPerDesign = 50

// ErrTooManyKeywords is a change that would give a design more than
// MaxKeywordsPerDesign keywords.
var ErrTooManyKeywords = errors.New("too many keywords on one design")

// NormalizeKeyword tidies a keyword: trimmed, inner spaces folded,
// lower-case, at most 60 characters; "" when nothing is left.
func NormalizeKeyword(k string) string {
	k = strings.ToLower(strings.Join(strings.Fields(k), " "))
	if len(k) > 60 {
		k = k[:60]
	}
	return k
}

// keywordIDs finds or creates keywords by name inside tx, in two
// statements whatever their number. Two imports may create the same
// keyword at once: the INSERT then waits for the other and skips it, and
// the SELECT that follows (a new snapshot under READ COMMITTED) finds the
// row the other committed.
func keywordIDs(ctx context.Context, tx pgx.Tx, names []string) ([]int64, error) {
	var norm []string
	seen := map[string]bool{}
	for _, n := range names {
		n = NormalizeKeyword(n)
		if n != "" && !seen[n] {
			seen[n] = true
			norm = append(norm, n)
		}
	}
	if len(norm) == 0 {
		return nil, nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO keywords (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, norm); err != nil {
		return nil, fmt.Errorf("create keywords: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT id FROM keywords WHERE lower(name) = ANY($1)`, norm)
	if err != nil {
		return nil, fmt.Errorf("find keywords: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// tagPatterns adds keywords to patterns (without refreshing search).
func tagPatterns(ctx context.Context, tx pgx.Tx, patternIDs []int64, names []string) error {
	ids, err := keywordIDs(ctx, tx, names)
	if err != nil || len(ids) == 0 {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO pattern_keywords (pattern_id, keyword_id)
		SELECT p, k FROM unnest($1::bigint[]) p, unnest($2::bigint[]) k ON CONFLICT DO NOTHING`, patternIDs, ids)
	return err
}

// AddKeywords tags the live ones of patternIDs with keywords; none may end
// up with more than MaxKeywordsPerDesign (ErrTooManyKeywords).
func (t *TenantTx) AddKeywords(ctx context.Context, patternIDs []int64, names []string) error {
	live, err := livePatterns(ctx, t.tx, patternIDs)
	if err == nil {
		err = tagPatterns(ctx, t.tx, live, names)
	}
	if err == nil {
		var over bool
		err = t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pattern_keywords WHERE pattern_id = ANY($1)
			GROUP BY pattern_id HAVING count(*) > $2)`, live, MaxKeywordsPerDesign).Scan(&over)
		if err == nil && over {
			err = ErrTooManyKeywords
		}
	}
	if err == nil {
		err = RefreshSearch(ctx, t.tx, live)
	}
	if err == nil {
		err = t.SetChangedAt(ctx, live, 0, ChangeKeywords, time.Time{})
	}
	if err != nil {
		return fmt.Errorf("store: add keywords: %w", err)
	}
	return nil
}

// RemoveKeywords untags patterns.
func (t *TenantTx) RemoveKeywords(ctx context.Context, patternIDs []int64, names []string) error {
	norm := make([]string, 0, len(names))
	for _, n := range names {
		norm = append(norm, NormalizeKeyword(n))
	}
	_, err := t.tx.Exec(ctx, `DELETE FROM pattern_keywords WHERE pattern_id = ANY($1)
		AND keyword_id IN (SELECT id FROM keywords WHERE lower(name) = ANY($2))`, patternIDs, norm)
	if err == nil {
		err = RefreshSearch(ctx, t.tx, patternIDs)
	}
	if err == nil {
		err = t.SetChangedAt(ctx, patternIDs, 0, ChangeKeywords, time.Time{})
	}
	if err != nil {
		return fmt.Errorf("store: remove keywords: %w", err)
	}
	return nil
}

// SetKeywords replaces a live pattern's keywords (at most
// MaxKeywordsPerDesign).
func (t *TenantTx) SetKeywords(ctx context.Context, patternID int64, names []string) error {
	if len(names) > MaxKeywordsPerDesign {
		return fmt.Errorf("store: set keywords of %d: %w", patternID, ErrTooManyKeywords)
	}
	live, err := livePatterns(ctx, t.tx, []int64{patternID})
	if err == nil && len(live) == 0 {
		err = ErrNotFound
	}
	if err == nil {
		_, err = t.tx.Exec(ctx, `DELETE FROM pattern_keywords WHERE pattern_id = $1`, patternID)
	}
	if err == nil {
		err = tagPatterns(ctx, t.tx, live, names)
	}
	if err == nil {
		err = RefreshSearch(ctx, t.tx, live)
	}
	if err == nil {
		err = t.SetChangedAt(ctx, live, 0, ChangeKeywords, time.Time{})
	}
	if err != nil {
		return fmt.Errorf("store: set keywords of %d: %w", patternID, err)
	}
	return nil
}

// NewKeywords counts those of names that are no keyword of the tenant
// yet (what tagging with them would add).
func (t *TenantTx) NewKeywords(ctx context.Context, names []string) (int64, error) {
	norm := make([]string, 0, len(names))
	for _, n := range names {
		if n = NormalizeKeyword(n); n != "" {
			norm = append(norm, n)
		}
	}
	var n int64
	err := t.tx.QueryRow(ctx, `SELECT count(DISTINCT w) FROM unnest($1::text[]) w
		WHERE NOT EXISTS (SELECT 1 FROM keywords k WHERE lower(k.name) = w)`, norm).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: new keywords: %w", err)
	}
	return n, nil
}

func livePatterns(ctx context.Context, tx pgx.Tx, ids []int64) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM patterns WHERE id = ANY($1) AND deleted_at IS NULL`, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// LivePatterns returns those of ids that are live patterns of the tenant.
func (t *TenantTx) LivePatterns(ctx context.Context, ids []int64) ([]int64, error) {
	live, err := livePatterns(ctx, t.tx, ids)
	if err != nil {
		return nil, fmt.Errorf("store: live patterns: %w", err)
	}
	return live, nil
}

// Keywords lists every keyword with its count of live patterns, by name.
func (t *TenantTx) Keywords(ctx context.Context) ([]*Keyword, error) {
	rows, err := t.tx.Query(ctx, `SELECT k.id, k.name, count(p.id),
		coalesce((SELECT array_agg(g.group_id ORDER BY g.group_id) FROM keyword_group_keywords g WHERE g.keyword_id = k.id), '{}')
		FROM keywords k
		LEFT JOIN pattern_keywords pk ON pk.keyword_id = k.id
		LEFT JOIN patterns p ON p.id = pk.pattern_id AND p.deleted_at IS NULL
		GROUP BY k.id ORDER BY lower(k.name)`)
	if err != nil {
		return nil, fmt.Errorf("store: keywords: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Keyword, error) {
		k := &Keyword{}
		err := r.Scan(&k.ID, &k.Name, &k.Count, &k.Groups)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: keywords: %w", err)
	}
	return out, nil
}

// KeywordPage is one page of a tenant's keywords, by name.
type KeywordPage struct {
	Keywords []*Keyword
	// Total is how many keywords match (all of them, without a filter).
	Total int
	// Next is the name to pass as after for the next page; "" on the last.
	Next string
}

// keywordWithCounts selects a keyword, its live designs and its groups.
const keywordWithCounts = `SELECT k.id, k.name,
	(SELECT count(*) FROM pattern_keywords pk JOIN patterns p ON p.id = pk.pattern_id AND p.deleted_at IS NULL WHERE pk.keyword_id = k.id),
	coalesce((SELECT array_agg(g.group_id ORDER BY g.group_id) FROM keyword_group_keywords g WHERE g.keyword_id = k.id), '{}')
	FROM keywords k`

// KeywordsPage lists up to limit keywords by name, after the name after
// ("" from the start), whose names contain filter (any case; "" for all).
func (t *TenantTx) KeywordsPage(ctx context.Context, filter, after string, limit int) (*KeywordPage, error) {
	like := "%" + likeEscaper.Replace(strings.ToLower(strings.TrimSpace(filter))) + "%"
	rows, err := t.tx.Query(ctx, keywordWithCounts+`
		WHERE lower(k.name) LIKE $1 AND lower(k.name) > $2 ORDER BY lower(k.name) LIMIT $3`, like, strings.ToLower(after), limit+1)
	if err != nil {
		return nil, fmt.Errorf("store: keywords page: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Keyword, error) {
		k := &Keyword{}
		err := r.Scan(&k.ID, &k.Name, &k.Count, &k.Groups)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: keywords page: %w", err)
	}
	page := &KeywordPage{Keywords: out}
	if len(out) > limit {
		page.Keywords = out[:limit]
		page.Next = out[limit-1].Name
	}
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM keywords WHERE lower(name) LIKE $1`, like).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("store: keywords count: %w", err)
	}
	return page, nil
}

// likeEscaper makes text match itself in a LIKE pattern.
var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// KeywordByName returns the keyword named name (any case).
func (t *TenantTx) KeywordByName(ctx context.Context, name string) (*Keyword, error) {
	k := &Keyword{}
	err := t.tx.QueryRow(ctx, keywordWithCounts+` WHERE lower(k.name) = $1`, NormalizeKeyword(name)).Scan(&k.ID, &k.Name, &k.Count, &k.Groups)
	if err != nil {
		return nil, fmt.Errorf("store: keyword %q: %w", name, notFound(err))
	}
	return k, nil
}

// PopularKeywords returns the names of up to n keywords that the most
// live designs carry, most first.
func (t *TenantTx) PopularKeywords(ctx context.Context, n int) ([]string, error) {
	rows, err := t.tx.Query(ctx, `SELECT k.name FROM keywords k JOIN pattern_keywords pk ON pk.keyword_id = k.id
		JOIN patterns p ON p.id = pk.pattern_id AND p.deleted_at IS NULL
		GROUP BY k.id ORDER BY count(*) DESC, lower(k.name) LIMIT $1`, n)
	if err != nil {
		return nil, fmt.Errorf("store: popular keywords: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: popular keywords: %w", err)
	}
	return out, nil
}

// RenameKeyword renames a keyword; renaming onto an existing name merges
// (undoably: the activity id is returned, 0 for a plain rename).
func (t *TenantTx) RenameKeyword(ctx context.Context, userID, id int64, name string) (int64, error) {
	name = NormalizeKeyword(name)
	if name == "" {
		return 0, fmt.Errorf("store: rename keyword: empty name")
	}
	activity, err := func() (int64, error) {
		var other int64
		err := t.tx.QueryRow(ctx, `SELECT id FROM keywords WHERE lower(name) = $1 AND id <> $2`, name, id).Scan(&other)
		if err == nil {
			return mergeKeyword(ctx, t.tx, userID, id, other)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return 0, err
		}
		tag, err := t.tx.Exec(ctx, `UPDATE keywords SET name = $2 WHERE id = $1`, id, name)
		if err == nil && tag.RowsAffected() == 0 {
			err = ErrNotFound
		}
		if err != nil {
			return 0, err
		}
		return 0, refreshKeywordSearch(ctx, t.tx, id)
	}()
	if err != nil {
		return 0, fmt.Errorf("store: rename keyword %d: %w", id, err)
	}
	return activity, nil
}

// MergeKeywords folds keyword from into keyword into (undoable) and
// returns the activity id.
func (t *TenantTx) MergeKeywords(ctx context.Context, userID, from, into int64) (int64, error) {
	activity, err := mergeKeyword(ctx, t.tx, userID, from, into)
	if err != nil {
		return 0, fmt.Errorf("store: merge keyword %d into %d: %w", from, into, err)
	}
	return activity, nil
}

func mergeKeyword(ctx context.Context, tx pgx.Tx, userID, from, into int64) (int64, error) {
	if from == into {
		return 0, ErrConflict
	}
	var fromName, intoName string
	if err := tx.QueryRow(ctx, `SELECT name FROM keywords WHERE id = $1`, from).Scan(&fromName); err != nil {
		return 0, notFound(err)
	}
	if err := tx.QueryRow(ctx, `SELECT name FROM keywords WHERE id = $1`, into).Scan(&intoName); err != nil {
		return 0, notFound(err)
	}
	rows, err := tx.Query(ctx, `SELECT pattern_id FROM pattern_keywords WHERE keyword_id = $1`, from)
	if err != nil {
		return 0, err
	}
	tagged, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO pattern_keywords (pattern_id, keyword_id)
		SELECT pattern_id, $2 FROM pattern_keywords WHERE keyword_id = $1 ON CONFLICT DO NOTHING`, from, into); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM keywords WHERE id = $1`, from); err != nil {
		return 0, err
	}
	if err := RefreshSearch(ctx, tx, tagged); err != nil {
		return 0, err
	}
	return logActivity(ctx, tx, userID, "merge_keyword", fmt.Sprintf("Merged keyword “%s” into “%s”", fromName, intoName),
		undoRecipe{Name: fromName, Patterns: tagged, Into: into})
}

// unmergeKeyword recreates a merged keyword on the patterns that had it.
func unmergeKeyword(ctx context.Context, tx pgx.Tx, r undoRecipe) error {
	ids, err := keywordIDs(ctx, tx, []string{r.Name})
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO pattern_keywords (pattern_id, keyword_id)
		SELECT p, $2 FROM unnest($1::bigint[]) p JOIN patterns ON patterns.id = p ON CONFLICT DO NOTHING`, r.Patterns, ids[0])
	if err != nil {
		return err
	}
	return RefreshSearch(ctx, tx, r.Patterns)
}

// DeleteKeyword removes a keyword from every pattern.
func (t *TenantTx) DeleteKeyword(ctx context.Context, id int64) error {
	err := func() error {
		rows, err := t.tx.Query(ctx, `SELECT pattern_id FROM pattern_keywords WHERE keyword_id = $1`, id)
		if err != nil {
			return err
		}
		tagged, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		tag, err := t.tx.Exec(ctx, `DELETE FROM keywords WHERE id = $1`, id)
		if err == nil && tag.RowsAffected() == 0 {
			err = ErrNotFound
		}
		if err != nil {
			return err
		}
		return RefreshSearch(ctx, t.tx, tagged)
	}()
	if err != nil {
		return fmt.Errorf("store: delete keyword %d: %w", id, err)
	}
	return nil
}

// KeywordGroups lists the groups by name.
func (t *TenantTx) KeywordGroups(ctx context.Context) ([]*KeywordGroup, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, name FROM keyword_groups ORDER BY lower(name)`)
	if err != nil {
		return nil, fmt.Errorf("store: keyword groups: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*KeywordGroup, error) {
		g := &KeywordGroup{}
		return g, r.Scan(&g.ID, &g.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("store: keyword groups: %w", err)
	}
	return out, nil
}

// CreateKeywordGroup adds a group; a name already used is ErrConflict.
func (t *TenantTx) CreateKeywordGroup(ctx context.Context, name string) (*KeywordGroup, error) {
	g := &KeywordGroup{Name: strings.TrimSpace(name)}
	// A savepoint, so that a name taken leaves the caller's transaction usable.
	err := pgx.BeginFunc(ctx, t.tx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO keyword_groups (name) VALUES ($1) RETURNING id`, g.Name).Scan(&g.ID)
	})
	if isUniqueViolation(err) {
		err = ErrConflict
	}
	if err != nil {
		return nil, fmt.Errorf("store: create keyword group %q: %w", name, err)
	}
	return g, nil
}

// SetKeywordGroup puts a keyword into a group (in=true) or takes it out.
func (t *TenantTx) SetKeywordGroup(ctx context.Context, keywordID, groupID int64, in bool) error {
	var err error
	if in {
		_, err = t.tx.Exec(ctx, `INSERT INTO keyword_group_keywords (group_id, keyword_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, groupID, keywordID)
	} else {
		_, err = t.tx.Exec(ctx, `DELETE FROM keyword_group_keywords WHERE group_id = $1 AND keyword_id = $2`, groupID, keywordID)
	}
	if err != nil {
		return fmt.Errorf("store: keyword %d group %d: %w", keywordID, groupID, err)
	}
	return nil
}

// DeleteKeywordGroup removes a group (its keywords stay).
func (t *TenantTx) DeleteKeywordGroup(ctx context.Context, id int64) error {
	if _, err := t.tx.Exec(ctx, `DELETE FROM keyword_groups WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: delete keyword group %d: %w", id, err)
	}
	return nil
}

func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// KeywordNames lists every keyword's name, by name: the cheap form for
// filter menus (Keywords also counts designs).
func (t *TenantTx) KeywordNames(ctx context.Context) ([]string, error) {
	rows, err := t.tx.Query(ctx, `SELECT name FROM keywords ORDER BY lower(name)`)
	if err != nil {
		return nil, fmt.Errorf("store: keyword names: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: keyword names: %w", err)
	}
	return out, nil
}

// SetKeywordPinned pins a keyword to the person's library page, or
// unpins it.
func (t *TenantTx) SetKeywordPinned(ctx context.Context, userID, keywordID int64, pinned bool) error {
	var err error
	if !pinned {
		_, err = t.tx.Exec(ctx, `DELETE FROM pinned_keywords WHERE user_id = $1 AND keyword_id = $2`, userID, keywordID)
	} else {
		var tag pgconn.CommandTag
		tag, err = t.tx.Exec(ctx, `INSERT INTO pinned_keywords (user_id, keyword_id)
			SELECT $1, id FROM keywords WHERE id = $2 ON CONFLICT DO NOTHING`, userID, keywordID)
		if err == nil && tag.RowsAffected() == 0 {
			var exists bool
			if err = t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM keywords WHERE id = $1)`, keywordID).Scan(&exists); err == nil && !exists {
				err = ErrNotFound
			}
		}
	}
	if err != nil {
		return fmt.Errorf("store: pin keyword %d: %w", keywordID, err)
	}
	return nil
}

// PinnedKeywords returns the keywords the person pinned, by name.
func (t *TenantTx) PinnedKeywords(ctx context.Context, userID int64) ([]string, error) {
	rows, err := t.tx.Query(ctx, `SELECT k.name FROM pinned_keywords pk JOIN keywords k ON k.id = pk.keyword_id
		WHERE pk.user_id = $1 ORDER BY lower(k.name)`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: pinned keywords: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: pinned keywords: %w", err)
	}
	return out, nil
}
