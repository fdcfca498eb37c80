package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// TenantOverview is one row of the platform admin's tenant list.
type TenantOverview struct {
	Tenant       *Tenant
	OwnerEmail   string
	Members      int
	Patterns     int64
	StorageBytes int64
	LastActivity *time.Time
	// EmbeddingTokens is what semantic search's provider billed for the
	// tenant over the last 30 days (0 with the local concepts).
	EmbeddingTokens int64
	// BackupBytes is what the workspace's backups keep (internal/backup).
	BackupBytes int64
}

// TenantOverviews lists tenants (all statuses but deleted) with their
// owner, size and last sign-in activity, by slug, limit at a time after
// afterSlug.
func (s *Store) TenantOverviews(ctx context.Context, afterSlug string, limit int) ([]*TenantOverview, error) {
	rows, err := s.q.Query(ctx, `
		SELECT `+prefixed("t.", tenantColumns)+`,
		       coalesce((SELECT u.email FROM platform.memberships m JOIN platform.users u ON u.id = m.user_id
		                 WHERE m.tenant_id = t.id AND m.role = 'owner' ORDER BY m.created_at LIMIT 1), ''),
		       (SELECT count(*) FROM platform.memberships m WHERE m.tenant_id = t.id),
		       (SELECT max(se.last_seen_at) FROM platform.sessions se JOIN platform.memberships m ON m.user_id = se.user_id
		        WHERE m.tenant_id = t.id),
		       (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
		        JOIN pg_namespace n ON n.oid = c.relnamespace
		        WHERE n.nspname = 't_' || t.id AND c.relkind IN ('r', 'm'))::bigint,
		       (SELECT coalesce(sum(e.tokens), 0) FROM platform.embedding_usage e
		        WHERE e.tenant_id = t.id AND e.day > current_date - 30)::bigint,
		       t.backup_bytes
		FROM platform.tenants t
		WHERE t.status <> 'deleted' AND t.slug > $1
		ORDER BY t.slug LIMIT $2`, afterSlug, limit)
	if err != nil {
		return nil, fmt.Errorf("store: tenant overviews: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*TenantOverview, error) {
		o := &TenantOverview{Tenant: &Tenant{}}
		t := o.Tenant
		err := r.Scan(append(t.dest(), &o.OwnerEmail, &o.Members, &o.LastActivity, &o.StorageBytes, &o.EmbeddingTokens, &o.BackupBytes)...)
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: tenant overviews: %w", err)
	}
	for _, o := range out {
		if o.Patterns, err = s.CountPatterns(ctx, o.Tenant.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
