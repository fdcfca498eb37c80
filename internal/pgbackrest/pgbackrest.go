// Package pgbackrest runs pgBackRest (the Debian package pgbackrest) for
// the embedded PostgreSQL, so that the platform survives the loss of its
// disk (DESIGN decision 3; workspace snapshots, internal/backup, survive
// mistakes, not disks). With PV_BACKUP_REPO set, `patternvault serve`:
//
//   - writes a pgbackrest.conf under $PV_DATA_DIR/pgbackrest, for stanza
//     "patternvault", with the repository in a directory or in S3;
//   - runs the cluster with WAL archiving to it (archive-push, a segment
//     at least every pgserver.ArchiveTimeout, so at most that much of
//     committed work is at risk);
//   - creates the stanza, and takes a full backup weekly and an
//     incremental one every night (the backup tick asks Due).
//
// `patternvault backup platform restore --target TIME` puts the cluster
// back as it was at TIME: the old data directory is moved aside (never
// deleted), pgBackRest restores the last backup before TIME and replays
// the archived WAL up to it.
//
// For an external PostgreSQL (PV_DATABASE_URL), pgBackRest runs on the
// database servers themselves, as deploy/pgbackrest.conf does for the
// Patroni pair (docs/scaling.md, docs/backups.md).
package pgbackrest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Stanza is pgBackRest's name for the embedded cluster.
const Stanza = "patternvault"

// InstallHint is the command that installs pgBackRest.
const InstallHint = "apt-get install -y pgbackrest"

// Binary returns the path of the pgbackrest program, or an error naming
// the install command.
func Binary() (string, error) {
	p, err := exec.LookPath("pgbackrest")
	if err != nil {
		return "", fmt.Errorf("pgbackrest: the pgbackrest program is not installed (%s): %w", InstallHint, err)
	}
	return p, nil
}

// Repo is where backups and archived WAL go: a directory, or an S3
// bucket (pgBackRest reaches S3 over TLS only).
type Repo struct {
	Dir string
	S3  *S3Repo
}

// S3Repo is an S3 repository.
type S3Repo struct {
	Endpoint, Bucket, Key, Secret, Region, Path string
	Port                                        int
	// CAFile is the certificate authority of the endpoint (a private
	// one); VerifyTLS false skips the check (tests only).
	CAFile    string
	VerifyTLS bool
}

// ParseRepo reads PV_BACKUP_REPO: a directory, or
// s3://KEY:SECRET@HOST[:PORT]/BUCKET[/PATH][?region=R&ca-file=F&verify=n].
func ParseRepo(s string) (Repo, error) {
	if !strings.HasPrefix(s, "s3://") {
		if s == "" {
			return Repo{}, errors.New("pgbackrest: no repository")
		}
		abs, err := filepath.Abs(s)
		if err != nil {
			return Repo{}, fmt.Errorf("pgbackrest: repository %q: %w", s, err)
		}
		return Repo{Dir: abs}, nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User == nil {
		return Repo{}, errors.New("pgbackrest: want s3://KEY:SECRET@HOST[:PORT]/BUCKET[/PATH]")
	}
	secret, _ := u.User.Password()
	bucket, path, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if bucket == "" || u.User.Username() == "" || secret == "" {
		return Repo{}, errors.New("pgbackrest: want s3://KEY:SECRET@HOST[:PORT]/BUCKET[/PATH]")
	}
	r := &S3Repo{Endpoint: u.Hostname(), Bucket: bucket, Key: u.User.Username(), Secret: secret, Path: "/" + path,
		Region: u.Query().Get("region"), CAFile: u.Query().Get("ca-file"), VerifyTLS: u.Query().Get("verify") != "n", Port: 443}
	if r.Region == "" {
		r.Region = "us-east-1"
	}
	if p := u.Port(); p != "" {
		if r.Port, err = strconv.Atoi(p); err != nil {
			return Repo{}, fmt.Errorf("pgbackrest: port %q", p)
		}
	}
	return Repo{S3: r}, nil
}

// Config is pgBackRest's set-up for one embedded cluster.
type Config struct {
	Repo Repo
	// Home holds pgbackrest.conf, its logs, locks and spool.
	Home string
	// PGData and PGSocket are the cluster's data and socket directories.
	PGData, PGSocket string
	// FullEvery and IncrEvery are how often Due asks for a full and an
	// incremental backup.
	FullEvery, IncrEvery time.Duration
}

// ConfPath is the configuration file.
func (c *Config) ConfPath() string { return filepath.Join(c.Home, "pgbackrest.conf") }

// ArchiveCommand is the cluster's archive_command.
func (c *Config) ArchiveCommand() (string, error) {
	bin, err := Binary()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s --config=%s --stanza=%s archive-push %%p", bin, shellQuote(c.ConfPath()), Stanza), nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Dirs are the directories pgBackRest writes (the repository when it is
// a directory); the cluster's user must own them.
func (c *Config) Dirs() []string {
	d := []string{c.Home, filepath.Join(c.Home, "log"), filepath.Join(c.Home, "lock"), filepath.Join(c.Home, "spool")}
	if c.Repo.Dir != "" {
		d = append(d, c.Repo.Dir)
	}
	return d
}

// WriteConf makes the directories and writes pgbackrest.conf.
func (c *Config) WriteConf() error {
	for _, d := range c.Dirs() {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("pgbackrest: create %s: %w", d, err)
		}
	}
	var b strings.Builder
	b.WriteString("# Written by PatternVault at each start (internal/pgbackrest).\n[global]\n")
	if r := c.Repo.S3; r != nil {
		fmt.Fprintf(&b, "repo1-type=s3\nrepo1-s3-endpoint=%s\nrepo1-storage-port=%d\nrepo1-s3-bucket=%s\nrepo1-s3-region=%s\n",
			r.Endpoint, r.Port, r.Bucket, r.Region)
		fmt.Fprintf(&b, "repo1-s3-key=%s\nrepo1-s3-key-secret=%s\nrepo1-s3-uri-style=path\nrepo1-path=%s\n", r.Key, r.Secret, r.Path)
		if r.CAFile != "" {
			fmt.Fprintf(&b, "repo1-storage-ca-file=%s\n", r.CAFile)
		}
		if !r.VerifyTLS {
			b.WriteString("repo1-storage-verify-tls=n\n")
		}
		// Small files are bundled: a schema per workspace is ~95 files.
		b.WriteString("repo1-bundle=y\n")
	} else {
		fmt.Fprintf(&b, "repo1-path=%s\n", c.Repo.Dir)
	}
	fmt.Fprintf(&b, `repo1-retention-full=2
start-fast=y
compress-type=zst
log-level-console=warn
log-level-file=info
log-path=%s
lock-path=%s
spool-path=%s

[%s]
pg1-path=%s
pg1-socket-path=%s
pg1-port=5432
pg1-user=postgres
`, filepath.Join(c.Home, "log"), filepath.Join(c.Home, "lock"), filepath.Join(c.Home, "spool"), Stanza, c.PGData, c.PGSocket)
	if err := os.WriteFile(c.ConfPath(), []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("pgbackrest: write %s: %w", c.ConfPath(), err)
	}
	return nil
}

// Runner runs a program as the cluster's user (pgserver.Server.Exec).
type Runner func(ctx context.Context, path string, args ...string) (string, error)

// Run runs one pgBackRest command on the stanza.
func (c *Config) Run(ctx context.Context, run Runner, command string, args ...string) (string, error) {
	bin, err := Binary()
	if err != nil {
		return "", err
	}
	all := append([]string{"--config=" + c.ConfPath(), "--stanza=" + Stanza}, args...)
	out, err := run(ctx, bin, append(all, command)...)
	if err != nil {
		return out, fmt.Errorf("pgbackrest %s: %w: %s", command, err, lastLines(out, 6))
	}
	return out, nil
}

// Setup creates the stanza (nothing when it exists) and checks that WAL
// archiving reaches the repository.
func (c *Config) Setup(ctx context.Context, run Runner) error {
	if _, err := c.Run(ctx, run, "stanza-create"); err != nil {
		return err
	}
	_, err := c.Run(ctx, run, "check")
	return err
}

// Backup types.
const (
	Full = "full"
	Incr = "incr"
	Diff = "diff"
)

// Backup takes a backup of type Full, Diff or Incr.
func (c *Config) Backup(ctx context.Context, run Runner, kind string) error {
	_, err := c.Run(ctx, run, "backup", "--type="+kind)
	return err
}

// BackupInfo is one backup in the repository.
type BackupInfo struct {
	Label string    `json:"label"`
	Type  string    `json:"type"`
	Start time.Time `json:"start"`
	Stop  time.Time `json:"stop"`
	Size  int64     `json:"size"`
}

// Info lists the repository's backups, oldest first.
func (c *Config) Info(ctx context.Context, run Runner) ([]BackupInfo, error) {
	out, err := c.Run(ctx, run, "info", "--output=json")
	if err != nil {
		return nil, err
	}
	var stanzas []struct {
		Backup []struct {
			Label     string `json:"label"`
			Type      string `json:"type"`
			Timestamp struct {
				Start int64 `json:"start"`
				Stop  int64 `json:"stop"`
			} `json:"timestamp"`
			Info struct {
				Size int64 `json:"size"`
			} `json:"info"`
		} `json:"backup"`
	}
	if err := json.Unmarshal([]byte(out), &stanzas); err != nil {
		return nil, fmt.Errorf("pgbackrest: read info: %w", err)
	}
	var list []BackupInfo
	for _, s := range stanzas {
		for _, b := range s.Backup {
			list = append(list, BackupInfo{Label: b.Label, Type: b.Type, Start: time.Unix(b.Timestamp.Start, 0),
				Stop: time.Unix(b.Timestamp.Stop, 0), Size: b.Info.Size})
		}
	}
	return list, nil
}

// Due says which backup is due at now given the repository's backups:
// Full when no full backup is younger than FullEvery, Incr when no backup
// is younger than IncrEvery, else "".
func (c *Config) Due(list []BackupInfo, now time.Time) string {
	var lastFull, last time.Time
	for _, b := range list {
		if b.Type == Full && b.Stop.After(lastFull) {
			lastFull = b.Stop
		}
		if b.Stop.After(last) {
			last = b.Stop
		}
	}
	switch {
	case now.Sub(lastFull) >= c.FullEvery:
		return Full
	case now.Sub(last) >= c.IncrEvery:
		return Incr
	}
	return ""
}

// RestoreArgs are pgBackRest's restore options for a target: a time
// ("2026-03-01 14:05:00+00"), or "" for everything archived.
func RestoreArgs(target string) []string {
	if target == "" {
		return nil
	}
	return []string{"--type=time", "--target=" + target, "--target-action=promote"}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
