package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/db"
)

// The SQL of deleting a workspace or an account (internal/backup).

// ScheduleTenantDeletion pauses a workspace at once and marks it to be
// purged after at, remembering who asked and its status before.
func (s *Store) ScheduleTenantDeletion(ctx context.Context, id, by int64, at time.Time) error {
	var who *int64
	if by != 0 {
		who = &by
	}
	tag, err := s.q.Exec(ctx, `UPDATE platform.tenants SET
		status_before_delete = CASE WHEN delete_after IS NULL THEN status ELSE status_before_delete END,
		status = 'suspended', delete_after = $2, delete_requested_by = $3
		WHERE id = $1 AND status <> 'deleted'`, id, at, who)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: schedule deletion of tenant %d: %w", id, err)
	}
	return nil
}

// CancelTenantDeletion takes a workspace out of its pending deletion,
// back to the status it had.
func (s *Store) CancelTenantDeletion(ctx context.Context, id int64) error {
	tag, err := s.q.Exec(ctx, `UPDATE platform.tenants SET status = coalesce(nullif(status_before_delete, ''), 'active'),
		status_before_delete = '', delete_after = NULL, delete_requested_by = NULL
		WHERE id = $1 AND delete_after IS NOT NULL AND status <> 'deleted'`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: cancel deletion of tenant %d: %w", id, err)
	}
	return nil
}

// KeepOnPurge are the platform tables with a tenant_id whose rows a
// workspace's purge keeps: the audit log keeps that it happened.
var KeepOnPurge = []string{"audit_log", "tenants"}

// PurgeTenant deletes workspace id for good, in one transaction: its
// schema and every platform row of it (share links, members, tokens,
// invitations, backups' records... every platform table with a tenant_id
// but KeepOnPurge); its row stays, marked deleted, its address freed
// ("deleted-<id>") and its name, settings and logo cleared, so the audit
// log still names what was deleted. Its stored files are the caller's.
func (s *Store) PurgeTenant(ctx context.Context, id int64, audit *AuditEntry) error {
	schema := db.TenantSchema(id)
	if !db.ValidSchema(schema) {
		return fmt.Errorf("store: purge tenant %d: %w", id, db.ErrBadSchema)
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM platform.tenants WHERE id = $1 FOR UPDATE`, id); err != nil {
			return fmt.Errorf("store: purge tenant %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			return fmt.Errorf("store: drop schema %s: %w", schema, err)
		}
		rows, err := tx.Query(ctx, `SELECT table_name FROM information_schema.columns
			WHERE table_schema = 'platform' AND column_name = 'tenant_id' ORDER BY table_name`)
		if err != nil {
			return fmt.Errorf("store: tables of tenant %d: %w", id, err)
		}
		tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("store: tables of tenant %d: %w", id, err)
		}
		for _, t := range tables {
			if slices.Contains(KeepOnPurge, t) {
				continue
			}
			if _, err := tx.Exec(ctx, `DELETE FROM platform.`+pgx.Identifier{t}.Sanitize()+` WHERE tenant_id = $1`, id); err != nil {
				return fmt.Errorf("store: purge %s of tenant %d: %w", t, id, err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM platform.tenant_slug_history WHERE tenant_id = $1`, id); err != nil {
			return fmt.Errorf("store: purge old addresses of tenant %d: %w", id, err)
		}
		_, err = tx.Exec(ctx, `UPDATE platform.tenants SET status = 'deleted', slug = 'deleted-' || id, name = 'Deleted workspace',
			settings = '{}', logo = NULL, logo_type = NULL, delete_after = NULL, backup_bytes = 0 WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("store: mark tenant %d deleted: %w", id, err)
		}
		return (&Store{db: s.db, q: tx}).Audit(ctx, audit)
	})
}

// SoleOwnerTenants lists the workspaces (not deleted) where userID is the
// only owner.
func (s *Store) SoleOwnerTenants(ctx context.Context, userID int64) ([]*Tenant, error) {
	rows, err := s.q.Query(ctx, `SELECT `+prefixed("t.", tenantColumns)+` FROM platform.tenants t
		JOIN platform.memberships m ON m.tenant_id = t.id AND m.user_id = $1 AND m.role = 'owner'
		WHERE t.status <> 'deleted' AND NOT EXISTS (SELECT 1 FROM platform.memberships o
			WHERE o.tenant_id = t.id AND o.role = 'owner' AND o.user_id <> $1)
		ORDER BY t.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: workspaces user %d alone owns: %w", userID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Tenant, error) { return scanTenant(r) })
	if err != nil {
		return nil, fmt.Errorf("store: workspaces user %d alone owns: %w", userID, err)
	}
	return out, nil
}

// SetUserDeletion marks an account to be deleted after at (nil cancels).
func (s *Store) SetUserDeletion(ctx context.Context, userID int64, at *time.Time) error {
	if _, err := s.q.Exec(ctx, `UPDATE platform.users SET delete_after = $2 WHERE id = $1`, userID, at); err != nil {
		return fmt.Errorf("store: schedule deletion of user %d: %w", userID, err)
	}
	return nil
}

// UserDeleteAfter returns when an account is to be deleted (nil: never).
func (s *Store) UserDeleteAfter(ctx context.Context, userID int64) (*time.Time, error) {
	var at *time.Time
	if err := s.q.QueryRow(ctx, `SELECT delete_after FROM platform.users WHERE id = $1`, userID).Scan(&at); err != nil {
		return nil, fmt.Errorf("store: user %d: %w", userID, notFound(err))
	}
	return at, nil
}

// DueUserDeletions returns the accounts whose deletion is due at now.
func (s *Store) DueUserDeletions(ctx context.Context, now time.Time) ([]int64, error) {
	rows, err := s.q.Query(ctx, `SELECT id FROM platform.users WHERE delete_after < $1 ORDER BY id LIMIT 1000`, now)
	if err != nil {
		return nil, fmt.Errorf("store: accounts to delete: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: accounts to delete: %w", err)
	}
	return out, nil
}

// DeleteUser deletes an account (its sessions, tokens, memberships and
// sign-in identities go with it; the audit log keeps its entries).
func (s *Store) DeleteUser(ctx context.Context, userID int64) error {
	if _, err := s.q.Exec(ctx, `DELETE FROM platform.users WHERE id = $1`, userID); err != nil {
		return fmt.Errorf("store: delete user %d: %w", userID, err)
	}
	return nil
}
