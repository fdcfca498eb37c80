package english

import "testing"

func TestKnown(t *testing.T) {
	if n := Len(); n < 50000 {
		t.Fatalf("the list holds %d words, want the whole size-50 list", n)
	}
	for _, w := range []string{"boat", "wars", "star", "trek", "favourite", "favorite", "colour", "bears", "feathers", "quilt", "that"} {
		if !Known(w) {
			t.Errorf("%q is not known", w)
		}
	}
	for _, w := range []string{"startrek", "lonship", "celtc", "wavs", "spiderwbe", "blk", "Boat", "bo", ""} {
		if Known(w) {
			t.Errorf("%q is known", w)
		}
	}
}

func TestSingular(t *testing.T) {
	for w, want := range map[string]string{
		"butterflies": "butterfly", "leaves": "leaf", "waves": "wave", "knives": "knife", "wolves": "wolf",
		"boxes": "box", "heroes": "hero", "shoes": "shoe", "roses": "rose", "swirls": "swirl", "grass": "grass",
		"daisies": "daisy", "bears": "bear", "wars": "war", "pies": "pie", "news": "news", "series": "series",
		"this": "this", "lens": "lens", "cactus": "cactus", "clamshells": "clamshell", "longships": "longship",
		"geese": "goose", "star": "star", "bus": "bus", "dragonflies": "dragonfly", "spiderwebs": "spiderweb",
	} {
		if got := Singular(w); got != want {
			t.Errorf("Singular(%q) = %q, want %q", w, got, want)
		}
	}
}
