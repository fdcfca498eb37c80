package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/embed"
	"github.com/patternvault/patternvault/internal/embed/local"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

// syntheticLibrary adds n designs with names and keywords drawn from the
// thesaurus's world, and returns the store, tenant id and design ids.
func syntheticLibrary(t *testing.T, n int) (*store.Store, int64, []int64) {
	t.Helper()
	ctx := context.Background()
	st := store.New(testdb.New(t))
	tn, err := st.CreateTenant(ctx, "lib", "Library")
	if err != nil {
		t.Fatal(err)
	}
	motifs := []string{"butterfly", "dragonfly", "swirl", "spiral", "feather", "rose", "tulip", "daisy", "star", "heart",
		"wave", "ship", "web", "celtic knot", "snowflake", "holly", "leaf", "pebble", "clamshell", "meander"}
	shapes := []string{"border", "e2e", "corner", "block"}
	r := rand.New(rand.NewPCG(7, 7))
	var ids []int64
	for i := range n {
		a, b := motifs[r.IntN(len(motifs))], motifs[r.IntN(len(motifs))]
		p, err := st.CreatePattern(ctx, tn.ID, &store.Pattern{
			Name:     fmt.Sprintf("%s and %s %d", a, b, i),
			Type:     shapes[r.IntN(len(shapes))],
			Notes:    "drawn with " + motifs[r.IntN(len(motifs))],
			Keywords: []string{a, b},
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	return st, tn.ID, ids
}

// sqlDot scores every stored vector against q in SQL, decoding the
// little-endian float32s byte by byte: a computation that shares nothing
// with the index.
const sqlDot = `
	WITH q AS (SELECT ord - 1 AS i, x FROM unnest($1::float8[]) WITH ORDINALITY AS u(x, ord)),
	bits AS (
		SELECT e.pattern_id, q.i, q.x,
			(get_byte(e.vector, 4*q.i::int)::bigint + (get_byte(e.vector, 4*q.i::int+1)::bigint << 8) +
			 (get_byte(e.vector, 4*q.i::int+2)::bigint << 16) + (get_byte(e.vector, 4*q.i::int+3)::bigint << 24)) AS b
		FROM pattern_embeddings e, q WHERE e.provider = $2 AND q.x <> 0),
	vals AS (
		SELECT pattern_id, x, CASE WHEN ((b >> 23) & 255) = 0 THEN (b & 8388607) * 2.0^(-149)
			ELSE (1 + (b & 8388607) / 8388608.0) * 2.0^(((b >> 23) & 255) - 127) END
			* CASE WHEN (b >> 31) = 1 THEN -1 ELSE 1 END AS v
		FROM bits)
	SELECT pattern_id, sum(x * v)::float8 AS score FROM vals GROUP BY pattern_id
	ORDER BY score DESC, pattern_id LIMIT $3`

func TestVectorIndexMatchesSQLBruteForce(t *testing.T) {
	ctx := context.Background()
	st, tenant, _ := syntheticLibrary(t, 300)
	sem := NewSemantic(st, LocalProvider(), 1<<28, nil)
	n, err := sem.EmbedTenant(ctx, tenant)
	if err != nil || n != 300 {
		t.Fatalf("embedded %d designs (%v), want 300", n, err)
	}
	for _, query := range []string{"butterflies", "swirly feathers", "spider web", "snow", "celtic knot border", "curl", "zzz"} {
		qv, err := sem.queryVector(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sem.nearestTo(ctx, tenant, qv, 0, store.SearchFilter{}, 50)
		if err != nil {
			t.Fatal(err)
		}
		q64 := make([]float64, len(qv))
		for i, x := range qv {
			q64[i] = float64(x)
		}
		var want []store.RankedID
		err = st.DB().WithTenant(ctx, tenant, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, sqlDot, q64, sem.Provider.Name(), 50)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var r store.RankedID
				if err := rows.Scan(&r.ID, &r.Score); err != nil {
					return err
				}
				if r.Score >= minSimilarity {
					want = append(want, r)
				}
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: index gives %d designs, SQL %d", query, len(got), len(want))
		}
		for i := range want {
			if math.Abs(got[i].Score-want[i].Score) > 1e-5 || (got[i].ID != want[i].ID && math.Abs(got[i].Score-want[i].Score) > 1e-6) {
				t.Fatalf("%q rank %d: index %d (%.6f), SQL %d (%.6f)", query, i+1, got[i].ID, got[i].Score, want[i].ID, want[i].Score)
			}
		}
	}
}

// TestTwoInstancesStayCorrect runs two app servers' search services on one
// database: a design renamed and embedded through one is found by its new
// name through the other at once.
func TestTwoInstancesStayCorrect(t *testing.T) {
	ctx := context.Background()
	st, tenant, ids := syntheticLibrary(t, 50)
	a := NewSemantic(st, LocalProvider(), 1<<28, nil)
	b := NewSemantic(st, LocalProvider(), 1<<28, nil)
	if _, err := a.EmbedTenant(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	if hits, err := b.Nearest(ctx, tenant, "zeppelins", store.SearchFilter{}, 5); err != nil || len(hits) != 0 {
		t.Fatalf("before the rename: %v, %v; want no zeppelin", hits, err)
	}
	renamed := ids[17]
	name := "Zeppelin Parade"
	if _, err := st.UpdatePattern(ctx, tenant, renamed, store.PatternEdit{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.EmbedTenant(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	hits, err := b.Nearest(ctx, tenant, "zeppelins", store.SearchFilter{}, 5)
	if err != nil || len(hits) == 0 || hits[0].ID != renamed {
		t.Fatalf("instance b after the rename through a: %v, %v; want design %d first", hits, err, renamed)
	}
	if _, _, loads := b.Index().Stats(); loads != 2 {
		t.Errorf("instance b loaded its index %d times, want 2 (first search, then after the version moved)", loads)
	}
	// A deleted design leaves the results at once, even before vectors move.
	if err := st.DeletePattern(ctx, tenant, renamed); err != nil {
		t.Fatal(err)
	}
	if hits, _ := b.Nearest(ctx, tenant, "zeppelins", store.SearchFilter{}, 5); len(hits) > 0 && hits[0].ID == renamed {
		t.Fatalf("deleted design %d still found", renamed)
	}
}

// TestChangesAreEmbeddedInTheBackground proves the path from an edit to a
// vector: the change is announced at commit, the worker hears it and
// embeds the design.
func TestChangesAreEmbeddedInTheBackground(t *testing.T) {
	st, tenant, ids := syntheticLibrary(t, 5)
	sem := NewSemantic(st, LocalProvider(), 1<<28, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sem.Run(ctx)
	name := "Dragonfly Dance"
	if _, err := st.UpdatePattern(ctx, tenant, ids[2], store.PatternEdit{Name: &name}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		hits, err := sem.Nearest(ctx, tenant, "dragonflies", store.SearchFilter{}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 1 && hits[0].ID == ids[2] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s the edited design is not found by vector: %v", hits)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var pending int
	st.DB().WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM patterns p WHERE NOT EXISTS (SELECT 1 FROM pattern_embeddings e WHERE e.pattern_id = p.id)`).Scan(&pending)
	})
	if pending != 0 {
		t.Errorf("%d designs still lack a vector", pending)
	}
}

// billedProvider is the local embedding billed like a remote model: ten
// tokens per design, to prove the cost is counted per tenant.
type billedProvider struct{ embed.Provider }

func (p billedProvider) Embed(ctx context.Context, kind embed.Kind, in []embed.Input) ([][]float32, embed.Usage, error) {
	vs, _, err := p.Provider.Embed(ctx, kind, in)
	return vs, embed.Usage{Tokens: 10 * len(in)}, err
}

func TestEmbeddingCostIsCountedPerTenant(t *testing.T) {
	ctx := context.Background()
	st, tenant, _ := syntheticLibrary(t, 130)
	other, err := st.CreateTenant(ctx, "other", "Other")
	if err != nil {
		t.Fatal(err)
	}
	sem := NewSemantic(st, billedProvider{LocalProvider()}, 1<<28, nil)
	if n, err := sem.EmbedTenant(ctx, tenant); err != nil || n != 130 {
		t.Fatalf("embedded %d (%v), want 130", n, err)
	}
	rows, err := st.TenantOverviews(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]int64{}
	for _, r := range rows {
		got[r.Tenant.ID] = r.EmbeddingTokens
	}
	if got[tenant] != 1300 || got[other.ID] != 0 {
		t.Fatalf("tokens: tenant %d, other %d; want 1300 and 0", got[tenant], got[other.ID])
	}
}

// brokenProvider fails every call, like a remote model that is down.
type brokenProvider struct{ embed.Provider }

func (brokenProvider) Embed(context.Context, embed.Kind, []embed.Input) ([][]float32, embed.Usage, error) {
	return nil, embed.Usage{}, fmt.Errorf("model unavailable")
}

func TestSearchAnswersByWordsWhenVectorsFail(t *testing.T) {
	ctx := context.Background()
	st, tenant, _ := syntheticLibrary(t, 20)
	svc := New(st)
	svc.Semantic = NewSemantic(st, brokenProvider{LocalProvider()}, 1<<28, nil)
	res, err := svc.Search(ctx, tenant, 0, "feather", store.SearchFilter{})
	if err != nil {
		t.Fatalf("search failed with the vector side down: %v", err)
	}
	if len(res.Hits) == 0 {
		t.Fatal("no word matches for feather with the vector side down")
	}
}

// TestEditedThesaurusReembeds: the local provider's name carries the
// thesaurus's revision, so after an edit every design is embedded again
// and the vectors of the older revision are replaced, not kept beside.
func TestEditedThesaurusReembeds(t *testing.T) {
	ctx := context.Background()
	st, tenant, _ := syntheticLibrary(t, 20)
	before := NewSemantic(st, LocalProvider(), 1<<28, nil)
	if n, err := before.EmbedTenant(ctx, tenant); err != nil || n != 20 {
		t.Fatalf("embedded %d designs (%v), want 20", n, err)
	}
	edited, err := ParseThesaurus(thesaurusText + "\nwhirligig = whirlygig\n")
	if err != nil {
		t.Fatal(err)
	}
	after := NewSemantic(st, local.New(lexicon{edited}), 1<<28, nil)
	if after.Provider.Name() == before.Provider.Name() || !strings.HasPrefix(after.Provider.Name(), local.Name+"+") {
		t.Fatalf("provider names %q before and %q after the edit", before.Provider.Name(), after.Provider.Name())
	}
	if n, err := after.EmbedTenant(ctx, tenant); err != nil || n != 20 {
		t.Fatalf("after the edit embedded %d designs (%v), want 20", n, err)
	}
	counts := map[string]int{}
	err = st.DB().WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT provider, count(*) FROM pattern_embeddings GROUP BY provider`)
		if err != nil {
			return err
		}
		var p string
		var n int
		_, err = pgx.ForEachRow(rows, []any{&p, &n}, func() error { counts[p] = n; return nil })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[after.Provider.Name()] != 20 {
		t.Fatalf("stored vectors by provider %v, want only 20 of %s", counts, after.Provider.Name())
	}
}

// TestStaleVocabularyAnswersWhileReloading: a tenant's vocabulary past
// its time still answers at once, and a fresh one replaces it from the
// background, so no search waits for the reload.
func TestStaleVocabularyAnswersWhileReloading(t *testing.T) {
	ctx := context.Background()
	st, tenant, _ := syntheticLibrary(t, 5)
	svc := New(st)
	first, err := svc.vocabularyOf(ctx, tenant)
	if err != nil || len(first.words) == 0 {
		t.Fatalf("vocabulary: %v, %d words", err, len(first.words))
	}
	first.at = time.Now().Add(-2 * vocabTTL)
	got, err := svc.vocabularyOf(ctx, tenant)
	if err != nil || got != first {
		t.Fatalf("a stale vocabulary did not answer at once (%v)", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		svc.mu.Lock()
		now := svc.vocab[tenant]
		svc.mu.Unlock()
		if now != first && time.Since(now.at) < vocabTTL && len(now.words) == len(first.words) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the stale vocabulary was never reloaded")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWarmLoadsBeforeTheFirstSearch: warming a tenant loads its
// vocabulary and vector index in the background.
func TestWarmLoadsBeforeTheFirstSearch(t *testing.T) {
	ctx := context.Background()
	st, tenant, _ := syntheticLibrary(t, 10)
	svc := New(st)
	svc.Semantic = NewSemantic(st, LocalProvider(), 1<<28, nil)
	if _, err := svc.Semantic.EmbedTenant(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	svc.Warm(tenant)
	deadline := time.Now().Add(5 * time.Second)
	for {
		svc.mu.Lock()
		v := svc.vocab[tenant]
		svc.mu.Unlock()
		if v != nil && svc.Semantic.Index().Cached(tenant) != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Warm: vocabulary %v, index cached %v", v != nil, svc.Semantic.Index().Cached(tenant) != nil)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRenamedDesignCorrectsTyposSoon: when a design's words change, every
// app server hears of it and its vocabulary is read again, so a typo of
// the new word is corrected without waiting out the vocabulary's minute.
func TestRenamedDesignCorrectsTyposSoon(t *testing.T) {
	st, tenant, ids := syntheticLibrary(t, 5)
	svc := New(st)
	svc.Semantic = NewSemantic(st, LocalProvider(), 1<<28, nil)
	svc.Semantic.OnChange = svc.WordsChanged
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go svc.Semantic.Run(ctx)
	if _, err := svc.vocabularyOf(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the listener is up
	name := "Zanzibar Sunrise"
	if _, err := st.UpdatePattern(ctx, tenant, ids[1], store.PatternEdit{Name: &name}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := svc.Search(ctx, tenant, 0, "zanzibr", store.SearchFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if res.DidYouMean == "zanzibar" && len(res.Hits) > 0 && res.Hits[0].ID == ids[1] {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after the rename, \"zanzibr\": did you mean %q, hits %v", res.DidYouMean, res.Hits)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
