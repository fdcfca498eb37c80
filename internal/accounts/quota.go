package accounts

import (
	"context"

	"github.com/patternvault/patternvault/internal/billing"
)

// Quota is the plan's say on members (internal/billing.Service): a plan
// has room for so many people, open invitations counted.
type Quota interface {
	Check(ctx context.Context, tenantID int64, what billing.Limit, adding int64) error
}

// roomForMember says whether workspace tenantID may invite one more
// person: nil, or the plan's problem (the limit, where it stands, how to
// upgrade).
func (s *Service) roomForMember(ctx context.Context, tenantID int64) error {
	if s.Quota == nil {
		return nil
	}
	return s.Quota.Check(ctx, tenantID, billing.Members, 1)
}
