package ingest

import "testing"

// TestDisplayNameDropsTypeAndShopMarks: the shop's type prefixes ("Blk -",
// "edge 2 edge -") and video marks go, like "e2e -" and "(pic)".
func TestDisplayNameDropsTypeAndShopMarks(t *testing.T) {
	for stem, want := range map[string]string{
		"Blk - Teddy Bear":          "Teddy Bear",
		"blk - celtic knot v2":      "Celtic Knot",
		"BLKS - hearts":             "Hearts",
		"Edge 2 Edge - Roses":       "Roses",
		"edge-to-edge: daisy chain": "Daisy Chain",
		"Teddy Bear (vid)":          "Teddy Bear",
		"blk - teddy bear-video":    "Teddy Bear",
		"Black Cat":                 "Black Cat", // "blk" only as a prefix word
		"Blocks of Color":           "Blocks of Color",
	} {
		if got := DisplayName(stem); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", stem, got, want)
		}
	}
}

// TestTypeHintShopWords: "blk" names a block in a file or folder name.
func TestTypeHintShopWords(t *testing.T) {
	for p, want := range map[string]string{
		"blocks/blk - teddy bear.qli":  "block",
		"Motifs/Blk - Bear.qli":        "block",
		"misc/edge 2 edge - roses.bqm": "e2e",
		"black cat.qli":                "",
	} {
		if got := TypeHint(p); got != want {
			t.Errorf("TypeHint(%q) = %q, want %q", p, got, want)
		}
	}
}

// TestTypeHintMixedShelves: a folder of two types says neither, so the
// file name, an outer folder or the shape decides.
func TestTypeHintMixedShelves(t *testing.T) {
	for p, want := range map[string]string{
		"Borders & Corners/rose.qli":                 "",
		"Blocks/Borders & Corners/rose.qli":          "block",
		"Borders & Corners/rose corner.qli":          "corner",
		"Feathers/Feather Border Corner.qli":         "corner",
		"Pantos/e2e - feathers (border version).qli": "e2e",
	} {
		if got := TypeHint(p); got != want {
			t.Errorf("TypeHint(%q) = %q, want %q", p, got, want)
		}
	}
}
