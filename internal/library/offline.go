package library

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/patternvault/patternvault/internal/limits"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Kinds of change a device makes offline and sends later.
const (
	OfflineFavorite = "favorite"
	OfflineKeywords = "keywords"
)

// MaxOfflineChanges is the most changes one device sends at once.
const MaxOfflineChanges = 500

// ErrTooManyChanges is a device sending more changes than a person makes.
var ErrTooManyChanges = problem.Invalid("too_many_changes", fmt.Sprintf("Send at most %d changes at once.", MaxOfflineChanges))

// OfflineChange is a change made on a device without a connection and
// sent when it is back: a favourite mark, or a design's keywords, with
// the time it was made by the device's clock.
type OfflineChange struct {
	Kind      string   `json:"kind"`
	PatternID int64    `json:"pattern_id"`
	Favorite  bool     `json:"favorite"`
	Keywords  []string `json:"keywords"`
	// At is when the change was made, in milliseconds since 1970.
	At int64 `json:"at"`
}

// OfflineResult says what became of one change.
type OfflineResult struct {
	PatternID int64  `json:"pattern_id"`
	Kind      string `json:"kind"`
	Applied   bool   `json:"applied"`
	// Conflict is a change not applied because a later one was made
	// meanwhile (last writer wins).
	Conflict bool   `json:"conflict"`
	Message  string `json:"message"`
}

// ApplyOffline applies changes a device made offline, each on its own,
// last writer wins: a change older than the last change recorded for the
// same mark or keywords is not applied and is reported as a conflict. A
// change dated in the future counts as made now. noKeywords is why the
// person may not change keywords ("your role cannot change keywords."),
// or "" when she may.
func (s *Service) ApplyOffline(ctx context.Context, tenantID, userID int64, noKeywords string, changes []OfflineChange) ([]OfflineResult, error) {
	if len(changes) > MaxOfflineChanges {
		return nil, ErrTooManyChanges
	}
	var set limits.Set
	for _, c := range changes {
		if c.Kind == OfflineKeywords && noKeywords == "" && set == nil {
			var err error
			if set, err = s.limitsOf(ctx, tenantID); err != nil {
				return nil, err
			}
		}
	}
	now := time.Now()
	out := make([]OfflineResult, 0, len(changes))
	for _, c := range changes {
		res := OfflineResult{PatternID: c.PatternID, Kind: c.Kind}
		at := time.UnixMilli(c.At)
		if c.At <= 0 || at.After(now) {
			at = now
		}
		var field string
		var user int64
		switch c.Kind {
		case OfflineFavorite:
			field, user = store.ChangeFavorite, userID
		case OfflineKeywords:
			field = store.ChangeKeywords
			if noKeywords != "" {
				res.Message = "Not applied: " + noKeywords
				out = append(out, res)
				continue
			}
		default:
			res.Message = fmt.Sprintf("Not applied: %q is not a change PatternVault keeps offline.", c.Kind)
			out = append(out, res)
			continue
		}
		err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
			p, err := tx.Pattern(ctx, c.PatternID, userID)
			if err != nil {
				return err
			}
			last, ok, err := tx.ChangedAt(ctx, c.PatternID, user, field)
			if err != nil {
				return err
			}
			if ok && last.After(at) {
				res.Conflict = true
				res.Message = fmt.Sprintf("Not applied to %q: it was changed later (%s UTC) on another device, and the later change was kept.",
					p.Name, last.UTC().Format("2 Jan 15:04"))
				return nil
			}
			if c.Kind == OfflineFavorite {
				err = tx.SetFavorite(ctx, userID, c.PatternID, c.Favorite)
				res.Message = fmt.Sprintf("%q added to your favourites.", p.Name)
				if !c.Favorite {
					res.Message = fmt.Sprintf("%q taken off your favourites.", p.Name)
				}
			} else {
				words := NormalizeKeywords(c.Keywords)
				if err = s.keywordsFit(ctx, tx, set, words, limits.KeywordsPerDesign); err == nil {
					err = tooManyKeywords(tx.SetKeywords(ctx, c.PatternID, words))
				}
				res.Message = fmt.Sprintf("Keywords of %q saved.", p.Name)
			}
			if err == nil {
				err = tx.SetChangedAt(ctx, []int64{c.PatternID}, user, field, at)
			}
			res.Applied = err == nil
			return err
		})
		var pe *problem.Error
		switch {
		case errors.Is(err, store.ErrNotFound):
			res.Applied, res.Message, err = false, "Not applied: that design is no longer in the library.", nil
		case errors.As(err, &pe):
			res.Applied, res.Message, err = false, "Not applied: "+pe.Message, nil
		}
		if err != nil {
			return nil, fmt.Errorf("library: offline %s of pattern %d: %w", c.Kind, c.PatternID, err)
		}
		out = append(out, res)
	}
	return out, nil
}
