// Package local is PatternVault's built-in embedding: no network and no
// model download. A text becomes a vector of "local concepts": every word
// is mapped to its concept in the project's quilting thesaurus (synonyms
// share one, broader terms add theirs at half weight) and hashed into the
// first half of the vector; the letter trigrams of every word are hashed
// into the second half, so near spellings land near each other. Names
// weigh most, then keywords, then designer, type and notes.
//
// It is not a learned model and does not look at pictures; the UI and the
// docs call it "local concepts".
package local

import (
	"context"
	"hash/fnv"
	"math"

	"github.com/patternvault/patternvault/internal/embed"
)

// Lexicon is what the local embedding knows of words (the search
// package's thesaurus provides it).
type Lexicon interface {
	// Words splits text into folded, singular words.
	Words(text string) []string
	// Concept returns the word's concept and its broader concepts.
	Concept(word string) (string, []string)
	// Known reports whether a word or phrase is in the thesaurus.
	Known(phrase string) bool
	// Revision changes whenever what the lexicon knows does.
	Revision() string
}

// Dim is the length of local vectors: Dim/2 concept dimensions and Dim/2
// trigram dimensions.
const Dim = 256

// Name identifies the provider and its version; change it whenever the
// way vectors are computed changes so stored ones are recomputed. The
// provider's full name adds the lexicon's revision ("+" and a digest),
// so editing the thesaurus recomputes them too.
const Name = "local-concepts-v2"

// Field weights.
const (
	weightName     = 2.0
	weightKeywords = 1.5
	weightOther    = 0.6
	weightBroader  = 0.5
	weightTrigrams = 0.35
)

// Provider embeds texts with a Lexicon.
type Provider struct {
	lex Lexicon
}

// New returns the local provider over lex.
func New(lex Lexicon) *Provider { return &Provider{lex: lex} }

// Name implements embed.Provider: Name, "+", and the lexicon's revision.
func (p *Provider) Name() string {
	if rev := p.lex.Revision(); rev != "" {
		return Name + embed.RevisionSeparator + rev
	}
	return Name
}

// Dim implements embed.Provider.
func (p *Provider) Dim() int { return Dim }

// Embed implements embed.Provider. Images are ignored.
func (p *Provider) Embed(ctx context.Context, kind embed.Kind, inputs []embed.Input) ([][]float32, embed.Usage, error) {
	out := make([][]float32, len(inputs))
	for i, in := range inputs {
		if err := ctx.Err(); err != nil {
			return nil, embed.Usage{}, err
		}
		out[i] = p.Design(in.Name, in.Keywords, in.Text)
	}
	return out, embed.Usage{}, nil
}

// Design embeds a text, weighing its name and keywords (when given)
// more than the rest.
func (p *Provider) Design(name, keywords, text string) []float32 {
	v := make([]float32, Dim)
	p.add(v, name, weightName-weightOther)
	p.add(v, keywords, weightKeywords-weightOther)
	p.add(v, text, weightOther)
	return embed.Normalize(v)
}

func (p *Provider) add(v []float32, text string, w float32) {
	ws := p.lex.Words(text)
	for i := 0; i < len(ws); i++ {
		word := ws[i]
		// Two-word phrases of the thesaurus ("spider web") count as one.
		if i+1 < len(ws) && p.lex.Known(word+" "+ws[i+1]) {
			word += " " + ws[i+1]
			i++
		}
		concept, broader := p.lex.Concept(word)
		bump(v[:Dim/2], "c:"+concept, w)
		for _, b := range broader {
			bump(v[:Dim/2], "c:"+b, w*weightBroader)
		}
		if len(word) >= 3 {
			padded := " " + word + " "
			n := len(padded) - 2
			tw := w * weightTrigrams / float32(math.Sqrt(float64(n)))
			for j := 0; j < n; j++ {
				bump(v[Dim/2:], padded[j:j+3], tw)
			}
		}
	}
}

// bump adds w to the dimension key hashes to, with a sign from the hash
// so that collisions cancel out on average instead of piling up.
func bump(v []float32, key string, w float32) {
	h := fnv.New64a()
	h.Write([]byte(key))
	x := h.Sum64()
	d := int(x % uint64(len(v)))
	if x>>63 == 1 {
		w = -w
	}
	v[d] += w
}
