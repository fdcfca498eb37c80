package pgserver

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// postmasterPID reads the running cluster's postmaster pid.
func postmasterPID(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// TestPostmasterKilled: after kill -9 of the postmaster, a backend busy
// with a query lives on as an orphan holding the cluster's shared memory,
// so PostgreSQL refuses to start ("pre-existing shared memory block is
// still in use"). Recover notices, ends the orphans of this cluster (and
// only those) and starts it again.
func TestPostmasterKilled(t *testing.T) {
	dir := clusterDir(t)
	s := start(t, dir)
	defer s.Close()
	other := start(t, clusterDir(t)) // another cluster, whose processes must live on
	defer other.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	busy, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close(context.Background())
	var backend int
	if err := busy.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		t.Fatal(err)
	}
	sleeping := make(chan error, 1)
	go func() { _, err := busy.Exec(ctx, "SELECT pg_sleep(600)"); sleeping <- err }()
	time.Sleep(300 * time.Millisecond)
	otherConn, err := pgx.Connect(ctx, other.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer otherConn.Close(context.Background())
	go otherConn.Exec(ctx, "SELECT pg_sleep(5)")

	if !s.Running() {
		t.Fatal("Running() is false for a running cluster")
	}
	if err := syscall.Kill(postmasterPID(t, dir), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for t0 := time.Now(); s.Running(); time.Sleep(20 * time.Millisecond) {
		if time.Since(t0) > 5*time.Second {
			t.Fatal("Running() still true 5 s after the postmaster was killed")
		}
	}
	if !alive(backend) {
		t.Fatal("the busy backend died with its postmaster: the test does not reproduce an orphan")
	}

	t0 := time.Now()
	restarted, err := s.Recover(ctx)
	if err != nil || !restarted {
		t.Fatalf("Recover = %v, %v", restarted, err)
	}
	t.Logf("recovered in %s", time.Since(t0).Round(time.Millisecond))
	if alive(backend) {
		t.Error("the orphaned backend is still alive")
	}
	if !s.Running() {
		t.Error("Running() false after Recover")
	}
	ping(t, s)
	if restarted, err := s.Recover(ctx); err != nil || restarted {
		t.Errorf("Recover of a running cluster = %v, %v; want nothing done", restarted, err)
	}
	// The other cluster was not touched.
	ping(t, other)
	if !other.Running() {
		t.Error("the other cluster stopped")
	}
}
