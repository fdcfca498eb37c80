package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

func TestSearchSQL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(testdb.New(t))
	tn, err := st.CreateTenant(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := st.CreateTenant(ctx, "beta", "Beta")
	ids := map[string]int64{}
	for _, p := range []struct {
		name string
		kw   []string
	}{
		{"Viking Longship", []string{"ship", "e2e"}},
		{"Butterfly Swirls", []string{"butterfly", "swirl", "insect"}},
		{"Crème Brûlée Feathers", []string{"feather"}},
		{"Heart Border", []string{"heart", "border"}},
	} {
		created, err := st.CreatePattern(ctx, tn.ID, &store.Pattern{Name: p.name, Keywords: p.kw})
		if err != nil {
			t.Fatal(err)
		}
		ids[p.name] = created.ID
	}
	if _, err := st.CreatePattern(ctx, other.ID, &store.Pattern{Name: "Butterfly of another tenant", Keywords: []string{"butterfly"}}); err != nil {
		t.Fatal(err)
	}
	first := func(hits []store.RankedID, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 {
			return 0
		}
		return hits[0].ID
	}
	if got := first(st.SearchFullText(ctx, tn.ID, store.TextQuery{Terms: [][]string{{"butterflies"}}}, store.SearchFilter{}, 10)); got != ids["Butterfly Swirls"] {
		t.Errorf("butterflies (stemmed) → %d", got)
	}
	if got := first(st.SearchFullText(ctx, tn.ID, store.TextQuery{Terms: [][]string{{"creme"}, {"brulee"}}}, store.SearchFilter{}, 10)); got != ids["Crème Brûlée Feathers"] {
		t.Errorf("unaccented → %d", got)
	}
	if got := first(st.SearchFullText(ctx, tn.ID, store.TextQuery{Terms: [][]string{{"vik"}}, Prefix: true}, store.SearchFilter{}, 10)); got != ids["Viking Longship"] {
		t.Errorf("prefix vik → %d", got)
	}
	if hits, _ := st.SearchFullText(ctx, tn.ID, store.TextQuery{Terms: [][]string{{"border", "heart"}}, Not: []string{"heart"}}, store.SearchFilter{}, 10); len(hits) != 0 {
		t.Errorf("exclusion ignored: %v", hits)
	}
	if got := first(st.SearchFullText(ctx, tn.ID, store.TextQuery{Phrases: [][]string{{"viking", "longship"}}}, store.SearchFilter{}, 10)); got != ids["Viking Longship"] {
		t.Errorf("phrase → %d", got)
	}
	if got := first(st.SearchTrigram(ctx, tn.ID, []string{"lonship"}, store.SearchFilter{}, 10)); got != ids["Viking Longship"] {
		t.Errorf("typo lonship → %d", got)
	}
	if got := first(st.SearchTrigram(ctx, tn.ID, []string{"buterfly"}, store.SearchFilter{}, 10)); got != ids["Butterfly Swirls"] {
		t.Errorf("typo buterfly → %d", got)
	}
	hits, _ := st.SearchFullText(ctx, tn.ID, store.TextQuery{Terms: [][]string{{"butterfly"}}}, store.SearchFilter{}, 10)
	if len(hits) != 1 {
		t.Errorf("search crossed tenants: %v", hits)
	}
	if got := first(st.ExactNameMatches(ctx, tn.ID, "viking longship", store.SearchFilter{}, 5)); got != ids["Viking Longship"] {
		t.Errorf("exact name → %d", got)
	}
	// Odd input never breaks the query syntax.
	for _, q := range []string{"'", "&|!:*()", "a <-> b", `\`, "ÿ"} {
		if _, err := st.SearchFullText(ctx, tn.ID, store.TextQuery{Terms: [][]string{{q}}, Not: []string{q}, Phrases: [][]string{{q, q}}}, store.SearchFilter{}, 10); err != nil {
			t.Errorf("query %q: %v", q, err)
		}
	}
	// Renaming a keyword updates the search.
	kws, _ := st.Keywords(ctx, tn.ID)
	for _, k := range kws {
		if k.Name == "ship" {
			if _, err := st.RenameKeyword(ctx, tn.ID, 0, k.ID, "drakkar"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := first(st.SearchFullText(ctx, tn.ID, store.TextQuery{Terms: [][]string{{"drakkar"}}}, store.SearchFilter{}, 10)); got != ids["Viking Longship"] {
		t.Errorf("renamed keyword not searchable: %d", got)
	}
}

// TestConcurrentKeywordCreation tags patterns with the same new keywords
// from many transactions at once: every one succeeds.
func TestConcurrentKeywordCreation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(testdb.New(t))
	tn, _ := st.CreateTenant(ctx, "acme", "Acme")
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			_, err := st.CreatePattern(ctx, tn.ID, &store.Pattern{Name: fmt.Sprintf("P%d", i), Keywords: []string{"autumn", "maple", "leaf"}})
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	kws, _ := st.Keywords(ctx, tn.ID)
	if len(kws) != 3 || kws[0].Count != 8 {
		t.Errorf("keywords = %+v", kws)
	}
}

// TestTSQueryPhraseAlternatives: an alternative of several words is a
// phrase (its words in order), so "christmas" expanding to "candy cane"
// does not find every design that mentions candy; the typed-so-far word
// is a prefix, and nothing typed can break the syntax.
func TestTSQueryPhraseAlternatives(t *testing.T) {
	t.Parallel()
	cases := []struct {
		q    store.TextQuery
		want string
	}{
		{store.TextQuery{Terms: [][]string{{"christmas", "xmas", "candy cane"}}}, "(christmas | xmas | (candy <-> cane))"},
		{store.TextQuery{Terms: [][]string{{"holly"}, {"star", "star of bethlehem"}}, Prefix: true}, "(holly) & (star:* | (star <-> of <-> bethlehem))"},
		{store.TextQuery{Terms: [][]string{{"viking longship"}}, Prefix: true}, "((viking <-> longship:*))"},
		{store.TextQuery{Terms: [][]string{{"it's", "a|b & !c"}}}, "((it <-> s) | (a <-> b <-> c))"},
		{store.TextQuery{Terms: [][]string{{"!!"}}}, ""},
	}
	for _, c := range cases {
		if got := c.q.TSQuery(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.q, got, c.want)
		}
	}
}

// TestSearchLog: searches are counted per tenant, case-folded, with their
// latest result count; a long query of
// multi-byte letters is cut to 200 bytes without breaking a letter.
func TestSearchLog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(testdb.New(t))
	tn, err := st.CreateTenant(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := st.CreateTenant(ctx, "beta", "Beta")
	long := strings.Repeat("é", 150) // 300 bytes
	for _, s := range []struct {
		tenant int64
		q      string
		n      int
	}{{tn.ID, "Feather", 3}, {tn.ID, "feather", 1}, {tn.ID, "zebra", 0}, {tn.ID, long, 0}, {other.ID, "feather", 9}} {
		if err := st.RecordSearch(ctx, s.tenant, 0, s.q, s.n, time.Millisecond); err != nil {
			t.Fatalf("RecordSearch(%q): %v", s.q, err)
		}
	}
	if err := st.RecordSearch(ctx, tn.ID, 0, "feather", 1, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	top, zero, err := st.SearchStats(ctx, tn.ID, 30, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) == 0 || top[0].Query != "feather" || top[0].Times != 3 || top[0].Results != 1 {
		t.Errorf("top searches = %+v, want feather 3 times, 1 result last", top)
	}
	if len(zero) != 2 {
		t.Fatalf("searches that found nothing = %+v, want zebra and the long one", zero)
	}
	for _, z := range zero {
		if len(z.Query) > 200 || !utf8.ValidString(z.Query) {
			t.Errorf("logged query of %d bytes (valid UTF-8 %v)", len(z.Query), utf8.ValidString(z.Query))
		}
	}
}
