// Package pgserver runs PatternVault's embedded PostgreSQL: a private
// cluster under the data directory, made from the system's PostgreSQL
// binaries, reachable only through a unix socket in a directory that only
// its owner may enter.
//
// Any number of PatternVault processes (the server and CLI commands) may
// share one cluster. Each holds a shared lock on use.lock while it uses the
// cluster; whoever finds the cluster stopped starts it, and whoever leaves
// last stops it with a fast shutdown (a clean checkpoint, never a crash). If
// the app itself is killed, its lock vanishes with it and the next process
// adopts the still-running cluster. Running as root, initdb and postgres run
// as the unprivileged "postgres" user (or "nobody" when there is none).
package pgserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// InstallHint is the command that installs the binaries the launcher needs.
const InstallHint = "apt-get install -y postgresql postgresql-contrib"

// ErrNoBinaries means the PostgreSQL server binaries could not be found.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found")

// port names the socket file (.s.PGSQL.5432); no TCP port is opened.
const port = 5432

// Options tune a cluster.
type Options struct {
	// BinDir, when set, is the only place initdb, pg_ctl and postgres are
	// looked up; otherwise pg_config --bindir and /usr/lib/postgresql/*/bin.
	BinDir string
	// NoSync turns off fsync for throwaway test clusters.
	NoSync bool
	// Logger receives start/stop messages; nil discards them.
	Logger *slog.Logger
	// ArchiveCommand, when set, turns on continuous WAL archiving with
	// this archive_command (%p is the segment's path), a segment at least
	// every ArchiveTimeout: pgBackRest's archive-push for point-in-time
	// recovery (internal/pgbackrest). Turning it on or off takes effect
	// when the cluster next starts.
	ArchiveCommand string
}

// ArchiveTimeout bounds how long a committed change waits before its WAL
// segment is archived (the most a point-in-time recovery can lose when
// the disk dies).
const ArchiveTimeout = 60 * time.Second

// Server is a handle on a running embedded cluster.
type Server struct {
	dir     string // the cluster's home: data/, run/, locks, log
	binDir  string
	sockDir string
	cred    *syscall.Credential // non-nil when dropping root privileges
	useLock *os.File
	log     *slog.Logger
	started bool
}

// Start makes sure the cluster in dir exists and runs, initialising it on
// first use, and returns a handle that keeps it running until Close.
func Start(ctx context.Context, dir string, opt Options) (*Server, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	binDir, err := findBinDir(opt.BinDir)
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, binDir: binDir, log: log}
	if err := s.prepareDirs(); err != nil {
		return nil, err
	}
	startLock, err := lockFile(filepath.Join(dir, "start.lock"), syscall.LOCK_EX)
	if err != nil {
		return nil, err
	}
	defer unlockFile(startLock)
	if s.useLock, err = lockFile(filepath.Join(dir, "use.lock"), syscall.LOCK_SH); err != nil {
		return nil, err
	}
	if err := s.ensureStarted(ctx, opt); err != nil {
		unlockFile(s.useLock)
		return nil, err
	}
	return s, nil
}

// DSN returns a libpq keyword/value connection string for database name.
func (s *Server) DSN(name string) string {
	return fmt.Sprintf("host='%s' port=%d user=postgres dbname='%s' sslmode=disable", s.sockDir, port, name)
}

// Close releases this process's use of the cluster and, when no other
// process uses it, stops it with a fast, clean shutdown.
func (s *Server) Close() error {
	startLock, err := lockFile(filepath.Join(s.dir, "start.lock"), syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlockFile(startLock)
	unlockFile(s.useLock)
	last, err := os.OpenFile(filepath.Join(s.dir, "use.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("pgserver: open use lock: %w", err)
	}
	defer last.Close()
	if err := syscall.Flock(int(last.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		s.log.Info("embedded PostgreSQL left running for other PatternVault processes")
		return nil
	}
	defer syscall.Flock(int(last.Fd()), syscall.LOCK_UN)
	return s.Stop()
}

// Stop shuts the cluster down now, whoever else uses it (fast mode: open
// transactions roll back, a checkpoint is written, nothing is lost).
func (s *Server) Stop() error {
	out, err := s.run(context.Background(), "pg_ctl", "stop", "-D", s.dataDir(), "-m", "fast", "-w", "-t", "60")
	if err != nil && !strings.Contains(out, "Is server running?") {
		return fmt.Errorf("pgserver: stop: %w: %s", err, out)
	}
	// A socket directory of its own under the system temp dir goes with
	// the cluster (one inside the cluster's directory stays with it).
	if s.sockDir != "" && !strings.HasPrefix(s.sockDir, s.dir+string(filepath.Separator)) {
		if err := os.Remove(s.sockDir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("embedded PostgreSQL: remove the socket directory", "dir", s.sockDir, "err", err)
		}
	}
	s.log.Info("embedded PostgreSQL stopped", "dir", s.dir)
	return nil
}

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }

// prepareDirs creates the cluster's directories with owners and modes that
// let postgres (and only it and us) reach them.
func (s *Server) prepareDirs() error {
	if os.Geteuid() == 0 {
		cred, err := serviceCredential()
		if err != nil {
			return err
		}
		s.cred = cred
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("pgserver: create %s: %w", s.dir, err)
	}
	s.sockDir = filepath.Join(s.dir, "run")
	// A unix socket path is limited to 107 bytes; fall back to a private
	// directory under the system temp dir named after the cluster.
	if len(s.sockDir)+len("/.s.PGSQL.5432") > 100 {
		sum := sha256.Sum256([]byte(s.dir))
		s.sockDir = filepath.Join(os.TempDir(), "pv-pg-"+hex.EncodeToString(sum[:6]))
	}
	if err := os.MkdirAll(s.sockDir, 0o700); err != nil {
		return fmt.Errorf("pgserver: create socket dir: %w", err)
	}
	if s.cred == nil {
		return nil
	}
	for _, d := range []string{s.dir, s.sockDir} {
		if err := os.Chown(d, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return fmt.Errorf("pgserver: chown %s: %w", d, err)
		}
	}
	return s.checkReachable()
}

// checkReachable makes sure the postgres user can walk down to the cluster
// directory; the data directory itself is ours to open up (mode o+x).
func (s *Server) checkReachable() error {
	parent := filepath.Dir(s.dir)
	if fi, err := os.Stat(parent); err == nil && fi.Mode().Perm()&0o001 == 0 {
		if err := os.Chmod(parent, fi.Mode().Perm()|0o011); err != nil {
			return fmt.Errorf("pgserver: open %s to the postgres user: %w", parent, err)
		}
	}
	for d := filepath.Dir(parent); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("pgserver: %w", err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("pgserver: the postgres user cannot enter %s (mode %v); put PV_DATA_DIR somewhere it can reach", d, fi.Mode().Perm())
		}
		if d == "/" {
			return nil
		}
	}
}

func (s *Server) ensureStarted(ctx context.Context, opt Options) error {
	if _, err := os.Stat(filepath.Join(s.dir, "initialised")); err != nil {
		if err := s.initdb(ctx); err != nil {
			return err
		}
	}
	if err := s.writeConf(opt); err != nil {
		return err
	}
	switch pid, state := s.postmaster(); state {
	case postmasterRunning:
		s.log.Info("using running embedded PostgreSQL", "dir", s.dir, "pid", pid)
		return nil
	case postmasterStale:
		// Left by a cluster that died (machine crash, kill -9 of postgres):
		// its pid is gone or now belongs to another program.
		s.log.Warn("removing stale postmaster.pid", "pid", pid)
		if err := os.Remove(filepath.Join(s.dataDir(), "postmaster.pid")); err != nil {
			return fmt.Errorf("pgserver: remove stale postmaster.pid: %w", err)
		}
	}
	if err := s.start(ctx); err != nil {
		return err
	}
	s.started = true
	return nil
}

func (s *Server) initdb(ctx context.Context) error {
	s.log.Info("initialising embedded PostgreSQL", "dir", s.dataDir())
	if err := os.RemoveAll(s.dataDir()); err != nil { // a half-made cluster from a crash
		return fmt.Errorf("pgserver: clean %s: %w", s.dataDir(), err)
	}
	args := []string{"-D", s.dataDir(), "-U", "postgres", "-E", "UTF8", "--auth=trust"}
	out, err := s.run(ctx, "initdb", append(args, "--locale=C.UTF-8")...)
	if err != nil {
		os.RemoveAll(s.dataDir())
		out, err = s.run(ctx, "initdb", append(args, "--locale=C")...)
	}
	if err != nil {
		return fmt.Errorf("pgserver: initdb: %w: %s", err, lastLines(out, 5))
	}
	conf := filepath.Join(s.dataDir(), "postgresql.conf")
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	_, err = f.WriteString("\n# PatternVault's settings, rewritten at each start.\ninclude_if_exists = 'patternvault.conf'\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("pgserver: append to %s: %w", conf, err)
	}
	return os.WriteFile(filepath.Join(s.dir, "initialised"), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644)
}

// writeConf writes the settings that depend on where the cluster lives now.
func (s *Server) writeConf(opt Options) error {
	lines := []string{
		"listen_addresses = ''",
		"unix_socket_directories = " + quoteConf(s.sockDir),
		"unix_socket_permissions = 0700",
		"port = " + strconv.Itoa(port),
		"max_connections = 200",
		"shared_buffers = 128MB",
		// The cluster lives on local disk, mostly in the page cache:
		// random reads cost about what sequential ones do, so the
		// planner should use indexes (the search GIN indexes above all)
		// where they read fewer rows.
		"random_page_cost = 1.1",
		"effective_cache_size = 1GB",
		"logging_collector = off",
	}
	if opt.NoSync {
		lines = append(lines, "fsync = off", "synchronous_commit = off", "full_page_writes = off")
	}
	if opt.ArchiveCommand != "" {
		lines = append(lines, "wal_level = replica", "archive_mode = on",
			"archive_command = "+quoteConf(opt.ArchiveCommand),
			fmt.Sprintf("archive_timeout = %d", int(ArchiveTimeout/time.Second)))
	}
	path := filepath.Join(s.dataDir(), "patternvault.conf")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("pgserver: write %s: %w", path, err)
	}
	if s.cred != nil {
		return os.Chown(path, int(s.cred.Uid), int(s.cred.Gid))
	}
	return nil
}

type postmasterState int

const (
	postmasterNone postmasterState = iota
	postmasterRunning
	postmasterStale
)

// postmaster reads the cluster's postmaster.pid and tells whether the
// process it names is a live postgres (not a zombie: a killed postmaster
// stays one until its parent reaps it).
func (s *Server) postmaster() (int, postmasterState) {
	b, err := os.ReadFile(filepath.Join(s.dataDir(), "postmaster.pid"))
	if err != nil {
		return 0, postmasterNone
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return 0, postmasterStale
	}
	if name, alive := procName(pid); alive && (name == "postgres" || name == "postmaster") {
		return pid, postmasterRunning
	}
	return pid, postmasterStale
}

func (s *Server) start(ctx context.Context) error {
	t0 := time.Now()
	logFile := filepath.Join(s.dir, "postgres.log")
	out, err := s.run(ctx, "pg_ctl", "start", "-D", s.dataDir(), "-w", "-t", "60", "-l", logFile)
	if err != nil {
		tail, _ := os.ReadFile(logFile)
		return fmt.Errorf("pgserver: start: %w: %s %s", err, lastLines(out, 3), lastLines(string(tail), 5))
	}
	s.log.Info("embedded PostgreSQL started", "dir", s.dir, "socket", s.sockDir, "took", time.Since(t0).Round(time.Millisecond))
	return nil
}

// run executes one of the PostgreSQL binaries, as the service user when root.
func (s *Server) run(ctx context.Context, name string, args ...string) (string, error) {
	return execAs(ctx, s.cred, s.dir, filepath.Join(s.binDir, name), args...) // Setpgid: a Ctrl-C to the app must not hit postgres
}

func findBinDir(override string) (string, error) {
	var candidates []string
	if override != "" {
		candidates = append(candidates, override)
	} else if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	if override == "" {
		found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		sort.Slice(found, func(i, j int) bool { return versionOf(found[i]) > versionOf(found[j]) })
		candidates = append(candidates, found...)
	}
	for _, d := range candidates {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "pg_ctl")) && isExecutable(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	if override == "" {
		candidates = append(candidates, "/usr/lib/postgresql/*/bin")
	}
	return "", fmt.Errorf("pgserver: %w (looked in %s); install them with: %s",
		ErrNoBinaries, strings.Join(candidates, ", "), InstallHint)
}

func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

func serviceCredential() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("pgserver: running as root and there is no postgres or nobody user to run PostgreSQL as")
}

func lockFile(path string, how int) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pgserver: open %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		return nil, fmt.Errorf("pgserver: lock %s: %w", path, err)
	}
	return f, nil
}

func unlockFile(f *os.File) {
	if f != nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}

func quoteConf(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
