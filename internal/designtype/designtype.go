// Package designtype names the kinds of quilting design PatternVault
// knows: their codes (stored, sent by the API, used in filters), the word
// people read for each, and the words people and designers write for them
// ("panto", "blk", "edge to edge"). Import, search, the pages and the API
// all ask here, so a type reads the same everywhere.
package designtype

import "strings"

// The type codes. The shape analysis (internal/geom/shape) reports the
// same strings.
const (
	E2E      = "e2e"      // an edge-to-edge (pantograph) row that repeats across the quilt
	Border   = "border"   // a long strip for a border
	Corner   = "corner"   // an L-shaped design for a border's corner
	Block    = "block"    // a stand-alone design for a block (or a motif placed once)
	Triangle = "triangle" // a design for a (setting) triangle
	Panel    = "panel"    // a large design that does not repeat
)

// Codes are the type codes in the order the pages list them.
var Codes = []string{E2E, Border, Corner, Block, Triangle, Panel}

// words are what people read for each code.
var words = map[string]string{
	E2E: "Edge to edge", Border: "Border", Corner: "Corner", Block: "Block", Triangle: "Triangle", Panel: "Panel",
}

// Word returns the word people read for a type code ("e2e" → "Edge to
// edge"): "" for no type, and the code itself for one this version does
// not know (nothing is hidden).
func Word(code string) string {
	if w, ok := words[code]; ok {
		return w
	}
	return code
}

// Valid reports whether code is one of Codes.
func Valid(code string) bool {
	_, ok := words[code]
	return ok
}

// aliases are the single words that name a type in file and folder names
// and in searches: codes, plurals, shop abbreviations.
var aliases = map[string]string{
	"e2e": E2E, "panto": E2E, "pantos": E2E, "pantograph": E2E, "pantographs": E2E,
	"edgetoedge": E2E, "edge2edge": E2E, "allover": E2E,
	"border": Border, "borders": Border,
	"corner": Corner, "corners": Corner,
	"block": Block, "blocks": Block, "blk": Block, "blks": Block,
	"triangle": Triangle, "triangles": Triangle,
	"panel": Panel, "panels": Panel,
}

// FromWord returns the type code a single lower-case word names ("panto"
// → "e2e", "blk" → "block", "borders" → "border"), or "".
func FromWord(w string) string { return aliases[w] }

// FromWords returns the type named at the start of ws, and how many words
// name it: "edge to edge" and "edge 2 edge" are three words, "edge-to-edge"
// split into words too; a single alias is one. It returns "", 0 when ws
// does not start with a type.
func FromWords(ws []string) (string, int) {
	if len(ws) == 0 {
		return "", 0
	}
	if len(ws) >= 3 && ws[0] == "edge" && (ws[1] == "to" || ws[1] == "2") && ws[2] == "edge" {
		return E2E, 3
	}
	if t := aliases[ws[0]]; t != "" {
		return t, 1
	}
	return "", 0
}

// Parse reads a type as a form or the API sends it: a code, a word
// people read ("Edge to edge") or an alias, in any case; "" and "none"
// clear the type. ok is false for anything else.
func Parse(s string) (code string, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || s == "none" {
		return "", true
	}
	if Valid(s) {
		return s, true
	}
	ws := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' })
	if t, n := FromWords(ws); t != "" && n == len(ws) {
		return t, true
	}
	return "", false
}
