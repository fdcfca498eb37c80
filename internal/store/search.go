package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
)

// refreshSearchSQL rebuilds the search columns of the given patterns from
// their name, keywords, designer, type and notes.
const refreshSearchSQL = `
	UPDATE patterns p SET
		search_key = setweight(to_tsvector('english', platform.fold(p.name)), 'A')
			|| setweight(to_tsvector('english', platform.fold(kw.words)), 'B')
			|| setweight(to_tsvector('english', platform.fold(p.designer || ' ' || p.type)), 'C'),
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
	if err := markSearchChanged(ctx, tx, patternIDs); err != nil {
		return fmt.Errorf("store: mark search of %d patterns changed: %w", len(patternIDs), err)
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

// TextQuery is a parsed search, ready for SQL: every group of Terms must
// match (a group's words are alternatives: the word, its stem, its
// synonyms), Phrases must appear as phrases, Not words must not appear.
type TextQuery struct {
	Terms   [][]string
	Phrases [][]string
	Not     []string
	// Prefix marks the last group as typed-so-far: its first word also
	// matches as a prefix.
	Prefix bool
}

// TSQuery renders the query in to_tsquery syntax. Words are reduced to
// letters and digits, so no input can break the syntax.
func (q TextQuery) TSQuery() string { return q.render(false) }

// matchTSQuery is TSQuery without the phrase alternatives that another
// alternative of their group implies: "holly | holly leaf" matches what
// "holly" matches, so the GIN index need not read every design holding
// "leaf" to find it, nor the table recheck phrases. Ranking still uses
// TSQuery, whose words all count.
func (q TextQuery) matchTSQuery() string { return q.render(true) }

// render renders q for to_tsquery, leaving out implied phrases when
// lean.
func (q TextQuery) render(lean bool) string {
	var parts []string
	for gi, g := range q.Terms {
		var alts []string
		var single map[string]bool // the group's one-word alternatives
		if lean {
			single = map[string]bool{}
			for _, w := range g {
				if lexs := lexemes(w); len(lexs) == 1 && !englishStopWords()[lexs[0]] {
					single[lexs[0]] = true
				}
			}
		}
		for wi, w := range g {
			lexs := lexemes(w)
			if len(lexs) == 0 {
				continue
			}
			if len(lexs) > 1 && slices.ContainsFunc(lexs, func(l string) bool { return single[l] }) {
				continue // implied: a design holding the phrase holds that word
			}
			if q.Prefix && gi == len(q.Terms)-1 && wi == 0 {
				lexs[len(lexs)-1] += ":*"
			}
			// An alternative of several words ("candy cane") is a phrase:
			// its words in order, not each word alone.
			if len(lexs) > 1 {
				alts = append(alts, "("+strings.Join(lexs, " <-> ")+")")
			} else {
				alts = append(alts, lexs[0])
			}
		}
		if len(alts) > 0 {
			parts = append(parts, "("+strings.Join(alts, " | ")+")")
		}
	}
	for _, ph := range q.Phrases {
		var ws []string
		for _, w := range ph {
			ws = append(ws, lexemes(w)...)
		}
		if len(ws) > 0 {
			parts = append(parts, "("+strings.Join(ws, " <-> ")+")")
		}
	}
	for _, w := range q.Not {
		for _, lex := range lexemes(w) {
			parts = append(parts, "!"+lex)
		}
	}
	return strings.Join(parts, " & ")
}

// englishStopWords are the words PostgreSQL's english configuration
// drops (its english.stop): one of them as an alternative matches
// nothing, so it implies no phrase.
var englishStopWords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`i me my myself we our ours ourselves you your yours yourself yourselves
		he him his himself she her hers herself it its itself they them their theirs themselves what which who
		whom this that these those am is are was were be been being have has had having do does did doing a an
		the and but if or because as until while of at by for with about against between into through during
		before after above below to from up down in out on off over under again further then once here there
		when where why how all any both each few more most other some such no nor not only own same so than too
		very s t can will just don should now`) {
		m[w] = true
	}
	return m
})

// lexemes splits a word into safe tsquery tokens.
func lexemes(w string) []string {
	return strings.FieldsFunc(strings.ToLower(w), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && unicode.IsLetter(r))
	})
}

// RankedID is a pattern id with a score from one way of searching, its
// folded search text and its type (to say why it matched).
type RankedID struct {
	ID    int64
	Score float64
	Text  string
	Type  string
}

// SearchFilter narrows any search.
type SearchFilter struct {
	Type      string
	Format    string
	Keyword   string
	Favorites bool
	UserID    int64
	// Not are words no result may hold.
	Not []string
}

func (f SearchFilter) where(arg func(any) string) string {
	var w []string
	if f.Type != "" {
		w = append(w, "p.type = "+arg(f.Type))
	}
	if f.Format != "" {
		w = append(w, "EXISTS (SELECT 1 FROM pattern_files f WHERE f.pattern_id = p.id AND f.role = 'design' AND f.problem = '' AND f.format = "+arg(f.Format)+")")
	}
	if f.Keyword != "" {
		w = append(w, "EXISTS (SELECT 1 FROM pattern_keywords pk JOIN keywords k ON k.id = pk.keyword_id WHERE pk.pattern_id = p.id AND lower(k.name) = lower("+arg(f.Keyword)+"))")
	}
	if f.Favorites {
		w = append(w, "EXISTS (SELECT 1 FROM favorites fv WHERE fv.pattern_id = p.id AND fv.user_id = "+arg(f.UserID)+")")
	}
	var not []string
	for _, n := range f.Not {
		not = append(not, lexemes(n)...)
	}
	if len(not) > 0 {
		w = append(w, "NOT p.search_doc @@ to_tsquery('english', "+arg(strings.Join(not, " | "))+")")
	}
	if len(w) == 0 {
		return ""
	}
	return " AND " + strings.Join(w, " AND ")
}

// SearchFullText returns up to limit live patterns matching q by full
// text, best first (ts_rank over the weighted name, keywords and designer;
// name hits weigh most).
func (s *Store) SearchFullText(ctx context.Context, tenantID int64, q TextQuery, f SearchFilter, limit int) ([]RankedID, error) {
	var out []RankedID
	b := &pgx.Batch{}
	if !queueFullText(b, q, f, limit, &out) {
		return nil, nil
	}
	if err := s.db.TenantBatch(ctx, tenantID, b); err != nil {
		return nil, fmt.Errorf("store: full-text search: %w", err)
	}
	return out, nil
}

// SearchWords is SearchFullText and ExactNameMatches (name, at most
// nameLimit) in one round trip: a search's word queries.
func (s *Store) SearchWords(ctx context.Context, tenantID int64, q TextQuery, name string, f SearchFilter, limit, nameLimit int) (full, exact []RankedID, err error) {
	b := &pgx.Batch{}
	queueFullText(b, q, f, limit, &full)
	if name != "" {
		queueExactName(b, name, f, nameLimit, &exact)
	}
	if len(b.QueuedQueries) == 0 {
		return nil, nil, nil
	}
	if err := s.db.TenantBatch(ctx, tenantID, b); err != nil {
		return nil, nil, fmt.Errorf("store: word search: %w", err)
	}
	return full, exact, nil
}

// queueFullText queues the full-text query of q on b, its rows to be
// appended to out, and reports whether there was one (a query of no
// searchable word has none).
func queueFullText(b *pgx.Batch, q TextQuery, f SearchFilter, limit int, out *[]RankedID) bool {
	tsq := q.TSQuery()
	if tsq == "" {
		return false
	}
	args := []any{}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	qa := arg(tsq)
	match := qa
	if m := q.matchTSQuery(); m != tsq {
		match = arg(m)
	}
	// Rank on the small name/keywords/designer document (notes only
	// decide whether a design matches). The match names the query
	// itself, not the joined q, so that the GIN index can answer it.
	rank := "q"
	if q.broad() {
		rank = fmt.Sprintf(presentWordsSQL, qa)
	}
	sql := `SELECT p.id, ts_rank('{0.05, 0.3, 0.6, 1.0}', p.search_key, ` + rank + `) AS score, p.search_text, p.type
		FROM patterns p, to_tsquery('english', ` + qa + `) q
		WHERE p.deleted_at IS NULL AND p.search_doc @@ to_tsquery('english', ` + match + `)` + f.where(arg) + `
		ORDER BY score DESC, p.id LIMIT ` + arg(limit)
	queueRanked(b, sql, args, out)
	return true
}

// broadFrom is how many alternatives make one word broad: a word the
// thesaurus expands that far ("christmas": 37 alternatives, "insect":
// 20) is ranked on the alternatives the library holds only.
const broadFrom = 12

// broad reports whether q is one group of at least broadFrom
// alternatives and nothing else, so that its tsquery is an OR of them,
// which ts_rank ranks with calc_rank_or.
func (q TextQuery) broad() bool {
	return len(q.Terms) == 1 && len(q.Phrases) == 0 && len(q.Not) == 0 && len(q.Terms[0]) >= broadFrom
}

// presentWordsSQL turns the OR query to_tsquery('english', %[1]s) into
// the query that ranks the same: its distinct lexemes that some design
// holds, ORed, in reverse byte order. It is computed once a search (it
// names nothing of the row).
//
// Why it ranks the same. For a query whose top operator is OR, ts_rank
// (calc_rank_or) sorts the query's distinct lexemes, adds up, in that
// order, what each one the design holds is worth (by its weights and
// positions, operators aside: the words of a phrase count as words),
// and divides by how many distinct lexemes the query has. A lexeme no
// design holds adds nothing to any design, so leaving it out changes
// only the divisor, the same for every design: the order is the same
// (the scores differ, and are only ever used to order).
//
// Why it is quicker. ts_rank sorts the query's lexemes and looks every
// one of them up in the design's vector, for every matching design: a
// word with 37 alternatives of which the library holds 5, matching
// 2,771 designs, paid 8 of its 12 ms there. The lexemes are checked once
// a search against the GIN index instead (a design's search_key holds
// no lexeme its search_doc lacks), and given in the order ts_rank's
// sort leaves them in (the stored order is the reverse of the text's),
// so it has nothing left to sort. A lexeme's check reads its posting
// list once, as the match's own index scan does.
//
// The lexemes come from the query's text: each one quoted (a quote in
// it doubled; \x27 is the quote), :* after a prefix. A lexeme typed both
// whole and as a prefix ("loops:* | loop") ranks whole, as ts_rank's own
// sort keeps it when it has few lexemes to sort. A query whose top
// operator is not OR (a single lexeme or phrase: no |) is kept as it is,
// and so is one of which the library holds nothing.
const presentWordsSQL = `(SELECT CASE WHEN strpos(wq::text, ' | ') = 0 THEN wq ELSE coalesce((
		SELECT string_agg(w.tok || w.prefix, ' | ' ORDER BY w.lex COLLATE "C" DESC)::tsquery
		FROM (SELECT m[1] AS tok, m[2] AS lex, CASE WHEN bool_and(m[3] IS NOT NULL) THEN ':*' ELSE '' END AS prefix
			FROM regexp_matches(wq::text, '(\x27((?:[^\x27]|\x27\x27)*)\x27)(:\*)?', 'g') m
			GROUP BY 1, 2) w
		WHERE EXISTS (SELECT FROM patterns x WHERE x.search_doc @@ (w.tok || w.prefix)::tsquery)), wq) END
	FROM to_tsquery('english', %[1]s) wq)`

// queueRanked queues a query whose rows are RankedIDs on b.
func queueRanked(b *pgx.Batch, sql string, args []any, out *[]RankedID) {
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		var r RankedID
		_, err := pgx.ForEachRow(rows, []any{&r.ID, &r.Score, &r.Text, &r.Type}, func() error { *out = append(*out, r); return nil })
		return err
	})
}

// SearchTrigram returns up to limit live patterns whose name, keywords or
// designer hold words similar to every one of words (typos: "buterfly"
// finds butterfly), best first by the weakest word's similarity.
func (s *Store) SearchTrigram(ctx context.Context, tenantID int64, words []string, f SearchFilter, limit int) ([]RankedID, error) {
	if len(words) == 0 {
		return nil, nil
	}
	args := []any{}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	var conds, scores []string
	for _, w := range words {
		a := arg(w)
		conds = append(conds, "platform.fold("+a+") OPERATOR(public.<%) p.search_text")
		scores = append(scores, "public.word_similarity(platform.fold("+a+"), p.search_text)")
	}
	score := scores[0]
	if len(scores) > 1 {
		score = "least(" + strings.Join(scores, ", ") + ")"
	}
	sql := `SELECT p.id, ` + score + ` AS score, p.search_text, p.type FROM patterns p
		WHERE p.deleted_at IS NULL AND ` + strings.Join(conds, " AND ") + f.where(arg) + `
		ORDER BY score DESC, p.id LIMIT ` + arg(limit)
	var out []RankedID
	b := &pgx.Batch{}
	// Typo matching starts at a word similarity of 0.4 (default 0.6).
	b.Queue("SELECT set_config('pg_trgm.word_similarity_threshold', '0.4', true)")
	queueRanked(b, sql, args, &out)
	if err := s.db.TenantBatch(ctx, tenantID, b); err != nil {
		return nil, fmt.Errorf("store: similarity search: %w", err)
	}
	return out, nil
}

// ExactNameMatches returns live patterns whose folded name equals text.
func (s *Store) ExactNameMatches(ctx context.Context, tenantID int64, text string, f SearchFilter, limit int) ([]RankedID, error) {
	var out []RankedID
	b := &pgx.Batch{}
	queueExactName(b, text, f, limit, &out)
	if err := s.db.TenantBatch(ctx, tenantID, b); err != nil {
		return nil, fmt.Errorf("store: name search: %w", err)
	}
	return out, nil
}

// queueExactName queues ExactNameMatches' query on b.
func queueExactName(b *pgx.Batch, text string, f SearchFilter, limit int, out *[]RankedID) {
	args := []any{}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	sql := `SELECT p.id, 1.0, p.search_text, p.type FROM patterns p WHERE p.deleted_at IS NULL AND platform.fold(p.name) = platform.fold(` + arg(text) + `)` +
		f.where(arg) + ` ORDER BY p.id LIMIT ` + arg(limit)
	queueRanked(b, sql, args, out)
}

// Vocabulary returns the tenant's keywords and the words of its design
// names, for "did you mean".
func (s *Store) Vocabulary(ctx context.Context, tenantID int64) ([]string, error) {
	var out []string
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT DISTINCT w FROM (
			SELECT platform.fold(name) AS w FROM keywords
			UNION SELECT regexp_split_to_table(platform.fold(name), '[^[:alnum:]]+') FROM patterns WHERE deleted_at IS NULL
		) v WHERE length(w) >= 3`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: vocabulary: %w", err)
	}
	return out, nil
}

// QueryCount is a search and how often it was made.
type QueryCount struct {
	Query   string
	Times   int
	Results int // results the last time
	// Opened is how many of those times a design was opened from the results.
	Opened int
	Last   time.Time
}

// SearchStats returns the most frequent searches, and those that found
// nothing, of the last days.
func (s *Store) SearchStats(ctx context.Context, tenantID int64, days, limit int) (top, zero []QueryCount, err error) {
	err = s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		q := `SELECT lower(query), count(*), (array_agg(results ORDER BY at DESC))[1], count(clicked_pattern), max(at) FROM search_log
			WHERE at > now() - make_interval(days => $1) %s GROUP BY lower(query) ORDER BY count(*) DESC, max(at) DESC LIMIT $2`
		scan := func(r pgx.CollectableRow) (QueryCount, error) {
			var c QueryCount
			return c, r.Scan(&c.Query, &c.Times, &c.Results, &c.Opened, &c.Last)
		}
		rows, err := tx.Query(ctx, fmt.Sprintf(q, ""), days, limit)
		if err != nil {
			return err
		}
		if top, err = pgx.CollectRows(rows, scan); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, fmt.Sprintf(q, "AND results = 0"), days, limit)
		if err != nil {
			return err
		}
		zero, err = pgx.CollectRows(rows, scan)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: search stats: %w", err)
	}
	return top, zero, nil
}

// RecordSearch logs one search (its text cut to 200 bytes, the number of
// results and how long it took) for the owner's "what people search for";
// userID 0 is a search without a signed-in person.
func (s *Store) RecordSearch(ctx context.Context, tenantID, userID int64, query string, results int, took time.Duration) error {
	var uid *int64
	if userID != 0 {
		uid = &userID
	}
	if len(query) > 200 {
		query = strings.ToValidUTF8(query[:200], "")
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO search_log (user_id, query, results, took_ms) VALUES ($1, $2, $3, $4)`,
		uid, query, results, float64(took.Microseconds())/1000)
	if err := s.db.TenantBatch(ctx, tenantID, b); err != nil {
		return fmt.Errorf("store: log search %q: %w", query, err)
	}
	return nil
}

// RecordSearchClick notes that userID opened design patternID from the
// results of their latest search for query (within the hour); only the
// first design opened from one search counts.
func (s *Store) RecordSearchClick(ctx context.Context, tenantID, userID int64, query string, patternID int64) error {
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE search_log SET clicked_pattern = $3 WHERE id = (
			SELECT id FROM search_log WHERE user_id = $1 AND lower(query) = lower($2) AND at > now() - interval '1 hour'
			ORDER BY at DESC LIMIT 1) AND clicked_pattern IS NULL`, userID, query, patternID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record click on %d from search %q: %w", patternID, query, err)
	}
	return nil
}

// RecentSearches returns a person's last distinct searches, newest first.
func (s *Store) RecentSearches(ctx context.Context, tenantID, userID int64, limit int) ([]string, error) {
	var out []string
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT query FROM (SELECT DISTINCT ON (lower(query)) query, at FROM search_log
			WHERE user_id = $1 ORDER BY lower(query), at DESC) q ORDER BY at DESC LIMIT $2`, userID, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: recent searches: %w", err)
	}
	return out, nil
}
