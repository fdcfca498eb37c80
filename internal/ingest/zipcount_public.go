package ingest

import "io"

// CountZipEntries counts the entries of the ZIP in r from its central
// directory, reading at most limit+1 of them and holding none, so a
// caller can refuse a ZIP of millions of entries before archive/zip reads
// its directory into memory. ok is false when r has no ZIP directory.
func CountZipEntries(r io.ReaderAt, size int64, limit int) (n int, ok bool) {
	return countEntries(r, size, limit)
}
