// Package blob stores PatternVault's files: uploaded design files,
// thumbnails and exports.
//
// A [Store] keeps immutable files under slash-separated keys that begin
// with the tenant id, such as "12/patterns/345/feather.qli" or
// "12/thumbs/345/256.png"; build them with [Key] or, for content-addressed
// files, [SHA256Key]. Every method checks its key with [ValidKey] first and
// refuses a bad one with [ErrBadKey], so no key can reach outside the store.
//
// Two implementations share one conformance test suite: [Local], files
// under a directory (the default, under $PV_DATA_DIR/files), and [S3], any
// S3-compatible object store (S3 REST API, SigV4-signed). [Open] picks one from a
// URL.
//
// # Prefixes
//
// [Store.List] and [Store.DeletePrefix] take a prefix made of whole key
// segments, such as "12" or "12/patterns/345". A trailing slash is
// optional: "12" and "12/" both mean "the keys under 12/", and never match
// "123/...". A prefix is itself checked like a key, so Key(tenantID) is the
// prefix of all of one tenant's files.
package blob

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Store keeps immutable files under keys like "{tenant}/patterns/{id}/{file}".
// Its methods are safe for concurrent use.
type Store interface {
	// Put stores size bytes read from r under key, replacing any file
	// there. A size of -1 means "read r to EOF". Put is atomic: a reader
	// sees the old file or the new one, never part of one. An empty
	// contentType is stored as "application/octet-stream".
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error

	// Get opens the file under key. It fails with ErrNotFound when
	// there is none. The caller must close the returned reader.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)

	// Stat describes the file under key, or fails with ErrNotFound.
	Stat(ctx context.Context, key string) (Info, error)

	// Delete removes the file under key. Deleting a missing key is not
	// an error.
	Delete(ctx context.Context, key string) error

	// DeletePrefix removes every file under prefix (see the package
	// doc), for example a failed import's files or a deleted tenant's.
	// The empty prefix is refused with ErrBadKey.
	DeletePrefix(ctx context.Context, prefix string) error

	// List calls fn for every file under prefix; the empty prefix lists
	// the whole store. The order is unspecified. Info.ContentType is left
	// empty, since S3 listings do not carry it; use Stat when needed. If
	// fn returns an error, List stops and returns that error unchanged.
	List(ctx context.Context, prefix string, fn func(Info) error) error
}

// Info describes a stored file.
type Info struct {
	Key         string
	Size        int64
	ContentType string // empty in List results
	ModTime     time.Time
}

var (
	// ErrNotFound is returned, wrapped, when no file is stored under a
	// key. Test for it with errors.Is.
	ErrNotFound = errors.New("not found")

	// ErrBadKey is returned, wrapped, for a key or prefix that fails
	// ValidKey.
	ErrBadKey = errors.New("invalid key")
)

const (
	// MaxKeyLen is the longest valid key, in bytes.
	MaxKeyLen = 512

	// maxSegmentLen keeps every segment, and the temporary and sidecar
	// names that Local derives from it, within the 255-byte file name
	// limit of common file systems.
	maxSegmentLen = 200

	defaultContentType = "application/octet-stream"
)

// ValidKey reports whether key is a valid key: at most MaxKeyLen bytes of
// slash-separated segments, each of 1 to 200 bytes from [A-Za-z0-9._-],
// none of them "." or "..". A valid key has no leading, trailing or
// doubled slash.
func ValidKey(key string) bool {
	if key == "" || len(key) > MaxKeyLen {
		return false
	}
	for seg := range strings.SplitSeq(key, "/") {
		if !validSegment(seg) {
			return false
		}
	}
	return true
}

// validSegment reports whether seg is a valid key segment.
func validSegment(seg string) bool {
	if seg == "" || seg == "." || seg == ".." || len(seg) > maxSegmentLen {
		return false
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// Key joins a tenant id and path parts into a key:
// Key(12, "patterns", "345", "feather.qli") is "12/patterns/345/feather.qli",
// and Key(12) is "12", the prefix of all of tenant 12's files. Key does not
// validate; the Store methods do.
func Key(tenantID int64, parts ...string) string {
	var b strings.Builder
	b.WriteString(strconv.FormatInt(tenantID, 10))
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(p)
	}
	return b.String()
}

// SHA256Key returns the content-addressed key of a file whose SHA-256 sum
// is sum, for storing identical files of one tenant once:
// "{tenant}/blobs/ab/abcd…" with the full 64-digit hex sum last.
//
// Files stored before 2026-12 have keys of two levels,
// "{tenant}/blobs/ab/cd/abcd…": on local storage that made a directory
// for almost every file (65,536 of them to fill), and creating them was a
// fifth of an import's CPU time. 256 directories hold a tenant's 100,000
// designs' files at a few thousand a directory, which file systems index.
// A key is recorded with each file's row, never recomputed from the sum to
// find a stored file, so files under the old keys stay where they are
// and are read, exported, backed up and swept as before; the same content
// imported again is stored under the new key (the old copy stays with
// the row that names it).
func SHA256Key(tenantID int64, sum [32]byte) string {
	h := hex.EncodeToString(sum[:])
	return Key(tenantID, "blobs", h[0:2], h)
}

// checkPrefix returns prefix without its trailing slash, or ErrBadKey
// when the rest is not a valid key. The empty prefix is allowed only when
// allowEmpty is set.
func checkPrefix(prefix string, allowEmpty bool) (string, error) {
	if prefix == "" && allowEmpty {
		return "", nil
	}
	p := strings.TrimSuffix(prefix, "/")
	if !ValidKey(p) {
		return "", ErrBadKey
	}
	return p, nil
}

// Open opens the store described by spec. The empty spec is a Local store
// under dataDir/files; a spec starting with "s3://" is an S3 store
// configured by ParseS3URL.
func Open(ctx context.Context, spec, dataDir string) (Store, error) {
	switch {
	case spec == "":
		if dataDir == "" {
			return nil, errors.New("blob: open: no data directory for the local store")
		}
		return NewLocal(filepath.Join(dataDir, "files"))
	case strings.HasPrefix(spec, "s3://"):
		cfg, err := ParseS3URL(spec)
		if err != nil {
			return nil, err
		}
		return NewS3(ctx, cfg)
	default:
		scheme, _, _ := strings.Cut(spec, ":")
		return nil, fmt.Errorf("blob: open: unsupported store URL scheme %q: want an empty URL (local files) or s3://ACCESS:SECRET@HOST/BUCKET", scheme)
	}
}

// shortBody is the error of a Put whose reader ended after n of size bytes.
func shortBody(n, size int64) error {
	return fmt.Errorf("read %d of %d bytes: %w", n, size, io.ErrUnexpectedEOF)
}

// ctxReader makes a long copy stop when its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
