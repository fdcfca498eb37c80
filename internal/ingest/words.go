package ingest

import (
	"regexp"
	"strings"
)

// wordRe finds words: a version mark ("v2", "v1.3") or a run of letters
// and digits.
var wordRe = regexp.MustCompile(`\bv\d+(?:\.\d+)*\b|[\p{L}\p{N}]+`)

// words splits a name into lower-case words, keeping version marks whole.
func words(s string) []string {
	return wordRe.FindAllString(strings.ToLower(s), -1)
}

var versionRe = regexp.MustCompile(`^v\d+(?:\.\d+)*$`)

func isVersion(w string) bool { return versionRe.MatchString(w) }

func isDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

func isAlpha(w string) bool {
	for _, r := range w {
		if r >= '0' && r <= '9' {
			return false
		}
	}
	return w != ""
}

// decorationWords mark a picture or variant of a design rather than a
// different design: "name (pic).jpg", "name-animated.gif".
var decorationWords = set("pic", "pics", "picture", "photo", "preview", "animated",
	"animation", "gif", "image", "img", "thumb", "thumbnail", "sample", "stitchout")

// decoratedRe matches a bracketed group, e.g. "(animated gif)".
var decoratedRe = regexp.MustCompile(`[(\[]([^)\]]*)[)\]]`)

// stripDecorations removes bracketed groups made only of decoration words,
// and decoration words at the end of the name ("-animated", " pic"),
// keeping at least one word.
func stripDecorations(stem string) string {
	stem = decoratedRe.ReplaceAllStringFunc(stem, func(g string) string {
		for _, w := range words(g) {
			if !decorationWords[w] {
				return g
			}
		}
		return " "
	})
	for {
		trimmed := strings.TrimRight(stem, " -_.")
		i := strings.LastIndexAny(trimmed, " -_.")
		if i < 0 || !decorationWords[strings.ToLower(trimmed[i+1:])] {
			return trimmed
		}
		stem = trimmed[:i]
	}
}

// typeWords map words (and the phrase "edge to edge") to design types.
var typeWords = map[string]string{
	"e2e": "e2e", "panto": "e2e", "pantos": "e2e", "pantograph": "e2e",
	"pantographs": "e2e", "edgetoedge": "e2e", "edge2edge": "e2e",
	"border": "border", "borders": "border",
	"corner": "corner", "corners": "corner",
	"block": "block", "blocks": "block",
	"triangle": "triangle", "triangles": "triangle",
	"panel": "panel", "panels": "panel",
}

// typeOf returns the design type named in ws ("" for none), and ws with
// type words removed. The first type word wins, except that "corner" beats
// "border" (a border's corner).
func typeOf(ws []string) (string, []string) {
	kind := ""
	rest := make([]string, 0, len(ws))
	for i := 0; i < len(ws); i++ {
		t := typeWords[ws[i]]
		if t == "" && ws[i] == "edge" && i+2 < len(ws) && (ws[i+1] == "to" || ws[i+1] == "2") && ws[i+2] == "edge" {
			t, i = "e2e", i+2
		}
		if t == "" {
			rest = append(rest, ws[i])
			continue
		}
		if kind == "" || t == "corner" && kind == "border" {
			kind = t
		}
	}
	return kind, rest
}

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
