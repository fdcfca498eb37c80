package library

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/patternvault/patternvault/internal/designtype"
	"github.com/patternvault/patternvault/internal/limits"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// The rules of changing designs: what the web pages and the API both do,
// each in one transaction.

// Problems of editing designs.
var (
	ErrBadName      = problem.Invalid("bad_name", "A design needs a name of up to 300 characters.")
	ErrNoKeywords   = problem.Invalid("no_keywords", "Type the keywords, separated by commas.")
	ErrNothingTaken = problem.Invalid("nothing_selected", "Tick one or more designs first.")
	ErrGone         = problem.NotFound("designs_gone", "Those designs are no longer in the library.")
	ErrUndone       = problem.Conflict("already_undone", "That was already undone.")
	// ErrTooManyKeywords caps the keywords of one change and of one design.
	ErrTooManyKeywords = problem.Invalid("too_many_keywords", fmt.Sprintf("A design carries at most %d keywords, and one change adds at most %d.",
		limits.KeywordsPerDesign, limits.KeywordsPerRequest))
)

// keywordsFit checks a change's keywords against the per-request cap
// and, inside tx, the workspace's keyword limit (set: its limits).
func (s *Service) keywordsFit(ctx context.Context, tx *store.TenantTx, set limits.Set, words []string, perRequest int) error {
	if len(words) > perRequest {
		return ErrTooManyKeywords.Reword(fmt.Sprintf("That is %d keywords at once; one change adds at most %d.", len(words), perRequest))
	}
	fresh, err := tx.NewKeywords(ctx, words)
	if err != nil || fresh == 0 {
		return err
	}
	if s.Quotas == nil {
		return nil
	}
	return s.Quotas.CheckTx(ctx, tx, set, limits.Keywords, fresh)
}

// tooManyKeywords turns the store's "over the cap of one design" into
// ErrTooManyKeywords.
func tooManyKeywords(err error) error {
	if errors.Is(err, store.ErrTooManyKeywords) {
		return ErrTooManyKeywords.Reword(fmt.Sprintf("A design carries at most %d keywords: remove some first.", limits.KeywordsPerDesign)).Wrap(err)
	}
	return err
}

// limitsOf returns tenantID's limits (nil when no Checker is set).
func (s *Service) limitsOf(ctx context.Context, tenantID int64) (limits.Set, error) {
	if s.Quotas == nil {
		return nil, nil
	}
	return s.Quotas.Limits(ctx, tenantID)
}

// MaxNameLen is the longest name of a design, in characters.
const MaxNameLen = 300

// Pattern returns design id of the tenant, with whether userID marked it
// a favourite.
func (s *Service) Pattern(ctx context.Context, tenantID, id, userID int64) (*store.Pattern, error) {
	var p *store.Pattern
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		p, err = tx.Pattern(ctx, id, userID)
		return err
	})
	return p, err
}

// Edit is a change to a design; nil fields stay as they are. Type is a
// type code or word, as SetType takes it.
type Edit struct {
	Name, Designer, DesignerURL, Notes, Source, Type *string
	// Keywords, when set, replace the design's keywords.
	Keywords *[]string
}

// EditPattern applies an edit to design id and returns it as saved. A
// name must have 1 to MaxNameLen characters; keywords are tidied
// (NormalizeKeywords).
func (s *Service) EditPattern(ctx context.Context, tenantID, id int64, e Edit) (*store.Pattern, error) {
	if e.Name != nil {
		name := strings.TrimSpace(*e.Name)
		if name == "" || utf8.RuneCountInString(name) > MaxNameLen {
			return nil, ErrBadName
		}
		e.Name = &name
	}
	var typ string
	if e.Type != nil {
		var ok bool
		if typ, ok = designtype.Parse(*e.Type); !ok {
			return nil, ErrBadType.Wrap(fmt.Errorf("type %q", *e.Type))
		}
	}
	var set limits.Set
	if e.Keywords != nil {
		words := NormalizeKeywords(*e.Keywords)
		e.Keywords = &words
		var err error
		if set, err = s.limitsOf(ctx, tenantID); err != nil {
			return nil, err
		}
	}
	var p *store.Pattern
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		if e.Keywords != nil {
			if err := s.keywordsFit(ctx, tx, set, *e.Keywords, limits.KeywordsPerDesign); err != nil {
				return err
			}
		}
		if e.Type != nil {
			if _, err := tx.SetPatternType(ctx, []int64{id}, typ); err != nil {
				return err
			}
		}
		var err error
		p, err = tx.UpdatePattern(ctx, id, store.PatternEdit{Name: e.Name, Designer: e.Designer, DesignerURL: e.DesignerURL,
			Notes: e.Notes, Source: e.Source})
		if err != nil || e.Keywords == nil {
			return err
		}
		if err := tx.SetKeywords(ctx, id, *e.Keywords); err != nil {
			return tooManyKeywords(err)
		}
		p, err = tx.Pattern(ctx, id, 0)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("library: edit pattern %d: %w", id, err)
	}
	return p, nil
}

// NormalizeKeywords tidies keywords (see store.NormalizeKeyword) and drops
// the empty ones.
func NormalizeKeywords(words []string) []string {
	out := []string{}
	for _, k := range words {
		if k = store.NormalizeKeyword(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// SplitKeywords splits "feather, swirl" into tidy keywords.
func SplitKeywords(s string) []string { return NormalizeKeywords(strings.Split(s, ",")) }

// Delete moves designs to the bin and returns how many, and the activity
// that undoes it.
func (s *Service) Delete(ctx context.Context, tenantID, userID int64, ids []int64) (int, int64, error) {
	if len(ids) == 0 {
		return 0, 0, ErrNothingTaken
	}
	var n int
	var act int64
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		n, act, err = tx.DeletePatterns(ctx, userID, ids)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return 0, 0, ErrGone.Wrap(err)
	}
	return n, act, err
}

// AddKeywords tags the designs ids with words.
func (s *Service) AddKeywords(ctx context.Context, tenantID int64, ids []int64, words []string) error {
	words = NormalizeKeywords(words)
	switch {
	case len(ids) == 0:
		return ErrNothingTaken
	case len(words) == 0:
		return ErrNoKeywords
	}
	set, err := s.limitsOf(ctx, tenantID)
	if err != nil {
		return err
	}
	return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		if err := s.keywordsFit(ctx, tx, set, words, limits.KeywordsPerRequest); err != nil {
			return err
		}
		return tooManyKeywords(tx.AddKeywords(ctx, ids, words))
	})
}

// RemoveKeywords takes words off the designs ids.
func (s *Service) RemoveKeywords(ctx context.Context, tenantID int64, ids []int64, words []string) error {
	words = NormalizeKeywords(words)
	switch {
	case len(ids) == 0:
		return ErrNothingTaken
	case len(words) == 0:
		return ErrNoKeywords
	case len(words) > limits.KeywordsPerRequest:
		return ErrTooManyKeywords.Reword(fmt.Sprintf("That is %d keywords at once; one change removes at most %d.", len(words), limits.KeywordsPerRequest))
	}
	return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.RemoveKeywords(ctx, ids, words) })
}

// SetFavorite marks design id as one of userID's favourites, or not.
func (s *Service) SetFavorite(ctx context.Context, tenantID, userID, id int64, on bool) error {
	return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.SetFavorite(ctx, userID, id, on) })
}

// Undo reverses a change of the activity log, once, and returns what it
// was.
func (s *Service) Undo(ctx context.Context, tenantID, activityID int64) (string, error) {
	var summary string
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		summary, err = tx.Undo(ctx, activityID)
		return err
	})
	if errors.Is(err, store.ErrAlreadyUndone) {
		return "", ErrUndone.Wrap(err)
	}
	return summary, err
}

// RecordView counts that userID opened design id.
func (s *Service) RecordView(ctx context.Context, tenantID, id, userID int64) error {
	return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		return tx.RecordEvent(ctx, id, userID, store.EventView, "")
	})
}
