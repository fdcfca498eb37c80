package business

import "context"

// The plan features of the business hub, named as internal/billing names
// them (its Feature values).
const (
	// FeaturePortfolio is the finished-quilt photos and the public
	// gallery: the Professional plan and up.
	FeaturePortfolio = "portfolio"
	// FeatureCustomers is the customer list: the Business plan.
	FeatureCustomers = "customers"
	// FeatureJobs is the price list, jobs, their quotes, the queue,
	// photos of tops and costs: the Business plan.
	FeatureJobs = "jobs"
	// FeatureInvoices is invoices and payments: the Business plan.
	FeatureInvoices = "invoices"
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
