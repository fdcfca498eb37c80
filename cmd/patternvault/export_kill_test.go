package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/testdb"
)

// TestKilledExportsLeaveNoHalfFile kills `export --out F` with SIGKILL at
// moments spread over its run, over a workspace of the real fixture
// designs: F is never a half-written ZIP (it is absent, the previous
// export byte for byte, or a whole new one), and the export run again
// finishes with a ZIP whose manifest lists every file with the SHA-256 of
// the bytes beside it and which `restore` takes into a new workspace.
func TestKilledExportsLeaveNoHalfFile(t *testing.T) {
	t.Parallel()
	zipPath, designs := fixturesZIP(t) // skips without ../shared/fixtures
	env := []string{"PV_DATA_DIR=" + dataDir(t), "PV_DATABASE_URL=" + testdb.NewURL(t), "PV_BACKUP_SCHEDULE=off"}
	if out, err := pv(t, env, "migrate"); err != nil {
		t.Fatalf("migrate: %q, %v", out, err)
	}
	if out, err := pv(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme"); err != nil {
		t.Fatalf("tenant create: %v %s", err, out)
	}
	if out, err := pv(t, env, "import", "--tenant", "acme", zipPath); err != nil {
		t.Fatalf("import: %v %s", err, out)
	}
	dir := t.TempDir()
	whole := libraryOf(t, env, "acme", dir)
	if len(whole.Designs) == 0 || len(whole.Files) == 0 {
		t.Fatalf("no designs imported from %d fixture folders", designs)
	}

	// An export is whole when its manifest's files are all there with
	// their SHA-256 and it holds the workspace's library.
	checkWhole := func(f, what string) {
		t.Helper()
		entries := zipEntries(t, f)
		got := factsOf(t, entries["manifest.json"])
		if fmt.Sprint(got) != fmt.Sprint(whole) {
			t.Errorf("%s: %d designs, %d files, want the whole library (%d, %d)", what, len(got.Designs), len(got.Files), len(whole.Designs), len(whole.Files))
		}
		sums := map[string]bool{}
		for _, b := range entries {
			s := sha256.Sum256(b)
			sums[hex.EncodeToString(s[:])] = true
		}
		for _, line := range got.Files {
			sum := line[strings.LastIndexByte(line, ' ')+1:]
			if !sums[strings.TrimPrefix(strings.TrimPrefix(sum, `\x`), "sha256:")] {
				t.Errorf("%s: no entry has the bytes of %s", what, line)
			}
		}
	}

	out := filepath.Join(dir, "acme.zip")
	t0 := time.Now()
	if o, err := pv(t, env, "export", "--tenant", "acme", "--out", out); err != nil {
		t.Fatalf("export: %v %s", err, o)
	}
	took := time.Since(t0)
	checkWhole(out, "first export")
	previous, _ := os.ReadFile(out)
	t.Logf("%d designs, export of %d bytes in %v", len(whole.Designs), len(previous), took)

	// Kill over a previous export, then into a path with none.
	interrupted := 0
	for i, frac := range []float64{0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0, 0.5} {
		d := time.Duration(frac * float64(took))
		target, fresh := out, i == 7
		if fresh {
			target = filepath.Join(dir, "fresh.zip")
		}
		if killAfter(t, env, d, "export", "--tenant", "acme", "--out", target) {
			continue
		}
		interrupted++
		b, err := os.ReadFile(target)
		switch {
		case os.IsNotExist(err) && fresh:
			// Killed before the rename: nothing is presented.
		case err != nil:
			t.Errorf("export killed after %v: %s: %v, want the previous export kept", d, target, err)
		case !fresh && bytes.Equal(b, previous):
			// The previous export is intact.
		default:
			checkWhole(target, fmt.Sprintf("%s after a kill at %v", filepath.Base(target), d))
			if !fresh {
				previous = b
			}
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".export-*"))
	t.Logf("%d of 8 exports were killed before they ended (export alone takes %v); %d hidden temp files left behind", interrupted, took, len(left))

	// Run again: whole, and restore takes it; the temp files the killed
	// exports left (hidden, never named as an export) are swept once
	// stale.
	old := time.Now().Add(-2 * time.Minute)
	for _, f := range left {
		os.Chtimes(f, old, old)
	}
	t1 := time.Now()
	if o, err := pv(t, env, "export", "--tenant", "acme", "--out", out); err != nil {
		t.Fatalf("export again after kills: %v %s", err, o)
	}
	if still, _ := filepath.Glob(filepath.Join(dir, ".export-*")); len(still) > 0 {
		t.Errorf("temp files of killed exports still there after an export: %v", still)
	}
	checkWhole(out, "export run again after kills")
	if o, err := pv(t, env, "restore", "--tenant", "copy", out); err != nil {
		t.Fatalf("restore of the export made after kills: %v %s", err, o)
	}
	if got := libraryOf(t, env, "copy", dir); fmt.Sprint(got) != fmt.Sprint(whole) {
		t.Errorf("restored copy: %d designs, %d files, want the whole library", len(got.Designs), len(got.Files))
	}
	t.Logf("rerun + restore + check in %v", time.Since(t1))
}
