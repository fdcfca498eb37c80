package library

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/limits"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Quotas is the one check of a workspace's limits: the plans'
// (internal/billing.Service) in the server, the platform's caps alone
// (internal/limits.Checker) in some tests. An import the workspace has
// no room for (designs, bytes), or one into a read-only workspace, is
// held as a staged batch, never dropped, and goes in once there is room
// (ReleaseStaged, after an upgrade); keywords and saved searches over
// their caps are refused.
type Quotas interface {
	Check(ctx context.Context, tenantID int64, what limits.What, adding int64) error
	CheckEach(ctx context.Context, tenantID int64, needs ...limits.Need) error
	CheckTx(ctx context.Context, tx *store.TenantTx, set limits.Set, what limits.What, adding int64) error
	Limits(ctx context.Context, tenantID int64) (limits.Set, error)
}

// quota is Quotas.Check, allowing everything when no Quotas is set.
func (s *Service) quota(ctx context.Context, tenantID int64, what limits.What, adding int64) error {
	if s.Quotas == nil {
		return nil
	}
	return s.Quotas.Check(ctx, tenantID, what, adding)
}

// held returns why an import of designs designs (0: not counted yet)
// adding bytes bytes must wait for room, or "" when it may go in.
func (s *Service) held(ctx context.Context, tenantID int64, designs int, bytes int64) (string, error) {
	if s.Quotas == nil {
		return "", nil
	}
	these := "these designs"
	if designs > 0 {
		these = "these " + plural(designs, "design")
	}
	// Both limits from one reading of the workspace's use (counting its
	// bytes walks every file it holds).
	err := s.Quotas.CheckEach(ctx, tenantID, limits.Need{What: limits.Designs, Adding: int64(max(designs, 1))},
		limits.Need{What: limits.Bytes, Adding: bytes})
	p, _ := problem.As(err)
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, billing.ErrLimit), errors.Is(err, billing.ErrReadOnly):
		return "Over your plan: upgrade to add " + these + ". They are kept safe until then. " + p.Message, nil
	case errors.Is(err, limits.ErrOverLimit):
		return "Over this workspace's limit: " + these + " are kept safe and go in once there is room. " + p.Message, nil
	}
	return "", fmt.Errorf("library: check limits of tenant %d: %w", tenantID, err)
}

// noteHeld marks a batch being inserted as held, when reason is set.
func noteHeld(ctx context.Context, tx pgx.Tx, b *store.ImportBatch, reason string) error {
	if reason == "" {
		return nil
	}
	b.Stage, b.Error = true, reason
	return store.NoteBatchHeld(ctx, tx, b.ID, reason)
}

// hold stages a batch of total designs adding bytes bytes when the
// workspace has no room for them (its uploads stay for later) and
// reports whether it did; a batch held at upload that now fits goes on.
func (s *Service) hold(ctx context.Context, tenantID int64, b *store.ImportBatch, total int, bytes int64) (bool, error) {
	reason, err := s.held(ctx, tenantID, total, bytes)
	if err != nil {
		return false, err
	}
	if reason == "" {
		if b.Stage {
			return false, s.Store.UnholdBatch(ctx, tenantID, b.ID)
		}
		return false, nil
	}
	if err := s.Store.StageBatch(ctx, tenantID, b.ID, total, reason); err != nil {
		return false, err
	}
	s.log().Info("library: import held over the plan", "tenant", tenantID, "batch", b.ID, "designs", total)
	return true, nil
}

// ReleaseStaged queues every staged import of workspace tenantID again
// (after an upgrade); each is checked against the plan again when it
// runs. It returns how many it queued.
func (s *Service) ReleaseStaged(ctx context.Context, tenantID int64) (int, error) {
	var n int
	err := s.Store.DB().WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		ids, err := store.ReleaseStaged(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := s.Queue.InsertTx(ctx, tx, ImportArgs{TenantID: tenantID, BatchID: id}, nil); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("library: release staged imports of tenant %d: %w", tenantID, err)
	}
	return n, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
