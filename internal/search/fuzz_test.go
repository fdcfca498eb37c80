package search

import (
	"math"
	"regexp"
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
