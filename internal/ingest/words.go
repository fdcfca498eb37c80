package ingest

import (
	"github.com/patternvault/patternvault/internal/lazy"
	"strings"

	"github.com/patternvault/patternvault/internal/designtype"
)

// wordRe finds words: a version mark ("v2", "v1.3") or a run of letters
// and digits.
var wordRe = lazy.Regexp(`\bv\d+(?:\.\d+)*\b|[\p{L}\p{N}]+`)

// words splits a name into lower-case words, keeping version marks whole.
func words(s string) []string {
	return wordRe().FindAllString(strings.ToLower(s), -1)
}

var versionRe = lazy.Regexp(`^v\d+(?:\.\d+)*$`)

func isVersion(w string) bool { return versionRe().MatchString(w) }

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
// different design: "name (pic).jpg", "name-animated.gif", "name (vid).mp4".
var decorationWords = set("pic", "pics", "picture", "photo", "preview", "animated",
	"animation", "gif", "image", "img", "thumb", "thumbnail", "sample", "stitchout",
	"vid", "video", "mp4")

// decoratedRe matches a bracketed group, e.g. "(animated gif)".
var decoratedRe = lazy.Regexp(`[(\[]([^)\]]*)[)\]]`)

// stripDecorations removes bracketed groups made only of decoration words,
// and decoration words at the end of the name ("-animated", " pic"),
// keeping at least one word.
func stripDecorations(stem string) string {
	stem = decoratedRe().ReplaceAllStringFunc(stem, func(g string) string {
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

// typeOf returns the design type named in ws ("" for none), and ws with
// type words removed (designtype.FromWords: "blk", "panto", "edge to
// edge"...). "border corner" is a corner (a border's corner); a name that
// names two types otherwise ("Borders & Corners") names none: it is a
// shop's shelf of both, and the shape decides.
func typeOf(ws []string) (string, []string) {
	kind, mixed := "", false
	rest := make([]string, 0, len(ws))
	prev := ""
	for i := 0; i < len(ws); i++ {
		t, n := designtype.FromWords(ws[i:])
		if t == "" {
			rest = append(rest, ws[i])
			prev = ""
			continue
		}
		word := ws[i]
		i += n - 1
		switch {
		case kind == "" || kind == t:
			kind = t
		case t == designtype.Corner && prev == "border" && kind == designtype.Border:
			kind = t // "border corner", not "borders & corners"
		default:
			mixed = true
		}
		prev = word
	}
	if mixed {
		kind = ""
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
