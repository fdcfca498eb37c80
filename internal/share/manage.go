package share

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// The quilter's side of links: extend, revoke, delete, duplicate, and the
// results page.

// ErrTurnedOff refuses to extend a link that is turned off: extending it
// would not let the customer in, so the quilter is offered Reopen.
var ErrTurnedOff = problem.Conflict("share_turned_off",
	"This link is turned off, so making it last longer would not let your customer in. Choose “Turn back on” to open it again.")

// Extend makes link id last days more from its expiry (or from now, when
// it has ended) and returns the new expiry. days out of 1..MaxDays counts
// as DefaultDays. A turned-off link is ErrTurnedOff (see Reopen).
func (s *Service) Extend(ctx context.Context, tenantID, id int64, days int) (time.Time, error) {
	if days < 1 || days > MaxDays {
		days = DefaultDays
	}
	if l, err := s.Store.Share(ctx, tenantID, id); err == nil && Status(l, s.Now()) == "expired" {
		if err := s.roomForLink(ctx, tenantID); err != nil {
			return time.Time{}, err // an ended link back on counts as a new one
		}
	}
	var exp time.Time
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		l, err := tx.Share(ctx, id)
		if err != nil {
			return err
		}
		if l.RevokedAt != nil {
			return ErrTurnedOff
		}
		from := s.Now()
		if l.ExpiresAt.After(from) {
			from = l.ExpiresAt
		}
		exp = from.Add(time.Duration(days) * 24 * time.Hour)
		return tx.UpdateShare(ctx, id, &exp, false)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("share: extend link %d: %w", id, err)
	}
	return exp, nil
}

// Reopen turns link id back on (after Revoke), lasting days from now
// (or to its old expiry, when that is later), and returns the new expiry;
// the same link and its votes carry on. days out of 1..MaxDays counts as
// DefaultDays.
func (s *Service) Reopen(ctx context.Context, tenantID, id int64, days int) (time.Time, error) {
	if days < 1 || days > MaxDays {
		days = DefaultDays
	}
	if l, err := s.Store.Share(ctx, tenantID, id); err == nil && Status(l, s.Now()) != "active" {
		if err := s.roomForLink(ctx, tenantID); err != nil {
			return time.Time{}, err // a link back on counts as a new one
		}
	}
	var exp time.Time
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		l, err := tx.Share(ctx, id)
		if err != nil {
			return err
		}
		exp = s.Now().Add(time.Duration(days) * 24 * time.Hour)
		if l.ExpiresAt.After(exp) {
			exp = l.ExpiresAt
		}
		return tx.ReopenShare(ctx, id, exp)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("share: turn link %d back on: %w", id, err)
	}
	return exp, nil
}

// Revoke turns link id off: its guests see that it has ended.
func (s *Service) Revoke(ctx context.Context, tenantID, id int64) error {
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.UpdateShare(ctx, id, nil, true) })
	if err != nil {
		return fmt.Errorf("share: revoke link %d: %w", id, err)
	}
	return nil
}

// Delete removes link id and its votes.
func (s *Service) Delete(ctx context.Context, tenantID, id int64) error {
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.DeleteShare(ctx, id) })
	if err != nil {
		return fmt.Errorf("share: delete link %d: %w", id, err)
	}
	return nil
}

// Duplicate makes a new link (a new token) with link id's designs and
// settings, named "... (copy)", lasting DefaultDays; supportSession is
// as in Input.
func (s *Service) Duplicate(ctx context.Context, tenantID, userID, id int64, supportSession []byte) (*Created, error) {
	l, err := s.Store.Share(ctx, tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("share: duplicate link %d: %w", id, err)
	}
	return s.Create(ctx, tenantID, userID, Input{PatternIDs: l.Patterns, Name: l.Name + " (copy)",
		RecipientName: l.RecipientName, RecipientEmail: l.RecipientEmail, Message: l.Message, ExpiresInDays: DefaultDays,
		AllowDownload: l.AllowDownload, ShowDesigner: l.ShowDesigner, VotingMode: l.VotingMode, NotifyOwner: l.NotifyOwner,
		MaxVoters: l.MaxVoters, SupportSession: supportSession})
}

// Status is "revoked", "expired" or "active": where link l stands at now.
func Status(l *store.ShareLink, now time.Time) string {
	switch {
	case l.RevokedAt != nil:
		return "revoked"
	case !now.Before(l.ExpiresAt):
		return "expired"
	}
	return "active"
}

// SetMaxVoters lets link id take n guests (1 to MaxVoters); guests
// already in stay.
func (s *Service) SetMaxVoters(ctx context.Context, tenantID, id int64, n int) error {
	if n < 1 || n > MaxVoters {
		return ErrBadVoterCap
	}
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.SetShareMaxVoters(ctx, id, n) })
	if err != nil {
		return fmt.Errorf("share: voter cap of link %d: %w", id, err)
	}
	return nil
}

// ErrNoSuchGuest is a guest removed already, or never there.
var ErrNoSuchGuest = problem.NotFound("no_such_guest", "That guest is not on this link any more.")

// RemoveVoter takes the guest whose key is key (Guest.Key) off link id,
// with all her votes: her place under the cap is free again.
func (s *Service) RemoveVoter(ctx context.Context, tenantID, id int64, key string) error {
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.DeleteVoter(ctx, id, key) })
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoSuchGuest.Wrap(err)
	}
	if err != nil {
		return fmt.Errorf("share: remove a guest of link %d: %w", id, err)
	}
	return nil
}
