package library

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/blob"
)

// TestPeriodicOrphanSweep: the periodic sweep removes, in every
// workspace, library files older than its age that nothing refers to (a
// crash between storing and recording), and keeps the files designs use,
// young files (an import may be about to record them), and files under
// folders the library does not own.
func TestPeriodicOrphanSweep(t *testing.T) {
	t.Parallel()
	data, _ := fixtureZIP(t, false)
	r := newRig(t)
	ctx := context.Background()
	acme, beta := r.tenant(t, "acme"), r.tenant(t, "beta")
	r.importZIP(t, acme.ID, "a.zip", data)
	r.importZIP(t, beta.ID, "b.zip", data)
	var used []string
	for _, id := range []int64{acme.ID, beta.ID} {
		if err := r.svc.Blobs.List(ctx, blob.Key(id)+"/", func(i blob.Info) error { used = append(used, i.Key); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if len(used) == 0 {
		t.Fatal("the imports stored no file")
	}
	old := time.Now().Add(-48 * time.Hour)
	put := func(key string, at time.Time) {
		t.Helper()
		if err := r.svc.Blobs.Put(ctx, key, bytes.NewReader([]byte("x")), 1, ""); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(r.dir, "files", filepath.FromSlash(key)), at, at); err != nil {
			t.Fatal(err)
		}
	}
	// Everything the imports stored is old too: only rows keep it.
	for _, k := range used {
		os.Chtimes(filepath.Join(r.dir, "files", filepath.FromSlash(k)), old, old)
	}
	orphans := []string{
		blob.Key(acme.ID, "blobs", "ee", "ee", "eeee"),
		blob.Key(beta.ID, "thumbs", "999999", "256.png"),
		blob.Key(beta.ID, "uploads", "gone", "0"),
	}
	for _, k := range orphans {
		put(k, old)
	}
	young := blob.Key(acme.ID, "blobs", "ff", "ff", "ffff")
	put(young, time.Now())
	other := blob.Key(acme.ID, "exports", "2026-12-01.zip")
	put(other, old)

	n, err := r.svc.SweepAllOrphans(ctx, orphanAge)
	if err != nil || n != len(orphans) {
		t.Errorf("SweepAllOrphans = %d, %v; want %d removed", n, err, len(orphans))
	}
	for _, k := range append(append([]string{young, other}, used...), orphans...) {
		_, err := r.svc.Blobs.Stat(ctx, k)
		if gone := err != nil; gone != slices.Contains(orphans, k) {
			t.Errorf("%s: stat after the sweep: %v", k, err)
		}
	}
}
