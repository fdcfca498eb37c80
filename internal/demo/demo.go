// Package demo generates realistic synthetic quilting designs for
// PatternVault's demo library and benchmarks: continuous-line motifs
// (feathers, swirls, butterflies, snowflakes, clamshells, Baptist fans...)
// laid out as edge-to-edge rows, borders, corners, blocks, setting
// triangles and panels, with store-like names, fictional designers,
// keywords, and ZIP files holding each design in several machine formats,
// a notes file and sometimes a picture.
//
// Everything is deterministic: the same seed gives the same designs and
// the same bytes. Item i depends only on the seed and i (and on the names
// taken before it, which are kept unique), so generating 15,651 designs
// streams them one at a time without holding them in memory.
package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/geom/shape"
)

// Item is one generated design with what a pattern store would sell
// with it.
type Item struct {
	// Index is the item's position in the generated sequence, from 0.
	Index int
	// Name is the design's title, also the folder and file stem in ZIPs.
	Name string
	// Designer and DesignerURL credit a fictional designer.
	Designer    string
	DesignerURL string
	// Keywords are search words: the motifs', a theme, the type's.
	Keywords []string
	// Type is the layout, one of Types (a shape.Type* value).
	Type string
	// Motifs names the motifs used, main motif first.
	Motifs []string
	// Design is the geometry in inches, lower left corner at the origin.
	Design *geom.Design
	// Formats are the machine formats the design is sold in (3 to 6,
	// always "qli" or "bqm"), in a fixed order.
	Formats []string
	// Picture is set when the design's ZIP has a PNG picture.
	Picture bool
	// Released is the design's (fictional) release date, used for file
	// times in ZIPs.
	Released time.Time
}

// typeShare is how often each type occurs, roughly as in a real library.
var typeShare = []struct {
	typ   string
	share float64
}{
	{shape.TypeE2E, 0.42}, {shape.TypeBorder, 0.16}, {shape.TypeCorner, 0.10},
	{shape.TypeBlock, 0.20}, {shape.TypeTriangle, 0.05}, {shape.TypePanel, 0.07},
}

// pairChance is the chance a design of each type combines two motifs.
var pairChance = map[string]float64{
	shape.TypeE2E: 0.35, shape.TypeBorder: 0.3, shape.TypeCorner: 0.3,
	shape.TypeBlock: 0.25, shape.TypeTriangle: 0.2, shape.TypePanel: 0.4,
}

// Generate streams n designs made from seed to fn, in order, stopping at
// the first error fn returns. Designs are made on all CPUs a few ahead of
// fn; fn is called on the caller's goroutine. A name already given to an
// earlier item gets a different number, so names are unique.
func Generate(seed int64, n int, fn func(Item) error) error {
	seen := make(map[string]bool, n)
	return ordered(n, workers(), func(i int) Item { return NewItem(seed, i) }, func(it Item) error {
		if seen[it.Name] {
			it.rename(seen)
		}
		seen[it.Name] = true
		if err := fn(it); err != nil {
			return fmt.Errorf("demo: item %d (%s): %w", it.Index, it.Name, err)
		}
		return nil
	})
}

// NewItem makes item i of the sequence for seed on its own. Its name may
// repeat an earlier item's; Generate renames such items.
func NewItem(seed int64, i int) Item {
	r := itemRand(seed, i)
	typ := pickType(r)
	return newItemOfType(r, i, typ, nil)
}

// itemRand returns the random source of item i.
func itemRand(seed int64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(i)*0x9E3779B97F4A7C15+1))
}

func newItemOfType(r *rand.Rand, i int, typ string, a *Motif) Item {
	if a == nil {
		a = pickMotif(r, typ)
	}
	var b *Motif
	if chance(r, pairChance[typ]) {
		if b = pick(r, motifs); b == a {
			b = nil
		}
	}
	d := layout(r, typ, a, b)
	who := pick(r, designers)
	bb := d.StitchBounds()
	nm := naming{typ: typ, a: a, b: b, theme: theme(r, a, b), sizeIn: roundInches(math.Max(bb.Width(), bb.Height()))}
	it := Item{
		Index:       i,
		Name:        nm.name(r),
		Designer:    who.Name,
		DesignerURL: who.URL,
		Keywords:    nm.keywords(),
		Type:        typ,
		Motifs:      []string{a.Name},
		Design:      d,
		Formats:     pickFormats(r),
		Picture:     chance(r, 0.4),
		Released:    time.Date(2012+r.IntN(13), time.Month(1+r.IntN(12)), 1+r.IntN(28), 9+r.IntN(9), r.IntN(60), 0, 0, time.UTC),
	}
	if b != nil {
		it.Motifs = append(it.Motifs, b.Name)
	}
	d.Meta = geom.Meta{Title: it.Name, Designer: it.Designer, URLs: []string{it.DesignerURL}}
	return it
}

// rename gives it a name not in seen, deterministically.
func (it *Item) rename(seen map[string]bool) {
	r := rand.New(rand.NewPCG(uint64(it.Index), 7))
	name := it.Name
	for try := 0; seen[name]; try++ {
		name = renumber(r, it.Name)
		if try > 20 {
			name = fmt.Sprintf("%s %d", it.Name, it.Index)
		}
	}
	it.Name = name
	it.Design.Meta.Title = name
}

// pickType draws a type by typeShare.
func pickType(r *rand.Rand) string {
	x := r.Float64()
	for _, t := range typeShare {
		if x < t.share {
			return t.typ
		}
		x -= t.share
	}
	return shape.TypeE2E
}

// pickMotif draws a main motif suited to typ: blocks and triangles favour
// compact motifs.
func pickMotif(r *rand.Rand, typ string) *Motif {
	if (typ == shape.TypeBlock || typ == shape.TypeTriangle) && chance(r, 0.5) {
		return compactMotif(r, pick(r, motifs), nil)
	}
	return pick(r, motifs)
}

// allFormats are the formats demo ZIPs may hold, in the order files are
// written, with how often each is included.
var allFormats = []struct {
	name   string
	weight float64
}{
	{"qli", 3}, {"bqm", 1.6}, {"plt", 1.8}, {"dxf", 2}, {"svg", 1.4}, {"csq", 0.8}, {"qcc", 0.5},
}

// pickFormats draws 3 to 6 formats (3 or 4 most often), always including
// qli or bqm.
func pickFormats(r *rand.Rand) []string {
	n := pick(r, []int{3, 3, 3, 4, 4, 4, 5, 5, 6})
	type race struct {
		i   int
		key float64
	}
	rs := make([]race, len(allFormats))
	for i, f := range allFormats {
		rs[i] = race{i, -math.Log(1-r.Float64()) / f.weight}
	}
	slices.SortFunc(rs, func(a, b race) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	take := make([]bool, len(allFormats))
	for _, x := range rs[:n] {
		take[x.i] = true
	}
	if !take[0] && !take[1] {
		take[r.IntN(2)] = true
		for j := len(rs) - 1; j >= 0; j-- { // keep the count
			if take[rs[j].i] && rs[j].i > 1 {
				take[rs[j].i] = false
				break
			}
		}
	}
	var out []string
	for i, f := range allFormats {
		if take[i] {
			out = append(out, f.name)
		}
	}
	return out
}
