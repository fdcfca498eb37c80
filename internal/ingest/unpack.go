package ingest

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"unicode"
)

// File is one regular file taken from an upload.
type File struct {
	// Path is clean, slash-separated and relative ("e2e/viking/a.qli");
	// a nested ZIP "e2e/viking.zip" becomes the folder "e2e/viking".
	Path string
	// Data is the file's content (from Unpack), or only what grouping
	// reads of it (from Archive.Listing).
	Data []byte
	// Size is the file's size.
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

// Unpack reads an upload into memory. A ZIP (recognised by content,
// whatever its name) is unpacked, recursing into entries named *.zip, and
// every regular file is returned; OS junk (__MACOSX/, .DS_Store,
// Thumbs.db, desktop.ini, ._*) is skipped. Anything else is returned as
// one loose File named after the base of name, except that data named
// *.zip must be a ZIP (ErrNotZip).
//
// Any refusal returns an *Error wrapping one of the Err* sentinels and no
// files at all. Unpack holds every file in memory: the import pipeline
// uses OpenArchive, which reads one entry at a time.
func Unpack(r io.ReaderAt, size int64, name string, lim Limits) ([]File, error) {
	a, err := OpenArchive(r, size, name, lim, "")
	if err != nil {
		return nil, err
	}
	defer a.Close()
	files := make([]File, 0, len(a.entries))
	for _, e := range a.entries {
		data, err := e.ReadAll()
		if err != nil {
			return nil, err
		}
		files = append(files, File{Path: e.Path, Data: data, Size: int64(len(data))})
	}
	return files, nil
}

// Archive is an upload opened for reading one file at a time: its entries
// are listed and checked against the Limits when it is opened, but not
// read. ZIPs inside it are unpacked then, into temporary files (or, for
// Unpack, memory), so that their entries can be listed too.
//
// The Limits are checked against the sizes entries declare: archive/zip
// refuses to read more or fewer bytes than an entry declares (and checks
// its CRC at the end), so a lying header makes that entry fail as corrupt
// when it is read and can never make it larger than was allowed.
type Archive struct {
	entries []*Entry
	byPath  map[string]*Entry
	temps   []*os.File
}

// Entry is one regular file of an Archive.
type Entry struct {
	// Path is as in File.Path.
	Path string
	// Size is the file's size, as the ZIP declares it (reading checks it).
	Size int64
	// shown names the entry in errors ("designs.zip/a.qli").
	shown string
	zf    *zip.File   // the entry, or nil for a loose upload
	ra    io.ReaderAt // a loose upload
}

// OpenArchive opens an upload as Unpack would read it, without reading
// any file but the ZIPs nested in it, which go to temporary files in
// tempDir ("" keeps them in memory). Close removes them.
func OpenArchive(r io.ReaderAt, size int64, name string, lim Limits, tempDir string) (*Archive, error) {
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
		tempDir: tempDir,
		a:       &Archive{byPath: map[string]*Entry{}},
	}
	u.overall = max(u.overall, lim.RatioExempt)
	zr, err := u.openZip(r, size, display, strings.EqualFold(path.Ext(name), ".zip"))
	if err == nil && zr == nil {
		err = u.loose(r, size, display)
	} else if err == nil {
		err = u.walk(zr, size, "", "", 0)
	}
	if err != nil {
		u.a.Close()
		return nil, err
	}
	return u.a, nil
}

// Entries returns the archive's files in archive order.
func (a *Archive) Entries() []*Entry { return a.entries }

// Entry returns the file at path p (as in File.Path), or nil.
func (a *Archive) Entry(p string) *Entry { return a.byPath[p] }

// Close removes the temporary files of nested ZIPs.
func (a *Archive) Close() error {
	var first error
	for _, f := range a.temps {
		f.Close()
		if err := os.Remove(f.Name()); err != nil && first == nil {
			first = err
		}
	}
	a.temps = nil
	return first
}

// Open returns a reader of the entry's content. Its errors are *Error
// (ErrCorrupt when the content does not match the entry's header).
func (e *Entry) Open() (io.ReadCloser, error) {
	if e.zf == nil {
		return io.NopCloser(io.NewSectionReader(e.ra, 0, e.Size)), nil
	}
	rc, err := e.zf.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, entryErr(e.shown, ErrUnsupportedMethod)
		}
		return nil, causeErr(e.shown, ErrCorrupt, err)
	}
	return &entryReader{rc: rc, shown: e.shown}, nil
}

// ReadAll returns the entry's whole content (at most its declared size).
func (e *Entry) ReadAll() ([]byte, error) {
	rc, err := e.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, over, err := readLimited(rc, e.Size, e.Size)
	if err == nil && (over || int64(len(data)) != e.Size) {
		err = causeErr(e.shown, ErrCorrupt, fmt.Errorf("%d bytes, header says %d", len(data), e.Size))
	}
	if err != nil {
		return nil, err
	}
	return data, nil
}

// entryReader turns read errors of a ZIP entry into *Error.
type entryReader struct {
	rc    io.ReadCloser
	shown string
}

func (r *entryReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	if err != nil && err != io.EOF {
		var e *Error
		if !errors.As(err, &e) {
			err = causeErr(r.shown, ErrCorrupt, err)
		}
	}
	return n, err
}

func (r *entryReader) Close() error { return r.rc.Close() }

// unpacker carries the running totals of one OpenArchive call.
type unpacker struct {
	lim     Limits
	overall int64 // decompressed bytes allowed for the whole upload by its ratio
	entries int   // entries seen so far, all levels
	total   int64 // declared bytes so far, all levels
	seen    map[string]bool
	tempDir string
	a       *Archive
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

// loose records a non-ZIP upload as a single file.
func (u *unpacker) loose(r io.ReaderAt, size int64, name string) error {
	if size > u.lim.MaxFileSize {
		return limitErr(name, ErrTooLarge, limitFile, u.lim.MaxFileSize)
	}
	if p, ok := safePath(name); !ok || p != name {
		name = "upload" // e.g. "C:" — never a path that could mislead storage
	}
	u.add(&Entry{Path: name, Size: size, shown: name, ra: r})
	return nil
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
		zr.RegisterDecompressor(zip.Deflate, inflate)
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

// walk checks every entry of zr. folder is the output folder ("" or
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

// entry checks one ZIP entry and records it, or unpacks it when it is a
// nested ZIP.
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
	if err := u.admit(f, size, shown); err != nil {
		return err
	}
	out := folder + rel
	e := &Entry{Path: out, Size: int64(f.UncompressedSize64), shown: shown, zf: f}
	if isZip {
		return u.nested(e, out, shown, depth+1)
	}
	u.add(e)
	return nil
}

// admit counts an entry's declared size, refusing it when it passes the
// tightest of: the single-file limit, what is left of the total limit,
// its own ratio allowance and what is left of the upload's ratio
// allowance.
func (u *unpacker) admit(f *zip.File, containerSize int64, shown string) error {
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
	if f.UncompressedSize64 > uint64(max(tight.n, 0)) {
		return limitErr(shown, tight.sentinel, tight.kind, tight.limit)
	}
	u.total += int64(f.UncompressedSize64)
	return nil
}

// nested unpacks the ZIP entry e (to a temporary file, or memory) and
// walks it as the folder named after it.
func (u *unpacker) nested(e *Entry, out, shown string, depth int) error {
	var ra io.ReaderAt
	if u.tempDir == "" {
		data, err := e.ReadAll()
		if err != nil {
			return err
		}
		ra = bytes.NewReader(data)
	} else {
		f, err := os.CreateTemp(u.tempDir, "pv-nested-*.zip")
		if err != nil {
			return fmt.Errorf("ingest: unpack %q: %w", shown, err)
		}
		u.a.temps = append(u.a.temps, f)
		rc, err := e.Open()
		if err != nil {
			return err
		}
		n, err := io.Copy(f, io.LimitReader(rc, e.Size+1))
		rc.Close()
		if err == nil && n != e.Size {
			err = causeErr(shown, ErrCorrupt, fmt.Errorf("%d bytes, header says %d", n, e.Size))
		}
		if err != nil {
			var ie *Error
			if errors.As(err, &ie) {
				return err
			}
			return fmt.Errorf("ingest: unpack %q: %w", shown, err)
		}
		ra = f
	}
	zr, err := u.openZip(ra, e.Size, shown, true)
	if err != nil {
		return err
	}
	folder := strings.TrimSuffix(out, path.Ext(out)) + "/"
	return u.walk(zr, e.Size, folder, shown+"/", depth)
}

// add records a file, renaming it "name (2).ext" when its path (ignoring
// case) was already used.
func (u *unpacker) add(e *Entry) {
	e.Path = uniquePath(u.seen, e.Path)
	u.a.entries = append(u.a.entries, e)
	u.a.byPath[e.Path] = e
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
