package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEntry records what a platform admin did, in particular while acting
// as a tenant's user for support.
type AuditEntry struct {
	ID       int64          `json:"id"`
	At       time.Time      `json:"at"`
	ActorID  *int64         `json:"actor_id"`
	AsUserID *int64         `json:"as_user_id"`
	TenantID *int64         `json:"tenant_id"`
	Action   string         `json:"action"`
	Detail   map[string]any `json:"detail"`
	IP       string         `json:"ip"`
	// Filled by AuditLog for display.
	ActorEmail, AsUserEmail, TenantSlug string
}

// Audit appends an entry to the audit log.
func (s *Store) Audit(ctx context.Context, e *AuditEntry) error {
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	_, err := s.q.Exec(ctx, `
		INSERT INTO platform.audit_log (actor_id, as_user_id, tenant_id, action, detail, ip)
		VALUES ($1, $2, $3, $4, $5, $6)`, e.ActorID, e.AsUserID, e.TenantID, e.Action, e.Detail, e.IP)
	if err != nil {
		return fmt.Errorf("store: audit %q: %w", e.Action, err)
	}
	return nil
}

// AuditLog returns the newest entries first, at most limit of them.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]*AuditEntry, error) {
	rows, err := s.q.Query(ctx, `
		SELECT a.id, a.at, a.actor_id, a.as_user_id, a.tenant_id, a.action, a.detail, a.ip,
		       coalesce(u.email, ''), coalesce(v.email, ''), coalesce(t.slug, '')
		FROM platform.audit_log a
		LEFT JOIN platform.users u ON u.id = a.actor_id
		LEFT JOIN platform.users v ON v.id = a.as_user_id
		LEFT JOIN platform.tenants t ON t.id = a.tenant_id
		ORDER BY a.at DESC, a.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*AuditEntry, error) {
		e := &AuditEntry{}
		err := r.Scan(&e.ID, &e.At, &e.ActorID, &e.AsUserID, &e.TenantID, &e.Action, &e.Detail, &e.IP, &e.ActorEmail, &e.AsUserEmail, &e.TenantSlug)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	return out, nil
}
