package kit

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxNameLen is the longest file or folder name a kit holds, extension
// included: older machine software and some USB sticks refuse longer ones.
const MaxNameLen = 64

// folded spells letters that lose nothing readable as plain ASCII.
var folded = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "AE", 'œ': "oe", 'Œ': "OE", 'ø': "o", 'Ø': "O",
	'đ': "d", 'Đ': "D", 'ł': "l", 'Ł': "L", 'þ': "th", 'Þ': "Th", 'ð': "d",
	'‘': "'", '’': "'", '“': "", '”': "", '–': "-", '—': "-", '&': " and ",
}

// reserved are the device names Windows refuses as a file's name, with
// or without an extension.
var reserved = map[string]bool{"con": true, "prn": true, "aux": true, "nul": true}

func init() {
	for i := 1; i <= 9; i++ {
		reserved["com"+strconv.Itoa(i)] = true
		reserved["lpt"+strconv.Itoa(i)] = true
	}
}

// SafeName turns a design's name into a name every machine's software and
// every file system takes: ASCII letters, digits, spaces and - _ ( ) . , '
// only (accents dropped, "ß" spelt "ss", anything else a space), no leading
// or trailing space or dot, no Windows device name, at most max characters
// (cut at a word when it can), never empty ("design").
func SafeName(name string, max int) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // an accent, split off its letter by NFKD
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" -_().,'", r)):
			b.WriteRune(r)
		case folded[r] != "":
			b.WriteString(folded[r])
		default:
			b.WriteByte(' ')
		}
	}
	s := strings.Join(strings.Fields(b.String()), " ")
	if len(s) > max {
		cut := s[:max]
		if i := strings.LastIndexByte(cut, ' '); i > max/2 {
			cut = cut[:i]
		}
		s = cut
	}
	s = strings.Trim(s, " .")
	if s == "" {
		s = "design"
	}
	if base, _, _ := strings.Cut(strings.ToLower(s), "."); reserved[base] {
		s = "_" + s[:min(len(s), max-1)]
	}
	return s
}

// namer hands out names unique within one folder, compared as Windows
// compares them (case-insensitively).
type namer struct{ used map[string]bool }

func newNamer() *namer { return &namer{used: map[string]bool{}} }

// name returns base + ext, made safe, at most MaxNameLen long, and unique
// in this folder: a second "Rose" becomes "Rose (2)". ext is "" or ".qli".
func (n *namer) name(base, ext string) string {
	if e := strings.TrimPrefix(ext, "."); e != "" && e != ext {
		ext = "." + strings.ToLower(SafeName(e, 9))
	} else {
		ext = ""
	}
	if ext == ".design" {
		ext = ""
	}
	room := MaxNameLen - len(ext)
	first := SafeName(base, room)
	for i := 1; ; i++ {
		cand := first
		if i > 1 {
			suffix := " (" + strconv.Itoa(i) + ")"
			cand = SafeName(base, room-len(suffix)) + suffix
		}
		if !n.used[strings.ToLower(cand+ext)] {
			n.used[strings.ToLower(cand+ext)] = true
			return cand + ext
		}
	}
}

// splitExt splits a stored file's name into its base and its extension
// (with the dot; "" when it has none or an implausible one).
func splitExt(name string) (string, string) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || len(name)-i > 8 {
		return name, ""
	}
	return name[:i], name[i:]
}
