package library

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/geom/shape"
	"github.com/patternvault/patternvault/internal/store"
)

// nearlyTheSame returns n fingerprints of one design with a little noise:
// every pair is "the same design".
func nearlyTheSame(n int) map[int64][]byte {
	base := make([]byte, shape.FingerprintSize)
	base[0], base[1] = 2, 128
	for i := 2; i < len(base); i++ {
		base[i] = byte(i*37) | 0x11
	}
	fps := map[int64][]byte{}
	for i := range n {
		fp := append([]byte(nil), base...)
		fp[2+i%(len(fp)-2)] ^= 0x01
		fps[int64(i+1)] = fp
	}
	return fps
}

// TestNearPairsCapped: 9,000 near-identical designs (which made 40
// million pairs and never finished) give each design its 20 closest
// matches at most, in seconds, and a batch's designs are compared with
// each other once.
func TestNearPairsCapped(t *testing.T) {
	const n = 9000
	fps := nearlyTheSame(n)
	var batch []int64
	for id := range int64(n) {
		batch = append(batch, id+1)
	}
	t0 := time.Now()
	pairs, dists, err := nearPairs(context.Background(), fps, batch)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("figure: %d near-identical designs: %d pairs in %s", n, len(pairs), time.Since(t0).Round(time.Millisecond))
	if len(pairs) == 0 || len(pairs) > n*maxCandidates || len(dists) != len(pairs) {
		t.Fatalf("%d pairs", len(pairs))
	}
	per := map[int64]int{}
	seen := map[[2]int64]bool{}
	for i, p := range pairs {
		per[p[0]]++
		key := [2]int64{min(p[0], p[1]), max(p[0], p[1])}
		if seen[key] {
			t.Fatalf("pair %v twice", key)
		}
		seen[key] = true
		if p[0] == p[1] || dists[i] >= shape.SameDesignThreshold {
			t.Fatalf("pair %v at %v", p, dists[i])
		}
	}
	for id, k := range per {
		if k > maxCandidates {
			t.Fatalf("design %d has %d candidates", id, k)
		}
	}
}

// TestDuplicateScanIncremental: a scan compares only the designs added
// since the last one, with the whole library, and marks them checked.
func TestDuplicateScanIncremental(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	acme := r.tenant(t, "acme")
	fps := nearlyTheSame(30)
	add := func(from, to int) {
		for i := from; i < to; i++ {
			if _, err := r.store.CreatePattern(ctx, acme.ID, &store.Pattern{Name: fmt.Sprintf("Feather %d", i), Fingerprint: fps[int64(i+1)]}); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(0, 10)
	n, err := r.svc.FindDuplicates(ctx, acme.ID)
	if err != nil || n != 45 { // 10 designs, every pair
		t.Fatalf("first scan: %d pairs, %v; want 45", n, err)
	}
	if again, err := r.svc.FindDuplicates(ctx, acme.ID); err != nil || again != 0 {
		t.Fatalf("scan with nothing new: %d, %v", again, err)
	}
	if ids, _ := r.store.UncheckedPatterns(ctx, acme.ID, 100); len(ids) != 0 {
		t.Errorf("%d designs unchecked after a scan", len(ids))
	}
	add(10, 30)
	n, err = r.svc.FindDuplicates(ctx, acme.ID)
	// Each of the 20 new designs keeps its 20 closest among the 29 others.
	if err != nil || n == 0 || n > 20*maxCandidates {
		t.Fatalf("second scan: %d pairs, %v", n, err)
	}
	_, total, err := r.store.DuplicatePairs(ctx, acme.ID, nil, 1)
	if err != nil || total != 45+n {
		t.Errorf("%d pairs in all, want %d", total, 45+n)
	}
}
