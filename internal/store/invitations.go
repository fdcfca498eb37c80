package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Invitation asks someone to join a workspace with a role.
type Invitation struct {
	ID        int64
	TenantID  int64
	Email     string
	Role      string
	InvitedBy *int64
	// SupportSession, when set, is the hash of the support view it was
	// made in: it works only while that view lasts.
	SupportSession []byte
	ExpiresAt      time.Time
	AcceptedAt     *time.Time
	CreatedAt      time.Time
}

const invitationColumns = "id, tenant_id, email, role, invited_by, expires_at, accepted_at, created_at"

func scanInvitation(row pgx.Row) (*Invitation, error) {
	i := &Invitation{}
	err := row.Scan(&i.ID, &i.TenantID, &i.Email, &i.Role, &i.InvitedBy, &i.ExpiresAt, &i.AcceptedAt, &i.CreatedAt)
	return i, err
}

// CreateInvitation stores an invitation under the hash of its token.
func (s *Store) CreateInvitation(ctx context.Context, inv *Invitation, hash []byte) (*Invitation, error) {
	out, err := scanInvitation(s.q.QueryRow(ctx, `
		INSERT INTO platform.invitations (tenant_id, email, role, token_hash, invited_by, expires_at, support_session)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+invitationColumns,
		inv.TenantID, NormalizeEmail(inv.Email), inv.Role, hash, inv.InvitedBy, inv.ExpiresAt, inv.SupportSession))
	if err != nil {
		return nil, fmt.Errorf("store: invite %q to tenant %d: %w", inv.Email, inv.TenantID, err)
	}
	return out, nil
}

// InvitationByHash returns an open invitation: not accepted, not revoked,
// not expired. Anything else is ErrTokenUsed.
func (s *Store) InvitationByHash(ctx context.Context, hash []byte) (*Invitation, error) {
	inv, err := scanInvitation(s.q.QueryRow(ctx, `
		SELECT `+invitationColumns+` FROM platform.invitations
		WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() AND `+supportAlive, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrTokenUsed
	}
	if err != nil {
		return nil, fmt.Errorf("store: invitation: %w", err)
	}
	return inv, nil
}

// AcceptInvitation makes user a member with the invitation's role and
// closes the invitation, once, in one transaction.
func (s *Store) AcceptInvitation(ctx context.Context, hash []byte, userID int64) (*Invitation, error) {
	var inv *Invitation
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		inv, err = scanInvitation(tx.QueryRow(ctx, `
			UPDATE platform.invitations SET accepted_at = now()
			WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() AND `+supportAlive+`
			RETURNING `+invitationColumns, hash))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrTokenUsed
		}
		if err != nil {
			return err
		}
		// Joining never lowers a role the user already has.
		_, err = tx.Exec(ctx, `
			INSERT INTO platform.memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = CASE
				WHEN platform.memberships.role = 'owner' OR EXCLUDED.role = 'owner' THEN 'owner'
				WHEN platform.memberships.role = 'editor' OR EXCLUDED.role = 'editor' THEN 'editor'
				ELSE 'viewer' END`, userID, inv.TenantID, inv.Role)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: accept invitation: %w", err)
	}
	return inv, nil
}

// PendingInvitations lists a tenant's open invitations.
func (s *Store) PendingInvitations(ctx context.Context, tenantID int64) ([]*Invitation, error) {
	rows, err := s.q.Query(ctx, `
		SELECT `+invitationColumns+` FROM platform.invitations
		WHERE tenant_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() AND `+supportAlive+`
		ORDER BY created_at DESC`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("store: invitations of tenant %d: %w", tenantID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Invitation, error) { return scanInvitation(r) })
	if err != nil {
		return nil, fmt.Errorf("store: invitations of tenant %d: %w", tenantID, err)
	}
	return out, nil
}

// RevokeInvitation cancels an open invitation of the tenant.
func (s *Store) RevokeInvitation(ctx context.Context, tenantID, id int64) error {
	return s.execOne(ctx, "revoke invitation", `
		UPDATE platform.invitations SET revoked_at = now()
		WHERE id = $1 AND tenant_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL`, id, tenantID)
}
