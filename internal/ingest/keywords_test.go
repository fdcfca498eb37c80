package ingest

import (
	"slices"
	"testing"
)

func TestKeywords(t *testing.T) {
	cases := []struct {
		folder, stem string
		want         []string
	}{
		{"e2e/viking-longship", "e2e - viking lonship v2", []string{"viking", "lonship", "longship"}},
		{"", "e2e - viking longship v2 (animated)", []string{"viking", "longship"}},
		{"Borders/Feathers", "Feather_Border_Corner_v1.3 final copy", []string{"feather"}},
		{"Pantos 2021", "Edge to Edge - Roses and Vines 12in", []string{"rose", "vine", "12in"}},
		{`Shop\Bundle`, "The Star of the Sea.qli", []string{"star", "sea", "bundle", "shop"}},
		// Stop words, the shop's words and plural pairs (the field test's).
		{"Misc/Bears", "Blk - Bear that is very cute who", []string{"bear", "cute"}},
		{"blocks/vid", "blk - teddy bears (vid)", []string{"teddy", "bear"}},
		{"Animals", "Bears and Bear Cubs", []string{"bear", "cub", "animal"}},
		// Folders named after the formats kept as-is (4DQ, QDATA, TAP,
		// XY, HPG) are not keywords.
		{"Roses/4DQ", "Rose Vine.4dq", []string{"rose", "vine"}},
		{"QDATA/TAP/XY/HPG", "Swirl", []string{"swirl"}},
		// Names the word list does not know keep their form.
		{"Stitchables/e2e", "Longships", []string{"longships", "stitchables"}},
		{"", "", nil},
	}
	for _, c := range cases {
		if got := Keywords(c.folder, c.stem); !slices.Equal(got, c.want) {
			t.Errorf("Keywords(%q, %q) = %q, want %q", c.folder, c.stem, got, c.want)
		}
	}
}

func TestTypeHint(t *testing.T) {
	for p, want := range map[string]string{
		"e2e/viking-longship/e2e - viking lonship v2.qli":                "e2e",
		"blocks/celtic-dragon-circle/celtic dragon circle shield v2.qli": "block",
		"panels/tall-celtic-knot/celtic tall knot v1.qli":                "panel",
		"triangle - 3-looped celtic knot v1.bqm":                         "triangle",
		"Feathers/Feather Border Corner.qli":                             "corner",
		"Borders/feather.qli":                                            "border",
		"Edge to Edge/roses.qli":                                         "e2e",
		"pantographs/x.qli":                                              "e2e",
		`Corners\Blocks\rose block.qli`:                                  "block",
		"roses/rose.qli":                                                 "",
	} {
		if got := TypeHint(p); got != want {
			t.Errorf("TypeHint(%q) = %q, want %q", p, got, want)
		}
	}
}
