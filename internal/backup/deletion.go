package backup

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// Deleting a workspace or an account: paused at once, purged after a
// grace period in which it can be cancelled, its owners mailed an export
// of everything first.

// Actor is who asks: a person, or a platform admin (acting as someone
// while impersonating), from an address, for the audit log.
type Actor struct {
	UserID int64
	// As is the person an admin acts as while impersonating (0: none).
	As int64
	// Admin is set when a platform admin acts as themself.
	Admin bool
	IP    string
}

func (a Actor) audit(tenantID int64, action string, detail map[string]any) *store.AuditEntry {
	e := &store.AuditEntry{Action: action, Detail: detail, IP: a.IP}
	if a.UserID != 0 {
		e.ActorID = &a.UserID
	}
	if a.As != 0 {
		e.AsUserID = &a.As
	}
	if tenantID != 0 {
		e.TenantID = &tenantID
	}
	return e
}

// Problems of deletions.
var (
	ErrWrongName   = problem.Invalid("wrong_name", "Type the workspace's name exactly as it is shown to confirm.")
	ErrWrongEmail  = problem.Invalid("wrong_email", "Type your email address exactly to confirm.")
	ErrNotDeleting = problem.Conflict("not_deleting", "This workspace is not waiting to be deleted.")
)

// RequestDeletion schedules workspace t's deletion, confirmed by typing
// its name: the workspace is paused at once, a snapshot and an export of
// everything are made, and its owners are mailed the date and a link to
// download the export or cancel; it is purged DeleteGraceDays later.
func (s *Service) RequestDeletion(ctx context.Context, t *store.Tenant, by Actor, typed string) (time.Time, error) {
	if !strings.EqualFold(strings.Join(strings.Fields(typed), " "), strings.Join(strings.Fields(t.Name), " ")) {
		return time.Time{}, ErrWrongName
	}
	return s.scheduleDeletion(ctx, t, by, "")
}

func (s *Service) scheduleDeletion(ctx context.Context, t *store.Tenant, by Actor, why string) (time.Time, error) {
	when := s.now().Add(DeleteGraceDays * 24 * time.Hour)
	if err := s.Store.ScheduleTenantDeletion(ctx, t.ID, by.UserID, when); err != nil {
		return time.Time{}, err
	}
	detail := map[string]any{"slug": t.Slug, "name": t.Name, "delete_after": when}
	if why != "" {
		detail["why"] = why
	}
	if err := s.Store.Audit(ctx, by.audit(t.ID, "workspace deletion requested", detail)); err != nil {
		return time.Time{}, err
	}
	if _, err := s.Snapshot(ctx, t.ID, store.SnapshotBeforeDelete); err != nil {
		s.log().Error("backup: snapshot before deletion", "tenant", t.ID, "err", err)
	}
	if s.Queue != nil {
		if _, err := s.StartExport(ctx, t.ID, by.UserID, ""); err != nil {
			s.log().Error("backup: export before deletion", "tenant", t.ID, "err", err)
		}
	}
	members, err := s.Store.Members(ctx, t.ID)
	if err != nil {
		return when, err
	}
	for _, m := range members {
		if m.Role == store.RoleOwner && m.User != nil {
			s.send(ctx, m.User.Email, mail.DeletionData{Name: m.User.DisplayName, Workspace: t.Name,
				When: when.Local().Format("Monday 2 January 2006"), Link: s.BaseURL + tenant.Path(t.Slug, "settings", "danger")})
		}
	}
	return when, nil
}

// CancelDeletion takes workspace tenantID out of its pending deletion.
func (s *Service) CancelDeletion(ctx context.Context, tenantID int64, by Actor) error {
	t, err := s.Store.TenantByID(ctx, tenantID)
	if err != nil {
		return err
	}
	if t.DeleteAfter == nil {
		return ErrNotDeleting
	}
	if err := s.Store.CancelTenantDeletion(ctx, tenantID); err != nil {
		return err
	}
	return s.Store.Audit(ctx, by.audit(tenantID, "workspace deletion cancelled", map[string]any{"slug": t.Slug}))
}

// PurgeWorkspace deletes workspace tenantID for good once its grace
// period is over: its rows (the schema), its platform rows, then its
// stored files, snapshots and exports. The audit log keeps that it
// happened. Run again after a crash, it finishes what is left.
func (s *Service) PurgeWorkspace(ctx context.Context, tenantID int64) error {
	t, err := s.Store.TenantByID(ctx, tenantID)
	if err != nil {
		return err
	}
	if t.Status != store.TenantDeleted {
		if t.DeleteAfter == nil || s.now().Before(*t.DeleteAfter) {
			return nil // cancelled, or not yet
		}
		audit := Actor{}.audit(tenantID, "workspace deleted", map[string]any{"slug": t.Slug, "name": t.Name})
		if err := s.Store.PurgeTenant(ctx, tenantID, audit); err != nil {
			return err
		}
	}
	if err := s.Blobs.DeletePrefix(ctx, blob.Key(tenantID)); err != nil {
		return fmt.Errorf("backup: delete the files of tenant %d: %w", tenantID, err)
	}
	s.log().Info("backup: workspace deleted", "tenant", tenantID, "slug", t.Slug)
	return nil
}

// RequestAccountDeletion schedules the deletion of userID's account,
// confirmed by typing its address, with every workspace the person alone
// owns (each as RequestDeletion does); the account goes after the same
// grace period. It returns when.
func (s *Service) RequestAccountDeletion(ctx context.Context, u *store.User, by Actor, typed string) (time.Time, error) {
	if !strings.EqualFold(strings.TrimSpace(typed), u.Email) {
		return time.Time{}, ErrWrongEmail
	}
	owned, err := s.Store.SoleOwnerTenants(ctx, u.ID)
	if err != nil {
		return time.Time{}, err
	}
	when := s.now().Add(DeleteGraceDays * 24 * time.Hour)
	if err := s.Store.SetUserDeletion(ctx, u.ID, &when); err != nil {
		return time.Time{}, err
	}
	if err := s.Store.Audit(ctx, by.audit(0, "account deletion requested", map[string]any{"email": u.Email, "delete_after": when})); err != nil {
		return time.Time{}, err
	}
	for _, t := range owned {
		if t.DeleteAfter != nil {
			continue
		}
		if _, err := s.scheduleDeletion(ctx, t, by, "its only owner deletes their account"); err != nil {
			return when, err
		}
	}
	return when, nil
}

// CancelAccountDeletion keeps userID's account, and the workspaces its
// deletion was taking with it.
func (s *Service) CancelAccountDeletion(ctx context.Context, u *store.User, by Actor) error {
	if err := s.Store.SetUserDeletion(ctx, u.ID, nil); err != nil {
		return err
	}
	owned, err := s.Store.SoleOwnerTenants(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, t := range owned {
		if t.DeleteAfter != nil {
			if err := s.CancelDeletion(ctx, t.ID, by); err != nil {
				return err
			}
		}
	}
	return s.Store.Audit(ctx, by.audit(0, "account deletion cancelled", map[string]any{"email": u.Email}))
}

// purgeAccounts deletes the accounts whose time has come, once the
// workspaces they alone owned are purged.
func (s *Service) purgeAccounts(ctx context.Context) error {
	ids, err := s.Store.DueUserDeletions(ctx, s.now())
	if err != nil {
		return err
	}
	for _, id := range ids {
		owned, err := s.Store.SoleOwnerTenants(ctx, id)
		if err != nil {
			return err
		}
		if len(owned) > 0 {
			continue // their purge comes first (the tick queued it)
		}
		u, err := s.Store.UserByID(ctx, id)
		if err != nil {
			return err
		}
		if err := s.Store.DeleteUser(ctx, id); err != nil {
			return err
		}
		if err := s.Store.Audit(ctx, Actor{}.audit(0, "account deleted", map[string]any{"email": u.Email})); err != nil {
			return err
		}
	}
	return nil
}
