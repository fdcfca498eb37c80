package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// zipEntries reads every entry of the ZIP at file.
func zipEntries(t *testing.T, file string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatalf("%s is not a ZIP: %v", file, err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s in %s: %v", f.Name, file, err)
		}
		out[f.Name] = b
	}
	return out
}

// exportFacts is what two exports of the same library share: the designs'
// names, their keywords, and the hashes of their files.
type exportFacts struct {
	Designs  []string
	Keywords []string
	Files    []string
}

func factsOf(t *testing.T, manifestJSON []byte) exportFacts {
	t.Helper()
	var m struct {
		Tables []struct {
			Name string           `json:"name"`
			Rows []map[string]any `json:"rows"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	var f exportFacts
	names, kws := map[float64]string{}, map[float64]string{}
	for _, tb := range m.Tables {
		for _, r := range tb.Rows {
			switch tb.Name {
			case "patterns":
				names[r["id"].(float64)] = r["name"].(string)
				f.Designs = append(f.Designs, r["name"].(string))
			case "keywords":
				kws[r["id"].(float64)] = r["name"].(string)
			}
		}
	}
	for _, tb := range m.Tables {
		for _, r := range tb.Rows {
			switch tb.Name {
			case "pattern_keywords":
				f.Keywords = append(f.Keywords, names[r["pattern_id"].(float64)]+"="+kws[r["keyword_id"].(float64)])
			case "pattern_files":
				f.Files = append(f.Files, fmt.Sprintf("%s/%s %v", names[r["pattern_id"].(float64)], r["file_name"], r["sha256"]))
			}
		}
	}
	slices.Sort(f.Designs)
	slices.Sort(f.Keywords)
	slices.Sort(f.Files)
	return f
}

// TestExportRestoreAndBackupCommands is the outside check:
// `export` writes a ZIP with manifest.json, index.html and one folder per
// design holding the uploads byte for byte; `restore` of it into a new
// workspace and a second export give the same designs, keywords and file
// hashes; a truncated export is refused with nothing written; `backup
// run|list|restore` bring a deleted design back with its files.
func TestExportRestoreAndBackupCommands(t *testing.T) {
	t.Parallel()
	env, base := startServe(t)
	for _, args := range [][]string{
		{"tenant", "create", "--slug", "acme", "--name", "Acme Quilting"},
		{"user", "create", "--email", "pam@example.com", "--password", "a long enough password", "--tenant", "acme"},
	} {
		if out, err := pv(t, env, args...); err != nil {
			t.Fatalf("%v: %v %s", args, err, out)
		}
	}
	out, err := pv(t, env, "token", "create", "--tenant", "acme", "--email", "pam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)
	dir := t.TempDir()
	uploads := map[string][]byte{}
	var files []string
	for i := range 5 {
		name := fmt.Sprintf("Feather %d.qli", i)
		b := []byte(fmt.Sprintf("#CAD2DMC\nNO NEEDLE ON\nVP 0,0\nVP %d,1000\nVP 3000,%d\nVE\nEN\n", 1000+i*500, 200*i))
		uploads[name] = b
		files = append(files, filepath.Join(dir, name))
		if err := os.WriteFile(files[i], b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := pv(t, env, append([]string{"import", "--tenant", "acme"}, files...)...); err != nil {
		t.Fatalf("import: %v %s", err, out)
	}
	_, list := apiGet(t, base+"/api/v1/patterns?limit=10", token)
	var ids []int64
	for _, x := range list["patterns"].([]any) {
		ids = append(ids, int64(x.(map[string]any)["id"].(float64)))
	}
	if len(ids) != len(uploads) {
		t.Fatalf("%d designs imported, want %d", len(ids), len(uploads))
	}
	if code, _ := apiDo(t, "POST", fmt.Sprintf("%s/api/v1/patterns/%d/keywords", base, ids[0]), token, map[string]any{"keywords": []string{"feathers", "borders"}}); code != 200 {
		t.Fatalf("add keywords = %d", code)
	}

	// The export: manifest, catalogue, and the uploads byte for byte,
	// one folder per design.
	first := filepath.Join(dir, "acme.zip")
	if out, err := pv(t, env, "export", "--tenant", "acme", "--out", first); err != nil {
		t.Fatalf("export: %v %s", err, out)
	}
	got := zipEntries(t, first)
	if got["manifest.json"] == nil || got["index.html"] == nil {
		t.Fatalf("export lacks manifest.json or index.html: %d entries", len(got))
	}
	folders := map[string]bool{}
	for name, want := range uploads {
		found := ""
		for entry, b := range got {
			if path.Base(entry) == name && bytes.Equal(b, want) {
				found = entry
			}
		}
		if found == "" || path.Dir(found) == "." {
			t.Errorf("%s is not in a design's folder of the export, byte for byte", name)
			continue
		}
		folders[path.Dir(found)] = true
		if !strings.Contains(string(got["index.html"]), strings.TrimSuffix(name, ".qli")) {
			t.Errorf("index.html does not name %s", name)
		}
	}
	if len(folders) != len(uploads) {
		t.Errorf("%d folders for %d designs", len(folders), len(uploads))
	}

	// Restore into a new workspace, export again: the same library.
	out, err = pv(t, env, "restore", "--tenant", "copy", first)
	if err != nil || !strings.Contains(out, "Restored 5 designs") {
		t.Fatalf("restore: %q, %v", out, err)
	}
	second := filepath.Join(dir, "copy.zip")
	if out, err := pv(t, env, "export", "--tenant", "copy", "--out", second); err != nil {
		t.Fatalf("export of the copy: %v %s", err, out)
	}
	again := zipEntries(t, second)
	a, b := factsOf(t, got["manifest.json"]), factsOf(t, again["manifest.json"])
	if len(a.Designs) != 5 || !slices.Contains(a.Keywords, "Feather 0=borders") || len(a.Files) != 5 {
		t.Fatalf("first export's manifest: %+v", a)
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("the copy's export differs:\n%+v\n%+v", a, b)
	}
	for name, want := range uploads {
		n := 0
		for entry, b := range again {
			if path.Base(entry) == name && bytes.Equal(b, want) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d byte-identical copies in the copy's export", name, n)
		}
	}

	// A truncated export is refused, and nothing is written: no new
	// workspace, and an existing empty one stays empty.
	whole, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.zip")
	if err := os.WriteFile(cut, whole[:len(whole)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := pv(t, env, "restore", "--tenant", "cut", cut); err == nil || !strings.Contains(err.Error(), "Nothing was restored") {
		t.Errorf("restore of a truncated export: %q, %v; want a refusal", out, err)
	}
	pv(t, env, "tenant", "create", "--slug", "empty", "--name", "Empty")
	if out, err := pv(t, env, "restore", "--tenant", "empty", cut); err == nil {
		t.Errorf("restore of a truncated export into an empty workspace: %q, want a refusal", out)
	}
	out, err = pv(t, env, "tenant", "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, `"cut"`) {
		t.Errorf("a refused restore created its workspace: %s", out)
	}
	emptyZip := filepath.Join(dir, "empty.zip")
	if out, err := pv(t, env, "export", "--tenant", "empty", "--out", emptyZip); err != nil {
		t.Fatalf("export of empty: %v %s", err, out)
	}
	if f := factsOf(t, zipEntries(t, emptyZip)["manifest.json"]); len(f.Designs)+len(f.Files) != 0 {
		t.Errorf("a refused restore wrote into the empty workspace: %+v", f)
	}

	// Snapshots: take one, delete a design, restore it: the design is
	// back with its files.
	if out, err := pv(t, env, "backup", "run", "--tenant", "acme"); err != nil || !strings.Contains(out, "5 designs") {
		t.Fatalf("backup run: %q, %v", out, err)
	}
	out, err = pv(t, env, "backup", "list", "--tenant", "acme", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var snaps []struct {
		ID      int64 `json:"id"`
		Designs int   `json:"designs"`
	}
	if err := json.Unmarshal([]byte(out), &snaps); err != nil || len(snaps) != 1 || snaps[0].Designs != 5 {
		t.Fatalf("backup list --json = %s (%v)", out, err)
	}
	if out, err := pv(t, env, "backup", "list", "--tenant", "acme"); err != nil || !strings.Contains(out, fmt.Sprint(snaps[0].ID)) {
		t.Errorf("backup list: %q, %v", out, err)
	}
	gone := ids[0]
	if code, _ := apiDo(t, "DELETE", fmt.Sprintf("%s/api/v1/patterns/%d", base, gone), token, nil); code/100 != 2 {
		t.Fatalf("delete design = %d", code)
	}
	if code, _ := apiGet(t, fmt.Sprintf("%s/api/v1/patterns/%d", base, gone), token); code != http.StatusNotFound {
		t.Fatalf("a deleted design answers %d", code)
	}
	if out, err := pv(t, env, "backup", "restore", "--tenant", "acme", "--snapshot", fmt.Sprint(snaps[0].ID)); err != nil {
		t.Fatalf("backup restore: %q, %v", out, err)
	}
	code, back := apiGet(t, fmt.Sprintf("%s/api/v1/patterns/%d", base, gone), token)
	if code != 200 {
		t.Fatalf("after backup restore the design answers %d: %v", code, back)
	}
	restored := filepath.Join(dir, "restored.zip")
	if out, err := pv(t, env, "export", "--tenant", "acme", "--out", restored); err != nil {
		t.Fatalf("export after restore: %v %s", err, out)
	}
	if f := factsOf(t, zipEntries(t, restored)["manifest.json"]); fmt.Sprint(f) != fmt.Sprint(a) {
		t.Errorf("after the snapshot's restore the library differs:\n%+v\n%+v", f, a)
	}
	// The snapshot of what was there before the restore is listed too.
	out, _ = pv(t, env, "backup", "list", "--tenant", "acme", "--json")
	if err := json.Unmarshal([]byte(out), &snaps); err != nil || len(snaps) != 2 {
		t.Errorf("after a restore, backup list = %s, want the snapshot taken before it too", out)
	}
	if out, err := pv(t, env, "backup", "restore", "--tenant", "acme", "--snapshot", "999999"); err == nil {
		t.Errorf("restore of an unknown snapshot: %q, want an error", out)
	}
}
