package library

import (
	"github.com/patternvault/patternvault/internal/designtype"
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
