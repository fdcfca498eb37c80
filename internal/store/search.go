package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// refreshSearchSQL rebuilds the search columns of the given patterns from
// their name, keywords, designer, type and notes.
const refreshSearchSQL = `
	UPDATE patterns p SET
		search_doc = setweight(to_tsvector('english', platform.fold(p.name)), 'A')
			|| setweight(to_tsvector('english', platform.fold(kw.words)), 'B')
			|| setweight(to_tsvector('english', platform.fold(p.designer || ' ' || p.type)), 'C')
			|| setweight(to_tsvector('english', platform.fold(p.notes)), 'D'),
		search_text = platform.fold(p.name || ' ' || kw.words || ' ' || p.designer)
	FROM (
		SELECT p2.id, coalesce(string_agg(k.name, ' ' ORDER BY k.name), '') AS words
		FROM patterns p2
		LEFT JOIN pattern_keywords pk ON pk.pattern_id = p2.id
		LEFT JOIN keywords k ON k.id = pk.keyword_id
		WHERE p2.id = ANY($1)
		GROUP BY p2.id
	) kw
	WHERE p.id = kw.id`

// RefreshSearch rebuilds the search columns of patterns inside the
// caller's tenant transaction. Every change to a name, keyword, designer,
// type or notes calls it.
func RefreshSearch(ctx context.Context, tx pgx.Tx, patternIDs []int64) error {
	if len(patternIDs) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, refreshSearchSQL, patternIDs); err != nil {
		return fmt.Errorf("store: refresh search of %d patterns: %w", len(patternIDs), err)
	}
	return nil
}

// refreshKeywordSearch refreshes every pattern carrying keyword id.
func refreshKeywordSearch(ctx context.Context, tx pgx.Tx, keywordID int64) error {
	rows, err := tx.Query(ctx, `SELECT pattern_id FROM pattern_keywords WHERE keyword_id = $1`, keywordID)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	return RefreshSearch(ctx, tx, ids)
}
