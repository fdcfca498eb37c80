package english

import "strings"

// Singular undoes English plurals, asking the word list which reading is
// a word: butterflies → butterfly, leaves → leaf, waves → wave, boxes →
// box, heroes → hero, bears → bear. A word that is English and has no
// English singular stays ("this", "lens", "chaos"), as do words that are
// plural in form only ("news", "series"). A word the list does not know
// ("clamshells", "longships") loses its plural ending by rule.
func Singular(w string) string {
	if s, ok := irregular[w]; ok {
		return s
	}
	if invariant[w] {
		return w
	}
	n := len(w)
	var cands []string
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		cands = []string{w[:n-3] + "y", w[:n-1]}
	case n > 4 && strings.HasSuffix(w, "ves"):
		cands = []string{w[:n-3] + "f", w[:n-3] + "fe", w[:n-1]}
	case n > 4 && (strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") ||
		strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "zzes") || strings.HasSuffix(w, "oes")):
		cands = []string{w[:n-2], w[:n-1]}
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		cands = []string{w[:n-1]}
	default:
		return w
	}
	for _, c := range cands {
		if Known(c) {
			return c
		}
	}
	if Known(w) {
		return w // an English word, not a plural of one
	}
	return cands[0]
}

var irregular = map[string]string{
	"geese": "goose", "mice": "mouse", "children": "child", "feet": "foot", "teeth": "tooth", "men": "man",
	"women": "woman", "people": "person", "oxen": "ox", "dice": "die", "cacti": "cactus", "fungi": "fungus",
}

// invariant are words whose plural form is not a plural of the word
// without its "s".
var invariant = map[string]bool{
	"news": true, "series": true, "species": true, "means": true, "physics": true, "mathematics": true,
	"politics": true, "ethics": true, "athletics": true, "gymnastics": true, "economics": true, "thanks": true,
	"pants": true, "trousers": true, "scissors": true, "jeans": true, "glasses": true, "clothes": true,
	"always": true, "perhaps": true, "sometimes": true, "sheep": true, "fish": true, "deer": true, "moose": true,
	"aircraft": true, "headquarters": true, "whereas": true, "towards": true, "afterwards": true,
}
