package library

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/patternvault/patternvault/internal/demo"
)

// BenchmarkProcessDemo imports ZIPs of 100 generated designs through
// Process (no queue), reporting the cost per design on one goroutine.
func BenchmarkProcessDemo(b *testing.B) {
	var zips [][]byte
	demo.StreamZIPs(7, 300, 100, func(name string, data []byte) error {
		zips = append(zips, data)
		return nil
	})
	r := newRig(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		tn, err := r.store.CreateTenant(ctx, fmt.Sprintf("bench-%d", i), "Bench")
		if err != nil {
			b.Fatal(err)
		}
		i++
		for _, z := range zips {
			bt, err := r.svc.StartImport(ctx, tn.ID, 0, []Upload{{Name: "demo.zip", Body: bytes.NewReader(z), Size: int64(len(z))}}, false)
			if err != nil {
				b.Fatal(err)
			}
			if err := r.svc.Process(ctx, tn.ID, bt.ID); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*300), "ms/design")
}
