// Package embed turns designs and queries into vectors for semantic
// search. A Provider is either the built-in local one (concepts from the
// project's thesaurus plus hashed letter trigrams; no network, no model)
// or a remote model such as Voyage AI's multimodal embeddings.
package embed

import (
	"context"
	"math"
)

// Input is what a provider embeds: a design (its text and, for providers
// that see pictures, its thumbnail) or a query (Text only).
type Input struct {
	// Text is the design's name, keywords, designer, type and notes, or
	// the query as typed.
	Text string
	// Image is the design's thumbnail (PNG), or nil.
	Image []byte
	// Name and Keywords repeat the design's name and keywords (also in
	// Text) for providers that weigh them more; empty for queries.
	Name, Keywords string
}

// Kind says whether inputs are documents (designs) or search queries;
// some models embed the two differently.
type Kind int

// The kinds of input.
const (
	Document Kind = iota
	Query
)

// Usage is what one call cost.
type Usage struct {
	// Tokens is the number of tokens the provider billed (text tokens
	// plus image tokens); 0 for the local provider.
	Tokens int
}

// RevisionSeparator splits a provider's name into its family and its
// revision.
const RevisionSeparator = "+"

// Provider turns inputs into L2-normalised vectors of Dim() float32s.
type Provider interface {
	// Name identifies the provider and its model, e.g. "local-concepts-v1"
	// or "voyage-multimodal-3"; stored with every vector so vectors of
	// different providers never mix. A revision after RevisionSeparator
	// ("local-concepts-v1+1a2b3c4d") replaces the same provider's vectors
	// of other revisions as designs are embedded again.
	Name() string
	// Dim is the length of every vector.
	Dim() int
	// Embed returns one vector per input, in order.
	Embed(ctx context.Context, kind Kind, inputs []Input) ([][]float32, Usage, error)
}

// Normalize scales v to unit length in place (a zero vector stays zero)
// and returns it.
func Normalize(v []float32) []float32 {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return v
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
	return v
}
