package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/patternvault/patternvault/internal/app"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
)

const importUsage = "usage: patternvault import --tenant S [--json] FILE..."

// runImport imports ZIPs or loose files into a workspace through the job
// queue and waits for the result.
func runImport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	slug := fs.String("tenant", "", "workspace to import into")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *slug == "" || len(files) == 0 {
		return usageError(importUsage)
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
	var uploads []library.Upload
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return err
		}
		defer fh.Close()
		uploads = append(uploads, library.Upload{Name: filepath.Base(f), Body: fh, Size: -1})
	}
	b, err := a.Library.StartImport(ctx, t.ID, 0, uploads, false)
	if err != nil {
		return err
	}
	b, err = waitForBatch(ctx, a, t.ID, b.ID)
	if err != nil {
		return err
	}
	return printBatch(e, b, *asJSON)
}

// waitForBatch runs the job queue's workers here (a running server may
// take the job instead) until the batch is finished.
func waitForBatch(ctx context.Context, a *app.App, tenantID, batchID int64) (*store.ImportBatch, error) {
	if err := a.StartWorkers(ctx); err != nil {
		return nil, err
	}
	for {
		b, err := a.Store.Batch(ctx, tenantID, batchID)
		if err != nil {
			return nil, err
		}
		if b.Status == store.BatchDone || b.Status == store.BatchFailed || b.Status == store.BatchStaged {
			return b, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func printBatch(e *env, b *store.ImportBatch, asJSON bool) error {
	if asJSON {
		err := json.NewEncoder(e.stdout).Encode(map[string]any{"id": b.ID, "status": b.Status, "created": b.Created,
			"merged": b.Merged, "duplicates": b.Duplicates, "failed": b.Failed, "warnings": b.Warnings, "designs": b.DesignsTotal,
			"error": b.Error})
		if err == nil && b.Status == store.BatchFailed {
			err = fmt.Errorf("import failed: %s", b.Error)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "import %d %s: %d designs, %d new, %d merged, %d already there\n",
		b.ID, b.Status, b.DesignsTotal, b.Created, b.Merged, b.Duplicates)
	for _, f := range b.Failed {
		fmt.Fprintf(e.stdout, "  not imported: %s: %s\n", f.File, f.Reason)
	}
	for _, f := range b.Warnings {
		fmt.Fprintf(e.stdout, "  %s: %s\n", f.File, f.Reason)
	}
	if b.Status == store.BatchFailed {
		return fmt.Errorf("import failed: %s", b.Error)
	}
	return nil
}
