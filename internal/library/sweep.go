package library

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/jobs"
)

// SweepOrphans finds stored files of a tenant that no row points at (left
// by a crash between storing a file and committing its row) and, when
// remove is set, deletes them. Files younger than a minute are left alone:
// an import may be about to commit them.
func (s *Service) SweepOrphans(ctx context.Context, tenantID int64, remove bool) ([]string, error) {
	age := time.Minute
	if remove {
		age = 0 // callers that remove know no import is running (tests, CLI)
	}
	return s.sweepOrphans(ctx, tenantID, age, remove)
}

// libraryDirs are the key folders of a tenant whose files the library
// owns and accounts for in its tables; the sweep looks nowhere else, so
// that it never takes another feature's files for orphans.
var libraryDirs = []string{"blobs", "patterns", "thumbs", "uploads"}

// sweepOrphans is SweepOrphans for files older than age.
func (s *Service) sweepOrphans(ctx context.Context, tenantID int64, age time.Duration, remove bool) ([]string, error) {
	var candidates []string
	before := time.Now().Add(-age)
	for _, dir := range libraryDirs {
		err := s.Blobs.List(ctx, blob.Key(tenantID, dir)+"/", func(i blob.Info) error {
			if age == 0 || i.ModTime.Before(before) {
				candidates = append(candidates, i.Key)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("library: list files of tenant %d: %w", tenantID, err)
		}
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	used, err := s.Store.BlobKeysInUse(ctx, tenantID, candidates)
	if err != nil {
		return nil, err
	}
	thumbs, err := s.Store.PatternIDSet(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var orphans []string
	for _, k := range candidates {
		if used[k] || isThumbOf(k, thumbs) {
			continue
		}
		orphans = append(orphans, k)
		if remove {
			if err := s.Blobs.Delete(ctx, k); err != nil {
				return orphans, err
			}
		}
	}
	return orphans, nil
}

// isThumbOf reports whether key is "{tenant}/thumbs/{id}/..." of a pattern in ids.
func isThumbOf(key string, ids map[int64]bool) bool {
	parts := strings.Split(key, "/")
	if len(parts) < 4 || parts[1] != "thumbs" {
		return false
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	return err == nil && ids[id]
}

// orphanAge is how old a file must be before the periodic sweep removes it
// when nothing refers to it: far longer than any import takes between
// storing a design's files and recording them, outages waited out
// included.
const orphanAge = 24 * time.Hour

// OrphanSweepArgs is the periodic job that removes, in every workspace,
// the files a crash left behind (stored, never recorded).
type OrphanSweepArgs struct{}

// Kind names the job for River.
func (OrphanSweepArgs) Kind() string { return "library_orphan_sweep" }

// InsertOpts puts the sweep on the background queue, at most once in each
// six hours however often the servers restart.
func (OrphanSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueBackground, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: orphanSweepEvery}}
}

// orphanSweepEvery is how often the orphan sweep runs.
const orphanSweepEvery = 6 * time.Hour

// OrphanSweepWorker runs the orphan sweep.
type OrphanSweepWorker struct {
	river.WorkerDefaults[OrphanSweepArgs]
	svc *Service
}

// OrphanSweepWorker returns the River worker of the orphan sweep.
func (s *Service) OrphanSweepWorker() *OrphanSweepWorker { return &OrphanSweepWorker{svc: s} }

// Timeout gives the sweep of every workspace time to list its files.
func (w *OrphanSweepWorker) Timeout(*river.Job[OrphanSweepArgs]) time.Duration { return time.Hour }

// Work sweeps every workspace, files older than orphanAge; a workspace
// that fails is logged and the others go on.
func (w *OrphanSweepWorker) Work(ctx context.Context, job *river.Job[OrphanSweepArgs]) error {
	n, err := w.svc.SweepAllOrphans(ctx, orphanAge)
	if n > 0 {
		w.svc.log().Info("library: removed files a crash left behind", "files", n)
	}
	return err
}

// SweepAllOrphans removes, in every workspace, the files older than age
// that nothing refers to, and returns how many it removed; the error is
// the first workspace's that failed (the others are still swept).
func (s *Service) SweepAllOrphans(ctx context.Context, age time.Duration) (int, error) {
	tenants, err := s.Store.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	removed := 0
	var first error
	for _, t := range tenants {
		orphans, err := s.sweepOrphans(ctx, t.ID, age, true)
		removed += len(orphans)
		if err != nil {
			s.log().Warn("library: orphan sweep", "tenant", t.ID, "err", err)
			if first == nil {
				first = err
			}
		}
	}
	return removed, first
}

// OrphanSweep is the periodic job of the orphan sweep: at start-up (once
// in six hours at most, see InsertOpts) and every six hours.
func OrphanSweep() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(orphanSweepEvery), func() (river.JobArgs, *river.InsertOpts) {
		return OrphanSweepArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
