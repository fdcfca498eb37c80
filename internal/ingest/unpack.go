package ingest

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
	"unicode"
)

// File is one regular file taken from an upload.
type File struct {
	// Path is clean, slash-separated and relative ("e2e/viking/a.qli");
	// a nested ZIP "e2e/viking.zip" becomes the folder "e2e/viking".
	Path string
	// Data is the file's content.
	Data []byte
	// Size is len(Data), counted while decompressing (never taken from
	// the ZIP header).
	Size int64
}

// Limits bounds what Unpack accepts. Zero fields take the defaults of
// DefaultLimits.
type Limits struct {
	// MaxUploadSize bounds the uploaded file itself (default 1 GiB).
	MaxUploadSize int64
	// MaxEntries bounds the number of entries of every ZIP, nested ones
	// included; folders and skipped OS junk count too (default 10,000).
	MaxEntries int
	// MaxTotalSize bounds the decompressed bytes of all entries, nested
	// ZIPs' own bytes included (default 4 GiB).
	MaxTotalSize int64
	// MaxFileSize bounds one decompressed entry (default 256 MiB).
	MaxFileSize int64
	// MaxRatio bounds decompressed/compressed size, both per entry and for
	// the upload as a whole (default 200).
	MaxRatio int64
	// RatioExempt: an entry, or a whole upload, that expands to at most
	// this many bytes is never refused for its ratio (default 1 MiB), so
	// small, very regular text files pass.
	RatioExempt int64
	// MaxDepth bounds ZIP-in-ZIP nesting: ZIPs inside the upload are depth
	// 1, ZIPs inside those depth 2, ... (default 3).
	MaxDepth int
}

// DefaultLimits returns the limits used for zero fields of Limits.
func DefaultLimits() Limits {
	return Limits{
		MaxUploadSize: 1 << 30,
		MaxEntries:    10_000,
		MaxTotalSize:  4 << 30,
		MaxFileSize:   256 << 20,
		MaxRatio:      200,
		RatioExempt:   1 << 20,
		MaxDepth:      3,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxUploadSize <= 0 {
		l.MaxUploadSize = d.MaxUploadSize
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = d.MaxTotalSize
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.RatioExempt <= 0 {
		l.RatioExempt = d.RatioExempt
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	return l
}

// Unpack reads an upload. A ZIP (recognised by content, whatever its name)
// is unpacked, recursing into entries named *.zip, and every regular file
// is returned; OS junk (__MACOSX/, .DS_Store, Thumbs.db, desktop.ini, ._*)
// is skipped. Anything else is returned as one loose File named after the
// base of name, except that data named *.zip must be a ZIP (ErrNotZip).
//
// Any refusal returns an *Error wrapping one of the Err* sentinels and no
// files at all. Sizes are counted while decompressing; header sizes are
// only used to refuse early.
func Unpack(r io.ReaderAt, size int64, name string, lim Limits) ([]File, error) {
	lim = lim.withDefaults()
	display := displayName(name)
	if size > lim.MaxUploadSize {
		return nil, limitErr(display, ErrTooLarge, limitUpload, lim.MaxUploadSize)
	}
	if size < 0 {
		return nil, causeErr(display, ErrCorrupt, errors.New("negative size"))
	}
	u := &unpacker{
		lim:     lim,
		overall: satMul(lim.MaxRatio, size),
		seen:    make(map[string]bool),
	}
	u.overall = max(u.overall, lim.RatioExempt)
	zr, err := u.openZip(r, size, display, strings.EqualFold(path.Ext(name), ".zip"))
	if err != nil {
		return nil, err
	}
	if zr == nil {
		return u.loose(r, size, display)
	}
	if err := u.walk(zr, size, "", "", 0); err != nil {
		return nil, err
	}
	return u.files, nil
}

// unpacker carries the running totals of one Unpack call.
type unpacker struct {
	lim     Limits
	overall int64 // decompressed bytes allowed for the whole upload by its ratio
	entries int   // entries seen so far, all levels
	total   int64 // decompressed bytes so far, all levels
	files   []File
	seen    map[string]bool // lower-cased paths already returned
}

// displayName is the upload's name as shown in errors and used for a loose
// file: its base (backslashes read as separators) as valid UTF-8 without
// control characters, or "upload" when nothing usable is left.
func displayName(name string) string {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	base = strings.ToValidUTF8(base, "\uFFFD")
	base = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, base)
	if base == "" || base == "." || base == ".." || base == "/" {
		return "upload"
	}
	return base
}

// loose returns a non-ZIP upload as a single file.
func (u *unpacker) loose(r io.ReaderAt, size int64, name string) ([]File, error) {
	if size > u.lim.MaxFileSize {
		return nil, limitErr(name, ErrTooLarge, limitFile, u.lim.MaxFileSize)
	}
	if p, ok := safePath(name); !ok || p != name {
		name = "upload" // e.g. "C:" — never a path that could mislead storage
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(r, 0, size), data); err != nil {
		return nil, causeErr(name, ErrCorrupt, err)
	}
	return []File{{Path: name, Data: data, Size: size}}, nil
}

// openZip opens r as a ZIP after checking its entry count. It returns
// (nil, nil) when r is plainly not a ZIP and need not be one.
func (u *unpacker) openZip(r io.ReaderAt, size int64, entry string, mustBeZip bool) (*zip.Reader, error) {
	budget := u.lim.MaxEntries - u.entries
	if n, ok := countEntries(r, size, budget); ok && n > budget {
		return nil, limitErr(entry, ErrTooManyEntries, limitEntries, int64(u.lim.MaxEntries))
	}
	zr, err := zip.NewReader(r, size)
	if errors.Is(err, zip.ErrInsecurePath) {
		err = nil // names are checked one by one in walk
	}
	if err == nil {
		if len(zr.File) > budget {
			return nil, limitErr(entry, ErrTooManyEntries, limitEntries, int64(u.lim.MaxEntries))
		}
		return zr, nil
	}
	if looksLikeZip(r, size) {
		return nil, causeErr(entry, ErrCorrupt, err)
	}
	if mustBeZip {
		return nil, entryErr(entry, ErrNotZip)
	}
	return nil, nil
}

// looksLikeZip reports whether r starts with a ZIP signature (a local file
// header, or the end record of an empty archive).
func looksLikeZip(r io.ReaderAt, size int64) bool {
	var sig [4]byte
	if size < 4 {
		return false
	}
	if _, err := r.ReadAt(sig[:], 0); err != nil {
		return false
	}
	s := string(sig[:])
	return s == "PK\x03\x04" || s == "PK\x05\x06" || s == "PK\x07\x08"
}

// walk unpacks every entry of zr. folder is the output folder ("" or
// "a/b/"), prefix the name shown in errors for entries of this archive,
// depth the nesting level of zr (0 for the upload).
func (u *unpacker) walk(zr *zip.Reader, size int64, folder, prefix string, depth int) error {
	u.entries += len(zr.File)
	for _, f := range zr.File {
		if err := u.entry(f, size, folder, prefix, depth); err != nil {
			return err
		}
	}
	return nil
}

// entry unpacks one ZIP entry: checks, then reads or recurses.
func (u *unpacker) entry(f *zip.File, size int64, folder, prefix string, depth int) error {
	raw := entryName(f)
	shown := prefix + raw
	rel, ok := safePath(raw)
	if !ok {
		return entryErr(shown, ErrUnsafePath)
	}
	mode := f.Mode()
	switch {
	case mode&fs.ModeSymlink != 0:
		return entryErr(shown, ErrSymlink)
	case mode.IsDir() || strings.HasSuffix(raw, "/") || strings.HasSuffix(raw, `\`) || rel == "":
		return nil
	case !mode.IsRegular():
		return &Error{Entry: shown, Err: ErrUnsafePath, kind: reasonSpecial}
	case isJunk(rel):
		return nil
	case f.Flags&0x1 != 0:
		return entryErr(shown, ErrEncrypted)
	case f.Method != zip.Store && f.Method != zip.Deflate:
		return entryErr(shown, ErrUnsupportedMethod)
	}
	isZip := strings.EqualFold(path.Ext(rel), ".zip")
	if isZip && depth+1 > u.lim.MaxDepth {
		return limitErr(shown, ErrTooDeep, limitDepth, int64(u.lim.MaxDepth))
	}
	data, err := u.read(f, size, shown)
	if err != nil {
		return err
	}
	out := folder + rel
	if isZip {
		return u.nested(data, out, shown, depth+1)
	}
	u.add(out, data)
	return nil
}

// nested unpacks the ZIP held in data into the folder named after it.
func (u *unpacker) nested(data []byte, out, shown string, depth int) error {
	br := bytes.NewReader(data)
	zr, err := u.openZip(br, int64(len(data)), shown, true)
	if err != nil {
		return err
	}
	folder := strings.TrimSuffix(out, path.Ext(out)) + "/"
	return u.walk(zr, int64(len(data)), folder, shown+"/", depth)
}

// add records a file, renaming it "name (2).ext" when its path (ignoring
// case) was already used.
func (u *unpacker) add(p string, data []byte) {
	p = uniquePath(u.seen, p)
	u.files = append(u.files, File{Path: p, Data: data, Size: int64(len(data))})
}

// uniquePath returns p, or p with " (n)" before its extension, such that
// the result is not yet in seen (compared without case), and marks it.
func uniquePath(seen map[string]bool, p string) string {
	candidate := p
	ext := path.Ext(p)
	stem := strings.TrimSuffix(p, ext)
	for n := 2; seen[strings.ToLower(candidate)]; n++ {
		candidate = stem + " (" + itoa(n) + ")" + ext
	}
	seen[strings.ToLower(candidate)] = true
	return candidate
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}

// read decompresses one entry, refusing it as soon as it passes the
// tightest of: the single-file limit, what is left of the total limit, its
// own ratio allowance and what is left of the upload's ratio allowance.
func (u *unpacker) read(f *zip.File, containerSize int64, shown string) ([]byte, error) {
	comp := int64(min(f.CompressedSize64, uint64(containerSize)))
	lim := u.lim
	type bound struct {
		n        int64
		sentinel error
		kind     limitKind
		limit    int64
	}
	bounds := []bound{
		{lim.MaxFileSize, ErrTooLarge, limitFile, lim.MaxFileSize},
		{lim.MaxTotalSize - u.total, ErrTooLarge, limitTotal, lim.MaxTotalSize},
		{max(lim.RatioExempt, satMul(lim.MaxRatio, comp)), ErrZipBomb, limitRatio, lim.MaxRatio},
		{u.overall - u.total, ErrZipBomb, limitOverall, lim.MaxRatio},
	}
	tight := bounds[0]
	for _, b := range bounds[1:] {
		if b.n < tight.n {
			tight = b
		}
	}
	refuse := func() error { return limitErr(shown, tight.sentinel, tight.kind, tight.limit) }
	if f.UncompressedSize64 > uint64(max(tight.n, 0)) {
		return nil, refuse() // the header already admits it
	}
	rc, err := f.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, entryErr(shown, ErrUnsupportedMethod)
		}
		return nil, causeErr(shown, ErrCorrupt, err)
	}
	defer rc.Close()
	data, over, err := readLimited(rc, tight.n, int64(f.UncompressedSize64))
	if over {
		return nil, refuse()
	}
	if err != nil {
		return nil, causeErr(shown, ErrCorrupt, err)
	}
	u.total += int64(len(data))
	return data, nil
}

// readLimited reads r to the end, but at most limit bytes: over reports
// that r had more. hint (untrusted) sizes the first allocation, capped so a
// lying header cannot make it large.
func readLimited(r io.Reader, limit, hint int64) (data []byte, over bool, err error) {
	if limit < 0 {
		limit = 0
	}
	const maxPrealloc = 1 << 20
	buf := make([]byte, 0, min(max(hint, 0), limit, maxPrealloc)+1)
	lr := io.LimitReader(r, limit+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, true, nil
		}
		if err == io.EOF {
			return buf, false, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
}

// satMul returns a*b for non-negative a, b, saturating at MaxInt64.
func satMul(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > (1<<63-1)/b {
		return 1<<63 - 1
	}
	return a * b
}
