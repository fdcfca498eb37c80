package designtype

import "testing"

// FuzzParse: whatever a form or the API sends, Parse answers a code it
// knows (or "") or refuses; it never panics.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{"e2e", "Edge to edge", "edge-to-edge", "blk", "PANTOS", "none", "", "spiral", "edge to", "\x00\xff", "ünïcödé"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := Parse(s)
		if ok && code != "" && !Valid(code) {
			t.Fatalf("Parse(%q) = %q, not a code", s, code)
		}
		if !ok && code != "" {
			t.Fatalf("Parse(%q) refused but answered %q", s, code)
		}
	})
}
