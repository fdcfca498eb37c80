package search

import (
	"context"

	"github.com/patternvault/patternvault/internal/problem"
)

// Quota is the plan's say on the remote model (internal/billing.Service):
// image search is a paid feature with a monthly allowance. A search is
// reading, so a no never fails it: it answers by words, with a note.
type Quota interface {
	RemoteSearch(ctx context.Context, tenantID int64) error
}

// allowVectors says whether a search of tenantID may use the vector side:
// always with the local concepts; with a remote model, when the plan
// allows (the search is counted). When it may not, res.Note says why.
func (s *Service) allowVectors(ctx context.Context, tenantID int64, res *Result) bool {
	if s.Quota == nil || !s.Semantic.relates() {
		return true
	}
	err := s.Quota.RemoteSearch(ctx, tenantID)
	if err == nil {
		return true
	}
	if p, ok := problem.As(err); ok {
		res.Note = p.Message
		return false
	}
	s.Semantic.Log.Warn("search: plan check failed; answering by words", "tenant", tenantID, "err", err)
	return false
}
