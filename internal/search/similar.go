package search

import (
	"context"
	"sort"

	"github.com/patternvault/patternvault/internal/geom/shape"
)

// Similar returns the designs whose shape is nearest to design id's (by
// shape fingerprint: same design at another size or in another format
// first, then designs that look alike), best first, at most k, with
// scores 0..1.
func (s *Service) Similar(ctx context.Context, tenantID, id int64, k int) ([]Hit, error) {
	fps, err := s.Store.Fingerprints(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	me, ok := fps[id]
	if !ok {
		return nil, nil
	}
	hits := make([]Hit, 0, len(fps))
	for other, fp := range fps {
		if other == id {
			continue
		}
		d := shape.FingerprintDistance(me, fp)
		if d >= 1 {
			continue
		}
		why := "similar shape"
		if d < shape.SameDesignThreshold {
			why = "same design"
		}
		hits = append(hits, Hit{ID: other, Score: 1 - d, Why: []string{why}})
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].ID < hits[j].ID
	})
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits, nil
}
