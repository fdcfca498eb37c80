package search

import (
	"context"
	"sort"

	"github.com/patternvault/patternvault/internal/geom/shape"
	"github.com/patternvault/patternvault/internal/store"
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
	if s.Semantic == nil {
		return hits, nil
	}
	near, err := s.Semantic.NearestDesigns(ctx, tenantID, id, k)
	if err != nil {
		s.Semantic.Log.WarnContext(ctx, "search: vector neighbours failed; shape only", "tenant", tenantID, "pattern", id, "err", err)
		near = nil
	}
	return fuseSimilar(hits, near, k), nil
}

// fuseSimilar merges designs alike in shape and designs alike in words by
// reciprocal rank (shape first on ties: the same design in another format
// must lead), with every reason kept.
func fuseSimilar(shapes []Hit, near []store.RankedID, k int) []Hit {
	byID := map[int64]*Hit{}
	var order []int64
	add := func(id int64, rank int, weight float64, why string) {
		h, ok := byID[id]
		if !ok {
			h = &Hit{ID: id}
			byID[id] = h
			order = append(order, id)
		}
		h.Score += weight / float64(rrfK+rank+1)
		h.Why = appendNew(h.Why, why)
	}
	for i, h := range shapes {
		w := 1.0
		if len(h.Why) > 0 && h.Why[0] == "same design" {
			w = 10 // another encoding of this very design
		}
		add(h.ID, i, w, h.Why[0])
	}
	for i, r := range near {
		add(r.ID, i, 1, "similar name and keywords")
	}
	out := make([]Hit, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if len(out) > k {
		out = out[:k]
	}
	return out
}
