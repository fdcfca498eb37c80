package ingest

import "strings"

// noiseWords say nothing about what a design looks like: file formats,
// versions and copies, decorations of pictures, and words every design in
// a quilting library would share. Digits-only words and version marks
// ("v2", "v1.3") are dropped too.
var noiseWords = set(
	// formats
	"qli", "bqm", "plt", "hpgl", "dxf", "csq", "qcc", "iqp", "hqf", "ssd", "cqp", "cmd",
	"pat", "txt", "mqr", "ans", "svg", "jpg", "jpeg", "png", "gif", "wmf", "emf", "bmp",
	"pdf", "zip",
	// versions and copies
	"v", "ver", "version", "rev", "final", "copy", "new", "old", "edit", "edited",
	// decorations
	"pic", "pics", "picture", "photo", "preview", "animated", "animation", "image",
	"img", "thumb", "thumbnail", "sample", "stitchout",
	// shared by every design
	"design", "designs", "pattern", "patterns", "quilting", "longarm", "file", "files",
)

// stopWords are the English function words dropped from keywords; the list
// is deliberately small so that motif words are never lost.
var stopWords = set("a", "an", "and", "the", "of", "in", "on", "for", "with", "to", "by", "at", "or", "from", "my")

// Keywords returns search words for a design from its folder path and its
// file stem (name without extension): lower-case words from the file name
// first, then from the folders, innermost first, without duplicates. Type
// words ("e2e", "edge to edge", "panto", "border", "block"...) are left to
// TypeHint; noiseWords, stopWords, one-letter words, digits-only words and
// versions are dropped.
func Keywords(folderPath, fileStem string) []string {
	names := []string{stripDecorations(fileStem)}
	folders := strings.Split(strings.ReplaceAll(folderPath, `\`, "/"), "/")
	for i := len(folders) - 1; i >= 0; i-- {
		names = append(names, folders[i])
	}
	var out []string
	seen := map[string]bool{}
	for _, name := range names {
		_, ws := typeOf(words(name))
		for _, w := range ws {
			if seen[w] || !isKeyword(w) {
				continue
			}
			seen[w] = true
			out = append(out, w)
		}
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
