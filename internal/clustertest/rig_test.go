package clustertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/demo"
)

// rig is the running cluster, as scripts/cluster up described it in
// cluster.env.
type rig struct {
	env    map[string]string
	dir    string
	root   string
	web    string
	apps   int
	sync   bool
	client *http.Client
}

var (
	theRig  *rig
	rigOnce sync.Once
	rigErr  error
)

// cluster returns the rig, skipping the test when no cluster is named.
func cluster(t *testing.T) *rig {
	t.Helper()
	path := os.Getenv("PV_CLUSTER_ENV")
	if path == "" {
		t.Skip("no cluster: run `scripts/cluster up`, then `make cluster-test` (or set PV_CLUSTER_ENV to its cluster.env)")
	}
	rigOnce.Do(func() { theRig, rigErr = loadRig(path) })
	if rigErr != nil {
		t.Fatal(rigErr)
	}
	return theRig
}

func loadRig(path string) (*rig, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cluster env: %w", err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			env[k] = v
		}
	}
	r := &rig{env: env, dir: env["PV_CLUSTER_DIR"], root: env["PV_CLUSTER_ROOT"], web: env["PV_CLUSTER_WEB"], sync: env["PV_CLUSTER_SYNC"] == "on"}
	r.apps, _ = strconv.Atoi(env["PV_CLUSTER_APPS"])
	r.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	if r.dir == "" || r.web == "" || r.apps == 0 {
		return nil, fmt.Errorf("cluster env %s is incomplete", path)
	}
	return r, nil
}

// pv runs the patternvault binary of the cluster with the app servers'
// environment and returns its standard output.
func (r *rig) pv(t *testing.T, args ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, "app.env"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(r.dir, "bin", "patternvault"), args...)
	cmd.Env = append(os.Environ(), "PV_DATA_DIR="+filepath.Join(r.dir, "app0"))
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "=") && !strings.HasPrefix(line, "#") {
			cmd.Env = append(cmd.Env, line)
		}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("patternvault %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// script runs scripts/cluster with args.
func (r *rig) script(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(r.root, "scripts", "cluster"), args...)
	cmd.Env = append(os.Environ(), "PV_CLUSTER_DIR="+r.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/cluster %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// workspace is a tenant with an owner and an API token.
type workspace struct {
	slug, email, password, token string
}

// newWorkspace creates a workspace, its owner and a token with the CLI.
func (r *rig) newWorkspace(t *testing.T, prefix string) *workspace {
	t.Helper()
	w := &workspace{slug: fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1e9), password: "correct horse battery"}
	w.email = w.slug + "@example.com"
	r.pv(t, "tenant", "create", "--slug", w.slug, "--name", "Cluster "+prefix)
	r.pv(t, "user", "create", "--email", w.email, "--password", w.password, "--tenant", w.slug, "--role", "owner")
	w.token = strings.TrimSpace(r.pv(t, "token", "create", "--tenant", w.slug, "--email", w.email))
	return w
}

// api calls the JSON API with w's token; out (may be nil) receives the
// answer. It returns the status, or an error when no answer came.
func (r *rig) api(ctx context.Context, w *workspace, method, path string, body io.Reader, contentType string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, r.web+"/api/v1"+path, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+w.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w: %.200s", method, path, err, b)
		}
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s = %d: %.300s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, nil
}

// importZIP uploads a generated ZIP of n designs (seed makes it unique) and
// returns the batch id.
func (r *rig) importZIP(ctx context.Context, w *workspace, seed int64, n int) (int64, error) {
	var zipData []byte
	err := demo.StreamZIPs(seed, n, n, func(name string, data []byte) error {
		zipData = append([]byte(nil), data...)
		return nil
	})
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", fmt.Sprintf("cluster-%d.zip", seed))
	fw.Write(zipData)
	mw.Close()
	var out struct {
		ID int64 `json:"id"`
	}
	if _, err := r.api(ctx, w, "POST", "/imports", &buf, mw.FormDataContentType(), &out); err != nil {
		return 0, err
	}
	return out.ID, nil
}

// importStatus is an import as GET /imports/{id} shows it.
type importStatus struct {
	Status       string `json:"status"`
	DesignsTotal int    `json:"designs_total"`
	DesignsDone  int    `json:"designs_done"`
	Created      int    `json:"created"`
	Failed       []any  `json:"failed"`
	Error        string `json:"error"`
}

// waitImport polls an import until it is no longer queued or running.
func (r *rig) waitImport(t *testing.T, w *workspace, id int64, within time.Duration) importStatus {
	t.Helper()
	deadline := time.Now().Add(within)
	var st importStatus
	for {
		_, err := r.api(t.Context(), w, "GET", fmt.Sprintf("/imports/%d", id), nil, "", &st)
		if err == nil && (st.Status == "done" || st.Status == "failed") {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %d not finished after %s: %+v (last error %v)", id, within, st, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// patterns lists the workspace's designs (up to limit).
type pattern struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func (r *rig) patterns(t *testing.T, w *workspace, query string) []pattern {
	t.Helper()
	var out struct {
		Patterns []pattern `json:"patterns"`
		Items    []pattern `json:"items"`
	}
	q := url.Values{"limit": {"200"}}
	if query != "" {
		q.Set("q", query)
	}
	if _, err := r.api(t.Context(), w, "GET", "/patterns?"+q.Encode(), nil, "", &out); err != nil {
		t.Fatal(err)
	}
	return append(out.Patterns, out.Items...)
}

// guest is a customer on a share link, with her own cookies.
type guest struct {
	name   string
	client *http.Client
}

func (r *rig) newGuest(name string) *guest {
	jar, _ := cookiejar.New(nil)
	return &guest{name: name, client: &http.Client{Jar: jar, Timeout: 20 * time.Second, Transport: r.client.Transport}}
}

// open loads the share page (which gives the guest her voter cookie).
func (g *guest) open(ctx context.Context, link string) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", link, nil)
	resp, err := g.client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s = %d", link, resp.StatusCode)
	}
	return nil
}

// vote votes on one design; nil means the server said it is saved.
func (g *guest) vote(ctx context.Context, link string, patternID int64, vote string) error {
	body, _ := json.Marshal(map[string]any{"voter_name": g.name, "pattern_id": patternID, "vote": vote})
	req, _ := http.NewRequestWithContext(ctx, "POST", link+"/votes", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.client.Do(req)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("vote = %d: %.200s", resp.StatusCode, b)
	}
	return nil
}

// createShare makes a share link of ids and returns its id and URL.
func (r *rig) createShare(t *testing.T, w *workspace, ids []int64) (int64, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"pattern_ids": ids, "name": "Cluster test quilt", "expires_in_days": 7})
	var out struct {
		ID  int64  `json:"id"`
		URL string `json:"url"`
	}
	if _, err := r.api(t.Context(), w, "POST", "/shares", bytes.NewReader(body), "application/json", &out); err != nil {
		t.Fatal(err)
	}
	return out.ID, out.URL
}

// votes reads a share's votes: voter name → pattern id → vote.
func (r *rig) votes(t *testing.T, w *workspace, shareID int64) map[string]map[int64]string {
	t.Helper()
	var out struct {
		Votes []struct {
			VoterName string `json:"voter_name"`
			PatternID int64  `json:"pattern_id"`
			Vote      string `json:"vote"`
		} `json:"votes"`
	}
	if _, err := r.api(t.Context(), w, "GET", fmt.Sprintf("/shares/%d/results", shareID), nil, "", &out); err != nil {
		t.Fatal(err)
	}
	m := map[string]map[int64]string{}
	for _, v := range out.Votes {
		if m[v.VoterName] == nil {
			m[v.VoterName] = map[int64]string{}
		}
		m[v.VoterName][v.PatternID] = v.Vote
	}
	return m
}

// leader returns the node (node1 or node2) whose Patroni says it leads.
func (r *rig) leader() (string, error) {
	for _, n := range []string{"node1", "node2"} {
		rest := r.env["PV_CLUSTER_REST"+strings.TrimPrefix(n, "node")]
		resp, err := http.Get(rest + "/primary")
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == 200 {
			return n, nil
		}
	}
	return "", fmt.Errorf("no leader")
}

// replicaStreaming reports whether node is a running replica.
func (r *rig) replicaStreaming(node string) bool {
	resp, err := http.Get(r.env["PV_CLUSTER_REST"+strings.TrimPrefix(node, "node")] + "/replica")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

// waitHealthy waits until there is a leader and a streaming replica (and,
// in synchronous mode, a synchronous standby).
func (r *rig) waitHealthy(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		l, err := r.leader()
		if err == nil {
			other := map[string]string{"node1": "node2", "node2": "node1"}[l]
			if r.replicaStreaming(other) && (!r.sync || r.hasSyncStandby()) {
				return
			}
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("cluster not healthy (leader + streaming replica) within %s:\n%s", within, r.script(t, "status"))
}

func (r *rig) hasSyncStandby() bool {
	resp, err := http.Get(r.env["PV_CLUSTER_REST1"] + "/cluster")
	if err != nil {
		resp, err = http.Get(r.env["PV_CLUSTER_REST2"] + "/cluster")
		if err != nil {
			return false
		}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return bytes.Contains(b, []byte(`"sync_standby"`))
}

// killPostmaster kills node's PostgreSQL with SIGKILL (no shutdown: a
// crash), as a dead disk or an OOM kill would.
func (r *rig) killPostmaster(t *testing.T, node string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, node, "data", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		t.Fatalf("postmaster.pid of %s: %v", node, err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill postmaster %d of %s: %v", pid, node, err)
	}
}

// primary connects to the leader through HAProxy as postgres.
func (r *rig) primary(t *testing.T) *pgx.Conn {
	t.Helper()
	return r.connect(t, r.env["PV_CLUSTER_PRIMARY_URL"])
}

func (r *rig) connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	for {
		c, err := pgx.Connect(ctx, dsn)
		if err == nil {
			t.Cleanup(func() { c.Close(context.Background()) })
			return c
		}
		if ctx.Err() != nil {
			t.Fatalf("connect %s: %v", redact(dsn), err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(dsn)"
	}
	return u.Redacted()
}
