package business

import (
	"context"
	"fmt"

	"github.com/patternvault/patternvault/internal/store"
)

// QuoteRequest is a quote to price: the choices, and the design to plan
// it with (PatternID 0: none).
type QuoteRequest struct {
	QuoteInput
	PatternID int64
}

// Quote is a priced quote and, with a design, its plan.
type Quote struct {
	*Priced
	Plan *Plan `json:"plan,omitempty"`
}

// Quote prices a quote on the workspace's price list and plans it with
// the design's geometry. It stores nothing.
func (s *Service) Quote(ctx context.Context, tenantID int64, req QuoteRequest) (*Quote, error) {
	var pl *PriceList
	var design *Design
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if pl, _, err = priceListTx(ctx, tx); err != nil {
			return err
		}
		if req.PatternID != 0 {
			design, err = designOf(ctx, tx, req.PatternID)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("business: quote: %w", err)
	}
	return quoteOn(pl, req.QuoteInput, design)
}

// quoteOn plans (with a design) and prices a quote.
func quoteOn(pl *PriceList, in QuoteInput, design *Design) (*Quote, error) {
	q := &Quote{}
	if design != nil {
		var err error
		if q.Plan, err = MakePlan(*design, in.Width, in.Length, pl.Machine); err != nil {
			return nil, err
		}
	}
	var err error
	q.Priced, err = pl.Price(in, q.Plan)
	return q, err
}

// designOf reads a live design's measured geometry.
func designOf(ctx context.Context, tx *store.TenantTx, id int64) (*Design, error) {
	ps, err := tx.PatternsByIDs(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	p := ps[id]
	if p == nil {
		return nil, ErrNoDesign
	}
	d := designFrom(p)
	return &d, nil
}

// designFrom is what a plan needs of a library design (no size when the
// import could not measure it).
func designFrom(p *store.Pattern) Design {
	d := Design{PatternID: p.ID, Name: p.Name}
	if p.WidthIn != nil && p.HeightIn != nil && p.StitchLengthIn != nil {
		d.Width, d.Height, d.StitchLength = float64(*p.WidthIn), float64(*p.HeightIn), float64(*p.StitchLengthIn)
	}
	return d
}
