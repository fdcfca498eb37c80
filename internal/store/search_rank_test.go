package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/testdb"
)

// TestBroadWordRanksOnPresentWords: a word the thesaurus expands to many
// alternatives is ranked on the alternatives some design holds only (so
// ts_rank does not look the others up in every matching design, which
// made "christmas" the slowest search), and that ranks every match in
// the same order as ranking on the whole query.
func TestBroadWordRanksOnPresentWords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := New(testdb.New(t))
	tn, err := st.CreateTenant(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name, notes string
		kw          []string
	}{
		{"Christmas Star", "", []string{"star", "holly"}},
		{"Holly Border", "", []string{"holly", "border"}},
		{"Star Quilt", "", []string{"star"}},
		{"Stars and Stars", "", []string{"star", "sparkle"}},
		{"Snowflake Sparkle", "", []string{"snowflake"}},
		{"Holly Leaf Corner", "", []string{"leaf"}},
		{"Winter Meander", "a christmas table runner", nil},
		{"Candy Cane Christmas", "", []string{"christmas"}},
		{"Feathers", "", []string{"feather"}},
	} {
		if _, err := st.CreatePattern(ctx, tn.ID, &Pattern{Name: p.name, Notes: p.notes, Keywords: p.kw}); err != nil {
			t.Fatal(err)
		}
	}
	q := TextQuery{Terms: [][]string{{"christmas", "christmas", "xmas", "noel", "yule", "star", "stars", "sparkle",
		"holly", "holly leaf", "snowflake", "snow flake", "reindeer", "candy cane", "bell", "mistletoe"}}, Prefix: true}
	if !q.broad() {
		t.Fatalf("%d alternatives are not broad", len(q.Terms[0]))
	}
	b := &pgx.Batch{}
	var got []RankedID
	queueFullText(b, q, SearchFilter{}, 100, &got)
	if !strings.Contains(b.QueuedQueries[0].SQL, "regexp_matches") {
		t.Fatalf("a broad word is ranked on the whole query:\n%s", b.QueuedQueries[0].SQL)
	}
	var rankQuery string
	var want []int64
	err = st.db.WithTenant(ctx, tn.ID, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT "+fmt.Sprintf(presentWordsSQL, "$1")+"::text", q.TSQuery()).Scan(&rankQuery); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT p.id FROM patterns p WHERE p.search_doc @@ to_tsquery('english', $1)
			ORDER BY ts_rank('{0.05, 0.3, 0.6, 1.0}', p.search_key, to_tsquery('english', $1)) DESC, p.id`, q.TSQuery())
		if err != nil {
			return err
		}
		want, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The lexemes the designs hold, each once (the whole word wins over
	// its prefix form), in reverse order; none that no design holds.
	if wantQuery := "'star' | 'sparkl' | 'snowflak' | 'leaf' | 'holli' | 'christma' | 'cane' | 'candi'"; rankQuery != wantQuery {
		t.Errorf("rank query = %s, want %s", rankQuery, wantQuery)
	}
	if err := st.db.TenantBatch(ctx, tn.ID, b); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(got))
	for i, r := range got {
		ids[i] = r.ID
	}
	if len(want) != 8 || !slices.Equal(ids, want) {
		t.Errorf("ranked %v, want %v (as on the whole query)", ids, want)
	}
}

// TestMatchLeavesOutImpliedPhrases: the match query leaves out a phrase
// alternative that a one-word alternative of its group implies (every
// design holding "holly leaf" holds "holly"), but not one implied by a
// word PostgreSQL drops ("over" is a stop word: "all over" stays).
func TestMatchLeavesOutImpliedPhrases(t *testing.T) {
	for _, c := range []struct {
		q          TextQuery
		full, lean string
	}{
		{TextQuery{Terms: [][]string{{"christmas", "christmas tree", "holly", "holly leaf", "snow flake"}}, Prefix: true},
			"(christmas:* | (christmas <-> tree) | holly | (holly <-> leaf) | (snow <-> flake))",
			"(christmas:* | holly | (snow <-> flake))"},
		{TextQuery{Terms: [][]string{{"maple", "maple leaf"}, {"corner", "border corner"}}},
			"(maple | (maple <-> leaf)) & (corner | (border <-> corner))",
			"(maple) & (corner)"},
		{TextQuery{Terms: [][]string{{"over", "all over"}}}, "(over | (all <-> over))", "(over | (all <-> over))"},
		{TextQuery{Terms: [][]string{{"viking longship", "viking"}}, Prefix: true}, "((viking <-> longship:*) | viking)", "(viking)"},
	} {
		if got := c.q.TSQuery(); got != c.full {
			t.Errorf("%v: TSQuery %q, want %q", c.q.Terms, got, c.full)
		}
		if got := c.q.matchTSQuery(); got != c.lean {
			t.Errorf("%v: matchTSQuery %q, want %q", c.q.Terms, got, c.lean)
		}
	}
}
