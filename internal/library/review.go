package library

import (
	"context"
	"errors"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Problems of deciding possible duplicates.
var (
	ErrBadDecision = problem.Invalid("bad_decision", "Choose which design to keep, or keep both.")
	ErrDecided     = problem.Conflict("already_decided", "That pair was already decided.")
)

// DecideDuplicate records the quilter's decision on the pair a, b
// (store.KeepBoth, KeptA or KeptB); keeping one moves the other to the
// bin, undoably: the activity id is returned (0 for "keep both").
func (s *Service) DecideDuplicate(ctx context.Context, tenantID, userID, a, b int64, decision string) (int64, error) {
	if decision != store.KeepBoth && decision != store.KeptA && decision != store.KeptB {
		return 0, ErrBadDecision
	}
	act, err := s.Store.DecideDuplicate(ctx, tenantID, userID, a, b, decision)
	if errors.Is(err, store.ErrNotFound) {
		return 0, ErrDecided.Wrap(err)
	}
	return act, err
}
