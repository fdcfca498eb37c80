// Package search turns what a quilter types into a search of her library:
// it drops filler words, keeps quoted phrases and -exclusions, recognises
// filters written in words ("border", "qli", "favorites"), expands words
// with the project's quilting thesaurus, and fuses full-text, typo
// (trigram) and exact-name results by reciprocal rank.
package search

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
)

//go:embed thesaurus.txt
var thesaurusText string

// Thesaurus maps words to their synonyms and broader terms.
type Thesaurus struct {
	synonyms map[string][]string // word → the others of its set
	broader  map[string][]string // narrower word → broader terms
	narrower map[string][]string // broader term → narrower words
	canon    map[string]string   // word → the head word of its synonym set
	revision string              // a digest of the text it was parsed from
}

var (
	loadOnce sync.Once
	builtin  *Thesaurus
	loadErr  error
)

// Builtin returns the project's thesaurus, parsed once.
func Builtin() *Thesaurus {
	loadOnce.Do(func() { builtin, loadErr = ParseThesaurus(thesaurusText) })
	if loadErr != nil {
		panic(loadErr) // the file is part of the build; a test catches this
	}
	return builtin
}

// Revision names the thesaurus's content: it changes whenever an entry
// does, so vectors computed over an older one are recomputed.
func (th *Thesaurus) Revision() string { return th.revision }

// ParseThesaurus reads the thesaurus format (see thesaurus.txt).
func ParseThesaurus(text string) (*Thesaurus, error) {
	digest := sha256.Sum256([]byte(text))
	th := &Thesaurus{synonyms: map[string][]string{}, broader: map[string][]string{}, narrower: map[string][]string{}, canon: map[string]string{},
		revision: hex.EncodeToString(digest[:4])}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if head, rest, ok := strings.Cut(line, "="); ok {
			words := append([]string{clean(head)}, list(rest)...)
			if bad(words) {
				return nil, fmt.Errorf("search: thesaurus line %d: %q: empty word", n+1, line)
			}
			for _, w := range words {
				if _, ok := th.canon[w]; !ok {
					th.canon[w] = words[0]
				}
				for _, o := range words {
					if o != w {
						th.synonyms[w] = appendNew(th.synonyms[w], o)
					}
				}
			}
			continue
		}
		if head, rest, ok := strings.Cut(line, ">"); ok {
			w, broad := clean(head), list(rest)
			if bad(append(broad, w)) {
				return nil, fmt.Errorf("search: thesaurus line %d: %q: empty word", n+1, line)
			}
			for _, b := range broad {
				th.broader[w] = appendNew(th.broader[w], b)
				th.narrower[b] = appendNew(th.narrower[b], w)
			}
			continue
		}
		return nil, fmt.Errorf("search: thesaurus line %d: %q: want \"a = b, c\" or \"a > b, c\"", n+1, line)
	}
	return th, nil
}

func clean(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		out = append(out, clean(p))
	}
	return out
}

func bad(ws []string) bool {
	for _, w := range ws {
		if w == "" {
			return true
		}
	}
	return false
}

func appendNew(list []string, w string) []string {
	for _, x := range list {
		if x == w {
			return list
		}
	}
	return append(list, w)
}

// Expand returns the words a search for w should also match: its
// synonyms, and the narrower words of which it is the broader term
// ("insect" finds butterflies). Not the broader terms: a search for
// "butterfly" should not find every insect.
func (th *Thesaurus) Expand(w string) []string {
	var out []string
	for _, s := range th.synonyms[w] {
		out = appendNew(out, s)
	}
	for _, n := range th.narrower[w] {
		out = appendNew(out, n)
		for _, s := range th.synonyms[n] {
			out = appendNew(out, s)
		}
	}
	return out
}

// Size reports how many words the thesaurus knows.
func (th *Thesaurus) Size() int {
	seen := map[string]bool{}
	for w := range th.synonyms {
		seen[w] = true
	}
	for w := range th.broader {
		seen[w] = true
	}
	for w := range th.narrower {
		seen[w] = true
	}
	return len(seen)
}

// Concept returns the head word of w's synonym set (w itself when it has
// none), and the heads of its broader terms: "spiral" → swirl; "dragonfly"
// → dragonfly, [insect]. The local embedding maps words to concepts so
// that synonyms land on the same dimension.
func (th *Thesaurus) Concept(w string) (string, []string) {
	head := w
	if c, ok := th.canon[w]; ok {
		head = c
	}
	var broader []string
	for _, x := range []string{w, head} {
		for _, b := range th.broader[x] {
			if c, ok := th.canon[b]; ok {
				b = c
			}
			broader = appendNew(broader, b)
		}
	}
	return head, broader
}

// Known reports whether the thesaurus holds w (a word or a phrase).
func (th *Thesaurus) Known(w string) bool {
	_, syn := th.synonyms[w]
	_, br := th.broader[w]
	_, nar := th.narrower[w]
	return syn || br || nar
}
