package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Roles a member can have in a workspace, from most to least powerful.
const (
	RoleOwner  = "owner"
	RoleEditor = "editor"
	RoleViewer = "viewer"
)

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool { return r == RoleOwner || r == RoleEditor || r == RoleViewer }

// RoleAtLeast reports whether role grants at least what min grants.
func RoleAtLeast(role, min string) bool {
	rank := map[string]int{RoleViewer: 1, RoleEditor: 2, RoleOwner: 3}
	return rank[role] >= rank[min] && rank[min] > 0
}

// ErrLastOwner is returned when a change would leave a workspace without
// an owner.
var ErrLastOwner = errors.New("a workspace needs at least one owner")

// Membership is a user's role in a tenant.
type Membership struct {
	Tenant *Tenant
	User   *User
	Role   string
}

// AddMember gives user a role in tenant (or changes it if already a member).
func (s *Store) AddMember(ctx context.Context, tenantID, userID int64, role string) error {
	_, err := s.q.Exec(ctx, `
		INSERT INTO platform.memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = EXCLUDED.role`, userID, tenantID, role)
	if err != nil {
		return fmt.Errorf("store: add member %d to tenant %d: %w", userID, tenantID, err)
	}
	return nil
}

// Role returns the user's role in the tenant, or ErrNotFound.
func (s *Store) Role(ctx context.Context, tenantID, userID int64) (string, error) {
	var role string
	err := s.q.QueryRow(ctx, `SELECT role FROM platform.memberships WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID).Scan(&role)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: role of user %d in tenant %d: %w", userID, tenantID, err)
	}
	return role, nil
}

// UserTenants lists the active workspaces a user belongs to, with roles.
func (s *Store) UserTenants(ctx context.Context, userID int64) ([]Membership, error) {
	rows, err := s.q.Query(ctx, `
		SELECT m.role, `+prefixed("t.", tenantColumns)+`
		FROM platform.memberships m JOIN platform.tenants t ON t.id = m.tenant_id
		WHERE m.user_id = $1 AND t.status <> 'deleted' ORDER BY t.name, t.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: tenants of user %d: %w", userID, err)
	}
	ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Membership, error) {
		t := &Tenant{}
		var m Membership
		err := r.Scan(append([]any{&m.Role}, t.dest()...)...)
		m.Tenant = t
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: tenants of user %d: %w", userID, err)
	}
	return ms, nil
}

// Members lists a tenant's members, owners first.
func (s *Store) Members(ctx context.Context, tenantID int64) ([]Membership, error) {
	rows, err := s.q.Query(ctx, `
		SELECT m.role, `+prefixed("u.", userColumns)+`
		FROM platform.memberships m JOIN platform.users u ON u.id = m.user_id
		WHERE m.tenant_id = $1
		ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END, lower(u.email)`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("store: members of tenant %d: %w", tenantID, err)
	}
	ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Membership, error) {
		var m Membership
		u, err := scanUser(r, &m.Role)
		m.User = u
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: members of tenant %d: %w", tenantID, err)
	}
	return ms, nil
}

// ChangeRole sets a member's role, refusing to demote the last owner.
func (s *Store) ChangeRole(ctx context.Context, tenantID, userID int64, role string) error {
	return s.changeMember(ctx, tenantID, userID, func(tx pgx.Tx) (int64, error) {
		tag, err := tx.Exec(ctx, `UPDATE platform.memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID, role)
		return tag.RowsAffected(), err
	})
}

// RemoveMember takes a user out of a workspace, refusing to remove the
// last owner.
func (s *Store) RemoveMember(ctx context.Context, tenantID, userID int64) error {
	return s.changeMember(ctx, tenantID, userID, func(tx pgx.Tx) (int64, error) {
		tag, err := tx.Exec(ctx, `DELETE FROM platform.memberships WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID)
		if err == nil {
			_, err = tx.Exec(ctx, `DELETE FROM platform.api_tokens WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID)
		}
		return tag.RowsAffected(), err
	})
}

// changeMember applies change with the tenant's memberships locked and
// checks that an owner remains.
func (s *Store) changeMember(ctx context.Context, tenantID, userID int64, change func(pgx.Tx) (int64, error)) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM platform.tenants WHERE id = $1 FOR UPDATE`, tenantID); err != nil {
			return err
		}
		n, err := change(tx)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		var owners int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM platform.memberships WHERE tenant_id = $1 AND role = 'owner'`, tenantID).Scan(&owners); err != nil {
			return err
		}
		if owners == 0 {
			return ErrLastOwner
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: change member %d of tenant %d: %w", userID, tenantID, err)
	}
	return nil
}

// TenantOwner returns the first owner of the tenant.
func (s *Store) TenantOwner(ctx context.Context, tenantID int64) (*User, error) {
	u, err := scanUser(s.q.QueryRow(ctx, `
		SELECT `+prefixed("u.", userColumns)+` FROM platform.memberships m JOIN platform.users u ON u.id = m.user_id
		WHERE m.tenant_id = $1 AND m.role = 'owner' ORDER BY m.created_at LIMIT 1`, tenantID))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: owner of tenant %d: %w", tenantID, err)
	}
	return u, nil
}
