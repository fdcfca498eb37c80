package store

import (
	"context"
	"fmt"
	"time"
)

// PlatformMetrics are the platform admin's headline numbers.
type PlatformMetrics struct {
	TenantsActive    int `json:"tenants_active"`
	TenantsSuspended int `json:"tenants_suspended"`
	Users            int `json:"users"`
	UsersVerified    int `json:"users_verified"`
	SignupsLast30    int `json:"signups_last_30_days"`
	ActiveSessions   int `json:"active_sessions"`
	Stores           int `json:"stores"`
	// Deliveries and DeliveredDesigns count what stores delivered since
	// the start of the month.
	Deliveries       int       `json:"deliveries_this_month"`
	DeliveredDesigns int       `json:"delivered_designs_this_month"`
	Since            time.Time `json:"month_start"`
}

// PlatformMetrics counts tenants, people and store deliveries (since
// monthStart), in one read.
func (s *Store) PlatformMetrics(ctx context.Context, monthStart time.Time) (*PlatformMetrics, error) {
	m := &PlatformMetrics{Since: monthStart}
	err := s.q.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM platform.tenants WHERE status = 'active'),
		(SELECT count(*) FROM platform.tenants WHERE status = 'suspended'),
		(SELECT count(*) FROM platform.users),
		(SELECT count(*) FROM platform.users WHERE email_verified_at IS NOT NULL),
		(SELECT count(*) FROM platform.users WHERE created_at > now() - interval '30 days'),
		(SELECT count(*) FROM platform.sessions WHERE expires_at > now()),
		(SELECT count(*) FROM platform.stores WHERE disabled_at IS NULL),
		(SELECT count(*) FROM platform.store_deliveries WHERE status = 'delivered' AND landed_at >= $1),
		(SELECT coalesce(sum(designs), 0) FROM platform.store_deliveries WHERE status = 'delivered' AND landed_at >= $1)`, monthStart).
		Scan(&m.TenantsActive, &m.TenantsSuspended, &m.Users, &m.UsersVerified, &m.SignupsLast30, &m.ActiveSessions,
			&m.Stores, &m.Deliveries, &m.DeliveredDesigns)
	if err != nil {
		return nil, fmt.Errorf("store: platform metrics: %w", err)
	}
	return m, nil
}
