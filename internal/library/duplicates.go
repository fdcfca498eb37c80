package library

import (
	"context"
	"sort"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/patternvault/patternvault/internal/geom/shape"
	"github.com/patternvault/patternvault/internal/jobs"
)

// Duplicate scans are incremental: each design is compared once, when it
// is new, with every other design of the library, and at most
// maxCandidates of its closest matches are kept (9,000 copies of one
// design must not make 40 million pairs). A scan takes the designs not yet
// checked scanChunk at a time, so the pairs of a chunk are inserted and
// the chunk marked checked in one transaction, and yields to requests
// between designs.
const (
	scanChunk     = 2000
	maxCandidates = 20
	// maxAspectGap: aspect codes further apart than this alone exceed the
	// threshold.
	maxAspectGap = 5
)

// FindDuplicates compares the tenant's designs that were not compared yet
// with all the others by shape fingerprint (only designs of near aspect,
// and only those whose ink totals are near enough), and records the pairs
// that look like the same design, and those sharing a design file's
// content, for the duplicates page. It returns how many pairs are new.
func (s *Service) FindDuplicates(ctx context.Context, tenantID int64) (int, error) {
	total := 0
	for {
		ids, err := s.Store.UncheckedPatterns(ctx, tenantID, scanChunk)
		if err != nil || len(ids) == 0 {
			return total, err
		}
		fps, err := s.Store.Fingerprints(ctx, tenantID)
		if err != nil {
			return total, err
		}
		pairs, dists, err := nearPairs(ctx, fps, ids)
		if err != nil {
			return total, err
		}
		n, err := s.Store.AddDuplicateCandidates(ctx, tenantID, ids, pairs, dists)
		if err != nil {
			return total, err
		}
		total += n
	}
}

// fpEntry is one fingerprint of the index.
type fpEntry struct {
	id      int64
	fp      []byte
	ink     int  // the sum of its cells, for a quick lower bound of distances
	inBatch bool // it is one of the designs being checked
}

// nearPairs finds, for each design of batch, its closest designs among
// fps (at most maxCandidates, each below shape.SameDesignThreshold).
// Designs of batch are compared with each other once.
func nearPairs(ctx context.Context, fps map[int64][]byte, batch []int64) ([][2]int64, []float32, error) {
	inBatch := make(map[int64]bool, len(batch))
	for _, id := range batch {
		inBatch[id] = true
	}
	index := make([]fpEntry, 0, len(fps))
	for id, fp := range fps {
		if len(fp) == shape.FingerprintSize {
			index = append(index, fpEntry{id, fp, shape.FingerprintInk(fp), inBatch[id]})
		}
	}
	sort.Slice(index, func(i, j int) bool {
		if index[i].fp[1] != index[j].fp[1] {
			return index[i].fp[1] < index[j].fp[1]
		}
		return index[i].id < index[j].id
	})
	type match struct {
		id   int64
		dist float64
	}
	var pairs [][2]int64
	var dists []float32
	var best []match
	for k, id := range batch {
		if k%64 == 0 {
			if err := jobs.Yield(ctx); err != nil {
				return nil, nil, err
			}
		}
		fp, ok := fps[id]
		if !ok || len(fp) != shape.FingerprintSize {
			continue
		}
		version := fp[0]
		ink := shape.FingerprintInk(fp)
		aspect := int(fp[1])
		lo := sort.Search(len(index), func(i int) bool { return int(index[i].fp[1]) >= aspect-maxAspectGap })
		best = best[:0]
		for i := lo; i < len(index) && int(index[i].fp[1]) <= aspect+maxAspectGap; i++ {
			o := &index[i]
			if o.id == id || o.inBatch && o.id < id || o.fp[0] != version {
				continue // itself, a pair of the batch already compared, or another version
			}
			if sum := ink + o.ink; sum > 0 && float64(abs(ink-o.ink))/float64(sum) >= shape.SameDesignThreshold {
				continue
			}
			d := shape.FingerprintDistanceInk(fp, o.fp, ink, o.ink)
			if d >= shape.SameDesignThreshold {
				continue
			}
			if len(best) == maxCandidates {
				if d >= best[len(best)-1].dist {
					continue
				}
				best = best[:len(best)-1]
			}
			at := sort.Search(len(best), func(j int) bool { return best[j].dist > d })
			best = append(best, match{})
			copy(best[at+1:], best[at:])
			best[at] = match{o.id, d}
		}
		for _, m := range best {
			pairs = append(pairs, [2]int64{id, m.id})
			dists = append(dists, float32(m.dist))
		}
	}
	return pairs, dists, nil
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// DuplicatesArgs is the job that looks for duplicates among a tenant's
// new designs.
type DuplicatesArgs struct {
	TenantID int64 `json:"tenant_id"`
}

// Kind names the job for River.
func (DuplicatesArgs) Kind() string { return "library_duplicates" }

// InsertOpts puts scans on the background queue, at most one waiting per
// tenant: a scan takes every design not yet compared, so a second one
// queued behind it would find nothing left.
func (DuplicatesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueBackground, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{
		ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled},
	}}
}

// DuplicatesWorker runs duplicate scans.
type DuplicatesWorker struct {
	river.WorkerDefaults[DuplicatesArgs]
	svc *Service
}

// DuplicatesWorker returns the River worker of duplicate scans.
func (s *Service) DuplicatesWorker() *DuplicatesWorker { return &DuplicatesWorker{svc: s} }

// Timeout bounds a scan (it records its progress a chunk at a time).
func (w *DuplicatesWorker) Timeout(*river.Job[DuplicatesArgs]) time.Duration { return 15 * time.Minute }

// Work scans a tenant's new designs.
func (w *DuplicatesWorker) Work(ctx context.Context, job *river.Job[DuplicatesArgs]) error {
	_, err := w.svc.FindDuplicates(ctx, job.Args.TenantID)
	return err
}

// QueueDuplicateScan asks for a duplicate scan of the tenant's new designs
// (nothing happens when one is already waiting).
func (s *Service) QueueDuplicateScan(ctx context.Context, tenantID int64) {
	if s.Queue == nil || s.Queue.Client == nil {
		return
	}
	if _, err := s.Queue.Insert(ctx, DuplicatesArgs{TenantID: tenantID}, nil); err != nil {
		s.log().Warn("library: queue duplicate scan", "tenant", tenantID, "err", err)
	}
}

// DuplicateSweepArgs is the periodic job that queues a duplicate scan for
// every tenant with designs not yet compared (a safety net: an import
// queues its own scan when it ends).
type DuplicateSweepArgs struct{}

// Kind names the job for River.
func (DuplicateSweepArgs) Kind() string { return "library_duplicates_sweep" }

// InsertOpts puts the sweep on the background queue.
func (DuplicateSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueBackground, MaxAttempts: 1}
}

// DuplicateSweepWorker runs the sweep.
type DuplicateSweepWorker struct {
	river.WorkerDefaults[DuplicateSweepArgs]
	svc *Service
}

// DuplicateSweepWorker returns the River worker of the sweep.
func (s *Service) DuplicateSweepWorker() *DuplicateSweepWorker { return &DuplicateSweepWorker{svc: s} }

// Work queues the scans.
func (w *DuplicateSweepWorker) Work(ctx context.Context, job *river.Job[DuplicateSweepArgs]) error {
	tenants, err := w.svc.Store.TenantsWithUncheckedPatterns(ctx)
	if err != nil {
		return err
	}
	for _, t := range tenants {
		w.svc.QueueDuplicateScan(ctx, t)
	}
	return nil
}

// DuplicateSweep is the periodic job of the sweep, every few minutes.
func DuplicateSweep() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(5*time.Minute), func() (river.JobArgs, *river.InsertOpts) {
		return DuplicateSweepArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
