package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// maxNotesRead bounds how much of a notes file Listing reads (ParseNotes
// keeps at most MaxNotesText of it).
const maxNotesRead = 4 * MaxNotesText

// sniffLen is how much of a .txt or extension-less file Classify reads.
const sniffLen = 8 << 10

// Listing returns the archive's files as Group needs them, without
// holding their contents: each File's Size is the file's size, and Data
// holds only what grouping reads of it (the first 8 KB of .txt and
// extension-less files, which Classify sniffs; up to 256 KB of a notes
// file; the "NO INFO" lines of a QLI file, which name its designer),
// nil for every other file. Group's designs then carry these partial
// files: read a design's contents through Entry.
func (a *Archive) Listing() ([]File, error) {
	files := make([]File, 0, len(a.entries))
	for _, e := range a.entries {
		f := File{Path: e.Path, Size: e.Size}
		ext := Ext(e.Path)
		switch {
		case ext == "qli":
			lines, err := e.infoLines()
			if err != nil {
				return nil, err
			}
			f.Data = lines
		case ext == "txt" || ext == "":
			head, err := e.head(sniffLen)
			if err != nil {
				return nil, err
			}
			f.Data = head
			if Classify(e.Path, head) == RoleNotes && e.Size > int64(len(head)) {
				if f.Data, err = e.head(maxNotesRead); err != nil {
					return nil, err
				}
			}
		case notesExts[ext] && isNotesName(e.Path):
			// Other notes formats (PDF, DOC, RTF, HTML) are kept, not read.
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

// infoLines returns a QLI's "NO INFO" lines as InfoLines would find them
// in the whole file, reading it line by line. (A line of valid UTF-8 in a
// file that is otherwise Windows-1252 is kept as UTF-8, where decoding the
// whole file would read it as Windows-1252.)
func (e *Entry) infoLines() ([]byte, error) {
	rc, err := e.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	if bom, _ := br.Peek(2); len(bom) == 2 && (bom[0] == 0xFF && bom[1] == 0xFE || bom[0] == 0xFE && bom[1] == 0xFF) {
		data, _, err := readLimited(br, e.Size, e.Size) // UTF-16: decode it whole
		if err != nil {
			return nil, err
		}
		return []byte(strings.Join(InfoLines(data), "\n")), nil
	}
	var out bytes.Buffer
	valid := true
	var lines [][]byte
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A line longer than 64 KB is no metadata: skip to its end.
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			continue
		}
		if len(line) > 0 {
			valid = valid && utf8.Valid(line)
			t := bytes.TrimSpace(line)
			if len(t) >= 7 && bytes.EqualFold(t[:7], []byte("NO INFO")) {
				lines = append(lines, bytes.Clone(t))
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	for _, l := range lines {
		if valid {
			out.Write(l)
		} else {
			out.WriteString(decodeText(l))
		}
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
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
