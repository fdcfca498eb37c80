package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/patternvault/patternvault/internal/app"
	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/pgbackrest"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

const exportUsage = "usage: patternvault export --tenant S [--out FILE] [--machine M]"

// runExport writes a workspace's export ZIP to a file (or stdout with
// --out -), streamed.
func runExport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	slug := fs.String("tenant", "", "workspace to export")
	out := fs.String("out", "", "file to write (default SLUG-DATE.zip; - for stdout)")
	machine := fs.String("machine", "", "also convert each design for this machine when no original fits it (statler, qbot, ...)")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if *slug == "" || len(pos) > 0 {
		return usageError(exportUsage)
	}
	a, t, err := openTenant(ctx, e, *slug)
	if err != nil {
		return err
	}
	defer a.Close()
	if *out == "" {
		*out = fmt.Sprintf("%s-%s.zip", t.Slug, time.Now().Format("2006-01-02"))
	}
	var w io.Writer = e.stdout
	var tmp *os.File
	if *out != "-" {
		sweepExportTemps(filepath.Dir(*out))
		if tmp, err = os.CreateTemp(filepath.Dir(*out), exportTempPattern); err != nil {
			return fmt.Errorf("export to %s: %w", *out, err)
		}
		// Held until this process ends, however it ends: a later export's
		// sweep leaves a file still being written alone.
		if err := syscall.Flock(int(tmp.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("lock %s: %w", tmp.Name(), err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		w = tmp
	}
	res, err := a.Backup.WriteExport(ctx, t.ID, w, backup.ExportOptions{Machine: *machine})
	if err != nil {
		return err
	}
	if tmp != nil {
		if err := tmp.Sync(); err != nil {
			return err
		}
		if err := tmp.Close(); err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), *out); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "exported %d designs (%d in the trash), %d files, %d converted, to %s (%d bytes)\n",
			res.Designs, res.Trashed, res.Files, res.Converted, *out, res.Bytes)
	}
	return nil
}

// exportTempPattern names the hidden file an export is written to before
// it is renamed to --out once whole.
const exportTempPattern = ".export-*.zip"

// sweepExportTemps removes the hidden temp files that exports killed
// before their rename (SIGKILL, a crash) left in dir: those no process
// holds locked and untouched for a minute. Failures are ignored: the
// sweep only saves disk space.
func sweepExportTemps(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, exportTempPattern))
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		if fi, err := f.Stat(); err == nil && time.Since(fi.ModTime()) > time.Minute &&
			syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.Remove(name)
		}
		f.Close()
	}
}

const restoreUsage = "usage: patternvault restore --tenant S [--replace] [--json] FILE"

// runRestore restores an export into a workspace: a new one (created
// with the export's name once the export is found whole), an empty one,
// or, with --replace, one that is not empty (snapshotted first).
func runRestore(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	slug := fs.String("tenant", "", "workspace to restore into")
	replace := fs.Bool("replace", false, "replace everything in a workspace that is not empty (a snapshot of it is taken first)")
	asJSON := fs.Bool("json", false, "print what was restored as JSON")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *slug == "" || len(files) != 1 {
		return usageError(restoreUsage)
	}
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, e.cfg, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.Store.TenantBySlug(ctx, *slug)
	if errors.Is(err, store.ErrNotFound) {
		// A new workspace: the export is checked whole first, so a
		// damaged one creates nothing; the workspace takes its name.
		h, err := a.Backup.CheckExport(ctx, f, fi.Size())
		if err != nil {
			return err
		}
		if t, err = tenant.Create(ctx, a.Store, *slug, h.Workspace.Name); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "created workspace %s (%s) at /t/%s/\n", t.Slug, t.Name, t.Slug)
	} else if err != nil {
		return fmt.Errorf("workspace %q: %w", *slug, err)
	}
	sum, err := a.Backup.RestoreExport(ctx, t.ID, f, fi.Size(), backup.RestoreOptions{Replace: *replace})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(sum)
	}
	fmt.Fprintln(e.stdout, sum.String())
	return nil
}

const backupUsage = `usage: patternvault backup run --tenant S
       patternvault backup list --tenant S [--json]
       patternvault backup restore --tenant S --snapshot ID [--design ID | --share ID]
       patternvault backup check --tenant S [--json]
       patternvault backup platform full|incr|info|restore [--target TIME]`

func runBackup(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageError(backupUsage)
	}
	switch args[0] {
	case "run":
		return runBackupRun(ctx, e, args[1:])
	case "list":
		return runBackupList(ctx, e, args[1:])
	case "restore":
		return runBackupRestore(ctx, e, args[1:])
	case "check":
		return runBackupCheck(ctx, e, args[1:])
	case "platform":
		return runBackupPlatform(ctx, e, args[1:])
	}
	return usageError(backupUsage)
}

// openTenant opens the app and finds workspace slug.
func openTenant(ctx context.Context, e *env, slug string) (*app.App, *store.Tenant, error) {
	a, err := app.Open(ctx, e.cfg, e.log, false)
	if err != nil {
		return nil, nil, err
	}
	t, err := a.Store.TenantBySlug(ctx, slug)
	if err != nil {
		a.Close()
		return nil, nil, fmt.Errorf("workspace %q: %w", slug, err)
	}
	return a, t, nil
}

// backupCommand is what every `backup` subcommand shares: it parses
// --tenant, --json and the flags more adds (whose answer says whether
// their values make sense), opens the app and the workspace, and runs
// run with them; a bad command line prints the usage.
func backupCommand(ctx context.Context, e *env, name string, args []string, more func(*flag.FlagSet) (ok func() bool),
	run func(a *app.App, t *store.Tenant, asJSON bool) error) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	slug := fs.String("tenant", "", "workspace")
	asJSON := fs.Bool("json", false, "print JSON")
	ok := func() bool { return true }
	if more != nil {
		ok = more(fs)
	}
	if _, err := parseFlags(fs, args); err != nil || *slug == "" || !ok() {
		return usageError(backupUsage)
	}
	a, t, err := openTenant(ctx, e, *slug)
	if err != nil {
		return err
	}
	defer a.Close()
	return run(a, t, *asJSON)
}

func runBackupRun(ctx context.Context, e *env, args []string) error {
	return backupCommand(ctx, e, "backup run", args, nil, func(a *app.App, t *store.Tenant, asJSON bool) error {
		snap, err := a.Backup.Snapshot(ctx, t.ID, store.SnapshotManual)
		if err != nil {
			return err
		}
		if _, err := a.Backup.Prune(ctx, t.ID); err != nil {
			return err
		}
		if asJSON {
			return json.NewEncoder(e.stdout).Encode(snap)
		}
		fmt.Fprintf(e.stdout, "snapshot %d of %s: %d designs, %d files (%d bytes), %d rows, stored %d bytes, in %d ms\n",
			snap.ID, t.Slug, snap.Designs, snap.Files, snap.FileBytes, snap.Rows, snap.StoredBytes, snap.TookMS)
		return nil
	})
}

func runBackupList(ctx context.Context, e *env, args []string) error {
	return backupCommand(ctx, e, "backup list", args, nil, func(a *app.App, t *store.Tenant, asJSON bool) error {
		snaps, err := a.Store.Snapshots(ctx, t.ID)
		if err != nil {
			return err
		}
		if asJSON {
			if snaps == nil {
				snaps = []*store.Snapshot{}
			}
			return json.NewEncoder(e.stdout).Encode(snaps)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTAKEN\tKIND\tDESIGNS\tFILES\tSTORED\tCHECK")
		for _, s := range snaps {
			check := "-"
			if s.CheckOK != nil {
				check = map[bool]string{true: "ok", false: "FAILED"}[*s.CheckOK] + " " + s.CheckedAt.Local().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%s\n", s.ID, s.TakenAt.Local().Format("2006-01-02 15:04:05"), s.Kind,
				s.Designs, s.Files, s.StoredBytes, check)
		}
		return tw.Flush()
	})
}

func runBackupRestore(ctx context.Context, e *env, args []string) error {
	var snap, design, share *int64
	more := func(fs *flag.FlagSet) func() bool {
		snap = fs.Int64("snapshot", 0, "snapshot id (backup list)")
		design = fs.Int64("design", 0, "bring back only this design")
		share = fs.Int64("share", 0, "bring back only this share link")
		return func() bool { return *snap > 0 && !(*design > 0 && *share > 0) }
	}
	return backupCommand(ctx, e, "backup restore", args, more, func(a *app.App, t *store.Tenant, asJSON bool) error {
		var out any
		var err error
		switch {
		case *design > 0:
			out, err = a.Backup.RestoreDesign(ctx, t.ID, 0, *snap, *design)
		case *share > 0:
			out, err = a.Backup.RestoreShare(ctx, t.ID, 0, *snap, *share)
		default:
			out, err = a.Backup.RestoreSnapshot(ctx, t.ID, *snap, backup.RestoreOptions{})
		}
		if err != nil {
			return err
		}
		if asJSON {
			return json.NewEncoder(e.stdout).Encode(out)
		}
		fmt.Fprintln(e.stdout, out)
		return nil
	})
}

func runBackupCheck(ctx context.Context, e *env, args []string) error {
	return backupCommand(ctx, e, "backup check", args, nil, func(a *app.App, t *store.Tenant, asJSON bool) error {
		res, err := a.Backup.Check(ctx, t.ID)
		if err != nil {
			return err
		}
		if res == nil {
			return fmt.Errorf("workspace %q has no snapshot yet: take one with `patternvault backup run --tenant %s`", t.Slug, t.Slug)
		}
		if asJSON {
			json.NewEncoder(e.stdout).Encode(map[string]any{"snapshot": res.Snapshot.ID, "ok": res.OK, "report": res.Report(),
				"missing": res.Missing, "damaged": res.Damaged, "recovered": res.Recovered, "took_ms": res.Took.Milliseconds()})
		} else {
			fmt.Fprintf(e.stdout, "snapshot %d: %s\n", res.Snapshot.ID, res.Report())
		}
		if !res.OK {
			return fmt.Errorf("the restore check of snapshot %s failed", strconv.FormatInt(res.Snapshot.ID, 10))
		}
		return nil
	})
}

// runBackupPlatform runs pgBackRest on the embedded cluster: a backup,
// the list of backups, or a restore of the whole cluster to a time.
func runBackupPlatform(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageError(backupUsage)
	}
	switch args[0] {
	case pgbackrest.Full, pgbackrest.Diff, pgbackrest.Incr:
		a, err := app.Open(ctx, e.cfg, e.log, false)
		if err != nil {
			return err
		}
		defer a.Close()
		if err := a.PlatformBackup(ctx, args[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s backup of the embedded PostgreSQL taken\n", args[0])
		return nil
	case "info":
		a, err := app.Open(ctx, e.cfg, e.log, false)
		if err != nil {
			return err
		}
		defer a.Close()
		list, err := a.PlatformBackups(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LABEL\tTYPE\tSTARTED\tFINISHED\tSIZE")
		for _, b := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", b.Label, b.Type, b.Start.Local().Format(time.DateTime), b.Stop.Local().Format(time.DateTime), b.Size)
		}
		return tw.Flush()
	case "restore":
		fs := flag.NewFlagSet("backup platform restore", flag.ContinueOnError)
		target := fs.String("target", "", "restore to this time (e.g. \"2026-03-01 14:05:00+00\"); empty replays everything archived")
		if _, err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		aside, err := app.RestorePlatform(ctx, e.cfg, e.log, *target)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "restored the embedded PostgreSQL%s; the previous data directory is kept at %s\n", map[bool]string{true: "", false: " to " + *target}[*target == ""], aside)
		return nil
	}
	return usageError(backupUsage)
}
