package search

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/demo"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

// Thresholds of the relevance set, from its measurement with room for
// noise: a change that makes search worse fails here.
const (
	minRecallAt10 = 0.95
	minMRR        = 0.78
)

// TestRelevance imports a generated demo library through the real
// pipeline and runs the project's relevance set against it. The truth is
// what the generator drew (its motifs and layout), not what search sees.
func TestRelevance(t *testing.T) {
	ctx := context.Background()
	d := testdb.New(t)
	if err := jobs.Migrate(ctx, d.Pool); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(d.Pool, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(d)
	lib := &library.Service{Store: st, Blobs: blobs, Queue: q, Limits: ingest.DefaultLimits()}
	tn, err := st.CreateTenant(ctx, "demo", "Demo")
	if err != nil {
		t.Fatal(err)
	}
	truth := map[string]demo.Item{} // by name
	const n = 400
	err = demo.StreamZIPs(3, n, 100, func(name string, data []byte) error {
		b, err := lib.StartImport(ctx, tn.ID, 0, []library.Upload{{Name: name, Body: bytes.NewReader(data), Size: int64(len(data))}}, false)
		if err != nil {
			return err
		}
		return lib.Process(ctx, tn.ID, b.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Generate(3, n, func(it demo.Item) error { truth[strings.ToLower(it.Name)] = it; return nil }); err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	pq := store.PatternQuery{Limit: 200}
	for {
		page, err := st.Patterns(ctx, tn.ID, pq)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Patterns {
			names[p.ID] = strings.ToLower(p.Name)
		}
		if page.NextCursor == "" {
			break
		}
		pq.Cursor = page.NextCursor
	}
	words := New(st)
	withVectors := New(st)
	withVectors.Semantic = NewSemantic(st, LocalProvider(), 1<<28, nil)
	if _, err := withVectors.Semantic.EmbedTenant(ctx, tn.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		svc  *Service
	}{{"words", words}, {"words and local concepts", withVectors}} {
		t.Run(c.name, func(t *testing.T) { relevance(t, c.svc, tn.ID, names, truth) })
	}
}

// relevance runs the relevance set against svc and checks its thresholds.
func relevance(t *testing.T, svc *Service, tenantID int64, names map[int64]string, truth map[string]demo.Item) {
	ctx := context.Background()
	f, err := os.Open("testdata/relevance.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var queries, found int
	var rr float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "|")
		for len(parts) < 4 {
			parts = append(parts, "")
		}
		query, motif, typ := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])
		within, _ := strconv.Atoi(strings.TrimSpace(parts[3]))
		relevant := func(id int64) bool {
			it, ok := truth[names[id]]
			if !ok || (typ != "" && it.Type != typ) {
				return false
			}
			return motif == "*" || slices.Contains(it.Motifs, motif)
		}
		res, err := svc.Search(ctx, tenantID, 0, query, store.SearchFilter{})
		if err != nil {
			t.Fatal(err)
		}
		queries++
		rank := 0
		for i, h := range res.Hits {
			if i >= 10 {
				break
			}
			if relevant(h.ID) {
				rank = i + 1
				break
			}
		}
		if rank > 0 {
			found++
			rr += 1 / float64(rank)
		} else {
			t.Logf("no relevant result in the top 10 for %q (%d hits)", query, len(res.Hits))
		}
		if within > 0 && (rank == 0 || rank > within) {
			t.Errorf("%q: first relevant design at rank %d, want within the first %d", query, rank, within)
		}
	}
	if queries < 60 {
		t.Fatalf("relevance set has %d queries, want at least 60", queries)
	}
	recall, mrr := float64(found)/float64(queries), rr/float64(queries)
	t.Logf("relevance over %d queries: recall@10 %.3f, MRR %.3f", queries, recall, mrr)
	if recall < minRecallAt10 || mrr < minMRR {
		t.Errorf("recall@10 %.3f (min %.2f), MRR %.3f (min %.2f)", recall, minRecallAt10, mrr, minMRR)
	}
}
