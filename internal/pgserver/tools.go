package pgserver

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// DataDir is the cluster's data directory.
func (s *Server) DataDir() string { return s.dataDir() }

// SocketDir is the directory of the cluster's unix socket.
func (s *Server) SocketDir() string { return s.sockDir }

// Exec runs a program (a tool that works on the cluster's files, such as
// pgBackRest) as the user the cluster runs as, and returns its output.
func (s *Server) Exec(ctx context.Context, path string, args ...string) (string, error) {
	return execAs(ctx, s.cred, s.dir, path, args...)
}

// Own gives paths to the user the cluster runs as (when running as root),
// so the tools Exec runs can write there.
func (s *Server) Own(paths ...string) error {
	if s.cred == nil {
		return nil
	}
	for _, p := range paths {
		if err := os.Chown(p, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return fmt.Errorf("pgserver: chown %s: %w", p, err)
		}
	}
	return nil
}

func execAs(ctx context.Context, cred *syscall.Credential, dir, path string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "PGTZ=UTC")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// ErrInUse means the cluster is used by another PatternVault process.
var ErrInUse = fmt.Errorf("pgserver: the embedded PostgreSQL is in use by another PatternVault process; stop it (and every command using it) first")

// ReplaceData puts a new data directory in place of the cluster's in dir,
// for a restore: it refuses while another process uses the cluster,
// stops it if it runs, moves the current data directory aside (kept,
// named data.before-restore-<stamp>) and calls fill with a handle on the
// stopped cluster whose DataDir is new and empty (Exec runs programs as
// the cluster's user). Start the cluster afterwards as usual.
func ReplaceData(ctx context.Context, dir string, opt Options, stamp string, fill func(s *Server) error) (aside string, err error) {
	binDir, err := findBinDir(opt.BinDir)
	if err != nil {
		return "", err
	}
	s := &Server{dir: dir, binDir: binDir, log: opt.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := s.prepareDirs(); err != nil {
		return "", err
	}
	startLock, err := lockFile(filepath.Join(dir, "start.lock"), syscall.LOCK_EX)
	if err != nil {
		return "", err
	}
	defer unlockFile(startLock)
	use, err := os.OpenFile(filepath.Join(dir, "use.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", fmt.Errorf("pgserver: open use lock: %w", err)
	}
	defer use.Close()
	if err := syscall.Flock(int(use.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return "", ErrInUse
	}
	defer syscall.Flock(int(use.Fd()), syscall.LOCK_UN)
	if _, state := s.postmaster(); state == postmasterRunning {
		if err := s.Stop(); err != nil {
			return "", err
		}
	}
	if _, err := os.Stat(s.dataDir()); err == nil {
		aside = filepath.Join(dir, "data.before-restore-"+stamp)
		if err := os.Rename(s.dataDir(), aside); err != nil {
			return "", fmt.Errorf("pgserver: move the old data aside: %w", err)
		}
	}
	if err := os.MkdirAll(s.dataDir(), 0o700); err != nil {
		return aside, err
	}
	if err := s.Own(s.dataDir()); err != nil {
		return aside, err
	}
	if err := fill(s); err != nil {
		return aside, err
	}
	return aside, nil
}
