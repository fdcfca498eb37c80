package share

import (
	"context"

	"github.com/patternvault/patternvault/internal/billing"
)

// Quota is the plan's say on share links (internal/billing.Service): a
// plan may limit how many links are active at once.
type Quota interface {
	Check(ctx context.Context, tenantID int64, what billing.Limit, adding int64) error
}

// roomForLink says whether workspace tenantID may have one more active
// link: nil, or the plan's problem (the limit, where it stands, how to
// upgrade).
func (s *Service) roomForLink(ctx context.Context, tenantID int64) error {
	if s.Quota == nil {
		return nil
	}
	return s.Quota.Check(ctx, tenantID, billing.ShareLinks, 1)
}
