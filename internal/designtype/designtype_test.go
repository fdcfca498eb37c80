package designtype

import (
	"testing"

	"github.com/patternvault/patternvault/internal/geom/shape"
)

func TestWordsAndCodes(t *testing.T) {
	for code, want := range map[string]string{"e2e": "Edge to edge", "border": "Border", "triangle": "Triangle", "": "", "spiral": "spiral"} {
		if got := Word(code); got != want {
			t.Errorf("Word(%q) = %q, want %q", code, got, want)
		}
	}
	// Every type the shape analysis reports (but "unknown") is a code here.
	for _, c := range []string{shape.TypeE2E, shape.TypeBorder, shape.TypeCorner, shape.TypeBlock, shape.TypeTriangle, shape.TypePanel} {
		if !Valid(c) {
			t.Errorf("the shape analysis's %q is not a type code", c)
		}
	}
	if len(Codes) != len(words) {
		t.Errorf("%d codes listed, %d named", len(Codes), len(words))
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]string{
		"e2e": "e2e", "Edge to edge": "e2e", "edge-to-edge": "e2e", "EDGE 2 EDGE": "e2e", "Panto": "e2e",
		"blk": "block", "Blocks": "block", " border ": "border", "": "", "none": "",
	} {
		if got, ok := Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"spiral", "edge to", "border corner", "e2e!", "<script>"} {
		if got, ok := Parse(bad); ok {
			t.Errorf("Parse(%q) = %q, accepted", bad, got)
		}
	}
}

func TestFromWords(t *testing.T) {
	for _, c := range []struct {
		ws   []string
		want string
		n    int
	}{
		{[]string{"edge", "to", "edge", "roses"}, "e2e", 3},
		{[]string{"blk", "bear"}, "block", 1},
		{[]string{"edge", "roses"}, "", 0},
		{nil, "", 0},
	} {
		if got, n := FromWords(c.ws); got != c.want || n != c.n {
			t.Errorf("FromWords(%q) = %q, %d; want %q, %d", c.ws, got, n, c.want, c.n)
		}
	}
}
