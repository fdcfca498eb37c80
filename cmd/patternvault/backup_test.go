package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/testdb"
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
	// No scheduled snapshot comes in the way of the ones counted here.
	env, base := startServe(t, "PV_BACKUP_SCHEDULE=off")
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

// libraryOf is the facts of workspace slug's export (taken with pv).
func libraryOf(t *testing.T, env []string, slug, dir string) exportFacts {
	t.Helper()
	f := filepath.Join(dir, slug+"-facts.zip")
	if out, err := pv(t, env, "export", "--tenant", slug, "--out", f); err != nil {
		t.Fatalf("export %s: %v %s", slug, err, out)
	}
	defer os.Remove(f)
	return factsOf(t, zipEntries(t, f)["manifest.json"])
}

// killAfter starts `patternvault args...` and kills it with SIGKILL after
// d, as a crash would; it reports whether the command had already ended.
func killAfter(t *testing.T, env []string, d time.Duration, args ...string) bool {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return false
	}
}

// TestKilledRestoresAndSnapshotsLeaveNothingHalfDone kills `restore`,
// `backup run` and `backup restore` with SIGKILL at moments spread over
// their run: a workspace is only ever as it was or whole, never half
// restored; the previous snapshot stays listed and passes its restore
// check; the command run again finishes the work.
func TestKilledRestoresAndSnapshotsLeaveNothingHalfDone(t *testing.T) {
	t.Parallel()
	env := []string{"PV_DATA_DIR=" + dataDir(t), "PV_DATABASE_URL=" + testdb.NewURL(t), "PV_BACKUP_SCHEDULE=off"}
	if out, err := pv(t, env, "migrate"); err != nil {
		t.Fatalf("migrate: %q, %v", out, err)
	}
	pv(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme")
	dir := t.TempDir()
	var files []string
	for i := range 40 {
		p := filepath.Join(dir, fmt.Sprintf("Swirl %02d.qli", i))
		os.WriteFile(p, []byte(fmt.Sprintf("#CAD2DMC\nNO NEEDLE ON\nVP 0,0\nVP %d,900\nVP 2000,%d\nVE\nEN\n", 500+i*37, 100+i*11)), 0o644)
		files = append(files, p)
	}
	if out, err := pv(t, env, append([]string{"import", "--tenant", "acme"}, files...)...); err != nil {
		t.Fatalf("import: %v %s", err, out)
	}
	export := filepath.Join(dir, "acme.zip")
	if out, err := pv(t, env, "export", "--tenant", "acme", "--out", export); err != nil {
		t.Fatalf("export: %v %s", err, out)
	}
	whole := libraryOf(t, env, "acme", dir)
	if len(whole.Designs) != 40 {
		t.Fatalf("%d designs imported", len(whole.Designs))
	}

	// restore into a new workspace, killed at moments spread over it.
	interrupted := 0
	for i, d := range []time.Duration{300, 700, 1200, 1800, 2600, 3600} {
		slug := fmt.Sprintf("copy%d", i)
		if killAfter(t, env, d*time.Millisecond, "restore", "--tenant", slug, export) {
			continue
		}
		interrupted++
		out, _ := pv(t, env, "tenant", "list", "--json")
		if !strings.Contains(out, `"`+slug+`"`) {
			continue // killed before the workspace was made
		}
		if got := libraryOf(t, env, slug, dir); len(got.Designs) != 0 && fmt.Sprint(got) != fmt.Sprint(whole) {
			t.Errorf("restore killed after %v left %s half restored: %d designs, %d files", d*time.Millisecond, slug, len(got.Designs), len(got.Files))
		}
		// Run again, it finishes (into the empty workspace) or says it
		// was done.
		if out, err := pv(t, env, "restore", "--tenant", slug, export); err != nil && !strings.Contains(err.Error(), "not empty") {
			t.Errorf("restore again after a kill: %q, %v", out, err)
		}
		if got := libraryOf(t, env, slug, dir); fmt.Sprint(got) != fmt.Sprint(whole) {
			t.Errorf("%s after the second restore: %d designs, %d files, want the whole library", slug, len(got.Designs), len(got.Files))
		}
	}
	t.Logf("%d of 6 restores were killed before they ended", interrupted)

	// A snapshot, then `backup run` killed: the first stays listed and
	// passes its restore check.
	if out, err := pv(t, env, "backup", "run", "--tenant", "acme"); err != nil {
		t.Fatalf("backup run: %v %s", err, out)
	}
	for _, d := range []time.Duration{200, 500, 900} {
		killAfter(t, env, d*time.Millisecond, "backup", "run", "--tenant", "acme")
	}
	out, err := pv(t, env, "backup", "list", "--tenant", "acme", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var snaps []struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(out), &snaps); err != nil || len(snaps) == 0 {
		t.Fatalf("backup list after killed snapshots: %s (%v)", out, err)
	}
	first := snaps[len(snaps)-1].ID
	if out, err := pv(t, env, "backup", "check", "--tenant", "acme"); err != nil {
		t.Errorf("restore check after killed snapshots: %q, %v", out, err)
	}

	// `backup restore` killed: a restore replaces every row, so a
	// workspace seen between its start and its commit would lack some;
	// it is always the whole library.
	for _, d := range []time.Duration{400, 1000, 2000} {
		killAfter(t, env, d*time.Millisecond, "backup", "restore", "--tenant", "acme", "--snapshot", strconv.FormatInt(first, 10))
		if got := libraryOf(t, env, "acme", dir); fmt.Sprint(got) != fmt.Sprint(whole) {
			t.Errorf("backup restore killed after %v: %d designs, %d files, want the library whole", d*time.Millisecond, len(got.Designs), len(got.Files))
		}
	}
}
