package backup_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// handmadeExport is an export as WriteExport lays it out, written without
// a database: a manifest with one design per file and the files beside
// it.
func handmadeExport(tb testing.TB, files map[string][]byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var patterns, fileRows, places bytes.Buffer
	id := 0
	for name, data := range files {
		id++
		sum := sha256.Sum256(data)
		if id > 1 {
			patterns.WriteString(",")
			fileRows.WriteString(",")
			places.WriteString(",")
		}
		path := fmt.Sprintf("designs/%d/%s", id, name)
		fmt.Fprintf(&patterns, `{"id":%d,"name":%q,"deleted_at":null}`, id, name)
		fmt.Fprintf(&fileRows, `{"id":%d,"pattern_id":%d,"file_name":%q,"blob_key":"1/patterns/x","sha256":"\\x%s","size":%d}`,
			id, id, name, hex.EncodeToString(sum[:]), len(data))
		fmt.Fprintf(&places, `{"file_id":%d,"path":%q}`, id, path)
		w, err := zw.Create(path)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(data)
	}
	manifest := fmt.Sprintf(`{"format":"patternvault-workspace","version":%d,"created_at":"2026-12-05T02:00:00Z","generator":"fuzz","schema_version":1,`+
		`"workspace":{"id":1,"slug":"acme","name":"Acme"},"members":[],"tables":[`+
		`{"name":"patterns","columns":["id","name","deleted_at"],"rows":[%s],"count":%d},`+
		`{"name":"pattern_files","columns":["id","pattern_id","file_name","blob_key","sha256","size"],"rows":[%s],"count":%d}],`+
		`"files":[%s],"file_count":%d}`, backup.Version, patterns.String(), id, fileRows.String(), id, places.String(), id)
	w, err := zw.Create("manifest.json")
	if err != nil {
		tb.Fatal(err)
	}
	w.Write([]byte(manifest))
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzCheckExport feeds the export check, which reads a file a person
// uploads before anything is written, arbitrary bytes: it never panics,
// and a refusal is always a problem with a message a person can read.
// Seeds: exports holding the real design fixtures (when present), and
// their truncations.
func FuzzCheckExport(f *testing.F) {
	files := map[string][]byte{"Feather.qli": []byte("#CAD2DMC\nNO NEEDLE ON\nVP 0,0\nVP 1000,1000\nVE\nEN\n")}
	if dir, err := testfixtures.Find(); err == nil {
		n := 0
		filepath.WalkDir(filepath.Join(dir, "stitchables"), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || n >= 4 {
				return nil
			}
			if b, err := os.ReadFile(p); err == nil && len(b) < 256<<10 {
				files[filepath.Base(p)] = b
				n++
			}
			return nil
		})
	}
	whole := handmadeExport(f, files)
	f.Add(whole)
	f.Add(whole[:len(whole)/2])
	f.Add(whole[:len(whole)-10])
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	s := &backup.Service{}
	// The whole seed passes: the fuzz target's refusals are not a
	// blanket one.
	if _, err := s.CheckExport(context.Background(), bytes.NewReader(whole), int64(len(whole))); err != nil {
		f.Fatalf("the handmade export is refused: %v", err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := s.CheckExport(context.Background(), bytes.NewReader(data), int64(len(data)))
		if err != nil {
			var p *problem.Error
			if !errors.As(err, &p) {
				t.Fatalf("refusal without a message for people: %v", err)
			}
			return
		}
		if h == nil {
			t.Fatal("accepted without a header")
		}
	})
}
