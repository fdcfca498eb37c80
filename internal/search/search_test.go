package search

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
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
	if len(q.Terms) != 3 || q.Terms[0].Word != "butterflies" || !contains(q.Terms[0].Alts, "butterfly") || !contains(q.Terms[1].Alts, "curl") {
		t.Errorf("terms %+v", q.Terms)
	}
	// A type word is a term of its type: it matches the type, not "edge".
	if tt := q.Terms[2]; tt.Word != "border" || tt.Type != "border" || contains(tt.Alts, "edge") {
		t.Errorf("type term %+v", tt)
	}
	if len(q.Not) != 1 || q.Not[0] != "hearts" || len(q.Phrases) != 1 || strings.Join(q.Phrases[0], " ") != "celtic knot" {
		t.Errorf("not %v phrases %v", q.Not, q.Phrases)
	}
	for _, typed := range []string{"edge to edge feathers", "Edge-to-Edge feathers", "panto feathers", "edge 2 edge feathers"} {
		q := Parse(typed, Builtin())
		if q.Type != "e2e" || len(q.Terms) != 2 || q.Terms[0].Type != "e2e" || !contains(append(q.Terms[0].Alts, q.Terms[0].Word), "e2e") || q.Terms[1].Word != "feathers" {
			t.Errorf("%q: %+v", typed, q)
		}
		if q.Text() != "feathers" {
			t.Errorf("%q: text for vectors %q, want the words without the type", typed, q.Text())
		}
	}
	if q := Parse("the atom and its electrons", Builtin()); len(q.Terms) != 2 {
		t.Errorf("filler words kept: %+v", q.Terms)
	}
	for w, want := range map[string]string{"butterflies": "butterfly", "leaves": "leaf", "waves": "wave", "boxes": "box", "swirls": "swirl", "grass": "grass", "daisies": "daisy"} {
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
		{"viking lonship", "Viking Longship"}, // typo
		{"show me a boat", "Viking Longship"}, // synonym and filler
		{"longships", "Viking Longship"},      // plural
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
	// Only some of the words: no match, the boat is related.
	res, _ := svc.Search(ctx, tn.ID, 0, "a boat with waves", store.SearchFilter{})
	if len(res.Hits) != 0 || len(res.Related) == 0 || names[res.Related[0].ID] != "Viking Longship" {
		t.Errorf("a boat with waves: hits %v, related %v; want no match and the longship related", res.Hits, res.Related)
	}
	res, _ = svc.Search(ctx, tn.ID, 0, "vikng", store.SearchFilter{})
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

// TestSearchReadsTheLibrarysWords: type words find their type, a name
// typed as one word or split in two finds it, an English word is never
// "corrected" into another, and a word nothing holds finds nothing, not
// even by vector.
func TestSearchReadsTheLibrarysWords(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	tn, err := st.CreateTenant(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	for _, p := range []store.Pattern{
		{Name: "Star Trek Enterprise", Type: "e2e"},
		{Name: "Starwars Yoda", Type: "block"},
		{Name: "Spiderweb", Type: "e2e"},
		{Name: "Boho Bat", Type: "block"},
		{Name: "Holly Swag", Type: "border"},
		{Name: "Celtic Knot Medallion", Type: "panel"},
		{Name: "Setting Star", Type: "triangle"},
		{Name: "Feather Plume", Type: "corner", Keywords: []string{"feather"}},
		{Name: "Warp and Weft", Type: "e2e"},
	} {
		made, err := st.CreatePattern(ctx, tn.ID, &p)
		if err != nil {
			t.Fatal(err)
		}
		names[made.ID] = made.Name
	}
	svc := New(st)
	svc.Semantic = NewSemantic(st, LocalProvider(), 1<<24, nil)
	if _, err := svc.Semantic.EmbedTenant(ctx, tn.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q          string
		want       []string // the matches, in any order; nil: none
		didYouMean string
	}{
		{"startrek", []string{"Star Trek Enterprise"}, "star trek"},
		{"star wars", []string{"Starwars Yoda"}, ""},
		{"spider web", []string{"Spiderweb"}, ""},
		{"border", []string{"Holly Swag"}, ""},
		{"borders", []string{"Holly Swag"}, ""},
		{"triangle", []string{"Setting Star"}, ""},
		{"panel", []string{"Celtic Knot Medallion"}, ""},
		{"corner feathers", []string{"Feather Plume"}, ""},
		{"edge to edge", []string{"Star Trek Enterprise", "Spiderweb", "Warp and Weft"}, ""},
		{"e2e", []string{"Star Trek Enterprise", "Spiderweb", "Warp and Weft"}, ""},
		{"pantos", []string{"Star Trek Enterprise", "Spiderweb", "Warp and Weft"}, ""},
		{"star e2e", []string{"Star Trek Enterprise"}, ""},
		{"boat", nil, ""},
		{"mandalorian", nil, ""},
		{"xylophone", nil, ""},
		{"spiderwbe", []string{"Spiderweb"}, "spiderweb"},
	} {
		res, err := svc.Search(ctx, tn.ID, 0, c.q, store.SearchFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, names[h.ID])
		}
		slices.Sort(got)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%q matches %q, want %q", c.q, got, want)
		}
		if res.DidYouMean != c.didYouMean {
			t.Errorf("%q: did you mean %q, want %q", c.q, res.DidYouMean, c.didYouMean)
		}
		if c.want == nil && len(res.Related) > 0 {
			t.Errorf("%q relates %d designs by vector alone: %v", c.q, len(res.Related), res.Related)
		}
	}
	// "star wars" with no Starwars: the stars are related, not matches, and
	// "wars" is not respelt "warp".
	res, err := svc.Search(ctx, tn.ID, 0, "star battles", store.SearchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 0 || res.DidYouMean != "" || len(res.Related) == 0 {
		t.Errorf("star battles: hits %v, did you mean %q, related %v", res.Hits, res.DidYouMean, res.Related)
	}
	for _, h := range res.Related {
		if n := names[h.ID]; !strings.Contains(n, "Star") {
			t.Errorf("star battles relates %q", n)
		}
	}
}
