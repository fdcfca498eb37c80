package ingest

import (
	"encoding/binary"
	"github.com/patternvault/patternvault/internal/lazy"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Notes is what a notes or copyright file (or a QLI's NO INFO lines) says
// about a design. Empty fields were not found.
type Notes struct {
	Designer string // "Jane Doe", from "Designed by Jane Doe", "Designer: ...", "© 2021 Jane Doe"
	URL      string // the first web address that is not a licence's
	License  string // "CC BY-SA", "CC BY-NC 4.0", "CC0", "Public domain", "All rights reserved"
	Text     string // the whole text, newlines normalised, at most MaxNotesText bytes
}

// MaxNotesText bounds Notes.Text; longer text is cut at a line break.
const MaxNotesText = 64 << 10

var (
	designedBy  = lazy.Regexp(`(?i)\b(?:designed|digiti[sz]ed|created|drawn|designs?)\s+by\b[:\s]*(.+)`)
	designerIs  = lazy.Regexp(`(?i)^\s*(?:designer|artist|author)\s*[:\-–]\s*(.+)`)
	copyrightBy = lazy.Regexp(`(?i)(?:©|\(c\)|\bcopyright\b)\s*(?:©|\(c\))?\s*(?:\d{4}(?:\s*[-–,/]\s*\d{4})*)?[\s,.:-]*(?:by\s+)?(.*)`)
	urlRe       = lazy.Regexp(`(?i)\bhttps?://[^\s<>"'()\[\]]+|\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s<>"'()\[\]]*`)
	ccShort     = lazy.Regexp(`(?i)\bCC[\s-]?(BY(?:[\s-](?:NC|SA|ND)){0,2})(?:[\s-]+(\d\.\d))?\b`)
	ccLong      = lazy.Regexp(`(?i)creative\s+commons\s+(?:attribution[\s-]*)?\(?(BY(?:[\s-](?:NC|SA|ND)){0,2})\b(?:[\s-]+(\d\.\d))?`)
	ccURL       = lazy.Regexp(`(?i)creativecommons\.org/licenses/((?:by)(?:-(?:nc|sa|nd)){0,2})(?:/(\d\.\d))?`)
	cc0Re       = lazy.Regexp(`(?i)\bCC0\b|creativecommons\.org/publicdomain/zero`)
	licenseWord = lazy.Regexp(`(?i)creative|commons|\bcc\b|licen[cs]e|public domain|all rights|reserved`)
)

// ParseNotes reads a notes, readme or copyright text. It finds the
// designer ("Designed by X", "Designer: X", or the holder in "© 2021 X",
// unless that holder is a licence such as "Creative Commons"), the first
// web address that is not a licence's, and a licence.
func ParseNotes(text string) Notes {
	text = normaliseText(text)
	n := Notes{Text: cutText(text, MaxNotesText)}
	n.Designer = findDesigner(text)
	n.URL = findURL(text)
	n.License = findLicense(text)
	return n
}

// ParseInfoLines reads a QLI's metadata lines, with or without their
// "NO INFO" prefix ("NO INFO Designed by Jane Doe", "NO INFO www.x.com").
func ParseInfoLines(lines []string) Notes {
	var b strings.Builder
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if len(l) >= 7 && strings.EqualFold(l[:7], "NO INFO") {
			l = strings.TrimSpace(l[7:])
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return ParseNotes(b.String())
}

// InfoLines returns the "NO INFO ..." lines of a QLI file, prefix kept.
func InfoLines(qli []byte) []string {
	var out []string
	for line := range strings.Lines(decodeText(qli)) {
		line = strings.TrimSpace(line)
		if len(line) >= 7 && strings.EqualFold(line[:7], "NO INFO") {
			out = append(out, line)
		}
	}
	return out
}

// merge fills n's empty fields from o and appends o's text.
func (n Notes) merge(o Notes) Notes {
	if n.Designer == "" {
		n.Designer = o.Designer
	}
	if n.URL == "" {
		n.URL = o.URL
	}
	if n.License == "" {
		n.License = o.License
	}
	switch {
	case o.Text == "" || strings.Contains(n.Text, o.Text):
	case n.Text == "":
		n.Text = o.Text
	default:
		n.Text = cutText(n.Text+"\n\n"+o.Text, MaxNotesText)
	}
	return n
}

func findDesigner(text string) string {
	lines := strings.Split(text, "\n")
	for _, re := range []*regexp.Regexp{designedBy(), designerIs()} {
		for _, l := range lines {
			if m := re.FindStringSubmatch(l); m != nil {
				if name := tidyPerson(m[1]); name != "" {
					return name
				}
			}
		}
	}
	for _, l := range lines {
		if m := copyrightBy().FindStringSubmatch(l); m != nil {
			if name := tidyPerson(m[1]); name != "" && !licenseWord().MatchString(name) {
				return name
			}
		}
	}
	return ""
}

// tidyPerson cuts a captured name at the first URL, separator or sentence
// end, and returns "" for anything that does not look like a name.
func tidyPerson(s string) string {
	if loc := urlRe().FindStringIndex(s); loc != nil {
		s = s[:loc[0]]
	}
	for _, sep := range []string{" - ", " – ", " | ", "(", ",", ";", ". ", " at ", " for ", "all rights", "All rights", "All Rights"} {
		if i := strings.Index(s, sep); i >= 0 {
			s = s[:i]
		}
	}
	s = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), ".:;,-–!"))
	if s == "" || utf8.RuneCountInString(s) > 60 || !strings.ContainsFunc(s, unicode.IsLetter) {
		return ""
	}
	return s
}

func findURL(text string) string {
	for _, u := range urlRe().FindAllString(text, -1) {
		u = strings.TrimRight(u, ".,;:!?")
		if strings.Contains(strings.ToLower(u), "creativecommons.org") {
			continue
		}
		if !strings.Contains(strings.ToLower(u[:min(len(u), 8)]), "://") {
			u = "http://" + u
		}
		return u
	}
	return ""
}

func findLicense(text string) string {
	if m := ccURL().FindStringSubmatch(text); m != nil {
		return ccName(m[1], m[2])
	}
	if cc0Re().MatchString(text) {
		return "CC0"
	}
	best, at := "", len(text)+1
	for _, re := range []*regexp.Regexp{ccShort(), ccLong()} {
		if loc := re.FindStringSubmatchIndex(text); loc != nil && loc[0] < at {
			version := ""
			if loc[4] >= 0 {
				version = text[loc[4]:loc[5]]
			}
			best, at = ccName(text[loc[2]:loc[3]], version), loc[0]
		}
	}
	if best != "" {
		return best
	}
	lower := strings.ToLower(text)
	switch {
	case strings.Contains(lower, "public domain"):
		return "Public domain"
	case strings.Contains(lower, "all rights reserved"):
		return "All rights reserved"
	}
	return ""
}

// ccName normalises "by sa", "BY-SA" and a version to "CC BY-SA 4.0".
func ccName(kind, version string) string {
	kind = strings.ToUpper(strings.Join(strings.FieldsFunc(kind, func(r rune) bool { return r == ' ' || r == '-' }), "-"))
	if version != "" {
		return "CC " + kind + " " + version
	}
	return "CC " + kind
}

// normaliseText drops a BOM, turns CRLF and CR into LF, and trims.
func normaliseText(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.TrimSpace(s)
}

// cutText shortens s to at most n bytes, at a line break when possible and
// never inside a UTF-8 sequence.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	if i := strings.LastIndexByte(s, '\n'); i > n/2 {
		return s[:i]
	}
	return strings.ToValidUTF8(s, "")
}

// decodeText turns a text file's bytes into a string: UTF-16 with a BOM is
// decoded, valid UTF-8 is kept, and anything else is read as Windows-1252
// (what Notepad on an older Windows writes).
func decodeText(b []byte) string {
	switch {
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		return decodeUTF16(b[2:], binary.LittleEndian)
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		return decodeUTF16(b[2:], binary.BigEndian)
	case utf8.Valid(b):
		return strings.TrimPrefix(string(b), "\uFEFF")
	}
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		switch {
		case c < 0x80:
			sb.WriteByte(c)
		case c < 0xA0:
			sb.WriteRune(cp1252[c-0x80])
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// cp1252 maps bytes 0x80–0x9F of Windows-1252; the rest is Latin-1.
var cp1252 = []rune("€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ")

func decodeUTF16(b []byte, order binary.ByteOrder) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = order.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}
