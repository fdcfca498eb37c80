package backup_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/store"
)

func export(t *testing.T, w *world, tenantID int64, opt backup.ExportOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := w.r.Backup.WriteExport(context.Background(), tenantID, &buf, opt); err != nil {
		t.Fatalf("export: %v", err)
	}
	return buf.Bytes()
}

func entries(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("export is not a ZIP: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name] = b
	}
	return out
}

// manifest is a parsed manifest.json.
type manifest struct {
	Format        string             `json:"format"`
	Version       int                `json:"version"`
	SchemaVersion int                `json:"schema_version"`
	Workspace     map[string]any     `json:"workspace"`
	Members       []map[string]any   `json:"members"`
	Tables        []manifestTable    `json:"tables"`
	Files         []backup.FileEntry `json:"files"`
	FileCount     int                `json:"file_count"`
}

type manifestTable struct {
	Name    string           `json:"name"`
	Columns []string         `json:"columns"`
	Rows    []map[string]any `json:"rows"`
	Count   int              `json:"count"`
}

func parseManifest(t *testing.T, b []byte) *manifest {
	t.Helper()
	m := &manifest{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	return m
}

func (m *manifest) table(name string) *manifestTable {
	for i := range m.Tables {
		if m.Tables[i].Name == name {
			return &m.Tables[i]
		}
	}
	return nil
}

func TestExportHoldsEverything(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "acme")
	got := entries(t, export(t, w, w.tenant.ID, backup.ExportOptions{Machine: "qbot"}))
	for _, want := range []string{"manifest.json", "index.html", "README.txt"} {
		if got[want] == nil {
			t.Errorf("export has no %s", want)
		}
	}
	m := parseManifest(t, got["manifest.json"])
	if m.Format != backup.Format || m.Version != backup.Version || m.SchemaVersion < 6 {
		t.Errorf("manifest header: format %q version %d schema %d", m.Format, m.Version, m.SchemaVersion)
	}
	for _, name := range []string{"patterns", "pattern_files", "keywords", "pattern_keywords", "keyword_groups", "keyword_group_keywords",
		"favorites", "pinned_keywords", "saved_searches", "activity", "platform.share_links", "platform.share_link_patterns", "platform.share_link_votes"} {
		tb := m.table(name)
		if tb == nil || tb.Count != len(tb.Rows) || tb.Count == 0 {
			t.Errorf("manifest table %s: %+v", name, tb)
		}
	}
	if tb := m.table("patterns"); tb != nil {
		for _, col := range tb.Columns {
			if strings.HasPrefix(col, "search_") {
				t.Errorf("patterns exports the derived column %s", col)
			}
		}
	}
	// Every design has a folder holding its uploads byte for byte.
	folders := map[string]bool{}
	for _, e := range m.Files {
		folders[path.Dir(e.Path)] = true
		b, ok := got[e.Path]
		if !ok {
			t.Errorf("manifest places a file at %s; the ZIP has none", e.Path)
			continue
		}
		if up, ok := w.uploads[path.Base(e.Path)]; !ok || !bytes.Equal(b, up) {
			t.Errorf("%s differs from the upload (%d bytes, upload %d)", e.Path, len(b), len(up))
		}
	}
	live, trashed := 0, 0
	for f := range folders {
		switch {
		case strings.HasPrefix(f, "designs/"):
			live++
		case strings.HasPrefix(f, "trash/"):
			trashed++
		}
	}
	if live != len(w.designs) || trashed != 1 {
		t.Errorf("%d design folders and %d in the trash, want %d and 1", live, trashed, len(w.designs))
	}
	if m.FileCount != len(m.table("pattern_files").Rows) {
		t.Errorf("file_count %d, pattern_files %d", m.FileCount, len(m.table("pattern_files").Rows))
	}
	// QBot takes PLT: designs without a PLT original get one.
	plts := 0
	for name := range got {
		if strings.HasSuffix(strings.ToLower(name), ".plt") && strings.HasPrefix(name, "designs/") {
			plts++
		}
	}
	if plts == 0 {
		t.Error("no design was converted to PLT for the QBot")
	}
	// The catalogue shows each design with its picture and links.
	index := string(got["index.html"])
	for _, d := range w.designs {
		if !strings.Contains(index, htmlEscape(d.Name)) {
			t.Errorf("index.html does not show %q", d.Name)
		}
		if got[fmt.Sprintf("index_files/thumbs/%d.png", d.ID)] == nil {
			t.Errorf("no thumbnail of %q", d.Name)
		}
	}
	if !strings.Contains(index, `href="designs/`) || !strings.Contains(index, `src="index_files/thumbs/`) {
		t.Error("index.html links no files or pictures")
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// normalized is a manifest without what a restore into another workspace
// changes: the header's workspace and people, the share links' ids and
// addresses, and the workspace id in the keys of stored files.
func normalized(m *manifest) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for _, tb := range m.Tables {
		rows := tb.Rows
		for _, r := range rows {
			switch tb.Name {
			case "pattern_files":
				k := r["blob_key"].(string)
				r["blob_key"] = k[strings.Index(k, "/"):]
			case "platform.share_links":
				delete(r, "id")
				delete(r, "tenant_id")
				delete(r, "token_hash")
			case "platform.share_link_patterns", "platform.share_link_votes":
				delete(r, "share_id")
			}
		}
		out[tb.Name] = rows
	}
	return out
}

func TestExportRestoreExportRoundTrip(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "acme")
	ctx := context.Background()
	first := export(t, w, w.tenant.ID, backup.ExportOptions{})
	cp := w.r.Tenant(t, "copy")
	must(t, w.r.Store.AddMember(ctx, cp.ID, w.owner.ID, store.RoleOwner))
	sum, err := w.r.Backup.RestoreExport(ctx, cp.ID, bytes.NewReader(first), int64(len(first)), backup.RestoreOptions{})
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if sum.Designs != len(w.designs) || sum.Trashed != 1 || sum.Shares != 1 || sum.NewLinks != 1 || sum.LeftOut != 0 {
		t.Errorf("summary %+v", sum)
	}
	if sum.Thumbnails == 0 {
		t.Errorf("no thumbnail restored: %+v", sum)
	}
	second := export(t, w, cp.ID, backup.ExportOptions{})
	a, b := entries(t, first), entries(t, second)
	ma, mb := parseManifest(t, a["manifest.json"]), parseManifest(t, b["manifest.json"])
	na, nb := normalized(ma), normalized(mb)
	for name, rows := range na {
		if len(rows) != len(nb[name]) {
			t.Errorf("table %s: %d rows, then %d after the round trip", name, len(rows), len(nb[name]))
			continue
		}
		for i := range rows {
			if !reflect.DeepEqual(rows[i], nb[name][i]) {
				t.Errorf("table %s row %d differs after the round trip:\n first %v\nsecond %v", name, i, rows[i], nb[name][i])
				break
			}
		}
	}
	if !reflect.DeepEqual(ma.Files, mb.Files) {
		t.Errorf("files placed differently:\n%v\n%v", ma.Files, mb.Files)
	}
	for name, data := range a {
		if strings.HasPrefix(name, "designs/") || strings.HasPrefix(name, "trash/") || strings.HasPrefix(name, "index_files/") {
			if !bytes.Equal(data, b[name]) {
				t.Errorf("%s differs after the round trip", name)
			}
		}
	}
	// The copy works as a library: its search finds what the original's does.
	page, err := w.r.Store.Patterns(ctx, cp.ID, store.PatternQuery{Text: "wedding", Limit: 10})
	must(t, err)
	if len(page.Patterns) != 2 {
		t.Errorf("search of the copy for a keyword found %d designs, want 2", len(page.Patterns))
	}
	// Its files are its own: stored under its own prefix.
	var f *store.PatternFile
	files, err := w.r.Store.Files(ctx, cp.ID, page.Patterns[0].ID)
	must(t, err)
	f = files[0]
	if !strings.HasPrefix(f.BlobKey, blob.Key(cp.ID)+"/") {
		t.Errorf("restored file key %q is not the copy's", f.BlobKey)
	}
}

func TestRestoreRefusesBadExports(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "acme")
	ctx := context.Background()
	good := export(t, w, w.tenant.ID, backup.ExportOptions{})
	target := w.r.Tenant(t, "target")
	nothingWritten := func(t *testing.T) {
		t.Helper()
		empty, err := w.r.Store.CountPatterns(ctx, target.ID)
		must(t, err)
		var stored []string
		w.r.Blobs.List(ctx, blob.Key(target.ID), func(i blob.Info) error { stored = append(stored, i.Key); return nil })
		if empty != 0 || len(stored) != 0 {
			t.Fatalf("a refused restore wrote %d designs and files %v", empty, stored)
		}
	}
	restore := func(data []byte) error {
		_, err := w.r.Backup.RestoreExport(ctx, target.ID, bytes.NewReader(data), int64(len(data)), backup.RestoreOptions{})
		return err
	}
	t.Run("truncated", func(t *testing.T) {
		for _, n := range []int{len(good) - 1, len(good) / 2, 100, 0} {
			err := restore(good[:n])
			if !errors.Is(err, backup.ErrNotManifest) {
				t.Errorf("cut to %d bytes: %v", n, err)
			}
			nothingWritten(t)
		}
	})
	t.Run("a changed file", func(t *testing.T) {
		done := false
		bad, victim := rewrite(t, good, func(name string, b []byte) []byte {
			if strings.HasPrefix(name, "designs/") && len(b) > 10 && !done {
				done = true
				b = append([]byte(nil), b...)
				b[len(b)/2] ^= 0x55
				return b
			}
			return nil
		})
		err := restore(bad)
		if !errors.Is(err, backup.ErrCorrupt) || !strings.Contains(err.Error(), victim) {
			t.Errorf("a file changed in the export: %v (want it named: %s)", err, victim)
		}
		nothingWritten(t)
	})
	t.Run("a row short", func(t *testing.T) {
		bad, _ := rewrite(t, good, func(name string, b []byte) []byte {
			if name != "manifest.json" {
				return nil
			}
			// Each row is a line of its own: drop the first design's.
			i := bytes.Index(b, []byte(`"rows":[`+"\n")) + len(`"rows":[`+"\n")
			j := i + bytes.Index(b[i:], []byte("\n")) + 1
			return append(append([]byte(nil), b[:i]...), b[j:]...)
		})
		err := restore(bad)
		if !errors.Is(err, backup.ErrCorrupt) || !strings.Contains(err.Error(), "patterns") {
			t.Errorf("a row missing: %v", err)
		}
		nothingWritten(t)
	})
	t.Run("newer and older versions", func(t *testing.T) {
		for v, want := range map[string]error{`"version":99`: backup.ErrTooNew, `"version":0`: backup.ErrTooOld, `"schema_version":999`: backup.ErrTooNew} {
			bad, _ := rewrite(t, good, func(name string, b []byte) []byte {
				if name != "manifest.json" {
					return nil
				}
				key := v[:strings.Index(v, ":")]
				i := bytes.Index(b, []byte(key+":"))
				j := i + bytes.IndexAny(b[i:], ",}")
				return append(append(append([]byte(nil), b[:i]...), v...), b[j:]...)
			})
			err := restore(bad)
			if !errors.Is(err, want) {
				t.Errorf("%s: %v, want %v", v, err, want)
			}
			nothingWritten(t)
		}
	})
	t.Run("not an export", func(t *testing.T) {
		bad, _ := rewrite(t, good, func(name string, b []byte) []byte {
			if name == "manifest.json" {
				return []byte(`{"hello": "world"}`)
			}
			return nil
		})
		if err := restore(bad); !errors.Is(err, backup.ErrNotManifest) {
			t.Errorf("a foreign manifest: %v", err)
		}
		nothingWritten(t)
	})
	t.Run("a table it must never take", func(t *testing.T) {
		bad, _ := rewrite(t, good, func(name string, b []byte) []byte {
			if name != "manifest.json" {
				return nil
			}
			return bytes.Replace(b, []byte(`"name":"saved_searches"`), []byte(`"name":"platform.api_tokens"`), 1)
		})
		if err := restore(bad); !errors.Is(err, backup.ErrCorrupt) || !strings.Contains(err.Error(), "api_tokens") {
			t.Errorf("an api_tokens table: %v", err)
		}
		nothingWritten(t)
	})
}

// rewrite copies a ZIP, replacing the content of entries for which change
// returns bytes; it returns the new ZIP and the last entry changed.
func rewrite(t *testing.T, data []byte, change func(name string, b []byte) []byte) ([]byte, string) {
	t.Helper()
	in := entries(t, data)
	names := make([]string, 0, len(in))
	for n := range in {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	changed := ""
	for _, n := range names {
		b := in[n]
		if nb := change(n, b); nb != nil {
			b, changed = nb, n
		}
		fw, _ := zw.Create(n)
		fw.Write(b)
	}
	zw.Close()
	return buf.Bytes(), changed
}

func TestRestoreIntoANonEmptyWorkspace(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "acme")
	ctx := context.Background()
	data := export(t, w, w.tenant.ID, backup.ExportOptions{})
	// Into itself: not empty, so refused unless replace.
	if _, err := w.r.Backup.RestoreExport(ctx, w.tenant.ID, bytes.NewReader(data), int64(len(data)), backup.RestoreOptions{}); !errors.Is(err, backup.ErrNotEmpty) {
		t.Fatalf("restore into a full workspace: %v", err)
	}
	before, err := w.r.Store.CountPatterns(ctx, w.tenant.ID)
	must(t, err)
	r := w.r.Pattern(t, w.tenant, "Made after the export")
	sum, err := w.r.Backup.RestoreExport(ctx, w.tenant.ID, bytes.NewReader(data), int64(len(data)), backup.RestoreOptions{Replace: true})
	if err != nil {
		t.Fatalf("replace: %v", err)
	}
	if sum.Before == 0 {
		t.Error("replace took no snapshot first")
	}
	after, err := w.r.Store.CountPatterns(ctx, w.tenant.ID)
	must(t, err)
	if after != before {
		t.Errorf("%d designs after replacing, want %d", after, before)
	}
	if _, err := w.r.Store.Pattern(ctx, w.tenant.ID, r.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the design made after the export is still there: %v", err)
	}
	// The share link still works: its address was its own.
	if sum.NewLinks != 0 {
		t.Errorf("%d links got new addresses restoring into their own workspace", sum.NewLinks)
	}
	// ... and the snapshot taken first holds the design made after.
	back, err := w.r.Backup.RestoreSnapshot(ctx, w.tenant.ID, sum.Before, backup.RestoreOptions{})
	if err != nil {
		t.Fatalf("undo the replace: %v", err)
	}
	if _, err := w.r.Store.Pattern(ctx, w.tenant.ID, r.ID); err != nil {
		t.Errorf("undoing the replace did not bring the newer design back: %v (%+v)", err, back)
	}
}
