package business

import "context"

// The plan features of the business hub (the billing package's names).
const (
	// FeaturePortfolio is the finished-quilt photos and the public
	// gallery: the Professional plan and up.
	FeaturePortfolio = "portfolio"
	// FeatureBusiness is customers, quotes, jobs, the queue, invoices,
	// costs, analytics and tax export: the Business plan.
	FeatureBusiness = "business"
)

// require is the one feature check of the package: every change goes
// through it (reading, downloading and exporting never do, so a lapsed
// plan never hides a quilter's own records).
func (s *Service) require(ctx context.Context, tenantID int64, feature string) error {
	if s.Entitled == nil {
		return nil
	}
	return s.Entitled(ctx, tenantID, feature)
}
