package demo

import (
	"math"
	"math/rand/v2"

	"github.com/patternvault/patternvault/internal/geom"
)

// Motif is a named generator of one continuous-line quilting motif.
//
// A motif unit is drawn in inches as it would be stitched: it starts at
// (0, 0) and ends at (adv, 0) on the same baseline, with the motif mostly
// above the baseline, so that layouts can chain units along a row, around a
// ring or up the arms of a corner. Most units are one stitched path; a few
// travel along lines already stitched, as real continuous-line designs do.
type Motif struct {
	// Name is the motif's identifier, lower case ("feather").
	Name string
	// Noun is how design names call it ("Feather").
	Noun string
	// Adjective qualifies another motif in a name ("Feathered").
	Adjective string
	// Keywords are the search words the motif brings to a design.
	Keywords []string
	// Themes are the themes ("winter", "nature", ...) it suits.
	Themes []string
	// Compact motifs (a heart, a snowflake) can stand alone in a block.
	Compact bool

	draw func(r *rand.Rand) *pen
}

// Unit draws one random unit of the motif (see Motif). The same random
// source state gives the same unit.
func (m *Motif) Unit(r *rand.Rand) *geom.Design {
	return m.draw(r).design()
}

// motifs is the library, in a fixed order (generation depends on it).
var motifs = []*Motif{
	{Name: "feather", Noun: "Feather", Adjective: "Feathered", Keywords: []string{"feather", "plume", "feathers"}, Themes: []string{"traditional", "elegant", "heirloom"}, draw: drawFeather},
	{Name: "swirl", Noun: "Swirl", Adjective: "Swirling", Keywords: []string{"swirl", "spiral", "curl"}, Themes: []string{"modern", "whimsical", "traditional"}, draw: drawSwirl},
	{Name: "butterfly", Noun: "Butterfly", Adjective: "Fluttering", Keywords: []string{"butterfly", "wings", "insects"}, Themes: []string{"spring", "summer", "nature", "garden"}, Compact: true, draw: drawButterfly},
	{Name: "dragonfly", Noun: "Dragonfly", Adjective: "Dragonfly", Keywords: []string{"dragonfly", "wings", "insects"}, Themes: []string{"summer", "nature", "pond"}, Compact: true, draw: drawDragonfly},
	{Name: "leaf", Noun: "Leaf", Adjective: "Leafy", Keywords: []string{"leaf", "leaves", "vine"}, Themes: []string{"nature", "autumn", "garden"}, draw: drawLeafVine},
	{Name: "heart", Noun: "Heart", Adjective: "Sweetheart", Keywords: []string{"heart", "hearts", "love"}, Themes: []string{"valentine", "wedding", "baby"}, Compact: true, draw: drawHeart},
	{Name: "star", Noun: "Star", Adjective: "Starry", Keywords: []string{"star", "stars", "sparkle"}, Themes: []string{"patriotic", "christmas", "kids"}, Compact: true, draw: drawStar},
	{Name: "meander", Noun: "Meander", Adjective: "Meandering", Keywords: []string{"meander", "allover", "filler"}, Themes: []string{"modern", "beginner"}, draw: drawMeander},
	{Name: "stipple", Noun: "Stipple", Adjective: "Stippled", Keywords: []string{"stipple", "stippling", "filler", "allover"}, Themes: []string{"traditional", "background"}, draw: drawStipple},
	{Name: "clamshell", Noun: "Clamshell", Adjective: "Scalloped", Keywords: []string{"clamshell", "scallop", "arcs"}, Themes: []string{"traditional", "geometric", "ocean"}, draw: drawClamshell},
	{Name: "baptist-fan", Noun: "Baptist Fan", Adjective: "Fanned", Keywords: []string{"baptist fan", "fan", "arcs", "concentric"}, Themes: []string{"traditional", "vintage", "utility"}, draw: drawBaptistFan},
	{Name: "pebbles", Noun: "Pebble", Adjective: "Pebbled", Keywords: []string{"pebbles", "circles", "filler"}, Themes: []string{"modern", "nature", "background"}, draw: drawPebbles},
	{Name: "bubbles", Noun: "Bubble", Adjective: "Bubbly", Keywords: []string{"bubbles", "circles", "dots"}, Themes: []string{"kids", "modern", "ocean"}, draw: drawBubbles},
	{Name: "snowflake", Noun: "Snowflake", Adjective: "Frosty", Keywords: []string{"snowflake", "snow", "crystal"}, Themes: []string{"winter", "christmas", "holiday"}, Compact: true, draw: drawSnowflake},
	{Name: "flower", Noun: "Flower", Adjective: "Flowering", Keywords: []string{"flower", "blossom", "floral"}, Themes: []string{"spring", "garden", "nature"}, Compact: true, draw: drawFlower},
	{Name: "daisy", Noun: "Daisy", Adjective: "Daisy", Keywords: []string{"daisy", "flower", "petals", "floral"}, Themes: []string{"spring", "summer", "garden"}, Compact: true, draw: drawDaisy},
	{Name: "loops", Noun: "Loop", Adjective: "Loopy", Keywords: []string{"loops", "loop de loop", "curls"}, Themes: []string{"modern", "beginner", "kids"}, draw: drawLoops},
	{Name: "waves", Noun: "Wave", Adjective: "Wavy", Keywords: []string{"waves", "ocean", "water"}, Themes: []string{"ocean", "summer", "beach"}, draw: drawWaves},
	{Name: "ribbon", Noun: "Ribbon", Adjective: "Ribboned", Keywords: []string{"ribbon", "twist", "braid"}, Themes: []string{"elegant", "wedding", "christmas"}, draw: drawRibbon},
	{Name: "holly", Noun: "Holly", Adjective: "Holly", Keywords: []string{"holly", "berries", "leaves"}, Themes: []string{"christmas", "winter", "holiday"}, Compact: true, draw: drawHolly},
	{Name: "maple-leaf", Noun: "Maple Leaf", Adjective: "Maple", Keywords: []string{"maple leaf", "leaf", "maple", "leaves"}, Themes: []string{"autumn", "fall", "nature", "canada"}, Compact: true, draw: drawMaple},
	{Name: "paisley", Noun: "Paisley", Adjective: "Paisley", Keywords: []string{"paisley", "teardrop", "boteh"}, Themes: []string{"bohemian", "elegant", "vintage"}, Compact: true, draw: drawPaisley},
}

// uni returns a uniform random number in [a, b).
func uni(r *rand.Rand, a, b float64) float64 { return a + (b-a)*r.Float64() }

// between returns a uniform random integer in [a, b].
func between(r *rand.Rand, a, b int) int { return a + r.IntN(b-a+1) }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// pick returns a random element of s.
func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// petal stitches a closed loop from the pen's position out along direction
// theta (radians) to a tip l inches away and back, w inches wide on each
// side. round in [0,1] blunts the tip (0 pointed, 1 round).
func petal(p *pen, theta, l, w, round float64) {
	b := p.cur
	u := polar(pt(0, 0), 1, theta)
	v := pt(-u.Y, u.X)
	tip := b.Add(u.Scale(l))
	tw := w * (0.15 + 0.75*round)
	p.cubic(b.Add(u.Scale(0.3*l)).Add(v.Scale(1.25*w)), tip.Add(v.Scale(tw)).Sub(u.Scale(0.12*l*(1-round))), tip)
	p.cubic(tip.Sub(v.Scale(tw)).Sub(u.Scale(0.12*l*(1-round))), b.Add(u.Scale(0.3*l)).Sub(v.Scale(1.25*w)), b)
}

// arcBulge stitches a circular arc from the pen to q whose middle lies
// bulge inches to the left of the chord (negative: to the right).
func arcBulge(p *pen, q geom.Point, bulge float64) {
	v := q.Sub(p.cur)
	c := math.Hypot(v.X, v.Y)
	if c == 0 || bulge == 0 {
		p.line(q)
		return
	}
	s := math.Abs(bulge)
	rho := (c*c/4 + s*s) / (2 * s)
	n := pt(-v.Y/c, v.X/c)
	sign := math.Copysign(1, bulge)
	center := p.cur.Add(v.Scale(0.5)).Add(n.Scale(bulge - sign*rho))
	mag := 2 * math.Asin(math.Min(1, c/(2*rho)))
	if s > c/2 {
		mag = 2*math.Pi - mag
	}
	p.arc(center, -sign*mag)
	p.last().Segments[len(p.last().Segments)-1].End = q
	p.cur = q
}

// dot stitches a small circle of radius rad whose lowest point is the
// pen's position, then returns there.
func dot(p *pen, rad float64) {
	p.circle(p.cur.Add(pt(0, rad)), true)
}
