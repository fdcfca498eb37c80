package library

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/store"
)

// SweepOrphans finds stored files of a tenant that no row points at (left
// by a crash between storing a file and committing its row, or by a
// design purged from the bin) and, when remove is set, deletes them.
// Files younger than grace are left alone: an upload or an import may be
// about to record them.
func (s *Service) SweepOrphans(ctx context.Context, tenantID int64, grace time.Duration, remove bool) ([]string, error) {
	var candidates []string
	before := time.Now().Add(-grace)
	for _, dir := range libraryDirs {
		err := s.Blobs.List(ctx, blob.Key(tenantID, dir)+"/", func(i blob.Info) error {
			if !i.ModTime.After(before) {
				candidates = append(candidates, i.Key)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("library: list files of tenant %d: %w", tenantID, err)
		}
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

// libraryDirs are the key folders of a tenant whose files the library
// owns and accounts for in its tables; the sweep looks nowhere else, so
// that it never takes another feature's files (exports, snapshots) for
// orphans.
var libraryDirs = []string{"blobs", "patterns", "thumbs", "uploads"}

// isThumbOf reports whether key is "{tenant}/thumbs/{id}/..." of a pattern in ids.
func isThumbOf(key string, ids map[int64]bool) bool {
	parts := strings.Split(key, "/")
	if len(parts) < 4 || parts[1] != "thumbs" {
		return false
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	return err == nil && ids[id]
}

// errEnoughCounted stops a count of stored files at its deadline.
var errEnoughCounted = errors.New("counted long enough")

// FileBytes counts the bytes of every file stored for a tenant (designs,
// pictures, thumbnails, uploads not yet imported): what its files take on
// disk or in the bucket, beside its database tables and its backups
// (counted apart, by internal/backup). A count that runs
// past deadline stops there and says so (complete is false): a lower
// bound.
func (s *Service) FileBytes(ctx context.Context, tenantID int64, deadline time.Time) (total int64, complete bool, err error) {
	err = s.Blobs.List(ctx, blob.Key(tenantID)+"/", func(i blob.Info) error {
		if !store.BackupKey(i.Key) {
			total += i.Size
		}
		if time.Now().After(deadline) {
			return errEnoughCounted
		}
		return nil
	})
	if errors.Is(err, errEnoughCounted) {
		return total, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("library: count the files of tenant %d: %w", tenantID, err)
	}
	return total, true, nil
}

// OrphanGrace is how old a file that no row points at must be before the
// periodic sweep deletes it: far longer than any upload or import takes
// to record what it stored.
const OrphanGrace = 6 * time.Hour

// OrphanSweepArgs is the periodic job that deletes every tenant's files
// that no row points at (OrphanGrace old at least).
type OrphanSweepArgs struct{}

// Kind names the job for River.
func (OrphanSweepArgs) Kind() string { return "library_orphan_sweep" }

// InsertOpts puts the sweep on the background queue.
func (OrphanSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueBackground, MaxAttempts: 1}
}

// OrphanSweepWorker runs the sweep.
type OrphanSweepWorker struct {
	river.WorkerDefaults[OrphanSweepArgs]
	svc *Service
}

// OrphanSweepWorker returns the River worker of the orphan sweep.
func (s *Service) OrphanSweepWorker() *OrphanSweepWorker { return &OrphanSweepWorker{svc: s} }

// Timeout bounds one sweep of every tenant.
func (w *OrphanSweepWorker) Timeout(*river.Job[OrphanSweepArgs]) time.Duration { return time.Hour }

// Work sweeps each tenant in turn, except one with an import queued or
// running (its files may not be recorded yet; the next sweep will see
// them).
func (w *OrphanSweepWorker) Work(ctx context.Context, job *river.Job[OrphanSweepArgs]) error {
	s := w.svc
	grace := s.orphanGrace
	if grace == 0 {
		grace = OrphanGrace
	}
	tenants, err := s.Store.Tenants(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range tenants {
		if err := jobs.Yield(ctx); err != nil {
			return err
		}
		busy, err := s.Store.ImportActive(ctx, t.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if busy {
			continue
		}
		removed, err := s.SweepOrphans(ctx, t.ID, grace, true)
		if err != nil {
			errs = append(errs, fmt.Errorf("library: sweep tenant %d: %w", t.ID, err))
		}
		if len(removed) > 0 {
			s.log().Info("library: removed files no design uses", "tenant", t.ID, "files", len(removed))
		}
	}
	return errors.Join(errs...)
}

// OrphanSweep is the periodic job of the orphan sweep, every hour.
func OrphanSweep() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) {
		return OrphanSweepArgs{}, nil
	}, nil)
}
