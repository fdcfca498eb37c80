package ingest

import (
	"cmp"
	"github.com/patternvault/patternvault/internal/lazy"
	"path"
	"slices"
	"strings"
	"unicode"
)

// formatRank orders design formats when one must name the design: the
// richer, more common machine formats first.
var formatRank = []string{"qli", "bqm", "dxf", "plt", "hpgl", "hpg", "csq", "qcc", "iqp", "hqf", "ssd", "cqp", "cmd", "pat", "mqr", "4dq", "qdata", "tap", "xy", "txt", "svg", "ans", ""}

var roleRank = map[Role]int{RoleDesign: 0, RolePicture: 1, RoleOther: 2, RoleNotes: 3}

func rankFormat(ext string) int {
	if i := slices.Index(formatRank, ext); i >= 0 {
		return i
	}
	return len(formatRank)
}

// design turns a family into a Design.
func (fam *family) design(parsed map[string]Notes) Design {
	d := Design{Folder: fam.folder}
	// Notes closest to the design first: a folder's own notes say more
	// than a readme at the top of the ZIP.
	slices.SortStableFunc(fam.notes, func(a, b DesignFile) int {
		return cmp.Or(-cmp.Compare(strings.Count(a.Path, "/"), strings.Count(b.Path, "/")), cmp.Compare(a.Path, b.Path))
	})
	d.Files = slices.Clone(fam.files)
	slices.SortStableFunc(d.Files, func(a, b DesignFile) int {
		return cmp.Or(cmp.Compare(roleRank[a.Role], roleRank[b.Role]), cmp.Compare(a.Path, b.Path))
	})
	d.Files = append(d.Files, fam.notes...)
	namer := fam.namingFile()
	stem, _ := splitExt(path.Base(namer.Path))
	d.Name = DisplayName(stem)
	if namer.Role == RoleNotes && fam.folder != "" {
		d.Name = DisplayName(path.Base(fam.folder))
	}
	if d.Name == "" {
		d.Name = "Untitled"
	}
	d.Type = TypeHint(namer.Path)
	d.Keywords = Keywords(fam.folder, stem)
	d.Notes = fam.collectNotes(parsed)
	return d
}

// namingFile picks the file to name the design after: among its design
// files (all its files when it has none), the stem most of its design
// files and matching pictures share (so one misspelt format does not name
// the design, and a picture that only joined it for want of a better
// design does not either), on a tie the longer stem (typos drop letters
// more often than they add them), then the highest ranked format.
func (fam *family) namingFile() DesignFile {
	count := map[string]int{}
	var candidates []DesignFile
	for _, f := range fam.files {
		if f.Role == RoleDesign {
			candidates = append(candidates, f)
		}
		if f.Role == RoleDesign || f.Role == RolePicture && (len(fam.key) == 0 || sameDesign(matchWords(f.Path), fam.key)) {
			count[strings.Join(stemKey(f.Path), " ")]++
		}
	}
	if len(candidates) == 0 {
		candidates = slices.Clone(fam.files)
	}
	if len(candidates) == 0 {
		candidates = fam.notes
	}
	return slices.MinFunc(candidates, func(a, b DesignFile) int {
		ka, kb := strings.Join(stemKey(a.Path), " "), strings.Join(stemKey(b.Path), " ")
		return cmp.Or(
			-cmp.Compare(count[ka], count[kb]),
			-cmp.Compare(len(ka), len(kb)), // a typo more often drops a letter than adds one
			cmp.Compare(roleRank[a.Role], roleRank[b.Role]),
			cmp.Compare(rankFormat(a.Format), rankFormat(b.Format)),
			cmp.Compare(a.Path, b.Path),
		)
	})
}

// collectNotes merges the design's QLI NO INFO lines (designer and URL
// first) with its notes files (text first).
func (fam *family) collectNotes(parsed map[string]Notes) Notes {
	var fromFiles Notes
	for _, n := range append(slices.Clip(fam.notes), fam.shared...) {
		p, ok := parsed[n.Path]
		if !ok {
			p = notesOf(n)
			parsed[n.Path] = p
		}
		fromFiles = fromFiles.merge(p)
	}
	var fromQLI Notes
	for _, f := range fam.files {
		if f.Format == "qli" {
			if lines := InfoLines(f.Data); len(lines) > 0 {
				fromQLI = fromQLI.merge(ParseInfoLines(lines))
			}
		}
	}
	out := fromQLI.merge(fromFiles)
	out.Text = fromFiles.merge(fromQLI).Text
	return out
}

// notesOf parses a notes file whose format is plain text; others (PDF,
// DOC, RTF, HTML) are kept but not read.
func notesOf(f DesignFile) Notes {
	switch f.Format {
	case "txt", "md", "":
		return ParseNotes(decodeText(f.Data))
	}
	return Notes{}
}

var (
	versionInName = lazy.Regexp(`(?i)(^|[\s_.-])(?:v|ver\.?|version)\s?\d+(?:\.\d+)*\b`)
	typePrefix    = lazy.Regexp(`(?i)^\s*(?:e2e|edge[\s-]?(?:to|2)[\s-]?edge|panto(?:graph)?s?|borders?|corners?|blocks?|blks?|triangles?|panels?)\s*[-–:_]\s*`)
	e2eWord       = lazy.Regexp(`(?i)^\s*(?:e2e|panto(?:graph)?s?)\b\s*|\s*\b(?:e2e|panto(?:graph)?s?)\s*$`)
	spaces        = lazy.Regexp(`\s+`)
	camelBreak    = lazy.Regexp(`(\p{Ll})(\p{Lu})`)
)

// smallWords stay lower-case inside a title.
var smallWords = set("a", "an", "and", "the", "of", "in", "on", "for", "to", "with", "or", "at", "by")

// DisplayName turns a file stem into a name for people:
// "e2e - viking longship v2 (pic)" → "Viking Longship", "Blk - Teddy
// Bear" → "Teddy Bear",
// "tall-celtic-knot" → "Tall Celtic Knot", "triangle - 3-looped celtic
// knot v1" → "3-Looped Celtic Knot". It drops decorations, versions and a
// type prefix, reads underscores (and, in names without spaces, hyphens
// between letters and camel case) as spaces, and capitalises names written
// all in one case; mixed case is the designer's and is kept.
func DisplayName(stem string) string {
	s := stripDecorations(stem)
	s = strings.ReplaceAll(s, "_", " ")
	s = versionInName().ReplaceAllString(s, "$1")
	s = typePrefix().ReplaceAllString(s, "")
	s = e2eWord().ReplaceAllString(s, "")
	if !strings.Contains(strings.TrimSpace(s), " ") {
		s = splitJoined(s)
	}
	s = strings.Trim(spaces().ReplaceAllString(s, " "), " -–.,:;")
	if s == "" {
		return ""
	}
	if oneCase(s) {
		s = titleCase(s)
	}
	return s
}

// splitJoined reads "tall-celtic-knot" and "VikingLongship" as words;
// hyphens next to digits ("3-looped") stay.
func splitJoined(s string) string {
	r := []rune(s)
	for i := 1; i+1 < len(r); i++ {
		if r[i] == '-' && unicode.IsLetter(r[i-1]) && unicode.IsLetter(r[i+1]) {
			r[i] = ' '
		}
	}
	return camelBreak().ReplaceAllString(string(r), "$1 $2")
}

// oneCase reports whether the letters of s are all lower or all upper case.
func oneCase(s string) bool {
	hasLower := strings.ContainsFunc(s, unicode.IsLower)
	hasUpper := strings.ContainsFunc(s, unicode.IsUpper)
	return !(hasLower && hasUpper)
}

// titleCase capitalises each word (and each part after a hyphen), leaving
// small words lower-case except the first.
func titleCase(s string) string {
	ws := strings.Fields(strings.ToLower(s))
	for i, w := range ws {
		if i > 0 && smallWords[w] {
			continue
		}
		parts := strings.Split(w, "-")
		for j, p := range parts {
			parts[j] = upperFirst(p)
		}
		ws[i] = strings.Join(parts, "-")
	}
	return strings.Join(ws, " ")
}

// upperFirst capitalises w when it starts with a letter ("12in" stays).
func upperFirst(w string) string {
	r := []rune(w)
	if len(r) > 0 && unicode.IsLetter(r[0]) {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}
