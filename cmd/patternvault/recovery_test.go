package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEmbeddedPostgresKilled is the recovery check from outside: kill -9
// of the embedded postmaster under a running server turns /readyz
// non-200 within 5 s, and the library answers again within 30 s with no
// manual step (the server restarts its cluster).
func TestEmbeddedPostgresKilled(t *testing.T) {
	t.Parallel()
	addr, data := freeAddr(t), dataDir(t)
	env := []string{"PV_DATA_DIR=" + data, "PV_HTTP_ADDR=" + addr, "PV_DATABASE_URL="}
	serve := exec.Command(binary, "serve")
	serve.Env = append(os.Environ(), env...)
	var log strings.Builder
	serve.Stderr = &log
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		serve.Process.Signal(syscall.SIGTERM)
		serve.Wait()
	})
	base := "http://" + addr
	for t0 := time.Now(); status(base+"/readyz") != 200; time.Sleep(50 * time.Millisecond) {
		if time.Since(t0) > time.Minute {
			t.Fatalf("not ready after a minute\n%s", log.String())
		}
	}
	if _, err := pv(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := pv(t, env, "user", "create", "--email", "pam@example.com", "--password", "a long enough password", "--tenant", "acme", "--role", "owner"); err != nil {
		t.Fatal(err)
	}
	out, err := pv(t, env, "token", "create", "--tenant", "acme", "--email", "pam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)
	library := func() int {
		req, _ := http.NewRequest("GET", base+"/api/v1/patterns", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := library(); code != 200 {
		t.Fatalf("the library before the kill: %d", code)
	}

	pidFile, err := os.ReadFile(filepath.Join(data, "pg", "data", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(pidFile), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	for status(base+"/readyz") == 200 {
		if time.Since(t0) > 5*time.Second {
			t.Fatal("/readyz still 200 5 s after kill -9 of the postmaster")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("/readyz non-200 %s after the kill", time.Since(t0).Round(time.Millisecond))
	for library() != 200 {
		if time.Since(t0) > 30*time.Second {
			t.Fatalf("the library does not answer 30 s after kill -9 of the postmaster\n%s", log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("the library answers again %s after the kill", time.Since(t0).Round(time.Millisecond))
	if code := status(base + "/readyz"); code != 200 {
		t.Errorf("/readyz = %d once the library answers again", code)
	}
}
