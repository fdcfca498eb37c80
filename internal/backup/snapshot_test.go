package backup_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
)

func TestSnapshotRestoreBringsADeletedDesignBack(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "acme")
	ctx := context.Background()
	snap, err := w.r.Backup.Snapshot(ctx, w.tenant.ID, store.SnapshotManual)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	if snap.Designs != len(w.designs) || snap.Files == 0 || snap.StoredBytes == 0 {
		t.Errorf("snapshot %+v", snap)
	}
	victim := w.designs[0]
	files, err := w.r.Store.Files(ctx, w.tenant.ID, victim.ID)
	must(t, err)
	if _, _, err := w.r.Library.Delete(ctx, w.tenant.ID, w.owner.ID, []int64{victim.ID}); err != nil {
		t.Fatal(err)
	}
	renamed := "Renamed after the snapshot"
	if _, err := w.r.Library.EditPattern(ctx, w.tenant.ID, w.designs[1].ID, library.Edit{Name: &renamed}); err != nil {
		t.Fatal(err)
	}
	sum, err := w.r.Backup.RestoreSnapshot(ctx, w.tenant.ID, snap.ID, backup.RestoreOptions{})
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if sum.Before == 0 {
		t.Error("the restore took no snapshot of the present first")
	}
	back, err := w.r.Store.PatternFor(ctx, w.tenant.ID, victim.ID, w.owner.ID)
	if err != nil {
		t.Fatalf("the deleted design is not back: %v", err)
	}
	if !back.Favorite || back.Name != victim.Name {
		t.Errorf("back as %+v", back)
	}
	again, err := w.r.Store.Files(ctx, w.tenant.ID, victim.ID)
	must(t, err)
	if len(again) != len(files) {
		t.Errorf("%d files back, want %d", len(again), len(files))
	}
	for _, f := range again {
		dl, err := w.r.Library.OpenFile(ctx, f)
		if err != nil {
			t.Errorf("file %s: %v", f.FileName, err)
			continue
		}
		dl.Body.Close()
	}
	p, err := w.r.Store.Pattern(ctx, w.tenant.ID, w.designs[1].ID)
	must(t, err)
	if p.Name == renamed {
		t.Error("the rename made after the snapshot is still there")
	}
	// The share link keeps its address and votes.
	shares, err := w.r.Store.Shares(ctx, w.tenant.ID)
	must(t, err)
	if len(shares) != 1 || shares[0].Voters != 1 {
		t.Errorf("shares after the restore: %+v", shares)
	}
	// The restore is itself undoable: back to before it.
	if _, err := w.r.Backup.RestoreSnapshot(ctx, w.tenant.ID, sum.Before, backup.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	p, err = w.r.Store.Pattern(ctx, w.tenant.ID, w.designs[1].ID)
	must(t, err)
	if p.Name != renamed {
		t.Errorf("undoing the restore gave %q, want %q", p.Name, renamed)
	}
}

func TestFilesASnapshotNeedsOutliveEveryCleanup(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "acme")
	ctx := context.Background()
	victim := w.designs[0]
	files, err := w.r.Store.Files(ctx, w.tenant.ID, victim.ID)
	must(t, err)
	snap, err := w.r.Backup.Snapshot(ctx, w.tenant.ID, store.SnapshotScheduled)
	must(t, err)
	if _, _, err := w.r.Library.Delete(ctx, w.tenant.ID, w.owner.ID, []int64{victim.ID}); err != nil {
		t.Fatal(err)
	}
	// 31 days later the trash is emptied and the orphan sweep runs.
	w.r.Backup.Now = func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }
	n, err := w.r.Backup.PurgeTrash(ctx, w.tenant.ID)
	must(t, err)
	if n < 2 {
		t.Fatalf("purged %d designs, want the two in the trash", n)
	}
	if _, err := w.r.Backup.Snapshot(ctx, w.tenant.ID, store.SnapshotScheduled); err != nil {
		t.Fatal(err)
	}
	orphans, err := w.r.Library.SweepOrphans(ctx, w.tenant.ID, 0, true)
	must(t, err)
	for _, o := range orphans {
		for _, f := range files {
			if o == f.BlobKey {
				t.Errorf("the sweep deleted %s, which the snapshot needs", o)
			}
		}
		if strings.Contains(o, "/snapshots/") {
			t.Errorf("the sweep deleted a snapshot: %s", o)
		}
	}
	// The purged design comes back from the snapshot, files and all.
	if _, err := w.r.Backup.RestoreDesign(ctx, w.tenant.ID, w.owner.ID, snap.ID, victim.ID); err != nil {
		t.Fatalf("bring the purged design back: %v", err)
	}
	back, err := w.r.Store.Files(ctx, w.tenant.ID, victim.ID)
	must(t, err)
	if len(back) != len(files) {
		t.Fatalf("%d files back, want %d", len(back), len(files))
	}
	for _, f := range back {
		if dl, err := w.r.Library.OpenFile(ctx, f); err != nil {
			t.Errorf("%s: %v", f.FileName, err)
		} else {
			dl.Body.Close()
		}
	}
	if _, _, err := w.r.Library.Thumbnail(ctx, w.tenant.ID, victim.ID, 256); err != nil {
		t.Errorf("no picture after bringing it back: %v", err)
	}
}

func TestRestoreCheck(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "acme")
	ctx := context.Background()
	if _, err := w.r.Backup.Snapshot(ctx, w.tenant.ID, store.SnapshotScheduled); err != nil {
		t.Fatal(err)
	}
	res, err := w.r.Backup.Check(ctx, w.tenant.ID)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if !res.OK || !res.RefsMatch || res.Sampled == 0 || res.Rows["patterns"][0] == 0 {
		t.Fatalf("a good snapshot fails its check: %+v\n%s", res, res.Report())
	}
	snaps, err := w.r.Store.Snapshots(ctx, w.tenant.ID)
	must(t, err)
	if snaps[0].CheckOK == nil || !*snaps[0].CheckOK {
		t.Errorf("the check was not recorded: %+v", snaps[0])
	}
	// A file goes missing from storage: the check names it.
	files, err := w.r.Store.Files(ctx, w.tenant.ID, w.designs[0].ID)
	must(t, err)
	lost := files[0]
	must(t, os.Remove(filepath.Join(w.r.BlobDir, "files", lost.BlobKey)))
	res, err = w.r.Backup.Check(ctx, w.tenant.ID)
	must(t, err)
	if res.OK || len(res.Missing) != 1 || !strings.Contains(res.Report(), lost.FileName) {
		t.Errorf("a missing file: %+v\n%s", res, res.Report())
	}
	// A file whose bytes changed: a check that reads every file back
	// finds it.
	w.r.Backup.Sample = 1000
	other := files[1]
	must(t, os.WriteFile(filepath.Join(w.r.BlobDir, "files", other.BlobKey), []byte("not the design any more"), 0o644))
	res, err = w.r.Backup.Check(ctx, w.tenant.ID)
	must(t, err)
	if res.OK || len(res.Damaged) == 0 || !strings.Contains(res.Report(), other.FileName) {
		t.Errorf("a damaged file: %+v\n%s", res, res.Report())
	}
	// A restore of that snapshot is refused, naming the missing file.
	_, err = w.r.Backup.RestoreSnapshot(ctx, w.tenant.ID, snaps[0].ID, backup.RestoreOptions{})
	if !errors.Is(err, backup.ErrFileMissing) || !strings.Contains(err.Error(), lost.FileName) {
		t.Errorf("restore with a file missing: %v", err)
	}
}

func TestRestoreCheckBringsAMissingFileBackFromAnOlderSnapshot(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "acme")
	ctx := context.Background()
	files, err := w.r.Store.Files(ctx, w.tenant.ID, w.designs[0].ID)
	must(t, err)
	f := files[0]
	// An older snapshot reached this content under another key (files
	// kept before content addressing): copy it there, snapshot, then
	// move the row to the content address as a migration would.
	old := blob.Key(w.tenant.ID, "patterns", "legacy", "old-"+f.FileName)
	old = strings.ReplaceAll(old, " ", "_")
	dl, err := w.r.Library.OpenFile(ctx, f)
	must(t, err)
	must(t, w.r.Blobs.Put(ctx, old, dl.Body, -1, ""))
	dl.Body.Close()
	_, err = w.r.DB.Pool.Exec(ctx, `UPDATE t_`+itoa(w.tenant.ID)+`.pattern_files SET blob_key = $1 WHERE id = $2`, old, f.ID)
	must(t, err)
	if _, err := w.r.Backup.Snapshot(ctx, w.tenant.ID, store.SnapshotScheduled); err != nil {
		t.Fatal(err)
	}
	_, err = w.r.DB.Pool.Exec(ctx, `UPDATE t_`+itoa(w.tenant.ID)+`.pattern_files SET blob_key = $1 WHERE id = $2`, f.BlobKey, f.ID)
	must(t, err)
	w.r.Backup.Now = func() time.Time { return time.Now().Add(time.Second) }
	if _, err := w.r.Backup.Snapshot(ctx, w.tenant.ID, store.SnapshotScheduled); err != nil {
		t.Fatal(err)
	}
	// The content-addressed copy is lost.
	must(t, os.Remove(filepath.Join(w.r.BlobDir, "files", f.BlobKey)))
	res, err := w.r.Backup.Check(ctx, w.tenant.ID)
	must(t, err)
	if len(res.Recovered) != 1 || len(res.Missing) != 0 {
		t.Fatalf("the missing file was not brought back: %+v\n%s", res, res.Report())
	}
	dl, err = w.r.Library.OpenFile(ctx, f)
	if err != nil {
		t.Fatalf("the file is still missing: %v", err)
	}
	dl.Body.Close()
}

func TestRetention(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 31, 3, 0, 0, 0, time.Local)
	var snaps []*store.Snapshot
	id := int64(0)
	// One scheduled snapshot a night for 400 nights, and a manual one
	// 10 and 40 days ago.
	for d := 0; d < 400; d++ {
		id++
		snaps = append(snaps, &store.Snapshot{ID: id, Kind: store.SnapshotScheduled, TakenAt: now.Add(-time.Duration(d)*24*time.Hour - time.Hour)})
	}
	id++
	snaps = append(snaps, &store.Snapshot{ID: id, Kind: store.SnapshotManual, TakenAt: now.Add(-10 * 24 * time.Hour)})
	manual10 := id
	id++
	snaps = append(snaps, &store.Snapshot{ID: id, Kind: store.SnapshotManual, TakenAt: now.Add(-40 * 24 * time.Hour)})
	manual40 := id
	keep := backup.Retain(snaps, now, backup.DefaultPolicy())
	for d := int64(1); d <= 7; d++ {
		if !keep[d] {
			t.Errorf("the nightly snapshot of %d days ago is dropped", d-1)
		}
	}
	if !keep[manual10] || keep[manual40] {
		t.Errorf("manual snapshots: 10 days ago kept %v, 40 days ago kept %v", keep[manual10], keep[manual40])
	}
	// 7 daily + 4 weekly + 12 monthly, overlapping at the newest end:
	// between 12 and 23 scheduled ones, the oldest about a year old.
	n, oldest := 0, now
	for _, s := range snaps {
		if keep[s.ID] && s.Kind == store.SnapshotScheduled {
			n++
			if s.TakenAt.Before(oldest) {
				oldest = s.TakenAt
			}
		}
	}
	if n < 12 || n > 23 || now.Sub(oldest) < 300*24*time.Hour || now.Sub(oldest) > 366*24*time.Hour {
		t.Errorf("kept %d scheduled snapshots, the oldest %v old", n, now.Sub(oldest))
	}
	var p backup.Policy
	if err := backup.ParseRetention(&p, "3d 2w"); err != nil || p.Daily != 3 || p.Weekly != 2 || p.Monthly != 0 {
		t.Errorf("ParseRetention: %+v %v", p, err)
	}
	for _, bad := range []string{"", "7x", "d", "-1d", "0d"} {
		if err := backup.ParseRetention(&p, bad); err == nil {
			t.Errorf("ParseRetention(%q) took it", bad)
		}
	}
	for in, want := range map[string]backup.Policy{"03:30": {At: 3*time.Hour + 30*time.Minute}, "6h": {Every: 6 * time.Hour}, "off": {Off: true}} {
		var p backup.Policy
		if err := backup.ParseSchedule(&p, in); err != nil || p != want {
			t.Errorf("ParseSchedule(%q) = %+v, %v", in, p, err)
		}
	}
	for _, bad := range []string{"25:00", "1m", "soon"} {
		if err := backup.ParseSchedule(&p, bad); err == nil {
			t.Errorf("ParseSchedule(%q) took it", bad)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
