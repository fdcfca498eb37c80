package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/patternvault/patternvault/internal/app"
	"github.com/patternvault/patternvault/internal/demo"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
)

const demoUsage = "usage: patternvault demo seed --tenant S [--patterns N] [--seed N]"

// runDemo fills a workspace with generated designs, imported through the
// real pipeline, for trying the app and for benchmarks.
func runDemo(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "seed" {
		return usageError(demoUsage)
	}
	fs := flag.NewFlagSet("demo seed", flag.ContinueOnError)
	slug := fs.String("tenant", "", "workspace to fill")
	n := fs.Int("patterns", 200, "how many designs to generate")
	seed := fs.Int64("seed", 1, "generator seed (the same seed gives the same designs)")
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *slug == "" || *n < 1 {
		return usageError(demoUsage)
	}
	if os.Getenv("GOGC") == "" {
		// A one-off batch command that allocates as it generates and
		// reads: collecting garbage a third as often takes 8 % less CPU
		// (3,000 designs: peak memory 230 MB instead of 165 MB).
		debug.SetGCPercent(300)
	}
	a, err := app.Open(ctx, e.cfg, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.Store.TenantBySlug(ctx, *slug)
	if err != nil {
		return err
	}
	t0 := time.Now()
	// Work the imports here while the next designs are generated (a
	// running server may take some of them instead).
	if err := a.StartWorkers(ctx); err != nil {
		return err
	}
	// The ZIPs are stored, not deflated: made here to be read here at
	// once, deflating them cost as much CPU as inflating them again.
	batches, err := importZIPs(ctx, a.Library, t.ID, func(fn func(name string, data []byte) error) error {
		return demo.StreamStoredZIPs(*seed, *n, 100, fn)
	})
	if err != nil {
		return err
	}
	var created, dups int
	for _, id := range batches {
		b, err := waitForBatch(ctx, a, t.ID, id)
		if err != nil {
			return err
		}
		if b.Status != store.BatchDone {
			return fmt.Errorf("demo import %d %s: %s", b.ID, b.Status, b.Error)
		}
		created += b.Created
		dups += b.Duplicates
	}
	took := time.Since(t0)
	fmt.Fprintf(e.stdout, "demo: %d designs added to %s (%d already there) in %s, %.1f ms per design\n",
		created, t.Slug, dups, took.Round(time.Second), float64(took.Milliseconds())/float64(max(created+dups, 1)))
	return nil
}

// maxZIPsPerImport is the most generated ZIPs (of 100 designs) one import
// of demo seed takes: 15,651 designs are 19 imports, well within a
// workspace's imports an hour (one import a ZIP was 157, and the hourly
// limit of 60 stopped the seed at 6,000 designs).
const maxZIPsPerImport = 10

// importZIPs starts imports of the ZIPs stream hands over (each ZIP's
// data is the stream's only until its callback returns) and returns
// their batches. The first import takes one ZIP, the next two, then four,
// and so on up to maxZIPsPerImport, so that the workers start on the
// first designs while the rest are made. Each ZIP is read by the import
// before the stream makes the next, so only one is held at a time.
func importZIPs(ctx context.Context, lib *library.Service, tenantID int64, stream func(func(name string, data []byte) error) error) ([]int64, error) {
	type zipFile struct {
		name string
		data []byte
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	zips := make(chan zipFile)  // the stream's next ZIP
	read := make(chan struct{}) // the import has read the ZIP handed over
	var batches []int64
	imported := make(chan error, 1)
	go func() {
		err := func() error {
			for size := 1; ; size = min(2*size, maxZIPsPerImport) {
				var first zipFile
				var ok bool
				select {
				case first, ok = <-zips:
				case <-ctx.Done():
					return context.Cause(ctx)
				}
				if !ok {
					return nil
				}
				pending, taken, ended := &first, 0, false
				b, err := lib.StartImportStream(ctx, tenantID, 0, func() (*library.Upload, error) {
					if taken > 0 {
						select {
						case read <- struct{}{}:
						case <-ctx.Done():
							return nil, context.Cause(ctx)
						}
					}
					z := pending
					pending = nil
					if z == nil && taken < size {
						select {
						case next, ok := <-zips:
							if ok {
								z = &next
							} else {
								ended = true
							}
						case <-ctx.Done():
							return nil, context.Cause(ctx)
						}
					}
					if z == nil {
						return nil, nil
					}
					taken++
					return &library.Upload{Name: z.name, Body: bytes.NewReader(z.data), Size: int64(len(z.data))}, nil
				}, false)
				if err != nil {
					return err
				}
				batches = append(batches, b.ID)
				if ended {
					return nil
				}
			}
		}()
		if err != nil {
			cancel(err)
		}
		imported <- err
	}()
	err := stream(func(name string, data []byte) error {
		select {
		case zips <- zipFile{name, data}:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		select {
		case <-read:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	})
	if err != nil {
		cancel(err)
	}
	close(zips)
	if ierr := <-imported; ierr != nil && err == nil {
		return nil, ierr
	}
	if err != nil {
		return nil, err
	}
	return batches, nil
}
