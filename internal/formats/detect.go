package formats

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pictureExtensions are the picture and document companions sold with
// designs: never designs themselves.
var pictureExtensions = []string{"jpg", "jpeg", "png", "gif", "bmp", "wmf", "pdf"}

// IsPicture reports whether the file name is a picture or document that
// accompanies a design (JPG, PNG, GIF, BMP, WMF, PDF).
func IsPicture(name string) bool {
	return slices.Contains(pictureExtensions, extension(name))
}

// notesExtensions are the extensions a notes or licence file may have.
var notesExtensions = []string{"txt", "text", "rtf", "md"}

// IsNotes reports whether the file called name, starting with head, is a
// human-readable notes file (copyright, licence, instructions) rather than
// a design: a text file of words, not of numbers and machine commands.
// PC Quilter designs also end in .txt; they are mostly digits.
func IsNotes(name string, head []byte) bool {
	if !slices.Contains(notesExtensions, extension(name)) {
		return false
	}
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	if bytes.HasPrefix(head, []byte(`{\rtf`)) {
		return true
	}
	if !isText(head) {
		return false
	}
	var letters, digits int
	for _, r := range string(head) {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		}
	}
	// Prose is mostly letters; coordinate files are mostly digits.
	return letters > 0 && letters >= 2*digits
}

// isText reports whether b looks like text: valid UTF-8 (a cut-off final
// rune allowed) with no control characters other than white space.
func isText(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return len(b) < utf8.UTFMax && !utf8.FullRune(b)
		}
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return false
		}
		b = b[size:]
	}
	return true
}

// extension returns the lower-case extension of name without the dot.
func extension(name string) string {
	return strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
}

// headLines returns up to max non-empty trimmed lines of head, skipping a
// byte-order mark. The last line may be cut off by the sniff limit.
func headLines(head []byte, max int) []string {
	s := strings.TrimPrefix(string(head), "\ufeff")
	var out []string
	for s != "" && len(out) < max {
		line, rest, _ := strings.Cut(s, "\n")
		s = rest
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}
