package pgserver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// When the postmaster dies (kill -9, the kernel's out-of-memory killer),
// the cluster is down for every process that uses it: Watch notices within
// a tick and Recover starts it again, after ending the backends that
// outlived their postmaster. A backend busy in a long query does not
// notice the death of its postmaster and keeps the cluster's shared
// memory attached, and PostgreSQL refuses to start while it does ("pre-
// existing shared memory block is still in use"). The backends ended are
// only those of this cluster: postgres processes whose working directory
// is its data directory. PostgreSQL then replays its write-ahead log as
// after any crash, so nothing committed is lost.

// orphanGrace is how long the backends of a dead postmaster are given to
// quit on SIGQUIT before they are killed.
const orphanGrace = 3 * time.Second

// Watch keeps the cluster running until ctx ends: every interval it looks
// at the postmaster and, when it has died, restarts the cluster (Recover).
// Pools reconnect by themselves once it answers again.
func (s *Server) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, state := s.postmaster(); state == postmasterRunning {
			continue
		}
		if err := s.Recover(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("embedded PostgreSQL: restart failed, trying again", "err", err)
		}
	}
}

// Recover starts the cluster again after its postmaster died, ending its
// orphaned backends first. It does nothing when the cluster runs (another
// process may have restarted it).
func (s *Server) Recover(ctx context.Context) error {
	startLock, err := lockFile(filepath.Join(s.dir, "start.lock"), syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlockFile(startLock)
	pid, state := s.postmaster()
	if state == postmasterRunning {
		return nil
	}
	s.log.Warn("embedded PostgreSQL stopped unexpectedly; restarting it", "dir", s.dir, "pid", pid)
	if err := s.endOrphans(ctx); err != nil {
		return err
	}
	if state == postmasterStale {
		if err := os.Remove(filepath.Join(s.dataDir(), "postmaster.pid")); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("pgserver: remove stale postmaster.pid: %w", err)
		}
	}
	return s.start(ctx)
}

// endOrphans ends the processes left of a dead cluster: SIGQUIT (a
// backend's immediate exit), then SIGKILL for those still there after
// orphanGrace. It returns once they are all gone.
func (s *Server) endOrphans(ctx context.Context) error {
	procs := s.clusterProcesses()
	if len(procs) == 0 {
		return nil
	}
	s.log.Warn("ending processes of the dead embedded PostgreSQL", "pids", procs)
	for _, pid := range procs {
		syscall.Kill(pid, syscall.SIGQUIT)
	}
	deadline := time.Now().Add(orphanGrace)
	killed := false
	for {
		procs = s.clusterProcesses()
		if len(procs) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			if killed {
				return fmt.Errorf("pgserver: processes %v of the dead cluster in %s do not end", procs, s.dataDir())
			}
			for _, pid := range procs {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			killed, deadline = true, time.Now().Add(orphanGrace)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// clusterProcesses lists the live (not zombie) postgres processes whose
// working directory is this cluster's data directory.
func (s *Server) clusterProcesses() []int {
	data, err := filepath.Abs(s.dataDir())
	if err != nil {
		return nil
	}
	if real, err := filepath.EvalSymlinks(data); err == nil {
		data = real
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if name, alive := procName(pid); !alive || name != "postgres" {
			continue
		}
		if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil && cwd == data {
			pids = append(pids, pid)
		}
	}
	return pids
}

// procName returns a process's command name and whether it is alive: a
// zombie (dead, not yet reaped by its parent) is not.
func procName(pid int) (string, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", false
	}
	// pid (comm) state ...: comm may hold spaces and parentheses.
	st := string(b)
	open, end := strings.IndexByte(st, '('), strings.LastIndexByte(st, ')')
	if open < 0 || end < open || end+2 >= len(st) {
		return "", false
	}
	state := st[end+2]
	return st[open+1 : end], state != 'Z' && state != 'X'
}
