package library

import (
	"context"
	"errors"
	"fmt"
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
	if _, ok := problem.As(err); ok {
		return err
	}
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

// ErrNoSuchKeyword is a merge into a keyword name the workspace does not
// have.
var ErrNoSuchKeyword = problem.Invalid("no_such_keyword", "There is no keyword of that name: type the name of a keyword you have (search for it above), or rename this one instead.")

// MergeKeywordInto folds keyword from into the keyword named intoName
// (undoably) and returns the activity id and the name merged into.
func (s *Service) MergeKeywordInto(ctx context.Context, tenantID, userID, from int64, intoName string) (int64, string, error) {
	intoName = store.NormalizeKeyword(intoName)
	if intoName == "" {
		return 0, "", ErrNoKeyword.Reword("Type the keyword to merge into.")
	}
	var act int64
	var into *store.Keyword
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if into, err = tx.KeywordByName(ctx, intoName); errors.Is(err, store.ErrNotFound) {
			return ErrNoSuchKeyword.Reword("There is no keyword called “" + intoName + "”: type the name of a keyword you have, or rename this one instead.").Wrap(err)
		} else if err != nil {
			return err
		}
		act, err = tx.MergeKeywords(ctx, userID, from, into.ID)
		return err
	})
	if err != nil {
		return 0, "", keywordGone(err)
	}
	return act, into.Name, nil
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

// ErrNoSuchGroup is a keyword group name the workspace does not have.
var ErrNoSuchGroup = problem.Invalid("no_such_group", "There is no group of that name: make it under Groups first, or choose one of the list.")

// GroupKeywordByName puts keyword id into the group named name (any
// case).
func (s *Service) GroupKeywordByName(ctx context.Context, tenantID, id int64, name string) error {
	name = strings.TrimSpace(name)
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		groups, err := tx.KeywordGroups(ctx)
		if err != nil {
			return err
		}
		for _, g := range groups {
			if strings.EqualFold(g.Name, name) {
				return tx.SetKeywordGroup(ctx, id, g.ID, true)
			}
		}
		return ErrNoSuchGroup.Reword("There is no group called “" + name + "”: make it under Groups first, or choose one of the list.")
	})
	return keywordGone(err)
}

// MaxGroups is the most keyword groups a workspace has (the keywords
// page offers each once, for every row).
const MaxGroups = 100

// ErrTooManyGroups refuses a group past MaxGroups.
var ErrTooManyGroups = problem.Invalid("too_many_groups", fmt.Sprintf("A workspace has at most %d keyword groups: remove one you do not use first.", MaxGroups))

// CreateGroup makes a keyword group of name (1 to 60 characters, not one
// already used), up to MaxGroups.
func (s *Service) CreateGroup(ctx context.Context, tenantID int64, name string) (*store.KeywordGroup, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 60 {
		return nil, ErrBadGroupName
	}
	var g *store.KeywordGroup
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		groups, err := tx.KeywordGroups(ctx)
		if err != nil {
			return err
		}
		if len(groups) >= MaxGroups {
			return ErrTooManyGroups
		}
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
