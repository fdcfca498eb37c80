package benchsuite

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/db"
)

// resetPeakRSS starts the process's peak resident memory (VmHWM) again from
// its current size (Linux: clear_refs 5), so peakRSS measures what comes
// after.
func resetPeakRSS() {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS is the process's peak resident memory in bytes since the last
// resetPeakRSS, or 0 where /proc is missing.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// maxTail bounds the wait for the background work after an import.
const maxTail = 20 * time.Minute

// afterWindow is the least time after an import during which a quilter's
// searches are measured (the tail may end sooner): the outside
// check makes 120 searches over 30 seconds.
const afterWindow = 30 * time.Second

// measureTail measures the background tail that follows the import: from
// the import's end until no job is waiting or running and every design
// has its vector. Meanwhile, and for at least afterWindow, a quilter looks
// around: every quarter second a search, then the library's first page,
// whose latencies are kept. Then it measures the steady-state search p95
// for comparison.
func (w *world) measureTail(ctx context.Context, d *db.DB) error {
	t0 := time.Now()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(r *http.Request) (time.Duration, error) {
		t := time.Now()
		resp, err := client.Do(r)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return 0, fmt.Errorf("%s = %d", r.URL.Path, resp.StatusCode)
		}
		return time.Since(t), nil
	}
	busy := func() (bool, error) {
		var jobs int
		if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM platform.river_job
			WHERE state IN ('available', 'running', 'retryable', 'scheduled', 'pending')`).Scan(&jobs); err != nil {
			return false, err
		}
		_, _, _, pending, err := w.store.Embeddings(ctx, w.tenant.ID, w.semantic.Provider.Name(), w.semantic.Provider.Dim())
		if err != nil {
			return false, err
		}
		if pending == 0 && w.embedDone == 0 {
			w.embedDone = time.Since(t0)
		}
		return jobs > 0 || pending > 0, nil
	}
	sorts := []string{"name", "newest", "designer"}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		if w.tail == 0 {
			more, err := busy()
			if err != nil {
				return err
			}
			if !more {
				w.tail = time.Since(t0)
			} else if time.Since(t0) > maxTail {
				return fmt.Errorf("background work still left %s after the import", maxTail)
			}
		}
		if w.tail > 0 && time.Since(t0) >= afterWindow {
			break
		}
		ds, err := do(w.searchRequest(i))
		if err != nil {
			return err
		}
		w.tailSearch = append(w.tailSearch, ds)
		r, _ := http.NewRequest("GET", w.srv.URL+"/t/"+w.tenant.Slug+"/?sort="+sorts[i%3], nil)
		r.AddCookie(w.cookie)
		dg, err := do(r)
		if err != nil {
			return err
		}
		w.tailGrid = append(w.tailGrid, dg)
		<-tick.C
	}
	_, p95, err := measure(300, w.searchRequest)
	w.steadySearchP95 = p95
	return err
}

// p95ms is the 95th percentile of ds in milliseconds (0 for none).
func p95ms(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[len(s)*95/100].Microseconds()) / 1000
}

// BenchmarkTail reports the background work that follows the demo
// library's import: how long it lasts (target under 60 s), and search and
// library-page latency during it (and at least the 30 s after the import)
// against the steady state's (target: the search p95 then under twice the
// steady one).
func BenchmarkTail(b *testing.B) {
	w := seed(b)
	for b.Loop() {
	}
	b.ReportMetric(w.tail.Seconds(), "s/tail")
	b.ReportMetric(p95ms(w.tailSearch), "p95-ms/search-after")
	b.ReportMetric(p95ms(w.tailGrid), "p95-ms/grid-after")
	b.ReportMetric(w.steadySearchP95, "p95-ms/search-steady")
	if w.steadySearchP95 > 0 && len(w.tailSearch) > 0 {
		b.ReportMetric(p95ms(w.tailSearch)/w.steadySearchP95, "tail-ratio")
	}
	b.ReportMetric(float64(len(w.tailSearch)), "searches-after")
}
