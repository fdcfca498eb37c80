package ingest

import (
	"strings"

	"github.com/patternvault/patternvault/internal/english"
)

// noiseWords say nothing about what a design looks like: file formats,
// versions and copies, decorations of pictures, words of the shop rather
// than the design, and words every design in a quilting library would
// share. Digits-only words and version marks ("v2", "v1.3") are dropped
// too.
var noiseWords = set(
	// formats
	"qli", "bqm", "plt", "hpgl", "hpg", "dxf", "csq", "qcc", "iqp", "hqf", "ssd", "cqp", "cmd",
	"pat", "txt", "mqr", "ans", "svg", "4dq", "qdata", "tap", "xy", "jpg", "jpeg", "png", "gif", "wmf", "emf", "bmp",
	"pdf", "zip", "mp4", "mov", "avi", "wmv", "m4v", "webm",
	// versions and copies
	"v", "ver", "version", "rev", "final", "copy", "new", "old", "edit", "edited",
	// decorations and attachments
	"pic", "pics", "picture", "photo", "preview", "animated", "animation", "image",
	"img", "thumb", "thumbnail", "sample", "stitchout", "vid", "vids", "video", "videos",
	// the shop's words
	"misc", "miscellaneous", "various", "assorted", "etc", "free", "freebie", "bonus",
	"digital", "download", "downloads", "dl", "untitled", "unnamed", "folder",
	// shared by every design
	"design", "designs", "pattern", "patterns", "quilting", "longarm", "file", "files",
)

// stopWords are English function words: they never describe a design
// ("that", "very", "who"). Motif words are never among them.
var stopWords = set(
	"a", "an", "and", "the", "of", "in", "on", "for", "with", "to", "by", "at", "or", "from", "my",
	"about", "above", "after", "again", "against", "all", "am", "any", "are", "as", "be", "because", "been",
	"before", "being", "below", "between", "both", "but", "can", "could", "did", "do", "does", "doing", "down",
	"during", "each", "few", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
	"him", "himself", "his", "how", "i", "if", "into", "is", "it", "its", "itself", "just", "me", "more", "most",
	"no", "nor", "not", "now", "off", "once", "only", "other", "our", "ours", "ourselves", "out", "over", "own",
	"same", "she", "should", "so", "some", "such", "than", "that", "their", "theirs", "them", "themselves",
	"then", "there", "these", "they", "this", "those", "through", "too", "under", "until", "up", "very", "was",
	"we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "would", "you",
	"your", "yours", "yourself", "yourselves", "also", "let", "lets", "us", "via", "per",
)

// Keywords returns search words for a design from its folder path and its
// file stem (name without extension): lower-case words from the file name
// first, then from the folders, innermost first, each once and in the
// singular (a plural pair is one keyword). Type words ("e2e", "edge to
// edge", "panto", "border", "blk"...) are left to TypeHint; noiseWords,
// stopWords, one-letter words, digits-only words and versions are
// dropped.
func Keywords(folderPath, fileStem string) []string {
	names := []string{stripDecorations(fileStem)}
	folders := strings.Split(strings.ReplaceAll(folderPath, `\`, "/"), "/")
	for i := len(folders) - 1; i >= 0; i-- {
		names = append(names, folders[i])
	}
	var all []string
	for _, name := range names {
		_, ws := typeOf(words(name))
		all = append(all, ws...)
	}
	// A plural and its singular are one keyword, the singular: when the
	// design's words hold both (bears, bear) or the singular is an English
	// word (roses → rose); a name the word list does not know stays as
	// written ("stitchables").
	has := map[string]bool{}
	for _, w := range all {
		has[w] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, w := range all {
		if !isKeyword(w) {
			continue
		}
		if s := english.Singular(w); s != w && isAlpha(w) && (has[s] || english.Known(s)) {
			w = s
		}
		if seen[w] || !isKeyword(w) {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

func isKeyword(w string) bool {
	return len([]rune(w)) > 1 && !isDigits(w) && !isVersion(w) && !noiseWords[w] && !stopWords[w]
}

// TypeHint returns the kind of design a path suggests: "e2e" (also from
// "edge to edge", "panto", "pantograph"), "border", "corner", "block",
// "triangle" or "panel", or "" when nothing says. The file name is asked
// first, then its folders from the innermost out; within one name the first
// type word wins, except that "corner" beats "border".
func TypeHint(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	parts := strings.Split(p, "/")
	last := len(parts) - 1
	parts[last], _ = splitExt(parts[last])
	for i := last; i >= 0; i-- {
		if kind, _ := typeOf(words(parts[i])); kind != "" {
			return kind
		}
	}
	return ""
}
