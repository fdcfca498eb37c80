package ingest

import (
	"errors"
	"fmt"
)

// Sentinel errors returned (wrapped in an *Error naming the entry) when an
// upload is refused. Test for them with errors.Is; show Explain(err) to the
// quilter.
var (
	// ErrNotZip: data named .zip (at the top or inside another ZIP) is not a
	// ZIP archive.
	ErrNotZip = errors.New("not a ZIP file")
	// ErrTooLarge: the upload, one file or all files together exceed a size
	// limit.
	ErrTooLarge = errors.New("too large")
	// ErrTooManyEntries: the ZIP (counting nested ZIPs) holds more entries
	// than allowed.
	ErrTooManyEntries = errors.New("too many entries")
	// ErrZipBomb: an entry, or the upload as a whole, expands far more than
	// real design files do.
	ErrZipBomb = errors.New("expands too much (ZIP bomb)")
	// ErrTooDeep: ZIPs are nested inside ZIPs more deeply than allowed.
	ErrTooDeep = errors.New("ZIPs nested too deeply")
	// ErrUnsafePath: an entry name is absolute, has a drive letter, climbs
	// out with "..", holds control characters, or is a special file.
	ErrUnsafePath = errors.New("unsafe path")
	// ErrSymlink: an entry is a symbolic link.
	ErrSymlink = errors.New("symbolic link")
	// ErrEncrypted: an entry is password-protected.
	ErrEncrypted = errors.New("encrypted")
	// ErrUnsupportedMethod: an entry uses a compression method other than
	// Store or Deflate.
	ErrUnsupportedMethod = errors.New("unsupported compression method")
	// ErrEmpty: the upload holds no file at all (an empty file, or a ZIP
	// of nothing but folders and system junk).
	ErrEmpty = errors.New("no files")
	// ErrCorrupt: the ZIP is truncated or damaged (bad headers, bad
	// compressed data, checksum mismatch).
	ErrCorrupt = errors.New("corrupt ZIP")
)

// limitKind says which limit (or reason) an error stands for, so that
// Explain can say it in words.
type limitKind int

const (
	limitNone     limitKind = iota
	limitUpload             // the upload itself
	limitFile               // one file
	limitTotal              // all files together
	limitEntries            // number of entries
	limitRatio              // one entry's expansion
	limitOverall            // the whole upload's expansion
	limitDepth              // nesting depth
	reasonSpecial           // an unsafe path that is a device, pipe or socket
)

// Error is the error Unpack returns: which entry, which sentinel (Err), and
// optionally the underlying cause (for logs) and the limit that applied.
type Error struct {
	Entry string // entry name as stored in the archive, nested ZIPs as folders
	Err   error  // one of the Err* sentinels
	Cause error  // underlying error, if any (e.g. zip.ErrChecksum)
	Limit int64  // the limit that was exceeded (bytes, entries, ratio or depth), if any

	kind limitKind
}

// Error formats as `ingest: "folder/../../x.qli": unsafe path`.
func (e *Error) Error() string {
	s := fmt.Sprintf("ingest: %q: %v", e.Entry, e.Err)
	switch {
	case e.Cause != nil:
		s += ": " + e.Cause.Error()
	case e.kind == limitRatio || e.kind == limitOverall:
		s += fmt.Sprintf(" (more than %d:1)", e.Limit)
	case e.kind == limitEntries || e.kind == limitDepth:
		s += fmt.Sprintf(" (limit %d)", e.Limit)
	case e.kind == reasonSpecial:
		s += " (not a regular file)"
	case e.kind != limitNone:
		s += fmt.Sprintf(" (limit %d bytes)", e.Limit)
	}
	return s
}

// Unwrap returns the sentinel and, when present, the cause.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

func entryErr(entry string, sentinel error) *Error {
	return &Error{Entry: entry, Err: sentinel}
}

func limitErr(entry string, sentinel error, kind limitKind, limit int64) *Error {
	return &Error{Entry: entry, Err: sentinel, Limit: limit, kind: kind}
}

func causeErr(entry string, sentinel, cause error) *Error {
	return &Error{Entry: entry, Err: sentinel, Cause: cause}
}

// Explain turns an error from this package into one plain sentence a
// quilter can act on. It returns "" for nil and a generic sentence for
// errors it does not know.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		return "Something went wrong while reading the upload; please try again."
	}
	name := fmt.Sprintf("%q", e.Entry)
	switch {
	case errors.Is(e.Err, ErrNotZip):
		return fmt.Sprintf("%s is not a ZIP file; it may be damaged or only partly downloaded, so please download it again.", name)
	case errors.Is(e.Err, ErrTooLarge):
		switch e.kind {
		case limitUpload:
			return fmt.Sprintf("%s is too big to upload: uploads can be at most %s.", name, humanSize(e.Limit))
		case limitTotal:
			return fmt.Sprintf("The files in this upload add up to more than %s, the most we can import at once; please split it into smaller ZIPs.", humanSize(e.Limit))
		default:
			return fmt.Sprintf("%s is too big: one file can be at most %s.", name, humanSize(e.Limit))
		}
	case errors.Is(e.Err, ErrTooManyEntries):
		return fmt.Sprintf("This upload holds more than %s files, the most we can import at once; please split it into smaller ZIPs.", thousands(e.Limit))
	case errors.Is(e.Err, ErrZipBomb):
		if e.kind == limitOverall {
			return "This upload expands to far more data than real design files do, so it was refused for safety."
		}
		return fmt.Sprintf("%s expands to far more data than a real design file does, so the upload was refused for safety.", name)
	case errors.Is(e.Err, ErrTooDeep):
		return fmt.Sprintf("%s has ZIP files inside ZIP files more than %d levels deep; please unzip the inner ZIPs and upload them separately.", name, e.Limit)
	case errors.Is(e.Err, ErrUnsafePath) && e.kind == reasonSpecial:
		return fmt.Sprintf("%s is a special system file, not an ordinary file, so the upload was refused for safety.", name)
	case errors.Is(e.Err, ErrUnsafePath):
		return fmt.Sprintf("%s has a file name that points outside its folder, so the upload was refused for safety.", name)
	case errors.Is(e.Err, ErrSymlink):
		return fmt.Sprintf("%s is a shortcut (symbolic link), not a file, so the upload was refused for safety.", name)
	case errors.Is(e.Err, ErrEncrypted):
		return fmt.Sprintf("%s is password-protected; please unzip it with its password and upload the files without one.", name)
	case errors.Is(e.Err, ErrUnsupportedMethod):
		return fmt.Sprintf("%s is compressed in a way we cannot read; please re-create the ZIP with your computer's ordinary \"Compress\" or \"Send to ZIP\" command.", name)
	case errors.Is(e.Err, ErrEmpty):
		return fmt.Sprintf("%s holds no files to import.", name)
	case errors.Is(e.Err, ErrCorrupt):
		return fmt.Sprintf("%s is damaged or incomplete; please download it again and re-upload.", name)
	}
	return "Something went wrong while reading the upload; please try again."
}

// humanSize formats a byte count for people: "1 GB", "256 MB", "900 KB".
// It uses binary multiples, as file managers on most systems do.
func humanSize(n int64) string {
	const k = 1024
	switch {
	case n >= k*k*k && n%(k*k*k) == 0:
		return fmt.Sprintf("%d GB", n/(k*k*k))
	case n >= k*k*k:
		return fmt.Sprintf("%.1f GB", float64(n)/(k*k*k))
	case n >= k*k && n%(k*k) == 0:
		return fmt.Sprintf("%d MB", n/(k*k))
	case n >= k*k:
		return fmt.Sprintf("%.1f MB", float64(n)/(k*k))
	case n >= k:
		return fmt.Sprintf("%d KB", n/k)
	}
	return fmt.Sprintf("%d bytes", n)
}

// thousands formats n with comma separators: 10000 → "10,000".
func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
