package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/testdb"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pv-cli-")
	if err != nil {
		panic(err)
	}
	os.Chmod(dir, 0o711)
	binary = filepath.Join(dir, "patternvault")
	// Built as `make build` builds it: without cgo.
	build := exec.Command("go", "build", "-buildvcs=true", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	// Every test but the first-start one shares the test server of
	// internal/testdb, a database each, instead of starting a cluster.
	code := testdb.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func dataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pv-data-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o711)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "data")
}

func pv(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%v: %s", err, stderr.String())
	}
	return stdout.String(), err
}

func status(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServeAndTenantCommands is the foundation's outside check: on a clean
// data dir, serve answers /healthz and /readyz, and tenant create and
// tenant list --json work on the same data dir while the server runs.
func TestServeAndTenantCommands(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	env := []string{"PV_DATA_DIR=" + dataDir(t), "PV_HTTP_ADDR=" + addr, "PV_DATABASE_URL="}
	serve := exec.Command(binary, "serve")
	serve.Env = append(os.Environ(), env...)
	var log strings.Builder
	serve.Stderr = &log
	t0 := time.Now()
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer serve.Process.Kill()
	for status("http://"+addr+"/readyz") != 200 {
		if time.Since(t0) > 30*time.Second {
			t.Fatalf("not ready after 30 s\n%s", log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("first start, empty data dir to /readyz 200: %s", time.Since(t0).Round(time.Millisecond))
	if code := status("http://" + addr + "/healthz"); code != 200 {
		t.Errorf("/healthz = %d", code)
	}

	if out, err := pv(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme"); err != nil || !strings.Contains(out, "acme") {
		t.Fatalf("tenant create: %q, %v", out, err)
	}
	if _, err := pv(t, env, "tenant", "create", "--slug", "acme", "--name", "Again"); err == nil || !strings.Contains(err.Error(), "already taken") {
		t.Errorf("duplicate tenant create: %v, want 'already taken'", err)
	}
	if _, err := pv(t, env, "tenant", "create", "--slug", "admin", "--name", "X"); err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("reserved slug: %v, want 'reserved'", err)
	}
	out, err := pv(t, env, "tenant", "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("tenant list --json: %v\n%s", err, out)
	}
	if len(list) != 1 || list[0]["slug"] != "acme" || list[0]["name"] != "Acme" || list[0]["status"] != "active" {
		t.Errorf("tenant list --json = %s", out)
	}
	// A visitor who is not a member cannot tell it exists, paused or not.
	if code, none := status("http://"+addr+"/t/acme/"), status("http://"+addr+"/t/nobody/"); code != http.StatusNotFound || none != code {
		t.Errorf("/t/acme/ = %d after create, /t/nobody/ = %d: want the same 404 for a visitor", code, none)
	}
	if _, err := pv(t, env, "tenant", "suspend", "acme"); err != nil {
		t.Fatal(err)
	}
	if code := status("http://" + addr + "/t/acme/"); code != http.StatusNotFound {
		t.Errorf("/t/acme/ = %d while suspended, want 404 for a visitor", code)
	}

	serve.Process.Signal(syscall.SIGTERM)
	if err := serve.Wait(); err != nil {
		t.Errorf("serve exit after SIGTERM: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "embedded PostgreSQL stopped") {
		t.Errorf("serve did not stop its PostgreSQL cleanly:\n%s", log.String())
	}
	// Without the server, a command starts the cluster, works, and stops it.
	out, err = pv(t, env, "tenant", "list")
	if err != nil || !strings.Contains(out, "suspended") {
		t.Errorf("tenant list with server stopped: %q, %v", out, err)
	}
}

func TestUnknownCommandAndBadFile(t *testing.T) {
	t.Parallel()
	if _, err := pv(t, nil, "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: %v", err)
	}
	if out, err := pv(t, nil, "version"); err != nil || !strings.HasPrefix(out, "patternvault ") {
		t.Errorf("version: %q, %v", out, err)
	}
}

// TestExternalDatabaseNeedsMigrate: against PV_DATABASE_URL, serve refuses
// a schema that is behind and says to run migrate; after migrate it serves.
func TestExternalDatabaseNeedsMigrate(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	env := []string{"PV_DATA_DIR=" + dataDir(t), "PV_HTTP_ADDR=" + addr, "PV_DATABASE_URL=" + testdb.EmptyURL(t)}
	if _, err := pv(t, env, "serve"); err == nil || !strings.Contains(err.Error(), "patternvault migrate") {
		t.Fatalf("serve on an unmigrated external database: %v, want a message to run migrate", err)
	}
	out, err := pv(t, env, "migrate")
	if err != nil || !strings.Contains(out, "migrations applied") || strings.Contains(out, "platform: 0 ") {
		t.Fatalf("migrate: %q, %v", out, err)
	}
	if out, err := pv(t, env, "tenant", "create", "--slug", "ext-one", "--name", "Ext"); err != nil {
		t.Fatalf("tenant create: %q %v", out, err)
	}
	out, err = pv(t, env, "migrate", "--json")
	if err != nil || !strings.Contains(out, `"tenants_checked":1`) {
		t.Fatalf("migrate --json: %q, %v", out, err)
	}
}

// startServe runs `serve` on a fresh data dir and a database of its own on
// the shared test server (migrated first, as an operator would), and waits
// for /readyz.
func startServe(t *testing.T, extra ...string) (env []string, base string) {
	t.Helper()
	addr := freeAddr(t)
	env = append([]string{"PV_DATA_DIR=" + dataDir(t), "PV_HTTP_ADDR=" + addr, "PV_DATABASE_URL=" + testdb.NewURL(t)}, extra...)
	if out, err := pv(t, env, "migrate"); err != nil {
		t.Fatalf("migrate: %q, %v", out, err)
	}
	serve := exec.Command(binary, "serve")
	serve.Env = append(os.Environ(), env...)
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		serve.Process.Signal(syscall.SIGTERM)
		serve.Wait()
	})
	base = "http://" + addr
	for t0 := time.Now(); status(base+"/readyz") != 200; time.Sleep(50 * time.Millisecond) {
		if time.Since(t0) > 30*time.Second {
			t.Fatal("server not ready after 30 s")
		}
	}
	return env, base
}

func apiGet(t *testing.T, url, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: not JSON: %v", url, err)
	}
	return resp.StatusCode, body
}

// TestUserTokenAndAPI is the accounts issue's outside check.
func TestUserTokenAndAPI(t *testing.T) {
	t.Parallel()
	env, base := startServe(t)
	for _, slug := range []string{"acme", "beta"} {
		if _, err := pv(t, env, "tenant", "create", "--slug", slug, "--name", strings.ToUpper(slug)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pv(t, env, "user", "create", "--email", "pam@example.com", "--password", "a long enough password", "--tenant", "acme", "--role", "owner"); err != nil {
		t.Fatal(err)
	}
	if _, err := pv(t, env, "user", "create", "--email", "bob@example.com", "--password", "another long password", "--tenant", "beta"); err != nil {
		t.Fatal(err)
	}
	out, err := pv(t, env, "token", "create", "--tenant", "acme", "--email", "pam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)
	if !strings.HasPrefix(token, "pv_") || strings.Contains(token, " ") {
		t.Fatalf("token create printed %q, want only the token", out)
	}
	code, me := apiGet(t, base+"/api/v1/me", token)
	if code != 200 || me["email"] != "pam@example.com" || me["slug"] != "acme" || me["role"] != "owner" {
		t.Errorf("/api/v1/me = %d %v", code, me)
	}
	if code, body := apiGet(t, base+"/api/v1/me", ""); code != 401 || body["error"] == nil {
		t.Errorf("/api/v1/me without a token = %d %v, want 401 JSON", code, body)
	}
	if code, body := apiGet(t, base+"/t/beta/api/v1/me", token); code != 403 || strings.Contains(fmt.Sprint(body), "bob") {
		t.Errorf("acme's token on beta's API = %d %v, want 403 and no data", code, body)
	}
	if code, _ := apiGet(t, base+"/t/acme/api/v1/me", token); code != 200 {
		t.Errorf("acme's token on acme's own API address = %d", code)
	}
	if _, err := pv(t, env, "token", "create", "--tenant", "beta", "--email", "pam@example.com"); err == nil {
		t.Error("token create for a workspace the user is not in succeeded")
	}
	out, err = pv(t, env, "admin", "create", "--email", "root@example.com")
	if err != nil || !strings.Contains(out, "one-time password") {
		t.Errorf("admin create: %q, %v", out, err)
	}
	// Run from another shell, without the server's address (issue 15: it
	// printed the default port): the sign-in URL is the running server's.
	var other []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PV_HTTP_ADDR=") {
			other = append(other, kv)
		}
	}
	for t0 := time.Now(); ; time.Sleep(200 * time.Millisecond) {
		out, err = pv(t, other, "admin", "create", "--email", "root@example.com")
		if err != nil || strings.Contains(out, "sign in at "+base+"/signin") || time.Since(t0) > 15*time.Second {
			break
		}
	}
	if err != nil || !strings.Contains(out, "sign in at "+base+"/signin") {
		t.Errorf("admin create from another shell: %q, %v; want the running server's %s/signin", out, err, base)
	}
}

// TestLocalMailOutbox: with no SMTP configured, a sign-up's email lands in
// $PV_DATA_DIR/outbox with a link the person can open.
func TestLocalMailOutbox(t *testing.T) {
	t.Parallel()
	env, base := startServe(t)
	form := url.Values{"name": {"Pam"}, "email": {"pam@example.com"}, "password": {"a long enough password"}}
	req, _ := http.NewRequest("POST", base+"/signup", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-up = %d", resp.StatusCode)
	}
	var dataDir string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PV_DATA_DIR="); ok {
			dataDir = v
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(dataDir, "outbox", "*verify*.eml"))
		if len(files) == 1 {
			b, _ := os.ReadFile(files[0])
			if !strings.Contains(string(b), "pam@example.com") || !strings.Contains(string(b), base+"/verify?token=") {
				t.Errorf("outbox mail lacks the address or link:\n%s", b)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no verification mail in %s/outbox", dataDir)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fixturesZIP zips the real fixtures, one folder per design.
func fixturesZIP(t *testing.T) (string, int) {
	t.Helper()
	root := filepath.Join(testfixtures.Dir(t), "stitchables")
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "*"))
	path := filepath.Join(t.TempDir(), "designs.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	n := 0
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		n++
		rel, _ := filepath.Rel(root, dir)
		for _, e := range entries {
			data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			w, _ := zw.Create(filepath.ToSlash(filepath.Join(rel, e.Name())))
			w.Write(data)
		}
	}
	zw.Close()
	f.Close()
	return path, n
}

// TestImportThroughAPI is the library's outside check: a ZIP of real
// designs posted to the API becomes one pattern per design with a PNG
// thumbnail, a sensible name and keywords, every download format works,
// and posting it again creates nothing and reports duplicates.
func TestImportThroughAPI(t *testing.T) {
	t.Parallel()
	zipPath, designs := fixturesZIP(t)
	env, base := startServe(t)
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
	post := func() int64 {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "designs.zip")
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
		var r struct{ ID int64 }
		json.NewDecoder(resp.Body).Decode(&r)
		if resp.StatusCode != http.StatusAccepted || r.ID == 0 {
			t.Fatalf("POST /imports = %d, id %d", resp.StatusCode, r.ID)
		}
		return r.ID
	}
	wait := func(id int64) map[string]any {
		for t0 := time.Now(); time.Since(t0) < 60*time.Second; time.Sleep(200 * time.Millisecond) {
			_, b := apiGet(t, fmt.Sprintf("%s/api/v1/imports/%d", base, id), token)
			if b["status"] == "done" || b["status"] == "failed" {
				return b
			}
		}
		t.Fatal("import not finished after 60 s")
		return nil
	}
	res := wait(post())
	if res["status"] != "done" || res["created"] != float64(designs) || res["duplicates"] != float64(0) {
		t.Fatalf("first import = %v, want %d created", res, designs)
	}
	_, list := apiGet(t, base+"/api/v1/patterns?limit=100", token)
	patterns, _ := list["patterns"].([]any)
	if len(patterns) != designs {
		t.Fatalf("%d patterns, want %d", len(patterns), designs)
	}
	for _, x := range patterns {
		p := x.(map[string]any)
		id := int64(p["id"].(float64))
		name, _ := p["name"].(string)
		if name == "" || strings.ContainsAny(name, "_/\\") || strings.Contains(strings.ToLower(name), ".qli") {
			t.Errorf("pattern name %q", name)
		}
		if kw, _ := p["keywords"].([]any); len(kw) == 0 {
			t.Errorf("%q has no keywords", name)
		}
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/patterns/%d/thumbnail?size=256", base, id), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(resp.Body)
		resp.Body.Close()
		if err != nil || img.Bounds().Dx() != 256 {
			t.Errorf("%q thumbnail: %v", name, err)
		}
		for _, format := range []string{"qli", "bqm", "plt", "dxf", "svg", "csq", "qcc", "original"} {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/patterns/%d/download?format=%s", base, id, format), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(data) == 0 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Errorf("%q download %s = %d, %d bytes", name, format, resp.StatusCode, len(data))
			}
		}
	}
	// Plain-words search through the API: typo, plural, synonym, filler word.
	for q, want := range map[string]string{"viking lonship": "Viking Longship", "longships": "Viking Longship",
		"boat": "Viking Longship", "a spider web": "Spiderweb", "celtic dragons": "Celtic Dragon Circle Shield"} {
		_, res := apiGet(t, base+"/api/v1/patterns?q="+url.QueryEscape(q), token)
		ps, _ := res["patterns"].([]any)
		top := []string{}
		for i, x := range ps {
			if i < 3 {
				top = append(top, x.(map[string]any)["name"].(string))
			}
		}
		if !slices.Contains(top, want) || res["total"] == nil || (len(ps) > 0 && ps[0].(map[string]any)["score"] == nil) {
			t.Errorf("search %q → top %v (total %v), want %q in the top 3 with scores", q, top, res["total"], want)
		}
	}
	again := wait(post())
	if again["created"] != float64(0) || again["duplicates"] != float64(designs) {
		t.Errorf("re-import = %v, want %d duplicates", again, designs)
	}
	if _, list := apiGet(t, base+"/api/v1/patterns?limit=100", token); len(list["patterns"].([]any)) != designs {
		t.Error("re-import changed the number of patterns")
	}
}

// apiDo sends a JSON request with the token and decodes the JSON answer.
func apiDo(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestShareThroughAPI is the share links' outside check.
func TestShareThroughAPI(t *testing.T) {
	t.Parallel()
	env, base := startServe(t)
	pv(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme Quilting")
	pv(t, env, "user", "create", "--email", "pam@example.com", "--password", "a long enough password", "--tenant", "acme")
	out, _ := pv(t, env, "token", "create", "--tenant", "acme", "--email", "pam@example.com")
	token := strings.TrimSpace(out)
	dir := t.TempDir()
	for i := range 4 {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("design%d.qli", i)), []byte(fmt.Sprintf("#CAD2DMC\nNO NEEDLE ON\nVP 0,0\nVP %d,1000\nVP 3000,%d\nVE\nEN\n", 1000+i*500, 200*i)), 0o644)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.qli"))
	if out, err := pv(t, env, append([]string{"import", "--tenant", "acme"}, files...)...); err != nil {
		t.Fatalf("import: %v %s", err, out)
	}
	_, list := apiGet(t, base+"/api/v1/patterns?limit=10", token)
	var ids []int64
	for _, x := range list["patterns"].([]any) {
		ids = append(ids, int64(x.(map[string]any)["id"].(float64)))
	}
	if len(ids) != 4 {
		t.Fatalf("%d patterns imported", len(ids))
	}
	code, created := apiDo(t, "POST", base+"/api/v1/shares", token, map[string]any{"pattern_ids": ids[:2], "name": "Jane's choices", "expires_in_days": 30})
	if code != 201 || created["url"] == nil {
		t.Fatalf("create share = %d %v", code, created)
	}
	shareURL := created["url"].(string)
	resp, err := http.Get(shareURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Jane&#39;s choices") {
		t.Fatalf("share page without auth = %d", resp.StatusCode)
	}
	vote := func(name string, id int64, v string) int {
		code, _ := apiDo(t, "POST", shareURL+"/votes", "", map[string]any{"voter_name": name, "pattern_id": id, "vote": v})
		return code
	}
	// Each guest has her own cookie jar in a browser; here the voter id comes from a fresh cookie per request,
	// so give each guest a client of her own.
	guest := func(name string, id int64, v string) {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		c.Get(shareURL)
		b, _ := json.Marshal(map[string]any{"voter_name": name, "pattern_id": id, "vote": v})
		req, _ := http.NewRequest("POST", shareURL+"/votes", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s's vote: %v %v", name, resp.StatusCode, err)
		}
		resp.Body.Close()
	}
	guest("Jane", ids[0], "favorite")
	guest("Mary", ids[1], "like")
	if code := vote("Eve", ids[3], "like"); code != 404 {
		t.Errorf("vote on a design outside the share = %d", code)
	}
	if resp, _ := http.Get(fmt.Sprintf("%s/thumb/%d.png", shareURL, ids[3])); resp.StatusCode != 404 {
		t.Errorf("thumbnail of a design outside the share = %d", resp.StatusCode)
	}
	id := int64(created["id"].(float64))
	_, res := apiGet(t, fmt.Sprintf("%s/api/v1/shares/%d/results", base, id), token)
	votes, _ := res["votes"].([]any)
	got := map[string]string{}
	for _, v := range votes {
		m := v.(map[string]any)
		got[m["voter_name"].(string)] = fmt.Sprintf("%v:%v", int64(m["pattern_id"].(float64)), m["vote"])
	}
	if got["Jane"] != fmt.Sprintf("%d:favorite", ids[0]) || got["Mary"] != fmt.Sprintf("%d:like", ids[1]) || len(got) != 2 {
		t.Errorf("results votes = %v", got)
	}
	if code, _ := apiDo(t, "POST", fmt.Sprintf("%s/api/v1/shares/%d/revoke", base, id), token, nil); code != 200 {
		t.Fatalf("revoke = %d", code)
	}
	if resp, _ := http.Get(shareURL); resp.StatusCode != http.StatusGone {
		t.Errorf("revoked share = %d, want 410", resp.StatusCode)
	}
}

// TestMetrics: /metrics on its own address reports request latency by
// route, the database and the job queue; the public address has no /metrics.
func TestMetrics(t *testing.T) {
	t.Parallel()
	maddr := freeAddr(t)
	_, base := startServe(t, "PV_METRICS_ADDR="+maddr)
	status(base + "/healthz")
	status(base + "/t/nobody/")
	var body string
	for t0 := time.Now(); time.Since(t0) < 10*time.Second; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://" + maddr + "/metrics")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		break
	}
	for _, want := range []string{`patternvault_http_request_duration_seconds_bucket{code="2xx",method="GET",route="GET /readyz"`,
		`route="GET /t/{slug}/{$}"`, "patternvault_database_up 1", "patternvault_jobs_waiting"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if code := status(base + "/metrics"); code != 404 {
		t.Errorf("public /metrics = %d, want 404", code)
	}
}
