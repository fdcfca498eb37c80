package library

import (
	"context"
	"sort"

	"github.com/riverqueue/river"

	"github.com/patternvault/patternvault/internal/geom/shape"
)

// FindDuplicates compares the shape fingerprints of a tenant's designs
// and records the pairs that look like the same design (and those sharing
// a file's content) for the duplicates page. Fingerprints are sorted by
// their aspect code, and only designs of near aspect are compared, so a
// 15,000-design library takes a fraction of a second.
func (s *Service) FindDuplicates(ctx context.Context, tenantID int64) (int, error) {
	fps, err := s.Store.Fingerprints(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	type entry struct {
		id int64
		fp []byte
	}
	list := make([]entry, 0, len(fps))
	for id, fp := range fps {
		if len(fp) == shape.FingerprintSize {
			list = append(list, entry{id, fp})
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].fp[1] != list[j].fp[1] {
			return list[i].fp[1] < list[j].fp[1]
		}
		return list[i].id < list[j].id
	})
	// Aspect codes further apart than this alone exceed the threshold.
	const maxAspectGap = 5
	var pairs [][2]int64
	var dists []float32
	for i := range list {
		for j := i + 1; j < len(list) && int(list[j].fp[1])-int(list[i].fp[1]) <= maxAspectGap; j++ {
			if d := shape.FingerprintDistance(list[i].fp, list[j].fp); d < shape.SameDesignThreshold {
				pairs = append(pairs, [2]int64{list[i].id, list[j].id})
				dists = append(dists, float32(d))
			}
		}
	}
	return s.Store.AddDuplicateCandidates(ctx, tenantID, pairs, dists)
}

// DuplicatesArgs is the job that looks for duplicates after an import.
type DuplicatesArgs struct {
	TenantID int64 `json:"tenant_id"`
}

// Kind names the job for River.
func (DuplicatesArgs) Kind() string { return "library_duplicates" }

// DuplicatesWorker runs duplicate scans.
type DuplicatesWorker struct {
	river.WorkerDefaults[DuplicatesArgs]
	svc *Service
}

// DuplicatesWorker returns the River worker of duplicate scans.
func (s *Service) DuplicatesWorker() *DuplicatesWorker { return &DuplicatesWorker{svc: s} }

// Work scans a tenant's library.
func (w *DuplicatesWorker) Work(ctx context.Context, job *river.Job[DuplicatesArgs]) error {
	_, err := w.svc.FindDuplicates(ctx, job.Args.TenantID)
	return err
}
