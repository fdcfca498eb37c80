package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/patternvault/patternvault/internal/geom/shape"
)

// Designer is a fictional designer credited on demo designs.
type Designer struct {
	Name string
	URL  string
}

// designers are fictional; their sites are on example.com.
var designers = []Designer{
	{"Anne Ashby", "https://anneashby.example.com/"},
	{"Willow Creek Designs", "https://willowcreek.example.com/"},
	{"Meadowlark Quilting", "https://www.example.com/meadowlark/"},
	{"Harriet Pell", "https://harrietpell.example.com/patterns"},
	{"Bramble and Thread", "https://brambleandthread.example.com/"},
	{"Juniper Longarm Studio", "https://juniper.example.com/designs"},
	{"Northwind Stitches", "https://northwind.example.com/"},
	{"Cedar Hollow Quilts", "https://cedarhollow.example.com/"},
	{"Marigold Moon", "https://marigoldmoon.example.com/"},
	{"Tessa Vale", "https://www.example.com/tessa-vale/"},
	{"Prairie Thimble Co", "https://prairiethimble.example.com/shop"},
}

// typeWords are how design names spell each type.
var typeWords = map[string][]string{
	shape.TypeE2E:      {"E2E", "E2E", "Pantograph", "Edge to Edge"},
	shape.TypeBorder:   {"Border", "Border", "Border Strip"},
	shape.TypeCorner:   {"Corner"},
	shape.TypeBlock:    {"Block", "Block", "Square"},
	shape.TypeTriangle: {"Triangle", "Setting Triangle"},
	shape.TypePanel:    {"Panel", "Medallion Panel", "Wholecloth"},
}

// typeKeywords are search words for each type.
var typeKeywords = map[string][]string{
	shape.TypeE2E:      {"e2e", "pantograph", "edge to edge"},
	shape.TypeBorder:   {"border"},
	shape.TypeCorner:   {"corner", "border corner"},
	shape.TypeBlock:    {"block"},
	shape.TypeTriangle: {"triangle", "setting triangle"},
	shape.TypePanel:    {"panel", "medallion"},
}

// themeWords turn a theme into a name prefix.
var themeWords = map[string]string{
	"winter": "Winter", "christmas": "Christmas", "holiday": "Holiday",
	"spring": "Spring", "summer": "Summer", "autumn": "Autumn", "fall": "Harvest",
	"garden": "Garden", "nature": "Woodland", "ocean": "Seaside", "beach": "Beach",
	"valentine": "Valentine", "wedding": "Wedding", "baby": "Baby", "kids": "Playful",
	"modern": "Modern", "traditional": "Heritage", "vintage": "Vintage",
	"elegant": "Grand", "whimsical": "Whimsy", "patriotic": "Liberty",
	"heirloom": "Heirloom", "pond": "Lily Pond", "bohemian": "Boho", "canada": "Northern",
	"geometric": "Geometric", "utility": "Everyday", "background": "Quiet",
	"beginner": "Easy", "love": "Lovely",
}

// fillerWords give names variety without a theme.
var fillerWords = []string{
	"Simple", "Dancing", "Twirling", "Morning", "Sunday", "Prairie", "Country",
	"Little", "Gentle", "Lazy", "Happy", "Windy", "Moonlit", "Cottage",
	"Rambling", "Sweet", "Bold", "Sunny", "Misty", "Meadow", "Evening",
	"Farmhouse", "Lakeside", "Urban", "Secret", "Tumbling",
}

// naming is what a design name and keywords are made from.
type naming struct {
	typ    string
	a, b   *Motif
	theme  string
	sizeIn int // for blocks named "... 8in"
}

// name builds a design name such as "Feathered Swirl E2E 12",
// "Butterfly Border", "Holly Corner 3" or "Snowflake Block 8in".
func (nm naming) name(r *rand.Rand) string {
	var words []string
	switch x := r.Float64(); {
	case themeWords[nm.theme] != "" && x < 0.35:
		words = append(words, themeWords[nm.theme])
	case x < 0.6:
		words = append(words, pick(r, fillerWords))
	}
	if nm.b != nil {
		words = append(words, nm.b.Adjective)
	}
	words = append(words, nm.a.Noun, pick(r, typeWords[nm.typ]))
	switch {
	case nm.typ == shape.TypeBlock && chance(r, 0.5):
		words = append(words, fmt.Sprintf("%din", nm.sizeIn))
	case chance(r, 0.7):
		words = append(words, fmt.Sprint(between(r, 1, 60)))
	}
	return strings.Join(dedupeWords(words), " ")
}

// dedupeWords drops a word that repeats the one before it ("Daisy Daisy").
func dedupeWords(ws []string) []string {
	out := ws[:0]
	for _, w := range ws {
		if len(out) > 0 && out[len(out)-1] == w {
			continue
		}
		out = append(out, w)
	}
	return out
}

// keywords lists search words: the motifs', the theme, the type's.
func (nm naming) keywords() []string {
	var ks []string
	ks = append(ks, nm.a.Keywords...)
	if nm.b != nil {
		ks = append(ks, nm.b.Keywords...)
	}
	if nm.theme != "" {
		ks = append(ks, nm.theme)
	}
	ks = append(ks, typeKeywords[nm.typ]...)
	seen := map[string]bool{}
	out := ks[:0]
	for _, k := range ks {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// theme picks one of the motifs' themes.
func theme(r *rand.Rand, a, b *Motif) string {
	ts := slices.Clone(a.Themes)
	if b != nil {
		ts = append(ts, b.Themes...)
	}
	return pick(r, ts)
}

// renumber gives a duplicate name a different number at the end: "Holly
// Corner 3" becomes "Holly Corner 41", "Heart Border" "Heart Border 7".
func renumber(r *rand.Rand, name string) string {
	fields := strings.Fields(name)
	if last := fields[len(fields)-1]; len(fields) > 1 && strings.Trim(last, "0123456789") == "" {
		fields = fields[:len(fields)-1]
	}
	return strings.Join(fields, " ") + " " + fmt.Sprint(between(r, 2, 99))
}

// roundInches rounds a size for a name.
func roundInches(v float64) int { return int(math.Round(v)) }
