package library

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// The rules of the keywords page: renaming, merging, deleting and
// grouping keywords, and each person's pins.

// Problems of managing keywords.
var (
	ErrKeywordGone  = problem.NotFound("keyword_gone", "That keyword is no longer there.")
	ErrNoKeyword    = problem.Invalid("no_keyword", "Type the new name of the keyword.")
	ErrBadGroupName = problem.Invalid("bad_group_name", "Give the group a name of up to 60 letters, such as Animals or Holidays.")
	ErrGroupTaken   = problem.Conflict("group_taken", "There is already a group of that name.")
)

// keywordGone turns "not there" (and merging a keyword into itself) into
// ErrKeywordGone.
func keywordGone(err error) error {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return ErrKeywordGone.Wrap(err)
	}
	return err
}

// RenameKeyword renames keyword id; a name another keyword has merges the
// two (undoably: the activity id is returned, 0 for a plain rename). It
// returns the name as stored.
func (s *Service) RenameKeyword(ctx context.Context, tenantID, userID, id int64, name string) (string, int64, error) {
	name = store.NormalizeKeyword(name)
	if name == "" {
		return "", 0, ErrNoKeyword
	}
	var act int64
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		act, err = tx.RenameKeyword(ctx, userID, id, name)
		return err
	})
	return name, act, keywordGone(err)
}

// MergeKeywords folds keyword from into keyword into (undoably) and returns
// the activity id.
func (s *Service) MergeKeywords(ctx context.Context, tenantID, userID, from, into int64) (int64, error) {
	var act int64
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		act, err = tx.MergeKeywords(ctx, userID, from, into)
		return err
	})
	return act, keywordGone(err)
}

// DeleteKeyword takes keyword id off every design.
func (s *Service) DeleteKeyword(ctx context.Context, tenantID, id int64) error {
	return keywordGone(s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.DeleteKeyword(ctx, id) }))
}

// GroupKeyword puts keyword id into group (in) or takes it out of groups
// (every one of them, for the "no group" choice).
func (s *Service) GroupKeyword(ctx context.Context, tenantID, id int64, in bool, groups ...int64) error {
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		for _, g := range groups {
			if err := tx.SetKeywordGroup(ctx, id, g, in); err != nil {
				return err
			}
		}
		return nil
	})
	return keywordGone(err)
}

// CreateGroup makes a keyword group of name (1 to 60 characters, not one
// already used).
func (s *Service) CreateGroup(ctx context.Context, tenantID int64, name string) (*store.KeywordGroup, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 60 {
		return nil, ErrBadGroupName
	}
	var g *store.KeywordGroup
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		g, err = tx.CreateKeywordGroup(ctx, name)
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, ErrGroupTaken.Reword("There is already a group called “" + name + "”.").Wrap(err)
	}
	return g, err
}

// DeleteGroup removes a keyword group; its keywords stay.
func (s *Service) DeleteGroup(ctx context.Context, tenantID, id int64) error {
	return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.DeleteKeywordGroup(ctx, id) })
}

// PinKeyword pins keyword id to userID's library page, or unpins it.
func (s *Service) PinKeyword(ctx context.Context, tenantID, userID, id int64, pin bool) error {
	return keywordGone(s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		return tx.SetKeywordPinned(ctx, userID, id, pin)
	}))
}
