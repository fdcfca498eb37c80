package formats

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// ErrUnreadable is matched (errors.Is) by the error of Read and Check for a
// file that claims, by its name or content, a format whose structure
// PatternVault knows (one with a reader) but that cannot be read as one:
// a corrupt or truncated file, random bytes, a picture under a design's
// name, coordinates out of range. The file is still a file of its design,
// to keep, but not a design to offer as machine-ready.
var ErrUnreadable = errors.New("unreadable")

// ReadError explains why a file that claims a design format gave no
// geometry. It matches ErrUnreadable (a format with a reader could not read
// it), ErrNotDesign (its content is plainly another kind of file, such as
// an HTML page named .hqf) or ErrNoGeometry (a format PatternVault only
// keeps as-is), and the reader's own error (geom.ErrTooLarge,
// geom.ErrOutOfRange...). Reason is the explanation in plain words,
// without the file name, for an import report: "unreadable: " + Reason.
type ReadError struct {
	// Name is the file's base name.
	Name string
	// Format is the format the file's name or content claims.
	Format *Format
	// Reason says what is wrong, e.g. "qli: line 3: bad VP coordinates".
	Reason string
	// Err is the reader's error, when a reader ran.
	Err error

	kinds []error
}

// Error returns "<name>: <reason>".
func (e *ReadError) Error() string { return e.Name + ": " + e.Reason }

// Unwrap returns the sentinels the error matches and the reader's error.
func (e *ReadError) Unwrap() []error {
	out := append([]error(nil), e.kinds...)
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// Unreadable reports whether err says a file in a format with a known
// structure could not be read, and why (ReadError.Reason).
func Unreadable(err error) (reason string, ok bool) {
	var re *ReadError
	if errors.As(err, &re) && errors.Is(err, ErrUnreadable) {
		return re.Reason, true
	}
	return "", false
}

// Check tells, from the start of a file (SniffLen bytes are enough),
// whether the file called name may be the design its name or content
// claims, so that a file that plainly is something else (an HTML page
// named .hqf, a JPEG named .qli, a ZIP, a PDF, binary data in a text
// format) is not kept as a design. It returns nil when the file may be a
// design (only a full Read tells whether a format with a reader can read
// it), a *ReadError matching ErrNotDesign (and ErrUnreadable when the
// format has a reader) when it is not, and an error matching ErrNotDesign
// when neither name nor content is a design format at all.
func Check(name string, head []byte) error {
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	f := Detect(name, head)
	if f == nil {
		return fmt.Errorf("formats: %s: %w", filepath.Base(name), ErrNotDesign)
	}
	if reason := mismatch(f, head); reason != "" {
		return notDesignError(name, f, reason)
	}
	return nil
}

// notDesignError is the error for a file whose content is not a design of
// the format f its name claims.
func notDesignError(name string, f *Format, reason string) *ReadError {
	e := &ReadError{Name: filepath.Base(name), Format: f, Reason: reason, kinds: []error{ErrNotDesign}}
	if f.Read != nil {
		e.kinds = append(e.kinds, ErrUnreadable)
	}
	return e
}

// mismatch returns why head cannot be the start of a file in format f, or
// "" when it may be. Content the format's own sniffer recognises always
// may be.
func mismatch(f *Format, head []byte) string {
	if f.Sniff != nil && f.Sniff(head) {
		return ""
	}
	if what := otherKind(head); what != "" {
		return fmt.Sprintf("this is %s, not a %s design", what, f.Title)
	}
	if f.text && looksBinary(head) {
		return fmt.Sprintf("binary data, not a %s design (a text file)", f.Title)
	}
	return ""
}

// otherKinds are the signatures of files that are never quilting designs,
// with what to call them.
var otherKinds = []struct {
	magic string
	what  string
}{
	{"\xff\xd8\xff", "a JPEG picture"},
	{"\x89PNG\r\n\x1a\n", "a PNG picture"},
	{"GIF87a", "a GIF picture"},
	{"GIF89a", "a GIF picture"},
	{"II*\x00", "a TIFF picture"},
	{"MM\x00*", "a TIFF picture"},
	{"\xd7\xcd\xc6\x9a", "a WMF picture"},
	{"%PDF-", "a PDF document"},
	{"{\\rtf", "an RTF document"},
	{"PK\x03\x04", "a ZIP archive"},
	{"PK\x05\x06", "a ZIP archive (empty)"},
	{"Rar!\x1a\x07", "a RAR archive"},
	{"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"},
	{"\x1f\x8b", "a gzip archive"},
	{"ID3", "an MP3 sound file"},
	{"OggS", "an Ogg media file"},
}

// otherKind names the kind of file head starts, when it is plainly not a
// design: a picture, document, archive, media file or web page. It
// returns "" otherwise.
func otherKind(head []byte) string {
	for _, k := range otherKinds {
		if bytes.HasPrefix(head, []byte(k.magic)) {
			return k.what
		}
	}
	if len(head) >= 12 && string(head[4:8]) == "ftyp" {
		return "a video (MP4 or MOV)"
	}
	if len(head) >= 12 && string(head[:4]) == "RIFF" {
		switch string(head[8:12]) {
		case "WEBP":
			return "a WebP picture"
		case "AVI ":
			return "an AVI video"
		case "WAVE":
			return "a WAV sound file"
		}
	}
	if len(head) >= 10 && head[0] == 'B' && head[1] == 'M' && bytes.Equal(head[6:10], []byte{0, 0, 0, 0}) {
		return "a BMP picture"
	}
	text := strings.ToLower(string(bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\ufeff")), " \t\r\n")))
	switch {
	case strings.HasPrefix(text, "<!doctype html"), strings.HasPrefix(text, "<html"),
		strings.HasPrefix(text, "<?xml") && strings.Contains(text, "<html"),
		strings.HasPrefix(text, "<!--") && strings.Contains(text, "<html"),
		strings.HasPrefix(text, "<head") || strings.HasPrefix(text, "<meta "):
		return "a web page (HTML)"
	}
	return ""
}

// looksBinary reports whether head is binary data rather than text in any
// 8-bit encoding: it holds a NUL byte, or more than 5 % of its bytes are
// control characters other than white space and the ETX and ESC of HPGL.
func looksBinary(head []byte) bool {
	ctl := 0
	for _, c := range head {
		switch {
		case c == 0:
			return true
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x03 && c != 0x1a && c != 0x1b,
			c == 0x7f:
			ctl++
		}
	}
	return ctl*20 > len(head)
}
