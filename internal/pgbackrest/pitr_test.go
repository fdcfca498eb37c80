package pgbackrest_test

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/app"
	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/pgbackrest"
	"github.com/patternvault/patternvault/internal/store"
)

// TestDestroyTheDataDirAndRestoreToAPointInTime runs the embedded
// PostgreSQL with PV_BACKUP_REPO set to a directory, takes a full backup,
// commits work before and after a moment T, destroys the cluster's data
// directory and restores to T: everything committed before T is there,
// nothing after.
func TestDestroyTheDataDirAndRestoreToAPointInTime(t *testing.T) {
	t.Parallel()
	base := baseDir(t)
	pitr(t, base, filepath.Join(base, "repo"))
}

// TestRestoreToAPointInTimeFromS3 is the same with the repository in S3:
// a versitygw server over TLS (pgBackRest speaks S3 only over TLS) with a
// certificate made for the test, which pgBackRest is told to trust.
func TestRestoreToAPointInTimeFromS3(t *testing.T) {
	t.Parallel()
	base := baseDir(t)
	certFile, keyFile := selfSigned(t, base)
	addr, dir := startVersitygw(t, "pvbackup", "a-secret-for-the-test", certFile, keyFile)
	// The posix backend keeps a bucket as a directory; pgBackRest does
	// not create its bucket.
	if err := os.Mkdir(filepath.Join(dir, "pgbackrest"), 0o755); err != nil {
		t.Fatal(err)
	}
	// pgBackRest matches the certificate by name, not by address.
	_, port, _ := strings.Cut(addr, ":")
	pitr(t, base, "s3://pvbackup:a-secret-for-the-test@localhost:"+port+"/pgbackrest/pv?ca-file="+url.QueryEscape(certFile))
}

// baseDir is a directory for the test's cluster, reachable by the
// unprivileged user the cluster runs as under root.
func baseDir(t *testing.T) string {
	base, err := os.MkdirTemp("", "pv-pitr-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(base, 0o711)
	t.Cleanup(func() { os.RemoveAll(base) })
	return base
}

// pitr is the test itself, with the repository repo (PV_BACKUP_REPO).
func pitr(t *testing.T, base, repo string) {
	if _, err := pgbackrest.Binary(); err != nil {
		t.Fatalf("%v (./scripts/deps installs it)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cfg, err := config.LoadFrom(func(k string) (string, bool) {
		switch k {
		case "PV_DATA_DIR":
			return filepath.Join(base, "data"), true
		case "PV_BACKUP_REPO":
			return repo, true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	a, err := app.Open(ctx, cfg, log, false)
	if err != nil {
		t.Fatalf("open with archiving: %v", err)
	}
	if err := a.PlatformBackup(ctx, pgbackrest.Full); err != nil {
		a.Close()
		t.Fatalf("full backup: %v", err)
	}
	// pgBackRest records a backup's stop time in whole seconds and
	// restores to a time only from a backup that stopped before it: on a
	// quick machine the work below can all fall in the backup's last
	// second, so let a second pass first.
	time.Sleep(1100 * time.Millisecond)
	// Work committed after the backup and before T: a workspace and 50
	// designs, committed one by one.
	acme, err := a.Store.CreateTenant(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, err := a.Store.CreatePattern(ctx, acme.ID, &store.Pattern{Name: "before " + itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var target string
	if err := a.DB.Pool.QueryRow(ctx, `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'`).Scan(&target); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	// After T: more designs and a second workspace, which must not come back.
	for i := range 10 {
		if _, err := a.Store.CreatePattern(ctx, acme.ID, &store.Pattern{Name: "after " + itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Store.CreateTenant(ctx, "later", "Later"); err != nil {
		t.Fatal(err)
	}
	// Push the WAL holding all of it to the archive.
	var seg string
	if err := a.DB.Pool.QueryRow(ctx, `SELECT pg_walfile_name(pg_switch_wal())`).Scan(&seg); err != nil {
		t.Fatal(err)
	}
	for {
		var last *string
		if err := a.DB.Pool.QueryRow(ctx, `SELECT last_archived_wal FROM pg_stat_archiver`).Scan(&last); err != nil {
			t.Fatal(err)
		}
		if last != nil && *last >= seg {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("segment %s never archived", seg)
		case <-time.After(200 * time.Millisecond):
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	// The disk dies.
	if err := os.RemoveAll(filepath.Join(cfg.DataDir, "pg", "data")); err != nil {
		t.Fatal(err)
	}
	if _, err := app.RestorePlatform(ctx, cfg, log, target); err != nil {
		t.Fatalf("restore to %s: %v", target, err)
	}
	a, err = app.Open(ctx, cfg, log, false)
	if err != nil {
		t.Fatalf("open the restored cluster: %v", err)
	}
	defer a.Close()
	got, err := a.Store.TenantBySlug(ctx, "acme")
	if err != nil {
		t.Fatalf("the workspace committed before T is gone: %v", err)
	}
	n, err := a.Store.CountPatterns(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n != 50 {
		t.Errorf("%d designs after restoring to T, want the 50 committed before it", n)
	}
	if _, err := a.Store.TenantBySlug(ctx, "later"); err == nil {
		t.Error("a workspace created after T came back")
	}
	// The restored cluster archives again: a new backup works.
	if err := a.PlatformBackup(ctx, pgbackrest.Incr); err != nil {
		t.Errorf("backup after the restore: %v", err)
	}
}

func itoa(i int) string { return string(rune('0'+i/10)) + string(rune('0'+i%10)) }
