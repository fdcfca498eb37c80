package search

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

func TestThesaurusParses(t *testing.T) {
	th := Builtin()
	if th.Size() < 200 {
		t.Errorf("thesaurus knows %d words, want a few hundred", th.Size())
	}
	if !contains(th.Expand("swirl"), "spiral") || !contains(th.Expand("curl"), "swirl") {
		t.Error("swirl ≈ curl ≈ spiral missing")
	}
	if !contains(th.Expand("insect"), "butterfly") || contains(th.Expand("butterfly"), "insect") {
		t.Error("insect should find butterflies, not the other way round")
	}
	if _, err := ParseThesaurus("good = fine\nthis line is bad\n"); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad line: %v", err)
	}
}

func TestParse(t *testing.T) {
	q := Parse(`Butterflies with swirls border -hearts "celtic knot" qli favorites`, Builtin())
	if q.Type != "border" || q.Format != "qli" || !q.Favorites {
		t.Errorf("filters %+v", q)
	}
	if len(q.Terms) != 2 || q.Terms[0].Word != "butterflies" || !contains(q.Terms[0].Alts, "butterfly") || !contains(q.Terms[1].Alts, "curl") {
		t.Errorf("terms %+v", q.Terms)
	}
	if len(q.Not) != 1 || q.Not[0] != "hearts" || len(q.Phrases) != 1 || strings.Join(q.Phrases[0], " ") != "celtic knot" {
		t.Errorf("not %v phrases %v", q.Not, q.Phrases)
	}
	if q := Parse("edge to edge feathers", Builtin()); q.Type != "e2e" || q.Terms[0].Word != "feathers" {
		t.Errorf("edge to edge: %+v", q)
	}
	for w, want := range map[string]string{"butterflies": "butterfly", "leaves": "leaf", "boxes": "box", "swirls": "swirl", "grass": "grass", "daisies": "daisy"} {
		if got := Singular(w); got != want {
			t.Errorf("Singular(%q) = %q, want %q", w, got, want)
		}
	}
	if d := editDistance("lonship", "longship", 2); d != 1 {
		t.Errorf("distance = %d", d)
	}
}

func contains(list []string, w string) bool {
	for _, x := range list {
		if x == w {
			return true
		}
	}
	return false
}

// TestRealFiles imports the real fixtures and asks what a quilter would.
func TestRealFiles(t *testing.T) {
	root := filepath.Join(testfixtures.Dir(t), "stitchables")
	ctx := context.Background()
	d := testdb.New(t)
	if err := jobs.Migrate(ctx, d.Pool); err != nil {
		t.Fatal(err)
	}
	q, _ := jobs.New(d.Pool, jobs.Config{})
	blobs, _ := blob.Open(ctx, "", t.TempDir())
	st := store.New(d)
	lib := &library.Service{Store: st, Blobs: blobs, Queue: q, Limits: ingest.DefaultLimits()}
	tn, _ := st.CreateTenant(ctx, "acme", "Acme")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "*"))
	for _, dir := range dirs {
		entries, _ := os.ReadDir(dir)
		rel, _ := filepath.Rel(root, dir)
		for _, e := range entries {
			data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			w, _ := zw.Create(filepath.ToSlash(filepath.Join(rel, e.Name())))
			w.Write(data)
		}
	}
	zw.Close()
	b, err := lib.StartImport(ctx, tn.ID, 0, []library.Upload{{Name: "f.zip", Body: &buf, Size: -1}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Process(ctx, tn.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	svc := New(st)
	names := map[int64]string{}
	page, _ := st.Patterns(ctx, tn.ID, store.PatternQuery{Limit: 100})
	for _, p := range page.Patterns {
		names[p.ID] = p.Name
	}
	cases := []struct{ q, first string }{
		{"viking longship", "Viking Longship"},
		{"celtic dragon", "Celtic Dragon Circle Shield"},
		{"spider web", "Spiderweb"},
		{"atom", "Atom Electrons"},
		{"viking lonship", "Viking Longship"},    // typo
		{"a boat with waves", "Viking Longship"}, // synonym and filler
		{"longships", "Viking Longship"},         // plural
		{"dragons", "Celtic Dragon Circle Shield"},
		{"cobweb", "Spiderweb"},
		{"buterfly", ""},
	}
	for _, c := range cases {
		res, err := svc.Search(ctx, tn.ID, 0, c.q, store.SearchFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if len(res.Hits) > 0 {
			got = names[res.Hits[0].ID]
		}
		if got != c.first {
			t.Errorf("%q → first %q, want %q (hits %v)", c.q, got, c.first, res.Hits)
		}
	}
	res, _ := svc.Search(ctx, tn.ID, 0, "vikng", store.SearchFilter{})
	if res.DidYouMean != "viking" && len(res.Hits) == 0 {
		t.Errorf("vikng: did you mean %q", res.DidYouMean)
	}
	// More like this: the other fixture designs are never "the same design".
	for id := range names {
		hits, err := svc.Similar(ctx, tn.ID, id, 10)
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range hits {
			if h.Why[0] == "same design" {
				t.Errorf("%q is the same design as %q?", names[h.ID], names[id])
			}
			if i > 0 && hits[i-1].Score < h.Score {
				t.Error("similar designs not best first")
			}
		}
	}
	res, _ = svc.Search(ctx, tn.ID, 0, "celtic -knot", store.SearchFilter{})
	for _, h := range res.Hits {
		if strings.Contains(strings.ToLower(names[h.ID]), "knot") {
			t.Errorf("celtic -knot found %q", names[h.ID])
		}
	}
}
