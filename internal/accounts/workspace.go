package accounts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// MaxLogoSize bounds a workspace logo.
const MaxLogoSize = 512 << 10

// ErrBadLogo refuses a logo that is not a small PNG or JPEG picture.
var ErrBadLogo = problem.Invalid("bad_logo", "Choose a PNG or JPEG picture of at most 512 KB.")

// RenameWorkspace gives t a new display name and, when slug is set and
// differs, a new address (the old one keeps redirecting). It returns the
// workspace as renamed.
func (s *Service) RenameWorkspace(ctx context.Context, t *store.Tenant, name, slug string) (*store.Tenant, error) {
	name, slug = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(slug))
	if err := tenant.CheckName(name); err != nil {
		return nil, err
	}
	newSlug := slug != "" && slug != t.Slug
	if newSlug {
		if err := tenant.ValidateSlug(slug); err != nil {
			return nil, err
		}
	}
	err := s.Store.Tx(ctx, func(st *store.Store) error {
		if err := st.RenameTenant(ctx, t.ID, name); err != nil {
			return err
		}
		if !newSlug {
			return nil
		}
		err := st.RenameTenantSlug(ctx, t.ID, slug)
		if errors.Is(err, store.ErrConflict) {
			return tenant.Taken(slug).Wrap(err)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("accounts: rename workspace %s: %w", t.Slug, err)
	}
	out := *t
	out.Name = name
	if newSlug {
		out.Slug = slug
	}
	return &out, nil
}

// SetLogo stores the picture read from r (at most MaxLogoSize bytes, PNG
// or JPEG) as t's logo.
func (s *Service) SetLogo(ctx context.Context, tenantID int64, r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, MaxLogoSize+1))
	if err != nil {
		return ErrBadLogo.Wrap(err)
	}
	ctype := http.DetectContentType(b)
	if len(b) > MaxLogoSize || (ctype != "image/png" && ctype != "image/jpeg") {
		return ErrBadLogo
	}
	if err := s.Store.SetTenantLogo(ctx, tenantID, b, ctype); err != nil {
		return fmt.Errorf("accounts: logo of tenant %d: %w", tenantID, err)
	}
	return nil
}

// ChangeRole gives a member another role; the last owner stays owner.
func (s *Service) ChangeRole(ctx context.Context, tenantID, userID int64, role string) error {
	if !store.ValidRole(role) {
		return ErrBadRole
	}
	return memberChange(s.Store.ChangeRole(ctx, tenantID, userID, role))
}

// RemoveMember takes a member out of the workspace (and their tokens for
// it); the last owner cannot go.
func (s *Service) RemoveMember(ctx context.Context, tenantID, userID int64) error {
	return memberChange(s.Store.RemoveMember(ctx, tenantID, userID))
}

func memberChange(err error) error {
	if errors.Is(err, store.ErrLastOwner) {
		return ErrLastOwner.Wrap(err)
	}
	return err
}

// RevokeInvitation cancels an open invitation; one already closed is left
// as it is.
func (s *Service) RevokeInvitation(ctx context.Context, tenantID, id int64) error {
	if err := s.Store.RevokeInvitation(ctx, tenantID, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// Invitation returns the open invitation of token and its workspace, or
// ErrInvitationUsed.
func (s *Service) Invitation(ctx context.Context, token string) (*store.Invitation, *store.Tenant, error) {
	inv, err := s.Store.InvitationByHash(ctx, auth.HashToken(token))
	if err != nil {
		return nil, nil, linkUsed(err, ErrInvitationUsed.Message)
	}
	t, err := s.Store.TenantByID(ctx, inv.TenantID)
	if err != nil {
		return nil, nil, err
	}
	return inv, t, nil
}

// ErrBadAddress refuses an address too long to be one.
var ErrBadAddress = problem.Invalid("bad_address", "An address can be up to 6 lines and 400 characters.")

// CheckAddress returns a postal address cleaned of blank space at the ends
// of its lines, or ErrBadAddress.
func CheckAddress(address string) (string, error) {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(address, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	out := strings.Join(lines, "\n")
	if len(lines) > 6 || len(out) > 400 {
		return "", ErrBadAddress
	}
	return out, nil
}

// SetAddress keeps workspace tenantID's postal address (empty clears it).
func (s *Service) SetAddress(ctx context.Context, tenantID int64, address string) error {
	address, err := CheckAddress(address)
	if err != nil {
		return err
	}
	if err := s.Store.SetTenantAddress(ctx, tenantID, address); err != nil {
		return fmt.Errorf("accounts: address of tenant %d: %w", tenantID, err)
	}
	return nil
}

// Invitations are bound to the address they were sent to: only an account
// with that address may accept one, and following the link proves the
// address (it was sent there).

// ErrInvitationForOther refuses an invitation to an account with another
// address; the invitation stays open.
var ErrInvitationForOther = problem.Forbidden("invitation_other_email", "This invitation was sent to another email address.")

// ErrInvitedHasAccount is a sign-up from an invitation whose address
// already has an account.
var ErrInvitedHasAccount = problem.Conflict("invited_has_account", "You already have an account with this address: sign in to accept the invitation.")

// AcceptInvitation joins u to the invitation's workspace when u's address
// is the one invited (which accepting also proves); otherwise the
// invitation stays open and ErrInvitationForOther says why.
func (s *Service) AcceptInvitation(ctx context.Context, token string, u *store.User) (*store.Tenant, error) {
	inv, err := s.Store.InvitationByHash(ctx, auth.HashToken(token))
	if err != nil {
		return nil, linkUsed(err, ErrInvitationUsed.Message)
	}
	if !strings.EqualFold(inv.Email, u.Email) {
		return nil, ErrInvitationForOther.Reword(fmt.Sprintf("This invitation was sent to %s, but you are signed in as %s. "+
			"Sign out and sign in (or create an account) with %s, or ask the owner to invite %s.", inv.Email, u.Email, inv.Email, u.Email))
	}
	if inv, err = s.Store.AcceptInvitation(ctx, auth.HashToken(token), u.ID); err != nil {
		return nil, linkUsed(err, ErrInvitationUsed.Message)
	}
	if !u.Verified() {
		if err := s.Store.MarkEmailVerified(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return s.Store.TenantByID(ctx, inv.TenantID)
}

// SignUpInvited creates the invited person's account from an invitation,
// in one step: its address is the one invited (following the link proved
// it, so the account is confirmed), and it joins the workspace at once.
// It returns the account and the workspace.
func (s *Service) SignUpInvited(ctx context.Context, token, name, password, ip string) (*store.User, *store.Tenant, error) {
	if ok, wait := s.signupPerIP.Allow(ip); !ok {
		return nil, nil, rateLimited(wait)
	}
	inv, t, err := s.Invitation(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	email, name, hash, err := newAccount(inv.Email, name, password)
	if err != nil {
		return nil, nil, err
	}
	var u *store.User
	err = s.Store.Tx(ctx, func(st *store.Store) error {
		var err error
		if u, err = st.CreateUser(ctx, email, name, &hash, true); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return ErrInvitedHasAccount.Reword("You already have an account with " + inv.Email + ": sign in to accept the invitation.").Wrap(err)
			}
			return err
		}
		_, err = st.AcceptInvitation(ctx, auth.HashToken(token), u.ID)
		return linkUsed(err, ErrInvitationUsed.Message)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("accounts: sign up from an invitation to %s: %w", t.Slug, err)
	}
	return u, t, nil
}
