package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/s3test"
	"github.com/patternvault/patternvault/internal/testdb"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// TestVersionFromBuildInfo: `patternvault version` prints the commit the
// binary was built from (Go's build information), not "dev".
func TestVersionFromBuildInfo(t *testing.T) {
	t.Parallel()
	out, err := pv(t, nil, "version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "patternvault ") || strings.Contains(out, "patternvault dev") {
		t.Fatalf("version printed %q", out)
	}
	root, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not in a git checkout (%v): the binary has no commit to show", err)
	}
	if fi, err := os.Stat(filepath.Join(strings.TrimSpace(string(root)), ".git")); err != nil || !fi.IsDir() {
		t.Skip("a git worktree (.git is a file): Go stamps the commit only in a checkout whose .git is a directory, as CI's clone")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	if commit := strings.TrimSpace(string(head)); !strings.Contains(out, "commit "+commit) {
		t.Errorf("version printed %q, want commit %s", out, commit)
	}
}

// TestBadMetricsAddrStopsStartup: serve refuses a PV_METRICS_ADDR it
// cannot read or cannot listen on, at once and naming the variable.
func TestBadMetricsAddrStopsStartup(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, addr := range []string{"127.0.0.1:notaport", "9090", busy.Addr().String()} {
		env := []string{"PV_DATA_DIR=" + dataDir(t), "PV_HTTP_ADDR=" + freeAddr(t), "PV_DATABASE_URL=" + testdb.NewURL(t), "PV_METRICS_ADDR=" + addr}
		t0 := time.Now()
		done := make(chan error, 1)
		go func() { _, err := pv(t, env, "serve"); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "PV_METRICS_ADDR") {
				t.Errorf("PV_METRICS_ADDR=%s: serve ended with %v, want an error naming PV_METRICS_ADDR", addr, err)
			}
			t.Logf("PV_METRICS_ADDR=%s: refused after %s: %v", addr, time.Since(t0).Round(time.Millisecond), err)
		case <-time.After(60 * time.Second):
			// (A server that starts runs until stopped; a refusal takes
			// a second, or several on a loaded machine.)
			t.Fatalf("PV_METRICS_ADDR=%s: serve still running after 60 s", addr)
		}
	}
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveWithLog runs serve with env (a database and data dir of its own
// added unless env names them) and returns its address and its log.
func serveWithLog(t *testing.T, env []string) (base string, log *lockedBuffer, cmd *exec.Cmd) {
	t.Helper()
	addr := freeAddr(t)
	env = append([]string{"PV_DATA_DIR=" + dataDir(t), "PV_HTTP_ADDR=" + addr}, env...)
	has := func(k string) bool {
		for _, e := range env {
			if strings.HasPrefix(e, k+"=") {
				return true
			}
		}
		return false
	}
	if !has("PV_DATABASE_URL") {
		env = append(env, "PV_DATABASE_URL="+testdb.NewURL(t))
		if out, err := pv(t, env, "migrate"); err != nil {
			t.Fatalf("migrate: %q, %v", out, err)
		}
	}
	log = &lockedBuffer{}
	cmd = exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("serve's log:\n%s", log)
		}
	})
	base = "http://" + addr
	for t0 := time.Now(); status(base+"/readyz") != 200; time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("serve exited: %s", log)
		default:
		}
		if time.Since(t0) > 60*time.Second {
			t.Fatalf("server not ready after 60 s: %s", log)
		}
	}
	return base, log, cmd
}

// TestJSONLogsCarryRequestID: with PV_LOG_FORMAT=json every line is one
// JSON object, and an API error line carries the id of its request (the
// one in the X-Request-Id header and on the request line).
func TestJSONLogsCarryRequestID(t *testing.T) {
	t.Parallel()
	dbURL := testdb.NewURL(t)
	env := []string{"PV_DATA_DIR=" + dataDir(t), "PV_DATABASE_URL=" + dbURL}
	if out, err := pv(t, env, "migrate"); err != nil {
		t.Fatalf("migrate: %q, %v", out, err)
	}
	for _, args := range [][]string{
		{"tenant", "create", "--slug", "acme", "--name", "Acme"},
		{"user", "create", "--email", "pam@example.com", "--password", "a long enough password", "--tenant", "acme"},
	} {
		if _, err := pv(t, env, args...); err != nil {
			t.Fatal(err)
		}
	}
	out, err := pv(t, env, "token", "create", "--tenant", "acme", "--email", "pam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	base, log, _ := serveWithLog(t, append(env, "PV_LOG_FORMAT=json"))
	// A multipart body that breaks off: the API logs it as the client's
	// error (a warning) and answers 400.
	req, _ := http.NewRequest("POST", base+"/api/v1/imports", strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.zip\"\r\n\r\nPK"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(out))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	id := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != 400 || id == "" {
		t.Fatalf("broken upload = %d, request id %q", resp.StatusCode, id)
	}
	var errorLine, requestLine map[string]any
	for t0 := time.Now(); requestLine == nil && time.Since(t0) < 5*time.Second; time.Sleep(50 * time.Millisecond) {
		errorLine, requestLine = nil, nil
		sc := bufio.NewScanner(strings.NewReader(log.String()))
		for sc.Scan() {
			var line map[string]any
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				t.Fatalf("log line is not JSON: %q", sc.Text())
			}
			switch line["msg"] {
			case "api: upload":
				errorLine = line
			case "request":
				if line["path"] == "/api/v1/imports" {
					requestLine = line
				}
			}
		}
	}
	if errorLine == nil || errorLine["id"] != id || errorLine["level"] != "WARN" {
		t.Errorf("the API's error line = %v, want level WARN and id %s", errorLine, id)
	}
	if requestLine == nil || requestLine["id"] != id {
		t.Errorf("the request line = %v, want id %s", requestLine, id)
	}
}

// TestOperatorMetrics: /metrics has the latency of each API route (not one
// shared "/api/v1/"), the file storage's operations, the job queue by
// kind and state, and the mail outbox.
func TestOperatorMetrics(t *testing.T) {
	t.Parallel()
	maddr := freeAddr(t)
	env, base := startServe(t, "PV_METRICS_ADDR="+maddr)
	for _, args := range [][]string{
		{"tenant", "create", "--slug", "acme", "--name", "Acme"},
		{"user", "create", "--email", "pam@example.com", "--password", "a long enough password", "--tenant", "acme"},
	} {
		if _, err := pv(t, env, args...); err != nil {
			t.Fatal(err)
		}
	}
	out, err := pv(t, env, "token", "create", "--tenant", "acme", "--email", "pam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)
	for _, path := range []string{"/api/v1/me", "/api/v1/patterns", "/t/acme/api/v1/patterns"} {
		if code, _ := apiGet(t, base+path, token); code != 200 {
			t.Fatalf("GET %s = %d", path, code)
		}
	}
	resp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(b)
	for _, want := range []string{
		`route="GET /api/v1/me"`, `route="GET /api/v1/patterns"`,
		`patternvault_storage_operations_total{op="check",outcome="ok"}`, "patternvault_storage_circuit_open 0",
		`patternvault_db_pool_connections{pool="primary"`, `patternvault_mail_outbox{state="waiting"} `,
		"patternvault_jobs_waiting ", "patternvault_database_up 1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, `route="/api/v1/"`) {
		t.Error(`/metrics still lumps API calls under route="/api/v1/"`)
	}
}

// zipOf zips fixture design folders (one folder per design).
func zipOf(t *testing.T, root string, dirs []string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("designs-%d.zip", len(dirs)))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, dir := range dirs {
		entries, _ := os.ReadDir(dir)
		rel, _ := filepath.Rel(root, dir)
		for _, e := range entries {
			data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			w, _ := zw.Create(filepath.ToSlash(filepath.Join(rel, e.Name())))
			w.Write(data)
		}
	}
	zw.Close()
	f.Close()
	return path
}

// postImport sends a ZIP to the API and returns the answer's status, the
// batch id (when accepted) and the body.
func postImport(t *testing.T, base, token, zipPath string) (int, int64, map[string]any) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", filepath.Base(zipPath))
	data, _ := os.ReadFile(zipPath)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r map[string]any
	json.NewDecoder(resp.Body).Decode(&r)
	id, _ := r["id"].(float64)
	return resp.StatusCode, int64(id), r
}

// TestStorageOutage is issue 22's must-show for storage, with a real S3
// server (versitygw) stopped and started again: with storage down /readyz
// is not 200 and names the storage, a thumbnail answers 503 with
// Retry-After within 2 s (logged once, with the request id), and an import
// made during the outage completes by itself once storage is back,
// without a new upload.
func TestStorageOutage(t *testing.T) {
	t.Parallel()
	root := filepath.Join(testfixtures.Dir(t), "stitchables")
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "*"))
	if len(dirs) < 4 {
		t.Skipf("need at least 4 fixture designs, have %d", len(dirs))
	}
	before, during := zipOf(t, root, dirs[:len(dirs)/2]), zipOf(t, root, dirs[len(dirs)/2:])
	s3 := s3test.Start(t)
	dbURL := testdb.NewURL(t)
	env := []string{"PV_DATA_DIR=" + dataDir(t), "PV_DATABASE_URL=" + dbURL, "PV_BLOB_URL=" + s3.URL("pv-outage")}
	if out, err := pv(t, env, "migrate"); err != nil {
		t.Fatalf("migrate: %q, %v", out, err)
	}
	for _, args := range [][]string{
		{"tenant", "create", "--slug", "acme", "--name", "Acme"},
		{"user", "create", "--email", "pam@example.com", "--password", "a long enough password", "--tenant", "acme"},
	} {
		if _, err := pv(t, env, args...); err != nil {
			t.Fatal(err)
		}
	}
	out, err := pv(t, env, "token", "create", "--tenant", "acme", "--email", "pam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)
	base, log, _ := serveWithLog(t, env)
	wait := func(id int64, limit time.Duration) map[string]any {
		t.Helper()
		var b map[string]any
		for t0 := time.Now(); time.Since(t0) < limit; time.Sleep(250 * time.Millisecond) {
			_, b = apiGet(t, fmt.Sprintf("%s/api/v1/imports/%d", base, id), token)
			if b["status"] == "done" || b["status"] == "failed" {
				return b
			}
		}
		t.Fatalf("import %d not finished after %s: %v", id, limit, b)
		return nil
	}
	code, id, _ := postImport(t, base, token, before)
	if code != 202 {
		t.Fatalf("import before the outage = %d", code)
	}
	if res := wait(id, 2*time.Minute); res["status"] != "done" || res["created"] == float64(0) {
		t.Fatalf("import before the outage: %v", res)
	}
	_, list := apiGet(t, base+"/api/v1/patterns?limit=1", token)
	patterns, _ := list["patterns"].([]any)
	if len(patterns) == 0 {
		t.Fatal("no pattern imported")
	}
	pid := int64(patterns[0].(map[string]any)["id"].(float64))

	s3.Stop()
	t0 := time.Now()
	var ready map[string]any
	for {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		ready = nil
		json.NewDecoder(resp.Body).Decode(&ready)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			break
		}
		if time.Since(t0) > 10*time.Second {
			t.Fatalf("/readyz still 200 10 s into the outage: %v", ready)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("storage down: /readyz non-200 after %s: %v", time.Since(t0).Round(time.Millisecond), ready)
	if failing := fmt.Sprint(ready["failing"]); !strings.Contains(failing, "storage") || strings.Contains(failing, "database") {
		t.Errorf("/readyz failing = %s, want storage alone", failing)
	}
	var thumbIDs []string
	for i := range 3 {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/patterns/%d/thumbnail", base, pid), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		t1 := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b map[string]map[string]string
		json.NewDecoder(resp.Body).Decode(&b)
		resp.Body.Close()
		took := time.Since(t1)
		t.Logf("thumbnail %d during the outage: %d %s in %s", i, resp.StatusCode, b["error"]["code"], took.Round(time.Millisecond))
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || b["error"]["code"] != "storage_unavailable" {
			t.Errorf("thumbnail during the outage = %d, Retry-After %q, %v; want 503 storage_unavailable with Retry-After",
				resp.StatusCode, resp.Header.Get("Retry-After"), b)
		}
		if took > 2*time.Second {
			t.Errorf("thumbnail during the outage took %s, want under 2 s", took)
		}
		thumbIDs = append(thumbIDs, resp.Header.Get("X-Request-Id"))
	}
	for _, rid := range thumbIDs {
		// The unavailable line and the request line (the server's output
		// reaches the test a moment after the answer).
		n := 0
		for t1 := time.Now(); time.Since(t1) < 5*time.Second; time.Sleep(50 * time.Millisecond) {
			if n = strings.Count(log.String(), "id="+rid); n >= 2 {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
		if n = strings.Count(log.String(), "id="+rid); n != 2 {
			t.Errorf("request %s appears on %d log lines, want 2 (the outage once, the request once)", rid, n)
		}
	}

	// An import made while storage is down is taken, and waits.
	code, id, body := postImport(t, base, token, during)
	if code != 202 {
		t.Fatalf("import during the outage = %d %v, want 202 (kept until storage is back)", code, body)
	}
	time.Sleep(3 * time.Second)
	_, st := apiGet(t, fmt.Sprintf("%s/api/v1/imports/%d", base, id), token)
	if st["status"] == "failed" || st["status"] == "done" {
		t.Fatalf("import during the outage ended %v before storage came back", st)
	}
	if !strings.Contains(fmt.Sprint(st["waiting"]), "storage") {
		t.Errorf("import during the outage: %v, want it to say it waits for storage", st)
	}

	s3.Start()
	t2 := time.Now()
	res := wait(id, 3*time.Minute)
	t.Logf("storage back: the import made during the outage finished %s later: %v", time.Since(t2).Round(time.Millisecond), res)
	if res["status"] != "done" || res["created"] != float64(len(dirs)-len(dirs)/2) {
		t.Errorf("import made during the outage = %v, want done with %d created", res, len(dirs)-len(dirs)/2)
	}
	for t3 := time.Now(); status(base+"/readyz") != 200; time.Sleep(200 * time.Millisecond) {
		if time.Since(t3) > 15*time.Second {
			t.Fatal("/readyz not 200 after storage came back")
		}
	}
}
