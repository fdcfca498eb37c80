package library

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/patternvault/patternvault/internal/blob"
)

// TestOrphanSweepJob: the periodic sweep deletes a tenant's files that no
// row points at once they are old enough, never a young one, nothing of a
// tenant whose import is still queued, never a file in use, and nothing
// outside the library's own folders.
func TestOrphanSweepJob(t *testing.T) {
	t.Parallel()
	data, _ := fixtureZIP(t, false)
	r := newRig(t)
	ctx := context.Background()
	acme, beta := r.tenant(t, "acme"), r.tenant(t, "beta")
	r.importZIP(t, acme.ID, "a.zip", data)
	keys := func(tenantID int64) []string {
		var ks []string
		if err := r.svc.Blobs.List(ctx, blob.Key(tenantID)+"/", func(i blob.Info) error { ks = append(ks, i.Key); return nil }); err != nil {
			t.Fatal(err)
		}
		return ks
	}
	inUse := keys(acme.ID)
	put := func(key string) {
		if err := r.svc.Blobs.Put(ctx, key, strings.NewReader("left by a crash"), 15, "application/octet-stream"); err != nil {
			t.Fatal(err)
		}
	}
	orphan, thumb := blob.Key(acme.ID, "patterns", "zz", "left-by-a-crash.qli"), blob.Key(acme.ID, "thumbs", "999999", "256.png")
	put(orphan)
	put(thumb)
	// Another feature's file: not the library's to sweep.
	other := blob.Key(acme.ID, "exports", "2026-12-01.zip")
	put(other)
	inUse = append(inUse, other)
	slices.Sort(inUse)
	if _, err := r.svc.StartImport(ctx, beta.ID, 0, []Upload{{Name: "b.zip", Body: bytes.NewReader(data), Size: int64(len(data))}}, false); err != nil {
		t.Fatal(err)
	}
	betaOrphan := blob.Key(beta.ID, "patterns", "zz", "not-yet-recorded.qli")
	put(betaOrphan)

	w := r.svc.OrphanSweepWorker()
	if err := w.Work(ctx, &river.Job[OrphanSweepArgs]{}); err != nil {
		t.Fatal(err)
	}
	if got := len(keys(acme.ID)); got != len(inUse)+2 {
		t.Errorf("%d files after sweeping young orphans, want %d (they may be about to be recorded)", got, len(inUse)+2)
	}
	r.svc.orphanGrace = time.Nanosecond
	if err := w.Work(ctx, &river.Job[OrphanSweepArgs]{}); err != nil {
		t.Fatal(err)
	}
	if got := keys(acme.ID); strings.Join(slices.Sorted(slices.Values(got)), " ") != strings.Join(inUse, " ") {
		t.Errorf("after the sweep: %d files, want the %d in use\n%v", len(got), len(inUse), got)
	}
	kept := false
	for _, k := range keys(beta.ID) {
		kept = kept || k == betaOrphan
	}
	if !kept {
		t.Error("the sweep removed a file of a tenant whose import is queued")
	}
}
