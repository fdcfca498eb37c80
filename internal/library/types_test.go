package library

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/patternvault/patternvault/internal/convert"
	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

func TestDecideType(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		hint, shape string
		conf, w, h  float64
		want        string
	}{
		{"block", "e2e", 0.95, 12, 4, "block"},     // "blk - " in blocks/: the word wins
		{"", "e2e", 0.8, 12, 4, "e2e"},             // no word: the shape
		{"", "panel", 0.61, 6, 3, "block"},         // a 6 × 3 in motif is no panel
		{"", "panel", 0.7, 20, 36, "panel"},        // a large one is
		{"panel", "block", 0.9, 6, 3, "panel"},     // unless the designer says so
		{"", "unknown", 0, 0, 0, ""},               // nothing stitched: no type
		{"", "", 0, 0, 0, ""},                      // no geometry, no word
		{"triangle", "", 0, 0, 0, "triangle"},      // no geometry, a word
		{"spiral", "border", 0.8, 30, 4, "border"}, // not a type word
	} {
		got, conf := decideType(c.hint, c.shape, c.conf, c.w, c.h)
		if got != c.want {
			t.Errorf("decideType(%q, %q, %v, %v×%v) = %q, want %q", c.hint, c.shape, c.conf, c.w, c.h, got, c.want)
		}
		if got == c.hint && c.hint != "" && conf != wordConfidence {
			t.Errorf("%q from a word has confidence %v", got, conf)
		}
	}
}

// motif draws a 6 × 3 in flower-like outline that does not repeat.
func motif() *geom.Design {
	p := geom.Path{Stitch: true, Start: geom.Point{X: 6, Y: 1.5}}
	for i := 1; i <= 180; i++ {
		a := 2 * math.Pi * float64(i) / 180
		r := 1 + 0.25*math.Sin(5*a)
		p.Segments = append(p.Segments, geom.Segment{Kind: geom.Line, End: geom.Point{X: 3 + 3*r*math.Cos(a)/1.25, Y: 1.5 + 1.5*r*math.Sin(a)/1.25}})
	}
	return &geom.Design{Paths: []geom.Path{p}}
}

// TestImportTypesFromNames imports what the field test showed: a design in
// blocks/ named "blk - …" whose outline repeats like an edge-to-edge row,
// and a small motif the shape reads as a panel. The names decide the
// first, the size the second; their keywords carry no "blk".
func TestImportTypesFromNames(t *testing.T) {
	t.Parallel()
	ship := filepath.Join(testfixtures.Dir(t), "stitchables", "e2e", "viking-longship", "e2e - viking lonship v2.qli")
	raw, err := os.ReadFile(ship)
	if err != nil {
		t.Fatal(err)
	}
	g, ff, err := convert.Read(ship, raw)
	if err != nil {
		t.Fatal(err)
	}
	if h := convert.Describe(ship, g, ff).Analysis; h == nil || h.Type != "e2e" {
		t.Fatalf("premise: the longship's shape reads as e2e, got %+v", h)
	}
	var small bytes.Buffer
	if err := formats.Write(&small, "bqm", motif()); err != nil {
		t.Fatal(err)
	}
	if h := convert.Describe("m.bqm", motif(), nil).Analysis; h == nil || h.Type != "panel" {
		t.Fatalf("premise: the 6 × 3 in motif's shape reads as a panel, got %+v", h)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range map[string][]byte{
		"Shop/blocks/blk - bears/Blk - Bears that are very cute.qli": raw,
		"Shop/Misc/Motifs/little bloom.bqm":                          small.Bytes(),
	} {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	r := newRig(t)
	acme := r.tenant(t, "acme")
	if b := r.importZIP(t, acme.ID, "shop.zip", buf.Bytes()); b.Created != 2 {
		t.Fatalf("import = %+v", b)
	}
	page, err := r.store.Patterns(context.Background(), acme.ID, store.PatternQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*store.Pattern{}
	for _, p := range page.Patterns {
		got[p.Name] = p
	}
	bears, bloom := got["Bears that are very cute"], got["Little Bloom"]
	if bears == nil || bloom == nil {
		t.Fatalf("designs %v", keys(got))
	}
	if bears.Type != "block" || bears.TypeConfidence < 0.9 {
		t.Errorf("blk - bears in blocks/: type %q (%.2f), want block from its name", bears.Type, bears.TypeConfidence)
	}
	if bloom.Type != "block" {
		t.Errorf("6 × 3 in motif: type %q, want block", bloom.Type)
	}
	if want := []string{"bear", "cute", "shop"}; !slices.Equal(bears.Keywords, want) {
		t.Errorf("bears' keywords %v, want %v", bears.Keywords, want)
	}
	if want := []string{"bloom", "little", "motif", "shop"}; !slices.Equal(bloom.Keywords, want) {
		t.Errorf("bloom's keywords %v, want %v", bloom.Keywords, want)
	}
}

// TestSetTypeInBulk: the quilter's type change reaches every design named,
// at once, and the search index; a type PatternVault does not know, an
// empty list or an id another workspace does not hold changes nothing.
func TestSetTypeInBulk(t *testing.T) {
	t.Parallel()
	data, _ := fixtureZIP(t, false)
	r := newRig(t)
	ctx := context.Background()
	acme, beta := r.tenant(t, "acme"), r.tenant(t, "beta")
	r.importZIP(t, acme.ID, "a.zip", data) // beta stays empty: ids are per workspace
	ids := map[string]int64{}
	page, _ := r.store.Patterns(ctx, acme.ID, store.PatternQuery{Limit: 20})
	for _, p := range page.Patterns {
		ids[p.Name] = p.ID
	}
	celtic := []int64{ids["Celtic Tall Knot"], ids["3-Looped Celtic Knot"]}
	borders := func(tenantID int64) []int64 {
		hits, err := r.store.SearchFullText(ctx, tenantID, store.TextQuery{Terms: [][]string{{"border"}}}, store.SearchFilter{}, 50)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, h := range hits {
			out = append(out, h.ID)
		}
		slices.Sort(out)
		return out
	}
	if got := borders(acme.ID); len(got) != 0 {
		t.Fatalf("borders before: %v", got)
	}
	if _, err := r.svc.SetType(ctx, acme.ID, celtic, "spiral"); !errors.Is(err, ErrBadType) {
		t.Errorf("type spiral: %v, want ErrBadType", err)
	}
	if _, err := r.svc.SetType(ctx, acme.ID, nil, "border"); err == nil {
		t.Error("an empty list was accepted")
	}
	if _, err := r.svc.SetType(ctx, beta.ID, celtic, "border"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("acme's designs typed through beta: %v, want not found", err)
	}
	n, err := r.svc.SetType(ctx, acme.ID, celtic, "Borders")
	if err != nil || n != 2 {
		t.Fatalf("SetType = %d, %v", n, err)
	}
	want := slices.Clone(celtic)
	slices.Sort(want)
	if got := borders(acme.ID); !slices.Equal(got, want) {
		t.Errorf("borders after: %v, want %v", got, want)
	}
	for _, id := range celtic {
		p, _ := r.store.Pattern(ctx, acme.ID, id)
		if p.Type != "border" || p.TypeName != "Border" || p.TypeConfidence != 1 {
			t.Errorf("%q: type %q %q (%.2f)", p.Name, p.Type, p.TypeName, p.TypeConfidence)
		}
	}
}
