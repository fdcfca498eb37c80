package benchsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
)

// The backups of the demo workspace (issue 16). These benchmarks run
// after the search ones of this file's package (files run in name order)
// because the restore rewrites the workspace.

// backupService is the backup service over the demo world.
func (w *world) backupService() *backup.Service {
	return &backup.Service{Store: w.store, Blobs: w.blobs, Library: w.lib, Log: slog.New(slog.DiscardHandler), Policy: backup.DefaultPolicy()}
}

// exportChild is what the export's own process reports.
type exportChild struct {
	Seconds float64              `json:"seconds"`
	Result  *backup.ExportResult `json:"result"`
}

// BenchmarkBackupExport exports the demo workspace to a file in a process
// of its own (this test binary, running TestExportChild), so that its
// peak RSS is the export's alone, not the seeded world's. Targets: peak
// RSS under 200 MB (streamed); time reported.
func BenchmarkBackupExport(b *testing.B) {
	w := seed(b)
	out := filepath.Join(b.TempDir(), "demo.zip")
	var res exportChild
	var rss int64
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestExportChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "PV_BENCH_EXPORT_DSN="+w.database.Pool.Config().ConnString(),
			"PV_BENCH_EXPORT_DB="+w.database.Pool.Config().ConnConfig.Database,
			"PV_BENCH_EXPORT_FILES="+w.filesDir, "PV_BENCH_EXPORT_TENANT="+strconv.FormatInt(w.tenant.ID, 10), "PV_BENCH_EXPORT_OUT="+out)
		stdout, err := cmd.Output()
		if err != nil {
			b.Fatalf("export process: %v\n%s", err, stdout)
		}
		line := stdout
		if i := lastJSON(stdout); i >= 0 {
			line = stdout[i:]
		}
		if err := json.Unmarshal(firstLine(line), &res); err != nil || res.Result == nil {
			b.Fatalf("export process said %q (%v)", stdout, err)
		}
		rss = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
	}
	b.ReportMetric(res.Seconds, "s/export")
	b.ReportMetric(float64(rss>>20), "MB-peak-RSS")
	b.ReportMetric(float64(res.Result.Bytes>>20), "MB-zip")
	b.ReportMetric(float64(res.Result.Designs), "designs")
	b.ReportMetric(float64(res.Result.Files), "files")
}

// lastJSON is where the export process's report starts in its output.
func lastJSON(out []byte) int {
	for i := len(out) - 1; i >= 0; i-- {
		if out[i] == '{' && (i == 0 || out[i-1] == '\n') {
			return i
		}
	}
	return -1
}

func firstLine(b []byte) []byte {
	for i, c := range b {
		if c == '\n' {
			return b[:i]
		}
	}
	return b
}

// TestExportChild is BenchmarkBackupExport's export process: it writes
// the export of the workspace it is told to a file and prints how long
// that took. Without its environment it skips.
func TestExportChild(t *testing.T) {
	dsn := os.Getenv("PV_BENCH_EXPORT_DSN")
	if dsn == "" {
		t.Skip("run by BenchmarkBackupExport")
	}
	ctx := context.Background()
	// The shared test database is named apart from the server's DSN.
	d, err := db.OpenDatabase(ctx, dsn, os.Getenv("PV_BENCH_EXPORT_DB"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	blobs, err := blob.Open(ctx, "", os.Getenv("PV_BENCH_EXPORT_FILES"))
	if err != nil {
		t.Fatal(err)
	}
	tenantID, _ := strconv.ParseInt(os.Getenv("PV_BENCH_EXPORT_TENANT"), 10, 64)
	st := store.New(d)
	lib := &library.Service{Store: st, Blobs: blobs, Log: slog.New(slog.DiscardHandler)}
	s := &backup.Service{Store: st, Blobs: blobs, Library: lib, Log: slog.New(slog.DiscardHandler)}
	f, err := os.Create(os.Getenv("PV_BENCH_EXPORT_OUT"))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	res, err := s.WriteExport(ctx, tenantID, f, backup.ExportOptions{})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(exportChild{Seconds: time.Since(t0).Seconds(), Result: res})
	fmt.Printf("\n%s\n", b)
}

// BenchmarkBackupSnapshot changes 100 designs of the demo workspace (a
// keyword each) after a snapshot, then takes the next one. Target: under
// 10 s.
func BenchmarkBackupSnapshot(b *testing.B) {
	w := seed(b)
	ctx := context.Background()
	s := w.backupService()
	if _, err := s.Snapshot(ctx, w.tenant.ID, store.SnapshotManual); err != nil {
		b.Fatal(err)
	}
	var took time.Duration
	var snap *store.Snapshot
	i := 0
	for b.Loop() {
		i++
		ids := w.ids[:min(100, len(w.ids))]
		if err := w.lib.AddKeywords(ctx, w.tenant.ID, ids, []string{fmt.Sprintf("changed%d", i)}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		var err error
		if snap, err = s.Snapshot(ctx, w.tenant.ID, store.SnapshotManual); err != nil {
			b.Fatal(err)
		}
		took = time.Since(t0)
	}
	b.ReportMetric(took.Seconds(), "s/snapshot")
	b.ReportMetric(float64(snap.StoredBytes>>20), "MB-stored")
	b.ReportMetric(float64(snap.Rows), "rows")
	b.ReportMetric(float64(snap.Designs), "designs")
}

// BenchmarkBackupRestore restores the whole demo workspace to its latest
// snapshot (which first snapshots what is there, as every restore does).
// Target: under 2 minutes.
func BenchmarkBackupRestore(b *testing.B) {
	w := seed(b)
	ctx := context.Background()
	s := w.backupService()
	snap, err := s.Snapshot(ctx, w.tenant.ID, store.SnapshotManual)
	if err != nil {
		b.Fatal(err)
	}
	var took time.Duration
	var sum *backup.RestoreSummary
	for b.Loop() {
		t0 := time.Now()
		if sum, err = s.RestoreSnapshot(ctx, w.tenant.ID, snap.ID, backup.RestoreOptions{}); err != nil {
			b.Fatal(err)
		}
		took = time.Since(t0)
	}
	if sum.Designs != snap.Designs {
		b.Fatalf("restored %d designs of the snapshot's %d", sum.Designs, snap.Designs)
	}
	b.ReportMetric(took.Seconds(), "s/restore")
	b.ReportMetric(float64(sum.Designs), "designs")
	b.ReportMetric(float64(sum.Rows), "rows")
}
