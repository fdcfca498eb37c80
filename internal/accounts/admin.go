package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// The platform admin's actions, each audited.

// ErrNoOwner is a workspace with no owner to act as.
var ErrNoOwner = problem.Conflict("no_owner", "That workspace has no owner to act as.")

// Audit records action by v (and the admin acting as them) in tenantID
// (0 for none) from ip.
func (s *Service) Audit(ctx context.Context, v *Visitor, action string, tenantID int64, detail map[string]any, ip string) error {
	e := &store.AuditEntry{Action: action, Detail: detail, IP: ip}
	if tenantID != 0 {
		e.TenantID = &tenantID
	}
	if v != nil {
		e.ActorID, e.AsUserID = v.Actor()
	}
	return s.Store.Audit(ctx, e)
}

// SetTenantStatus pauses (store.TenantSuspended) or resumes
// (store.TenantActive) workspace tenantID; its data is untouched.
func (s *Service) SetTenantStatus(ctx context.Context, admin *Visitor, tenantID int64, status, ip string) (*store.Tenant, error) {
	var t *store.Tenant
	err := s.Store.Tx(ctx, func(st *store.Store) error {
		var err error
		if t, err = st.TenantByID(ctx, tenantID); err != nil {
			return err
		}
		if err := st.SetTenantStatus(ctx, t.ID, status); err != nil {
			return err
		}
		actor, as := admin.Actor()
		return st.Audit(ctx, &store.AuditEntry{ActorID: actor, AsUserID: as, TenantID: &t.ID, Action: "tenant " + status,
			Detail: map[string]any{"slug": t.Slug}, IP: ip})
	})
	if err != nil {
		return nil, fmt.Errorf("accounts: tenant %d %s: %w", tenantID, status, err)
	}
	t.Status = status
	return t, nil
}

// Impersonate starts a support session in which admin acts as the owner
// of workspace tenantID, and audits it. The session reaches that
// workspace only, ends SupportLifetime after it starts (however busy),
// makes no credentials, and what it makes there (share links,
// invitations) is revoked when it ends. It returns the session's token
// and the workspace.
func (s *Service) Impersonate(ctx context.Context, admin *store.User, tenantID int64, c Client) (string, *store.Session, *store.Tenant, error) {
	t, err := s.Store.TenantByID(ctx, tenantID)
	if err != nil {
		return "", nil, nil, err
	}
	owner, err := s.Store.TenantOwner(ctx, t.ID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, nil, ErrNoOwner.Reword(t.Name + " has no owner to act as.").Wrap(err)
	}
	if err != nil {
		return "", nil, nil, err
	}
	token, sess, err := s.startSession(ctx, owner, admin, t.ID, c)
	if err != nil {
		return "", nil, nil, err
	}
	err = s.Store.Audit(ctx, &store.AuditEntry{ActorID: &admin.ID, AsUserID: &owner.ID, TenantID: &t.ID,
		Action: "impersonation started", IP: c.IP})
	if err != nil {
		return "", nil, nil, err
	}
	return token, sess, t, nil
}

// StopImpersonating ends v's support session (audited) and revokes the
// share links and invitations made in it. The admin's own session comes
// back through the token they kept, when it is still valid: its session
// is returned, or nil.
func (s *Service) StopImpersonating(ctx context.Context, v *Visitor, ownToken, ip string) (*store.Session, error) {
	var tenantID int64
	if v.Session.TenantID != nil {
		tenantID = *v.Session.TenantID
	}
	if err := s.Audit(ctx, v, "impersonation stopped", tenantID, nil, ip); err != nil {
		return nil, err
	}
	if err := s.Store.RevokeSupportGrants(ctx, v.Session.Hash); err != nil {
		return nil, err
	}
	if err := s.EndSessionHash(ctx, v.Session.Hash); err != nil {
		return nil, err
	}
	if ownToken == "" {
		return nil, nil
	}
	own, err := s.Visit(ctx, ownToken)
	if errors.Is(err, ErrNoSession) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return own.Session, nil
}
