package ingest

import (
	"path"
	"slices"
	"strings"
)

// Role is what a file is to its design.
type Role string

// The roles of files in a design.
const (
	RoleDesign  Role = "design"  // a machine format or SVG: the design itself
	RolePicture Role = "picture" // a picture of the design (JPG, PNG, GIF, WMF, PDF...)
	RoleNotes   Role = "notes"   // notes, copyright or licence text
	RoleOther   Role = "other"   // anything else, kept as-is
)

// designExts are the quilting machine formats (and SVG), by extension:
// those internal/formats registers, including the ones kept byte-exact
// without a reader (4DQ, QDATA, TAP, XY...). "txt" is absent: a .txt is
// sniffed (PC Quilter design or notes).
var designExts = map[string]bool{
	"qli": true, "bqm": true, "plt": true, "hpgl": true, "hpg": true,
	"dxf": true, "csq": true, "qcc": true, "iqp": true, "hqf": true,
	"ssd": true, "cqp": true, "cmd": true, "pat": true, "mqr": true,
	"ans": true, "svg": true, "4dq": true, "qdata": true, "tap": true,
	"xy": true,
}

// pictureExts are pictures of designs.
var pictureExts = map[string]bool{
	"jpg": true, "jpeg": true, "png": true, "gif": true, "wmf": true,
	"emf": true, "bmp": true, "pdf": true, "webp": true, "tif": true,
	"tiff": true, "heic": true,
}

// notesExts are document formats that hold notes when named like notes.
var notesExts = map[string]bool{
	"txt": true, "rtf": true, "md": true, "pdf": true, "doc": true,
	"docx": true, "htm": true, "html": true, "": true,
}

// Ext returns the lower-case extension of p without the dot ("qli"). An
// "extension" of digits only or longer than five characters is not one:
// "spiderweb v1.3" has none.
func Ext(p string) string {
	_, ext := splitExt(path.Base(p))
	return strings.ToLower(ext)
}

// splitExt splits a base name into stem and extension (without the dot),
// under the rules of Ext.
func splitExt(base string) (stem, ext string) {
	e := path.Ext(base)
	if len(e) < 2 || len(e) > 6 || isDigits(e[1:]) || e == base {
		return base, ""
	}
	return strings.TrimSuffix(base, e), e[1:]
}

// Classify returns the role of a file from its name and, for .txt and
// extension-less files, its content: lines that look like coordinates or
// machine commands make a design (PC Quilter TXT, an unnamed BQM), prose
// makes notes. Files named like notes (copyright*, licen[cs]e*, readme*,
// *info*.txt) in a document format are notes.
func Classify(p string, data []byte) Role {
	ext := Ext(p)
	switch {
	case designExts[ext]:
		return RoleDesign
	case ext == "txt" || ext == "":
		return sniffText(p, data)
	case notesExts[ext] && isNotesName(p):
		return RoleNotes
	case pictureExts[ext]:
		return RolePicture
	}
	return RoleOther
}

// isNotesName reports names of notes files: copyright*, license*,
// licence*, readme*, read me*, terms*, and *info* for .txt.
func isNotesName(p string) bool {
	stem, _ := splitExt(path.Base(p))
	stem = strings.ToLower(stem)
	for _, prefix := range []string{"copyright", "license", "licence", "readme", "read me", "read_me", "read-me", "terms"} {
		if strings.HasPrefix(stem, prefix) {
			return true
		}
	}
	return Ext(p) == "txt" && strings.Contains(stem, "info")
}

// sniffText decides between design, notes and other for .txt and
// extension-less files.
func sniffText(p string, data []byte) Role {
	head := data[:min(len(data), 8<<10)]
	if len(head) >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF) {
		head = []byte(decodeText(head)) // UTF-16 text (Notepad's "Unicode")
	}
	if looksLikeCoordinates(head) {
		return RoleDesign
	}
	if isNotesName(p) || looksLikeProse(head) {
		return RoleNotes
	}
	if Ext(p) == "txt" {
		return RoleDesign // not prose: assume PC Quilter's own encoding
	}
	return RoleOther
}

// looksLikeCoordinates reports text whose non-empty lines are mostly
// numbers and short command letters ("VP 67,39", "N11G01X1.03Y0.64",
// "1.25 3.5"): at least 3 such lines and at least 60% of the first 60.
func looksLikeCoordinates(b []byte) bool {
	if hasNUL(b) {
		return false
	}
	coords, lines := 0, 0
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		lines++
		if isCoordinateLine(line) {
			coords++
		}
		if lines == 60 {
			break
		}
	}
	return coords >= 3 && coords*10 >= lines*6
}

// isCoordinateLine: has a digit, and no run of three or more letters.
func isCoordinateLine(s string) bool {
	digit, run := false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			digit, run = true, 0
		case isLetterByte(c):
			run++
			if run >= 3 {
				return false
			}
		default:
			run = 0
		}
	}
	return digit
}

// looksLikeProse reports text with words in it: no NUL bytes and a run of
// at least three letters (bytes >= 0x80 count as letters, so Latin-1 and
// UTF-8 text both pass).
func looksLikeProse(b []byte) bool {
	if len(b) == 0 || hasNUL(b) {
		return false
	}
	run := 0
	for _, c := range b {
		if isLetterByte(c) {
			run++
			if run >= 3 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

func isLetterByte(c byte) bool {
	return 'a' <= c|0x20 && c|0x20 <= 'z' || c >= 0x80
}

func hasNUL(b []byte) bool {
	return slices.Contains(b, 0)
}
