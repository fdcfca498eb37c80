package search

import (
	"strings"
	"unicode"

	"github.com/patternvault/patternvault/internal/designtype"
	"github.com/patternvault/patternvault/internal/english"
)

// Query is a parsed search.
type Query struct {
	// Terms are the words that must match, each with its alternatives.
	Terms []Term
	// Phrases must appear as written.
	Phrases [][]string
	// Not words must not appear.
	Not []string
	// Filters recognised in the words. Type is the design type the first
	// type word names: it matches as a term (Term.Type), it does not
	// filter.
	Type      string
	Format    string
	Favorites bool
	// Raw is what was typed.
	Raw string
}

// Term is one typed word with the words that also count for it.
type Term struct {
	Word string
	Alts []string
	// Type is the design type the word names ("border", "e2e"), or "".
	// A type word matches the designs of that type and the designs whose
	// name holds it.
	Type string
}

// Empty reports whether nothing is left to match by words.
func (q Query) Empty() bool { return len(q.Terms) == 0 && len(q.Phrases) == 0 }

// filler words carry no meaning in a search: English function words and
// words every design of a quilting library would match.
var filler = set("a", "an", "and", "the", "with", "of", "for", "in", "on", "to", "my", "me", "some", "any", "all",
	"design", "designs", "pattern", "patterns", "quilting", "quilt", "please", "show", "find", "that", "has", "have", "or",
	"its", "it", "is", "are", "was", "be", "by", "from", "at", "as", "this", "these", "those", "them", "their", "i",
	"want", "need", "looking", "look", "like", "something", "anything", "very", "who", "which", "what", "where",
	"lots", "lot", "few", "kind", "kinds", "type", "types", "style", "ones", "your", "our", "can", "you", "get", "into")

// typeOf returns the design type a search word names: designtype's
// words, and "medallion" for a panel.
func typeOf(w string) string {
	if w == "medallion" || w == "medallions" {
		return designtype.Panel
	}
	return designtype.FromWord(w)
}

var formatWords = map[string]string{
	"qli": "qli", "bqm": "bqm", "plt": "plt", "dxf": "dxf", "svg": "svg", "csq": "csq", "qcc": "qcc",
	"hqf": "hqf", "iqp": "iqp", "statler": "qli", "gammill": "qli",
}

func set(ws ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// Parse reads what was typed. A type word ("border", "panto", "edge to
// edge") is a term that matches the designs of its type (and names that
// hold it); Type names the first one.
func Parse(raw string, th *Thesaurus) Query {
	q := Query{Raw: raw}
	text := fold(raw)
	// "edge to edge" is one type word.
	text = strings.ReplaceAll(text, "edge to edge", "e2e")
	text = strings.ReplaceAll(text, "edge 2 edge", "e2e")
	text = strings.ReplaceAll(text, "my favorites", "favorites")
	text = strings.ReplaceAll(text, "my favourites", "favorites")
	for _, tok := range tokens(text) {
		switch {
		case tok.phrase:
			ws := words(tok.text)
			if tok.not {
				q.Not = append(q.Not, ws...)
			} else if len(ws) == 1 {
				q.Terms = append(q.Terms, Term{Word: ws[0]})
			} else if len(ws) > 1 {
				q.Phrases = append(q.Phrases, ws)
			}
		case tok.not:
			q.Not = append(q.Not, words(tok.text)...)
		default:
			q.addWords(words(tok.text))
		}
	}
	for i := range q.Terms {
		t := &q.Terms[i]
		alts := []string{}
		if t.Type != "" && t.Type != t.Word {
			alts = append(alts, t.Type)
		}
		if s := Singular(t.Word); s != t.Word {
			alts = appendNew(alts, s)
		}
		if th != nil {
			for _, base := range append([]string{t.Word}, alts...) {
				for _, e := range th.Expand(base) {
					if t.Type != "" && e == "edge" {
						continue // "border = edge", but "edge" names edge-to-edge designs
					}
					alts = appendNew(alts, e)
				}
			}
		}
		t.Alts = alts
	}
	return q
}

// addWords adds the words of one unquoted token ("edge-to-edge" is one
// type word).
func (q *Query) addWords(ws []string) {
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		typ, n := designtype.FromWords(ws[i:])
		if n > 1 {
			w, i = typ, i+n-1
		} else {
			typ = typeOf(w)
		}
		switch {
		case typ != "":
			if q.Type == "" {
				q.Type = typ
			}
			q.Terms = append(q.Terms, Term{Word: w, Type: typ})
		case filler[w]:
		case formatWords[w] != "" && q.Format == "":
			q.Format = formatWords[w]
		case w == "favorites" || w == "favourites" || w == "favorite" || w == "favourite":
			q.Favorites = true
		default:
			q.Terms = append(q.Terms, Term{Word: w})
		}
	}
}

type token struct {
	text        string
	phrase, not bool
}

// tokens splits on spaces, keeping "quoted phrases" and -exclusions.
func tokens(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			break
		}
		not := false
		if s[i] == '-' && i+1 < len(s) && s[i+1] != ' ' {
			not = true
			i++
		}
		if s[i] == '"' {
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				end = len(s) - i - 1
			}
			out = append(out, token{text: s[i+1 : i+1+end], phrase: true, not: not})
			i += end + 2
			continue
		}
		end := strings.IndexByte(s[i:], ' ')
		if end < 0 {
			end = len(s) - i
		}
		out = append(out, token{text: s[i : i+end], not: not})
		i += end
	}
	return out
}

// words keeps letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// fold lower-cases and removes accents of Latin letters.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if f, ok := accents[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var accents = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae", 'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'œ': "oe",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss",
	'\u2018': "'", '\u2019': "'", '\u201c': "\"", '\u201d': "\"",
}

// Singular undoes English plurals (english.Singular): butterflies →
// butterfly, leaves → leaf, waves → wave, boxes → box, swirls → swirl.
func Singular(w string) string { return english.Singular(w) }

// Words returns the folded, singular words of s, for the local embedding.
func Words(s string) []string {
	ws := words(fold(s))
	for i, w := range ws {
		ws[i] = Singular(w)
	}
	return ws
}

// Text is what the query means in words, for embedding: its terms and
// phrases without type words, filters, filler or exclusions.
func (q Query) Text() string {
	var ws []string
	for _, t := range q.Terms {
		if t.Type == "" {
			ws = append(ws, t.Word)
		}
	}
	for _, p := range q.Phrases {
		ws = append(ws, p...)
	}
	return strings.Join(ws, " ")
}
