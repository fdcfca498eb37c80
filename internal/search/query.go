package search

import (
	"strings"
	"unicode"
)

// Query is a parsed search.
type Query struct {
	// Terms are the words that must match, each with its alternatives.
	Terms []Term
	// Phrases must appear as written.
	Phrases [][]string
	// Not words must not appear.
	Not []string
	// Filters recognised in the words.
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
}

// Empty reports whether nothing is left to match by words.
func (q Query) Empty() bool { return len(q.Terms) == 0 && len(q.Phrases) == 0 }

// filler words carry no meaning in a search.
var filler = set("a", "an", "and", "the", "with", "of", "for", "in", "on", "to", "my", "me", "some", "any", "all",
	"design", "designs", "pattern", "patterns", "quilting", "quilt", "please", "show", "find", "that", "has", "have", "or")

// typeWords are filters written in words.
var typeWords = map[string]string{
	"e2e": "e2e", "pantograph": "e2e", "pantographs": "e2e", "panto": "e2e", "pantos": "e2e",
	"border": "border", "borders": "border", "corner": "corner", "corners": "corner",
	"block": "block", "blocks": "block", "triangle": "triangle", "triangles": "triangle",
	"panel": "panel", "panels": "panel", "medallion": "panel",
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

// Parse reads what was typed.
func Parse(raw string, th *Thesaurus) Query {
	q := Query{Raw: raw}
	text := fold(raw)
	// "edge to edge" is one filter word.
	text = strings.ReplaceAll(text, "edge to edge", "e2e")
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
			for _, w := range words(tok.text) {
				switch {
				case filler[w]:
				case typeWords[w] != "" && q.Type == "":
					q.Type = typeWords[w]
				case formatWords[w] != "" && q.Format == "":
					q.Format = formatWords[w]
				case w == "favorites" || w == "favourites" || w == "favorite" || w == "favourite":
					q.Favorites = true
				default:
					q.Terms = append(q.Terms, Term{Word: w})
				}
			}
		}
	}
	for i := range q.Terms {
		w := q.Terms[i].Word
		alts := []string{}
		if s := Singular(w); s != w {
			alts = append(alts, s)
		}
		if th != nil {
			for _, base := range append([]string{w}, alts...) {
				for _, e := range th.Expand(base) {
					alts = appendNew(alts, e)
				}
			}
		}
		q.Terms[i].Alts = alts
	}
	return q
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

// Singular undoes common English plurals: butterflies → butterfly,
// leaves → leaf, boxes → box, swirls → swirl.
func Singular(w string) string {
	if irregular[w] != "" {
		return irregular[w]
	}
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 4 && strings.HasSuffix(w, "ves"):
		return w[:len(w)-3] + "f"
	case len(w) > 4 && (strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "sses")):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
		return w[:len(w)-1]
	}
	return w
}

var irregular = map[string]string{"geese": "goose", "mice": "mouse", "children": "child", "feet": "foot", "teeth": "tooth", "men": "man", "women": "woman", "sheep": "sheep", "fish": "fish", "deer": "deer"}

// Words returns the folded, singular words of s, for the local embedding.
func Words(s string) []string {
	ws := words(fold(s))
	for i, w := range ws {
		ws[i] = Singular(w)
	}
	return ws
}

// Text is what the query means in words, for embedding: its terms and
// phrases without filters, filler or exclusions.
func (q Query) Text() string {
	var ws []string
	for _, t := range q.Terms {
		ws = append(ws, t.Word)
	}
	for _, p := range q.Phrases {
		ws = append(ws, p...)
	}
	return strings.Join(ws, " ")
}
