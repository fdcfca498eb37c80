package ingest

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/designtype"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// FuzzNames feeds file paths, the real fixtures' first, to what the import
// reads from names: the type is a code or "", keywords are lower-case
// words without stop words, shop words, type words or repeats, and the
// display name never grows a type prefix back.
func FuzzNames(f *testing.F) {
	if dir, err := testfixtures.Find(); err == nil {
		for _, p := range testfixtures.Files(f, filepath.Join(dir, "stitchables")) {
			if rel, err := filepath.Rel(dir, p); err == nil {
				f.Add(filepath.ToSlash(rel))
			}
		}
	}
	for _, seed := range []string{"blocks/blk - bears/Blk - Bears that are very cute (vid).mp4", "Borders & Corners/rose.qli",
		`Shop\Misc\Edge 2 Edge - Roses v1.3.bqm`, "e2e - edge to edge e2e", "", "/", "\x00\xff/ünïcödé ♥.qli"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if typ := TypeHint(p); typ != "" && !designtype.Valid(typ) {
			t.Fatalf("TypeHint(%q) = %q", p, typ)
		}
		dir, base := filepath.Split(strings.ReplaceAll(p, `\`, "/"))
		stem, _ := splitExt(base)
		kws := Keywords(dir, stem)
		for i, k := range kws {
			if k != strings.ToLower(k) || stopWords[k] || noiseWords[k] || designtype.FromWord(k) != "" || slices.Contains(kws[:i], k) {
				t.Fatalf("Keywords(%q, %q) = %q: %q does not belong", dir, stem, kws, k)
			}
		}
		if name := DisplayName(stem); typePrefix().MatchString(name) && !typePrefix().MatchString(stem) {
			t.Fatalf("DisplayName(%q) = %q grew a type prefix", stem, name)
		}
	})
}
