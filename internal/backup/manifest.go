package backup

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// The manifest: every row of a workspace as JSON, in one document that
// exports carry as manifest.json and snapshots keep (gzipped) in blob
// storage. docs/manifest.md documents it; this file writes and reads it.

// Format names the manifest's kind of document.
const Format = "patternvault-workspace"

// Version is the manifest version this PatternVault writes. A change a
// reader of the previous version could misread (a renamed key, a changed
// meaning) makes a new version and an upgrade in upgrade(); new tables
// and new columns do not (readers ignore what they do not know).
const Version = 1

// MinVersion is the oldest manifest version this PatternVault restores.
const MinVersion = 1

// Bounds on what a reader of a manifest holds in memory at once: a
// manifest comes from outside (an export a person uploads).
const (
	// MaxRowBytes is the largest row (one JSON object) read.
	MaxRowBytes = 16 << 20
	// MaxHeaderBytes is the largest workspace or members section.
	MaxHeaderBytes = 8 << 20
	// MaxTables is how many tables a manifest may hold.
	MaxTables = 200
	// MaxColumns is how many columns one table may have.
	MaxColumns = 400
)

// Header is the manifest's description of the workspace and of itself.
type Header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// CreatedAt is when the rows were read (one consistent moment).
	CreatedAt time.Time `json:"created_at"`
	// Generator is the PatternVault that wrote it.
	Generator string `json:"generator"`
	// SchemaVersion is the workspace's schema version then.
	SchemaVersion int                    `json:"schema_version"`
	Workspace     store.WorkspaceHeader  `json:"workspace"`
	Members       []store.ManifestMember `json:"members"`
}

// FileEntry says where an export holds the bytes of one pattern_files row.
type FileEntry struct {
	FileID int64  `json:"file_id"`
	Path   string `json:"path"`
}

// Problems of reading a manifest.
var (
	ErrNotManifest = problem.Invalid("not_an_export", "This is not a PatternVault export: it has no manifest.json we can read. Nothing was restored.")
	ErrTooNew      = problem.Invalid("export_too_new", "This export was made by a newer PatternVault than this one. Update PatternVault, then restore it; nothing was restored.")
	ErrTooOld      = problem.Invalid("export_too_old", "This export was made by a PatternVault too old to restore here. Nothing was restored.")
	ErrCorrupt     = problem.Invalid("export_corrupt", "This export is damaged or incomplete, so nothing was restored.")
)

// manifestWriter writes a manifest as it is read from the database, row
// by row, never holding more than a row.
type manifestWriter struct {
	w        *bufio.Writer
	tables   int
	inTable  bool
	rows     int64
	hasFiles bool
	files    int
	err      error
}

func newManifestWriter(w io.Writer, h *Header) (*manifestWriter, error) {
	m := &manifestWriter{w: bufio.NewWriterSize(w, 256<<10)}
	m.raw(`{"format":`)
	m.json(h.Format)
	m.raw(`,"version":`)
	m.raw(strconv.Itoa(h.Version))
	m.raw(`,"created_at":`)
	m.json(h.CreatedAt.UTC())
	m.raw(`,"generator":`)
	m.json(h.Generator)
	m.raw(`,"schema_version":`)
	m.raw(strconv.Itoa(h.SchemaVersion))
	m.raw(`,"workspace":`)
	m.json(h.Workspace)
	m.raw(`,"members":`)
	if h.Members == nil {
		h.Members = []store.ManifestMember{}
	}
	m.json(h.Members)
	m.raw(`,"tables":[`)
	return m, m.err
}

func (m *manifestWriter) raw(s string) {
	if m.err == nil {
		_, m.err = m.w.WriteString(s)
	}
}

func (m *manifestWriter) json(v any) {
	if m.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		m.err = err
		return
	}
	_, m.err = m.w.Write(b)
}

// table starts a table's rows.
func (m *manifestWriter) table(name string, columns []string) {
	if m.tables > 0 {
		m.raw(",")
	}
	m.tables++
	m.raw("\n{\"name\":")
	m.json(name)
	m.raw(`,"columns":`)
	m.json(columns)
	m.raw(`,"rows":[`)
	m.inTable, m.rows = true, 0
}

// row adds one row (a JSON object) to the table.
func (m *manifestWriter) row(b []byte) error {
	if m.rows > 0 {
		m.raw(",")
	}
	m.raw("\n")
	if m.err == nil {
		_, m.err = m.w.Write(b)
	}
	m.rows++
	return m.err
}

// endTable closes the table with its row count.
func (m *manifestWriter) endTable() {
	m.raw(`],"count":`)
	m.raw(strconv.FormatInt(m.rows, 10))
	m.raw("}")
	m.inTable = false
}

// file records where an export holds a file's bytes.
func (m *manifestWriter) file(e FileEntry) {
	if !m.hasFiles {
		m.raw("],\n\"files\":[")
		m.hasFiles = true
	} else {
		m.raw(",")
	}
	m.raw("\n")
	m.json(e)
	m.files++
}

// close ends the document.
func (m *manifestWriter) close() error {
	if m.hasFiles {
		m.raw("],\"file_count\":")
		m.raw(strconv.Itoa(m.files))
		m.raw("}\n")
	} else {
		m.raw("]}\n")
	}
	if m.err == nil {
		m.err = m.w.Flush()
	}
	return m.err
}

// manifestReader is what a reader of a manifest is told, in the order of
// the document: its header, then each table's rows, then (in an export)
// where each file is.
type manifestReader interface {
	header(h *Header) error
	// table starts a table; the returned func receives each row (valid
	// only during the call).
	table(name string, columns []string) (func(row []byte) error, error)
	// endTable ends it with the count the manifest states.
	endTable(name string, rows, stated int64) error
	file(e FileEntry) error
}

// readManifest reads a manifest from r, streaming: no row, header or file
// entry larger than the bounds above is ever held, whatever r holds. A
// manifest that is not one, is of an unknown version, or is cut short is
// refused with ErrNotManifest, ErrTooNew/ErrTooOld or ErrCorrupt.
func readManifest(r io.Reader, to manifestReader) error {
	br := &boundedReader{r: r}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	p := &parser{dec: dec, br: br, to: to}
	if err := p.document(); err != nil {
		if _, ok := problem.As(err); ok {
			return err
		}
		return ErrCorrupt.Wrap(err)
	}
	return nil
}

// boundedReader fails once more than limit bytes were read since the last
// reset: it bounds how much one JSON value may make the decoder buffer.
type boundedReader struct {
	r     io.Reader
	n     int64
	limit int64
}

var errValueTooLarge = errors.New("manifest: a value is larger than allowed")

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.limit > 0 && b.n > b.limit {
		return 0, errValueTooLarge
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

func (b *boundedReader) reset(limit int64) { b.n, b.limit = 0, limit }

type parser struct {
	dec       *json.Decoder
	br        *boundedReader
	to        manifestReader
	h         Header
	gotHeader bool
	tables    int
}

func (p *parser) token() (json.Token, error) {
	p.br.reset(1 << 20)
	return p.dec.Token()
}

func (p *parser) delim(want json.Delim) error {
	t, err := p.token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("manifest: want %q, found %v", want, t)
	}
	return nil
}

func (p *parser) value(v any, limit int64) error {
	p.br.reset(limit)
	return p.dec.Decode(v)
}

func (p *parser) document() error {
	if err := p.delim('{'); err != nil {
		return ErrNotManifest.Wrap(err)
	}
	sawFormat := false
	for p.dec.More() {
		key, err := p.key()
		if err != nil {
			return err
		}
		switch key {
		case "format":
			if err := p.value(&p.h.Format, 4096); err != nil {
				return ErrNotManifest.Wrap(err)
			}
			if p.h.Format != Format {
				return ErrNotManifest.Wrap(fmt.Errorf("format %q", p.h.Format))
			}
			sawFormat = true
		case "version":
			if err := p.value(&p.h.Version, 64); err != nil {
				return err
			}
			if err := checkVersion(p.h.Version); err != nil {
				return err
			}
		case "created_at":
			if err := p.value(&p.h.CreatedAt, 256); err != nil {
				return err
			}
		case "generator":
			if err := p.value(&p.h.Generator, 4096); err != nil {
				return err
			}
		case "schema_version":
			if err := p.value(&p.h.SchemaVersion, 64); err != nil {
				return err
			}
		case "workspace":
			if err := p.value(&p.h.Workspace, MaxHeaderBytes); err != nil {
				return err
			}
		case "members":
			if err := p.value(&p.h.Members, MaxHeaderBytes); err != nil {
				return err
			}
		case "tables":
			if !sawFormat || p.h.Version == 0 {
				return ErrNotManifest.Wrap(errors.New("tables before format and version"))
			}
			if err := p.to.header(&p.h); err != nil {
				return err
			}
			p.gotHeader = true
			if err := p.tablesArray(); err != nil {
				return err
			}
		case "files":
			if !p.gotHeader {
				return ErrNotManifest.Wrap(errors.New("files before tables"))
			}
			if err := p.filesArray(); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := p.value(&skip, MaxHeaderBytes); err != nil {
				return err
			}
		}
	}
	if err := p.delim('}'); err != nil {
		return err
	}
	if !p.gotHeader {
		return ErrNotManifest.Wrap(errors.New("no tables"))
	}
	// Nothing may follow the document but white space.
	p.br.reset(1 << 10)
	if _, err := p.dec.Token(); err != io.EOF {
		return fmt.Errorf("manifest: data after the end (%v)", err)
	}
	return nil
}

func (p *parser) key() (string, error) {
	t, err := p.token()
	if err != nil {
		return "", err
	}
	k, ok := t.(string)
	if !ok {
		return "", fmt.Errorf("manifest: want a key, found %v", t)
	}
	return k, nil
}

// checkVersion refuses manifests this PatternVault cannot read.
func checkVersion(v int) error {
	switch {
	case v > Version:
		return ErrTooNew.Reword(fmt.Sprintf("This export was made by a newer PatternVault (manifest version %d; this one reads versions %d to %d). Update PatternVault, then restore it; nothing was restored.", v, MinVersion, Version))
	case v < MinVersion:
		return ErrTooOld.Reword(fmt.Sprintf("This export's manifest version %d is older than this PatternVault reads (%d to %d). Nothing was restored.", v, MinVersion, Version))
	}
	return nil
}

func (p *parser) tablesArray() error {
	if err := p.delim('['); err != nil {
		return err
	}
	for p.dec.More() {
		p.tables++
		if p.tables > MaxTables {
			return fmt.Errorf("manifest: more than %d tables", MaxTables)
		}
		if err := p.tableObject(); err != nil {
			return err
		}
	}
	return p.delim(']')
}

func (p *parser) tableObject() error {
	if err := p.delim('{'); err != nil {
		return err
	}
	var name string
	var columns []string
	var rowFn func([]byte) error
	var rows int64
	stated := int64(-1)
	for p.dec.More() {
		key, err := p.key()
		if err != nil {
			return err
		}
		switch key {
		case "name":
			if err := p.value(&name, 256); err != nil {
				return err
			}
		case "columns":
			if err := p.value(&columns, 64<<10); err != nil {
				return err
			}
			if len(columns) > MaxColumns {
				return fmt.Errorf("manifest: table %q has %d columns", name, len(columns))
			}
		case "rows":
			if name == "" || columns == nil {
				return fmt.Errorf("manifest: rows before the table's name and columns")
			}
			if rowFn, err = p.to.table(name, columns); err != nil {
				return err
			}
			if rows, err = p.rowsArray(name, rowFn); err != nil {
				return err
			}
		case "count":
			if err := p.value(&stated, 64); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := p.value(&skip, MaxHeaderBytes); err != nil {
				return err
			}
		}
	}
	if err := p.delim('}'); err != nil {
		return err
	}
	if rowFn == nil {
		return fmt.Errorf("manifest: table %q has no rows array", name)
	}
	return p.to.endTable(name, rows, stated)
}

func (p *parser) rowsArray(name string, fn func([]byte) error) (int64, error) {
	if err := p.delim('['); err != nil {
		return 0, err
	}
	var n int64
	var row json.RawMessage
	for p.dec.More() {
		row = row[:0]
		if err := p.value(&row, MaxRowBytes); err != nil {
			if errors.Is(err, errValueTooLarge) {
				return n, fmt.Errorf("manifest: row %d of %s is larger than %d MB", n+1, name, MaxRowBytes>>20)
			}
			return n, err
		}
		if len(row) == 0 || row[0] != '{' {
			return n, fmt.Errorf("manifest: row %d of %s is not an object", n+1, name)
		}
		if err := fn(row); err != nil {
			return n, err
		}
		n++
	}
	return n, p.delim(']')
}

func (p *parser) filesArray() error {
	if err := p.delim('['); err != nil {
		return err
	}
	for p.dec.More() {
		var e FileEntry
		if err := p.value(&e, 8<<10); err != nil {
			return err
		}
		if err := p.to.file(e); err != nil {
			return err
		}
	}
	return p.delim(']')
}

// rowInt reads an integer column of a row (0 when absent or null).
func rowInt(row []byte, col string) (int64, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(row, &m); err != nil {
		return 0, err
	}
	v, ok := m[col]
	if !ok || bytes.Equal(v, []byte("null")) {
		return 0, nil
	}
	return strconv.ParseInt(string(v), 10, 64)
}
