package ingest

import (
	"errors"
	"io"
)

// maxNotesRead bounds how much of a notes file Listing reads (ParseNotes
// keeps at most MaxNotesText of it).
const maxNotesRead = 4 * MaxNotesText

// sniffLen is how much of a .txt or extension-less file Classify reads.
const sniffLen = 8 << 10

// maxListingData bounds what one Listing holds in all; past it, text
// files are listed with their first shortSniffLen bytes only (enough to
// tell prose from coordinates), so that ten thousand notes files cannot
// fill the memory.
const (
	maxListingData = 16 << 20
	shortSniffLen  = 512
)

// Listing returns the archive's files as Group needs them, without
// holding their contents: each File's Size is the file's size, and Data
// holds only what grouping reads of it (the first 8 KB of .txt and
// extension-less files, which Classify sniffs; up to 256 KB of a notes
// file; past 16 MB in all, only the first 512 bytes of each), nil for
// every other file (and for a damaged one: reading it later reports it). Group's designs then carry these partial files: read
// a design's contents through Entry. QLI files are not read, so their
// "NO INFO" lines are not in the designs' Notes: MergeInfoLines adds them
// when the QLI is read for its design.
func (a *Archive) Listing() ([]File, error) {
	files := make([]File, 0, len(a.entries))
	held := 0
	for _, e := range a.entries {
		f := File{Path: e.Path, Size: e.Size}
		ext := Ext(e.Path)
		var err error
		switch {
		case ext == "txt" || ext == "":
			if held > maxListingData {
				f.Data, err = e.head(shortSniffLen)
				break
			}
			f.Data, err = e.head(sniffLen)
			if err == nil && Classify(e.Path, f.Data) == RoleNotes && e.Size > int64(len(f.Data)) {
				f.Data, err = e.head(maxNotesRead)
			}
		}
		held += len(f.Data)
		var damaged *Error
		if errors.As(err, &damaged) {
			// A damaged file is listed without its data; reading it
			// for its design reports it.
			f.Data, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// head returns the first n bytes of the entry (all of it when shorter).
func (e *Entry) head(n int64) ([]byte, error) {
	rc, err := e.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data := make([]byte, min(n, e.Size))
	if _, err := io.ReadFull(rc, data); err != nil {
		if errors.As(err, new(*Error)) {
			return nil, err
		}
		return nil, causeErr(e.shown, ErrCorrupt, err)
	}
	return data, nil
}

// MergeInfoLines completes notes from a design's notes files (Group's
// Notes for a design whose QLI files were not read) with the "NO INFO"
// lines of its QLI files' contents, exactly as Group merges them when it
// has the QLI files: their designer and URL first, the notes files' text
// first.
func MergeInfoLines(fromFiles Notes, qlis ...[]byte) Notes {
	var fromQLI Notes
	for _, q := range qlis {
		if lines := InfoLines(q); len(lines) > 0 {
			fromQLI = fromQLI.merge(ParseInfoLines(lines))
		}
	}
	if fromQLI == (Notes{}) {
		return fromFiles
	}
	out := fromQLI.merge(fromFiles)
	out.Text = fromFiles.merge(fromQLI).Text
	return out
}

// Check opens an upload as the import will, to refuse at once what can be
// refused without reading its files: anything OpenArchive refuses, and an
// upload that holds no file (ErrEmpty).
func Check(r io.ReaderAt, size int64, name string, lim Limits, tempDir string) error {
	a, err := OpenArchive(r, size, name, lim, tempDir)
	if err != nil {
		return err
	}
	defer a.Close()
	if len(a.entries) == 0 || len(a.entries) == 1 && a.entries[0].zf == nil && size == 0 {
		return entryErr(displayName(name), ErrEmpty)
	}
	return nil
}
