package library

import (
	"context"
	"fmt"
	"strings"

	"github.com/patternvault/patternvault/internal/designtype"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Deciding a new design's type at import.
const (
	// wordConfidence is the confidence of a type named by a word of the
	// design's file or folder names: the designer's own word.
	wordConfidence = 0.95
	// panelMinInches is the least long side of a panel: a panel is a
	// large design; a smaller non-repeating one (a 6 × 3 in motif) is
	// placed like a block.
	panelMinInches = 12.0
)

// decideType chooses a new design's type and its confidence from the
// type word of its file and folder names (hint: ingest.TypeHint, "" for
// none) and the shape analysis's guess (shape, with its confidence;
// "" when the design has no geometry) at its stitched size. A type word
// ("blk -", "borders/", "e2e -", "panto") wins over the shape: the shape
// guesses from an outline, the designer named it. Without one the shape's
// guess stands, but a "panel" under panelMinInches on its long side reads
// as a block. A shape with no stitched extent ("unknown") gives no type.
func decideType(hint, shape string, confidence, widthIn, heightIn float64) (string, float32) {
	if designtype.Valid(hint) {
		return hint, wordConfidence
	}
	if !designtype.Valid(shape) {
		return "", 0
	}
	if shape == designtype.Panel && max(widthIn, heightIn) < panelMinInches {
		return designtype.Block, float32(min(confidence, 0.5))
	}
	return shape, float32(confidence)
}

// MaxTypeChange bounds how many designs one type change may touch.
const MaxTypeChange = 5000

// ErrBadType is a type PatternVault does not know; its message lists the
// types, as people read them and as codes.
var ErrBadType = problem.Invalid("bad_type", "Choose a type from the list: "+typeList()+", or no type.")

// typeList names every type as people read it, with its code:
// "Edge to edge (e2e), Border (border), …".
func typeList() string {
	var out []string
	for _, c := range designtype.Codes {
		out = append(out, designtype.Word(c)+" ("+c+")")
	}
	return strings.Join(out, ", ")
}

// ErrTooManyDesigns is one change that names more than MaxTypeChange
// designs.
var ErrTooManyDesigns = problem.Invalid("too_many_designs", fmt.Sprintf("Change the type of at most %d designs at once.", MaxTypeChange))

// SetType sets the type of the designs ids, one or many, as the quilter
// chose it: typ is a type code ("e2e"), the word people read for it
// ("Edge to edge") or a word shops write ("panto"); "" or "none" clears
// it. The search index follows in the same transaction. It returns how
// many designs changed; a bad type or an empty or oversized list changes
// nothing.
func (s *Service) SetType(ctx context.Context, tenantID int64, ids []int64, typ string) (int, error) {
	code, ok := designtype.Parse(typ)
	if !ok {
		return 0, ErrBadType.Wrap(fmt.Errorf("type %q", typ))
	}
	switch {
	case len(ids) == 0:
		return 0, ErrNothingTaken
	case len(ids) > MaxTypeChange:
		return 0, ErrTooManyDesigns.Wrap(fmt.Errorf("%d designs", len(ids)))
	}
	var n int
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		n, err = tx.SetPatternType(ctx, ids, code)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("library: set type %q of %d designs: %w", code, len(ids), err)
	}
	return n, nil
}
