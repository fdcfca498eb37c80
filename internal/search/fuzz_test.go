package search

import (
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/store"
)

// safeTSQuery is everything a rendered tsquery may hold: lexemes (letters
// and digits), the operators the renderer writes, and spaces.
var safeTSQuery = regexp.MustCompile(`^[\p{L}\p{N} |&!()<\->:*]*$`)

// FuzzParse feeds whatever a person might type to the query parser, the
// tsquery renderer and the local embedding: none may panic, the tsquery
// holds only lexemes and the renderer's own operators (no input can
// change its syntax), and vectors are unit length or zero, never NaN.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"butterflies with swirls", `"baptist fan" -heart`, "e2e qli favorites", "buterfly", "a heart border",
		"stars -heart", "christmas", "it's a 'quote'", "a|b & !c <-> d:*", "(((", "--", `"`, "ünïcödé ♥ 蝶", "\x00\xff",
	} {
		f.Add(seed)
	}
	th := Builtin()
	local := LocalProvider()
	f.Fuzz(func(t *testing.T, raw string) {
		q := Parse(raw, th)
		tq := store.TextQuery{Not: q.Not, Phrases: q.Phrases, Prefix: true}
		for _, term := range q.Terms {
			tq.Terms = append(tq.Terms, append([]string{term.Word}, term.Alts...))
		}
		if s := tq.TSQuery(); !safeTSQuery.MatchString(s) {
			t.Fatalf("Parse(%q) renders an unsafe tsquery %q", raw, s)
		}
		v := local.Design(raw, raw, q.Text())
		var norm float64
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				t.Fatalf("embedding of %q holds %v", raw, x)
			}
			norm += float64(x) * float64(x)
		}
		if norm != 0 && math.Abs(norm-1) > 1e-3 {
			t.Fatalf("embedding of %q has squared length %v", raw, norm)
		}
	})
}

// FuzzSplit: a word is split only into words the library knows, of three
// letters or more, that make up the word exactly; adjective bases are
// the word less its -y.
func FuzzSplit(f *testing.F) {
	for _, seed := range []string{"startrek", "celtictallknot", "vikinglongship", "spiderweb", "aaaaaaaaaaaaaaaaaaaaaaaa", "ünïcödé", "swirly", "starry", ""} {
		f.Add(seed)
	}
	vocab := map[string]bool{"star": true, "trek": true, "celtic": true, "tall": true, "knot": true, "viking": true, "longship": true,
		"spider": true, "web": true, "aaa": true, "aaaa": true, "swirl": true}
	known := func(w string) bool { return vocab[w] }
	f.Fuzz(func(t *testing.T, w string) {
		if len(w) > maxWordBytes {
			w = w[:maxWordBytes]
		}
		parts := split(w, known, 3)
		if parts != nil && (len(parts) < 2 || len(parts) > 3 || strings.Join(parts, "") != w) {
			t.Fatalf("split(%q) = %q", w, parts)
		}
		for _, p := range parts {
			if !known(p) || len([]rune(p)) < 3 {
				t.Fatalf("split(%q) = %q: %q is not a known word of three letters", w, parts, p)
			}
		}
		for _, b := range adjectiveBases(w) {
			if len(b) < 4 || !strings.HasPrefix(w, b[:len(b)-1]) {
				t.Fatalf("adjectiveBases(%q) holds %q", w, b)
			}
		}
	})
}
