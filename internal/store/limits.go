package store

import (
	"context"
	"fmt"
)

// What a workspace uses, for its limits (internal/limits names each).
const (
	UsageBytes          = "bytes"
	UsageDesigns        = "designs"
	UsageUploadsPerHour = "uploads_per_hour"
	UsageKeywords       = "keywords"
	UsageSavedSearches  = "saved_searches"
)

// usageSQL counts one kind of use of a tenant's data, in its schema.
// Bytes are the stored files (each content once, deleted designs' files
// included: they stay until the bin is emptied) and the uploads waiting to
// be imported.
var usageSQL = map[string]string{
	UsageBytes: `SELECT (SELECT coalesce(sum(size), 0) FROM (SELECT DISTINCT ON (sha256) size FROM pattern_files) f)
		+ (SELECT coalesce(sum(size), 0) FROM import_uploads)`,
	UsageDesigns:        `SELECT count(*) FROM patterns WHERE deleted_at IS NULL`,
	UsageUploadsPerHour: `SELECT count(*) FROM import_batches WHERE created_at > now() - interval '1 hour'`,
	UsageKeywords:       `SELECT count(*) FROM keywords`,
	UsageSavedSearches:  `SELECT count(*) FROM saved_searches`,
}

// Usage returns how much of what (a Usage* name) the tenant uses now.
func (t *TenantTx) Usage(ctx context.Context, what string) (int64, error) {
	q, ok := usageSQL[what]
	if !ok {
		return 0, fmt.Errorf("store: usage of %q: no such measure", what)
	}
	var n int64
	if err := t.tx.QueryRow(ctx, q).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: usage of %s in tenant %d: %w", what, t.tenantID, err)
	}
	return n, nil
}

// TenantLimits returns the limits set for one tenant that differ from the
// defaults, by name.
func (s *Store) TenantLimits(ctx context.Context, tenantID int64) (map[string]int64, error) {
	rows, err := s.q.Query(ctx, `SELECT what, value FROM platform.tenant_limits WHERE tenant_id = $1`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("store: limits of tenant %d: %w", tenantID, err)
	}
	out := map[string]int64{}
	defer rows.Close()
	for rows.Next() {
		var what string
		var v int64
		if err := rows.Scan(&what, &v); err != nil {
			return nil, fmt.Errorf("store: limits of tenant %d: %w", tenantID, err)
		}
		out[what] = v
	}
	return out, rows.Err()
}

// SetTenantLimit sets one of a tenant's limits (value < 0 removes it, so
// the default applies again).
func (s *Store) SetTenantLimit(ctx context.Context, tenantID int64, what string, value int64) error {
	var err error
	if value < 0 {
		_, err = s.q.Exec(ctx, `DELETE FROM platform.tenant_limits WHERE tenant_id = $1 AND what = $2`, tenantID, what)
	} else {
		_, err = s.q.Exec(ctx, `INSERT INTO platform.tenant_limits (tenant_id, what, value) VALUES ($1, $2, $3)
			ON CONFLICT (tenant_id, what) DO UPDATE SET value = EXCLUDED.value`, tenantID, what, value)
	}
	if err != nil {
		return fmt.Errorf("store: set limit %s of tenant %d: %w", what, tenantID, err)
	}
	return nil
}
