package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// The person's own account page: name, password, sessions, API tokens.

// SetName changes userID's display name (1 to 100 characters).
func (s *Service) SetName(ctx context.Context, userID int64, name string) error {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return ErrBadName
	}
	return s.Store.SetDisplayName(ctx, userID, name)
}

// ChangePasswordElsewhere changes the password of v's user (see
// ChangePassword) and signs out every other session of theirs.
func (s *Service) ChangePasswordElsewhere(ctx context.Context, v *Visitor, current, next string) error {
	if err := NotSupporting(v); err != nil {
		return err
	}
	if err := s.ChangePassword(ctx, v.User, current, next); err != nil {
		return err
	}
	return s.SignOutEverywhere(ctx, v.User.ID, v.Session.Hash)
}

// ErrNotYourWorkspace is a token asked for a workspace the person is not
// a member of.
var ErrNotYourWorkspace = problem.Invalid("not_your_workspace", "Choose one of your workspaces.")

// CreateAPITokenIn is CreateAPIToken for v's user in the workspace of
// address slug; never during a support view.
func (s *Service) CreateAPITokenIn(ctx context.Context, v *Visitor, slug, name string) (string, *store.APIToken, error) {
	if err := NotSupporting(v); err != nil {
		return "", nil, err
	}
	u := v.User
	t, err := s.Store.TenantBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, ErrNotYourWorkspace.Wrap(err)
	}
	if err != nil {
		return "", nil, err
	}
	token, at, err := s.CreateAPIToken(ctx, u, t, name)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, ErrNotYourWorkspace.Wrap(err)
	}
	return token, at, err
}

// RevokeAPIToken turns off one of userID's API tokens.
func (s *Service) RevokeAPIToken(ctx context.Context, userID, id int64) error {
	if err := s.Store.RevokeAPIToken(ctx, userID, id); err != nil {
		return fmt.Errorf("accounts: revoke token %d: %w", id, err)
	}
	return nil
}
