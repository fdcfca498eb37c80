package pgserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// clusterDir returns a fresh directory for a cluster, reachable by the
// postgres user when the tests run as root.
func clusterDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgserver-test-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o711)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "pg")
}

func start(t *testing.T, dir string) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Start(ctx, dir, Options{NoSync: true})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return s
}

func ping(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
}

func isRunning(s *Server) bool {
	_, state := s.postmaster()
	return state == postmasterRunning
}

func TestFirstRunThenReuse(t *testing.T) {
	dir := clusterDir(t)
	first := start(t, dir)
	if !first.Started() {
		t.Error("first Start did not start the cluster")
	}
	ping(t, first)

	second := start(t, dir)
	if second.Started() {
		t.Error("second Start started another cluster instead of reusing the running one")
	}
	ping(t, second)
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if !isRunning(first) {
		t.Fatal("closing one user stopped the cluster while another still used it")
	}
	ping(t, first)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if isRunning(first) {
		t.Fatal("the last user's Close left the cluster running")
	}

	// A later run reuses the initialised data directory.
	again := start(t, dir)
	defer again.Close()
	if !again.Started() {
		t.Error("restart after a clean stop did not start the cluster")
	}
	ping(t, again)
}

// TestHelperProcess is not a test: TestAppKilled runs the test binary as a
// stand-in app that starts the cluster and then waits to be killed.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("PGSERVER_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process for TestAppKilled")
	}
	s, err := Start(context.Background(), dir, Options{NoSync: true})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ready", s.SocketDir())
	time.Sleep(time.Hour)
}

func TestAppKilled(t *testing.T) {
	dir := clusterDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "PGSERVER_HELPER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(line, "ready") {
		cmd.Process.Kill()
		t.Fatalf("helper said %q", line)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	s := start(t, dir)
	if s.Started() {
		t.Error("after the app was killed, Start started a second cluster instead of adopting the running one")
	}
	ping(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if isRunning(s) {
		t.Error("cluster still running after its last user closed")
	}
}

func TestStalePidFile(t *testing.T) {
	dir := clusterDir(t)
	s := start(t, dir)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A crash leaves postmaster.pid behind; its pid may now be another
	// program's (here: this test's own).
	pidFile := filepath.Join(dir, "data", "postmaster.pid")
	stale := strconv.Itoa(os.Getpid()) + "\n" + filepath.Join(dir, "data") + "\n"
	if err := os.WriteFile(pidFile, []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	s = start(t, dir)
	defer s.Close()
	if !s.Started() {
		t.Error("stale pid file was taken for a running cluster")
	}
	ping(t, s)
}

func TestMissingBinaries(t *testing.T) {
	_, err := Start(context.Background(), clusterDir(t), Options{BinDir: t.TempDir()})
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("err = %v, want ErrNoBinaries", err)
	}
	if !strings.Contains(err.Error(), "apt-get install -y postgresql") {
		t.Errorf("error %q does not name the install command", err)
	}
}

func TestLongPathUsesShortSocketDir(t *testing.T) {
	dir := filepath.Join(clusterDir(t), strings.Repeat("long-directory-name-", 5), "pg")
	os.MkdirAll(filepath.Dir(dir), 0o711)
	os.Chmod(filepath.Dir(filepath.Dir(dir)), 0o711)
	s := start(t, dir)
	if len(s.SocketDir()) > 100 {
		t.Errorf("socket dir %q too long for a unix socket", s.SocketDir())
	}
	ping(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := os.Stat(s.SocketDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket dir %s left behind after the cluster stopped (stat: %v)", s.SocketDir(), err)
	}
}

func BenchmarkFirstStart(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		dir, _ := os.MkdirTemp("", "pgserver-bench-")
		os.Chmod(dir, 0o711)
		b.StartTimer()
		s, err := Start(context.Background(), filepath.Join(dir, "pg"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}

// TestPostmasterKilled: after kill -9 of the postmaster, while a backend
// is busy in a long query (an orphan that keeps the cluster's shared
// memory attached, which made the first restart fail), Watch ends the
// orphan and starts the cluster again without a manual step; what was
// committed is still there.
func TestPostmasterKilled(t *testing.T) {
	dir := clusterDir(t)
	// Durable settings: with synchronous_commit off (the other tests'
	// NoSync) a commit made just before the kill may rightly be lost.
	startCtx, startCancel := context.WithTimeout(context.Background(), time.Minute)
	defer startCancel()
	s, err := Start(startCtx, dir, Options{})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	// Whatever happens, no process of this cluster outlives the test.
	t.Cleanup(func() { s.endOrphans(context.Background()) })
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	busy, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	busyDone := make(chan error, 1)
	go func() {
		// A loop that never waits, so never notices its postmaster died.
		_, err := busy.Exec(ctx, "DO $$ BEGIN LOOP PERFORM 1; END LOOP; END $$")
		busyDone <- err
	}()
	for running := false; !running; time.Sleep(20 * time.Millisecond) {
		if err := conn.QueryRow(ctx, "SELECT count(*) > 0 FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'DO %'").Scan(&running); err != nil {
			t.Fatal(err)
		}
	}
	pid, state := s.postmaster()
	if state != postmasterRunning {
		t.Fatalf("postmaster state %v before the kill", state)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	go s.Watch(ctx, 100*time.Millisecond)
	for {
		c, err := pgx.Connect(ctx, s.DSN("postgres"))
		if err == nil {
			var v int
			err = c.QueryRow(ctx, "SELECT v FROM kept").Scan(&v)
			c.Close(ctx)
			if err != nil || v != 42 {
				t.Fatalf("after the restart: kept = %d, %v", v, err)
			}
			break
		}
		if time.Since(t0) > 30*time.Second {
			tail, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
			t.Fatalf("the cluster does not answer 30 s after its postmaster was killed: %v\n%s", err, lastLines(string(tail), 10))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("answering again %s after kill -9 of the postmaster", time.Since(t0).Round(time.Millisecond))
	select {
	case err := <-busyDone:
		if err == nil {
			t.Error("the busy query of the dead cluster ended without an error")
		}
	case <-time.After(10 * time.Second):
		t.Error("the orphaned backend is still running")
	}
}
