package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/share"
)

// BenchmarkShareLoad has 200 guests on a share link at the same time, over
// loopback: each opens the page within the same two seconds and votes on
// three designs, pausing 100–500 ms between taps as a person does. It
// reports the p50 and p95 of all requests and fails unless every vote is
// counted exactly once. Target: p95 under 50 ms, no errors.
func BenchmarkShareLoad(b *testing.B) {
	r := newRig(b, "")
	_, acme := r.owner(b, "pam@example.com", "acme")
	ids := r.seedDesigns(b, acme, "Load", 5)
	c, err := r.Shares.Create(context.Background(), acme.ID, 0, share.Input{PatternIDs: ids, Name: "Busy quilt show", MaxVoters: share.MaxVoters})
	if err != nil {
		b.Fatal(err)
	}
	link := strings.Replace(c.URL, "http://pv.test", r.srv.URL, 1)
	const guests = 200
	// Every guest comes from 127.0.0.1 here: lift the per-address limits
	// (each guest's own budget stays as in production).
	l := share.DefaultLimits()
	l.VotesPerIP, l.ViewsPerIP, l.NewPerIPHour, l.NewPerLink10Min = 1<<20, 1<<20, 1<<20, 1<<20
	r.Shares.SetLimits(l)
	transport := &http.Transport{MaxIdleConnsPerHost: guests}
	var all []time.Duration
	for b.Loop() {
		all = all[:0]
		var mu sync.Mutex
		var wg sync.WaitGroup
		errs := make(chan error, guests)
		for g := range guests {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(g), 7))
				time.Sleep(time.Duration(rng.IntN(2000)) * time.Millisecond)
				jar, _ := cookiejar.New(nil)
				client := &http.Client{Jar: jar, Transport: transport}
				var mine []time.Duration
				do := func(req *http.Request) error {
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						return err
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					mine = append(mine, time.Since(t0))
					if resp.StatusCode != 200 {
						return fmt.Errorf("%s %s = %d", req.Method, req.URL.Path, resp.StatusCode)
					}
					return nil
				}
				req, _ := http.NewRequest("GET", link, nil)
				if err := do(req); err != nil {
					errs <- err
					return
				}
				for _, id := range ids[:3] {
					time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
					body, _ := json.Marshal(map[string]any{"voter_name": fmt.Sprint("Guest ", g), "pattern_id": id, "vote": "like"})
					req, _ := http.NewRequest("POST", link+"/votes", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					if err := do(req); err != nil {
						errs <- err
						return
					}
				}
				mu.Lock()
				all = append(all, mine...)
				mu.Unlock()
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
	votes, err := r.Store.Votes(context.Background(), c.Link.ID, "")
	if err != nil {
		b.Fatal(err)
	}
	if len(votes) != guests*3 {
		b.Fatalf("%d votes counted, want exactly %d", len(votes), guests*3)
	}
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(len(all)), "requests")
}
