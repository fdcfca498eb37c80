package clustertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestUsualFlow: through HAProxy's public port, a workspace and a token,
// an import of a ZIP, a search, a thumbnail.
func TestUsualFlow(t *testing.T) {
	r := cluster(t)
	r.waitHealthy(t, 2*time.Minute)
	w := r.newWorkspace(t, "flow")
	id, err := r.importZIP(t.Context(), w, 2301, 6)
	if err != nil {
		t.Fatal(err)
	}
	st := r.waitImport(t, w, id, 3*time.Minute)
	if st.Status != "done" || len(st.Failed) != 0 || st.DesignsTotal == 0 {
		t.Fatalf("import: %+v", st)
	}
	all := r.patterns(t, w, "")
	if len(all) != st.DesignsTotal {
		t.Fatalf("library has %d designs, import made %d", len(all), st.DesignsTotal)
	}
	word := strings.Fields(all[0].Name)[0]
	found := r.patterns(t, w, word)
	if !slices.ContainsFunc(found, func(p pattern) bool { return p.ID == all[0].ID }) {
		t.Errorf("search %q does not find %q among %d results", word, all[0].Name, len(found))
	}
	if code, err := r.api(t.Context(), w, "GET", fmt.Sprintf("/patterns/%d/thumbnail", all[0].ID), nil, "", nil); err != nil {
		t.Errorf("thumbnail: %d %v", code, err)
	}
	t.Logf("figure: usual flow through %s: import of %d designs, search %q found %d", r.web, st.DesignsTotal, word, len(found))
}

// request is one request of the load, for the figures.
type request struct {
	kind       string
	start, end time.Time
	err        error
}

// load runs guests voting, searches and imports against the cluster until
// stop is closed, and remembers every request and every acknowledged write.
type load struct {
	r       *rig
	w       *workspace
	shareID int64
	link    string
	ids     []int64

	mu       sync.Mutex
	requests []request
	// acked votes: guest name → pattern → vote, only votes the server
	// answered "Saved." to.
	acked map[string]map[int64]string
	// imports accepted (202) by id.
	imports []int64
	seed    atomic.Int64
}

func newLoad(t *testing.T, r *rig, prefix string) *load {
	w := r.newWorkspace(t, prefix)
	id, err := r.importZIP(t.Context(), w, time.Now().UnixNano()%1e6, 6)
	if err != nil {
		t.Fatal(err)
	}
	if st := r.waitImport(t, w, id, 3*time.Minute); st.Status != "done" {
		t.Fatalf("seed import: %+v", st)
	}
	l := &load{r: r, w: w, acked: map[string]map[int64]string{}}
	for _, p := range r.patterns(t, w, "") {
		l.ids = append(l.ids, p.ID)
	}
	l.shareID, l.link = r.createShare(t, w, l.ids[:5])
	l.seed.Store(time.Now().UnixNano() % 1e9)
	return l
}

func (l *load) record(kind string, start time.Time, err error) {
	l.mu.Lock()
	l.requests = append(l.requests, request{kind: kind, start: start, end: time.Now(), err: err})
	l.mu.Unlock()
}

// run starts the load; the returned function stops it and waits.
func (l *load) run(ctx context.Context, guests, searchers int, imports bool) func() {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for g := range guests {
		wg.Go(func() { l.guestLoop(ctx, g) })
	}
	for range searchers {
		wg.Go(func() { l.searchLoop(ctx) })
	}
	if imports {
		wg.Go(func() { l.importLoop(ctx) })
	}
	return func() { cancel(); wg.Wait() }
}

// guestLoop: one guest after another opens the link and votes on every
// design once, a vote every ~second, retrying a vote that failed as a
// person would tap again.
func (l *load) guestLoop(ctx context.Context, g int) {
	votes := []string{"like", "favorite"}
	for n := 0; ctx.Err() == nil; n++ {
		gu := l.r.newGuest(fmt.Sprintf("Guest %d-%d", g, n))
		t0 := time.Now()
		err := gu.open(ctx, l.link)
		l.record("page", t0, err)
		if err != nil {
			sleep(ctx, time.Second)
			continue
		}
		for i, id := range l.ids[:5] {
			v := votes[(g+n+i)%2]
			for ctx.Err() == nil {
				t0 := time.Now()
				err := gu.vote(ctx, l.link, id, v)
				if ctx.Err() != nil {
					break
				}
				l.record("vote", t0, err)
				if err == nil {
					l.mu.Lock()
					if l.acked[gu.name] == nil {
						l.acked[gu.name] = map[int64]string{}
					}
					l.acked[gu.name][id] = v
					l.mu.Unlock()
					break
				}
				sleep(ctx, 500*time.Millisecond)
			}
			sleep(ctx, 700*time.Millisecond)
		}
	}
}

func (l *load) searchLoop(ctx context.Context) {
	words := []string{"feather", "flower", "swirl", "star", "leaf", "heart", "border", "wave"}
	for i := 0; ctx.Err() == nil; i++ {
		t0 := time.Now()
		_, err := l.r.api(ctx, l.w, "GET", "/patterns?limit=50&q="+words[i%len(words)], nil, "", nil)
		if ctx.Err() != nil {
			return
		}
		l.record("search", t0, err)
		sleep(ctx, 300*time.Millisecond)
	}
}

func (l *load) importLoop(ctx context.Context) {
	for ctx.Err() == nil {
		t0 := time.Now()
		id, err := l.r.importZIP(ctx, l.w, l.seed.Add(1), 2)
		if ctx.Err() != nil {
			return
		}
		l.record("import", t0, err)
		if err == nil {
			l.mu.Lock()
			l.imports = append(l.imports, id)
			l.mu.Unlock()
		}
		sleep(ctx, 4*time.Second)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// counts returns requests and failures by kind.
func (l *load) counts() (total, failed map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	total, failed = map[string]int{}, map[string]int{}
	for _, q := range l.requests {
		total[q.kind]++
		if q.err != nil {
			failed[q.kind]++
		}
	}
	return total, failed
}

func (l *load) failures(max int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, q := range l.requests {
		if q.err != nil && len(out) < max {
			out = append(out, fmt.Sprintf("%s at %s: %v", q.kind, q.start.Format("15:04:05.000"), q.err))
		}
	}
	return out
}

// outage returns, for requests of the given kinds, the time from at until
// the end of the first successful request that started after the last
// failure following at (0 when nothing failed).
func (l *load) outage(at time.Time, kinds ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var lastFail time.Time
	for _, q := range l.requests {
		if q.err != nil && slices.Contains(kinds, q.kind) && q.end.After(at) && q.start.After(lastFail) {
			lastFail = q.start
		}
	}
	if lastFail.IsZero() {
		return 0
	}
	first := time.Time{}
	for _, q := range l.requests {
		if q.err == nil && slices.Contains(kinds, q.kind) && q.start.After(lastFail) && (first.IsZero() || q.end.Before(first)) {
			first = q.end
		}
	}
	if first.IsZero() {
		return time.Since(at)
	}
	return first.Sub(at)
}

// stall returns the longest request of the given kinds that was in flight
// at any moment in [from, to]: behind pgbouncer a failover mostly shows as
// requests that wait for the new leader rather than as errors.
func (l *load) stall(from, to time.Time, kinds ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var longest time.Duration
	for _, q := range l.requests {
		if slices.Contains(kinds, q.kind) && q.end.After(from) && q.start.Before(to) {
			longest = max(longest, q.end.Sub(q.start))
		}
	}
	return longest
}

// verify checks that every acknowledged vote, every accepted import's
// designs and every design's files are there; it returns what is lost.
func (l *load) verify(t *testing.T) (votesChecked, designsChecked, filesChecked, lost int) {
	t.Helper()
	got := l.r.votes(t, l.w, l.shareID)
	l.mu.Lock()
	acked := l.acked
	imports := slices.Clone(l.imports)
	l.mu.Unlock()
	for g, m := range acked {
		for id, v := range m {
			votesChecked++
			if got[g][id] != v {
				lost++
				t.Errorf("lost vote: %s on design %d was %q, found %q", g, id, v, got[g][id])
			}
		}
	}
	want := 0
	for _, id := range imports {
		st := l.r.waitImport(t, l.w, id, 5*time.Minute)
		if st.Status != "done" || len(st.Failed) != 0 || st.DesignsDone != st.DesignsTotal {
			lost += st.DesignsTotal - st.DesignsDone + len(st.Failed)
			t.Errorf("import %d after the failover: %+v", id, st)
		}
		want += st.Created
	}
	all := l.r.patterns(t, l.w, "")
	designsChecked = len(all)
	if len(all) < want+len(l.ids) {
		lost += want + len(l.ids) - len(all)
		t.Errorf("library has %d designs, want at least %d (seed %d + imported %d)", len(all), want+len(l.ids), len(l.ids), want)
	}
	for _, p := range all {
		for _, path := range []string{"/thumbnail", "/download?format=svg"} {
			code, err := l.r.api(t.Context(), l.w, "GET", fmt.Sprintf("/patterns/%d%s", p.ID, path), nil, "", nil)
			filesChecked++
			if err != nil {
				lost++
				t.Errorf("design %d %q: GET %s = %d %v", p.ID, p.Name, path, code, err)
			}
		}
	}
	return votesChecked, designsChecked, filesChecked, lost
}

// TestRollingRestart restarts every app server, one at a time (drain in
// HAProxy, graceful stop, start, ready, back in), under votes and searches:
// no request may fail.
func TestRollingRestart(t *testing.T) {
	r := cluster(t)
	r.waitHealthy(t, 2*time.Minute)
	l := newLoad(t, r, "rolling")
	stop := l.run(t.Context(), 3, 2, false)
	time.Sleep(3 * time.Second)
	t0 := time.Now()
	for i := 1; i <= r.apps; i++ {
		r.script(t, "restart-app", fmt.Sprint(i))
	}
	took := time.Since(t0)
	time.Sleep(3 * time.Second)
	stop()
	total, failed := l.counts()
	n, f := 0, 0
	for k := range total {
		n += total[k]
		f += failed[k]
	}
	t.Logf("figure: rolling restart of %d app servers in %.1f s under load: %d requests, %d failed (%v)", r.apps, took.Seconds(), n, f, total)
	if f > 0 {
		t.Errorf("rolling restart: %d of %d requests failed: %s", f, n, strings.Join(l.failures(10), "; "))
	}
	v, d, files, lost := l.verify(t)
	t.Logf("figure: rolling restart verified %d votes, %d designs, %d files; lost: %d", v, d, files, lost)
}

// TestFailover kills the primary's PostgreSQL under imports, searches and
// guests voting. Patroni promotes the standby, the app servers reconnect
// through pgbouncer and HAProxy, River retries. It measures the seconds
// without writes and the failed requests, and checks that nothing that was
// acknowledged is lost (synchronous mode).
func TestFailover(t *testing.T) {
	r := cluster(t)
	r.waitHealthy(t, 3*time.Minute)
	old, err := r.leader()
	if err != nil {
		t.Fatal(err)
	}
	l := newLoad(t, r, "failover")
	stop := l.run(t.Context(), 4, 2, true)
	time.Sleep(10 * time.Second)

	killed := time.Now()
	r.killPostmaster(t, old)
	var promoted time.Duration
	for time.Since(killed) < 2*time.Minute {
		if n, err := r.leader(); err == nil && n != old {
			promoted = time.Since(killed)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if promoted == 0 {
		stop()
		t.Fatalf("no new leader 2 minutes after killing %s's PostgreSQL:\n%s", old, r.script(t, "status"))
	}
	// Keep the load on until writes have worked for a while again.
	time.Sleep(20 * time.Second)
	stop()

	writes := max(l.outage(killed, "vote", "import"), l.stall(killed, killed.Add(promoted), "vote"))
	reads := max(l.outage(killed, "search", "page"), l.stall(killed, killed.Add(promoted), "search", "page"))
	total, failed := l.counts()
	v, d, files, lost := l.verify(t)
	mode := "synchronous"
	if !r.sync {
		mode = "asynchronous"
	}
	t.Logf("figure: failover (%s): %s's PostgreSQL killed; new leader after %.1f s; writes unavailable (failing or waiting) %.1f s, reads %.1f s", mode, old, promoted.Seconds(), writes.Seconds(), reads.Seconds())
	t.Logf("figure: failover requests: %v; failed: %v", total, failed)
	t.Logf("figure: failover verified %d acknowledged votes, %d designs, %d files; lost: %d", v, d, files, lost)
	if r.sync && lost > 0 {
		t.Errorf("synchronous mode lost %d acknowledged writes", lost)
	}
	fmt.Printf("failover: unavailable %.1f s (writes), %.1f s (reads); requests failed: %d; lost: %d\n",
		writes.Seconds(), reads.Seconds(), sum(failed), lost)

	// The old primary comes back as a replica (pg_rewind) for the next test.
	r.waitHealthy(t, 3*time.Minute)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestBackupRestore takes a pgBackRest backup from the standby to S3,
// writes after it (a new workspace with designs, votes), and restores the
// backup plus the archived WAL into a new PostgreSQL: everything written
// before the drill is there.
func TestBackupRestore(t *testing.T) {
	r := cluster(t)
	r.waitHealthy(t, 3*time.Minute)
	out := r.script(t, "backup", "full")
	t.Logf("figure: %s", strings.TrimSpace(lastLine(out)))

	l := newLoad(t, r, "restore")
	stop := l.run(t.Context(), 2, 0, false)
	time.Sleep(5 * time.Second)
	stop()
	p := r.primary(t)
	var tenants, votes, patterns int
	if err := p.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM platform.tenants), (SELECT count(*) FROM platform.share_link_votes)`).Scan(&tenants, &votes); err != nil {
		t.Fatal(err)
	}
	var tenantID int64
	if err := p.QueryRow(t.Context(), `SELECT id FROM platform.tenants WHERE slug = $1`, l.w.slug).Scan(&tenantID); err != nil {
		t.Fatal(err)
	}
	if err := p.QueryRow(t.Context(), fmt.Sprintf(`SELECT count(*) FROM t_%d.patterns`, tenantID)).Scan(&patterns); err != nil {
		t.Fatal(err)
	}

	out = r.script(t, "restore-drill")
	t.Cleanup(func() { r.script(t, "restore-stop") })
	var dsn string
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "restore: postgres://"); ok {
			dsn = "postgres://" + rest
		} else if strings.HasPrefix(line, "restore:") {
			t.Logf("figure: %s", line)
		}
	}
	if dsn == "" {
		t.Fatalf("restore-drill printed no address:\n%s", out)
	}
	c := r.connect(t, dsn)
	var rTenants, rVotes, rPatterns int
	if err := c.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM platform.tenants), (SELECT count(*) FROM platform.share_link_votes)`).Scan(&rTenants, &rVotes); err != nil {
		t.Fatal(err)
	}
	if err := c.QueryRow(t.Context(), fmt.Sprintf(`SELECT count(*) FROM t_%d.patterns`, tenantID)).Scan(&rPatterns); err != nil {
		t.Fatalf("restored cluster lacks the workspace created after the backup: %v", err)
	}
	t.Logf("figure: restored %d tenants, %d votes, %d designs of the new workspace (primary: %d, %d, %d)", rTenants, rVotes, rPatterns, tenants, votes, patterns)
	if rTenants != tenants || rVotes != votes || rPatterns != patterns {
		t.Errorf("restore differs from the primary: tenants %d/%d, votes %d/%d, designs %d/%d", rTenants, tenants, rVotes, votes, rPatterns, patterns)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestJobRescue kills two of the app servers with SIGKILL while an import
// runs on the job queue, starts them again, and waits for the import to
// finish: the jobs the dead servers held are rescued by River on the
// others. The figure is how long that took; PV_CLUSTER_RESCUE_WITHIN
// bounds the wait (the test skips without it).
func TestJobRescue(t *testing.T) {
	r := cluster(t)
	if r.apps < 2 {
		t.Skip("needs two app servers or more")
	}
	r.waitHealthy(t, 3*time.Minute)
	// Every server beats in platform.job_workers; the jobs of one silent
	// for a minute (or of a dead process on the same host, at once) are
	// taken back, so an import resumes within minutes, not River's hour.
	within := 3 * time.Minute
	if v := os.Getenv("PV_CLUSTER_RESCUE_WITHIN"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("PV_CLUSTER_RESCUE_WITHIN: %v", err)
		}
		within = d
	}
	w := r.newWorkspace(t, "rescue")
	id, err := r.importZIP(t.Context(), w, time.Now().UnixNano()%1e6, 60)
	if err != nil {
		t.Fatal(err)
	}
	// Wait until the import's jobs run, then kill every app server but the last.
	p := r.primary(t)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var running int
		p.QueryRow(t.Context(), `SELECT count(*) FROM platform.river_job WHERE state = 'running'`).Scan(&running)
		if running > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no job running 2 minutes after the import")
		}
		time.Sleep(50 * time.Millisecond)
	}
	killed := time.Now()
	for i := 1; i < r.apps; i++ {
		b, err := os.ReadFile(filepath.Join(r.dir, "run", fmt.Sprintf("app%d.pid", i)))
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		syscall.Kill(pid, syscall.SIGKILL)
	}
	var stuck int
	p.QueryRow(t.Context(), `SELECT count(*) FROM platform.river_job WHERE state = 'running'`).Scan(&stuck)
	time.Sleep(time.Second)
	for i := 1; i < r.apps; i++ {
		r.script(t, "restart-app", fmt.Sprint(i))
	}
	st := r.waitImport(t, w, id, within)
	took := time.Since(killed)
	t.Logf("figure: %d app servers killed with %d jobs running; the import finished %.0f s later: %+v", r.apps-1, stuck, took.Seconds(), st)
	if st.Status != "done" || st.DesignsDone != st.DesignsTotal {
		t.Errorf("import after the kill: %+v", st)
	}
}

// TestReadYourWrites pauses WAL replay on the standby, so the replica
// serves an old library, then renames a design in the browser: the
// quilter's next library page (she has the short-lived "wrote" cookie)
// reads the primary and shows the new name, while the same person without
// that cookie — a page read that tolerates lag — gets the replica's old
// one. Replay resumes and the replica catches up.
func TestReadYourWrites(t *testing.T) {
	r := cluster(t)
	r.waitHealthy(t, 3*time.Minute)
	w := r.newWorkspace(t, "ryw")
	id, err := r.importZIP(t.Context(), w, time.Now().UnixNano()%1e6, 3)
	if err != nil {
		t.Fatal(err)
	}
	if st := r.waitImport(t, w, id, 3*time.Minute); st.Status != "done" {
		t.Fatalf("import: %+v", st)
	}
	design := r.patterns(t, w, "")[0]
	browser := r.newGuest("pam")
	signin := url.Values{"email": {w.email}, "password": {w.password}}
	resp, err := browser.client.PostForm(r.web+"/signin", signin)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	grid := r.web + "/t/" + w.slug + "/"
	page := func(c *http.Client) string {
		t.Helper()
		resp, err := c.Get(grid)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d", grid, resp.StatusCode)
		}
		return string(b)
	}
	if !strings.Contains(page(browser.client), design.Name) {
		t.Fatalf("library page does not show %q (not signed in?)", design.Name)
	}

	leader, err := r.leader()
	if err != nil {
		t.Fatal(err)
	}
	standby := map[string]string{"node1": "NODE2", "node2": "NODE1"}[leader]
	rep := r.connect(t, r.env["PV_CLUSTER_"+standby+"_URL"])
	if _, err := rep.Exec(t.Context(), "SELECT pg_wal_replay_pause()"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Exec(context.Background(), "SELECT pg_wal_replay_resume()") })
	// A pause is only requested until the startup process reaches it.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var state string
		if err := rep.QueryRow(t.Context(), "SELECT pg_get_wal_replay_pause_state()").Scan(&state); err != nil {
			t.Fatal(err)
		}
		if state == "paused" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replay still %q 30 s after the pause request", state)
		}
	}

	newName := fmt.Sprintf("Renamed %d", time.Now().UnixNano()%1e6)
	resp, err = browser.client.PostForm(fmt.Sprintf("%s/t/%s/patterns/%d/edit", r.web, w.slug, design.ID), url.Values{"name": {newName}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.Contains(page(browser.client), newName) {
		t.Errorf("right after her edit, the library page does not show %q: read-your-writes broken", newName)
	}

	// The same person without the "wrote" cookie: a lag-tolerant read.
	u, _ := url.Parse(r.web)
	jar, _ := cookiejar.New(nil)
	for _, c := range browser.client.Jar.Cookies(u) {
		if c.Name != "pv_wrote" {
			jar.SetCookies(u, []*http.Cookie{c})
		}
	}
	stale := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	if body := page(stale); strings.Contains(body, newName) || !strings.Contains(body, design.Name) {
		t.Errorf("with replay paused, a read without the wrote cookie shows the new name: the library page does not read the replica")
	}
	if _, err := rep.Exec(t.Context(), "SELECT pg_wal_replay_resume()"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(page(stale), newName) {
		if time.Now().After(deadline) {
			t.Fatal("the replica did not catch up within 30 s of resuming replay")
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("figure: read-your-writes: after a write the person reads the primary for %s; other reads came from the replica (stale while replay was paused, caught up after)", "10 s")
}
