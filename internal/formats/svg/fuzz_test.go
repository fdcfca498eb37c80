package svg

import (
	"bytes"
	"os"
	"testing"

	"github.com/patternvault/patternvault/internal/formats/formatstest"
	"github.com/patternvault/patternvault/internal/geom"
)

// FuzzReadSVG checks that Read never panics, keeps within the segment limit
// and that whatever it reads can be written and read again.
func FuzzReadSVG(f *testing.F) {
	seeds := []string{
		doc(`<path d="M0 0L1 1h2v3c1 1 2 2 3 3s1 1 2 2q1 1 2 2t3 3a5 5 0 1 1 10 10z"/>`),
		doc(`<g transform="matrix(1 0 .5 1 0 0) rotate(30 1 1) skewY(10)"><ellipse rx="5" ry="2"/><circle r="3"/></g>`),
		doc(`<rect width="10" height="5" rx="1"/><polygon points="0 0 1 1 2 0"/><polyline points="1,2,3"/><line x2="1e3"/>`),
		doc(`<path d="M-.5.5.5-.5A1e-3 1e-3 0 0 0 1e308 1e308"/>`),
		`<svg width="1e308in" height="1mm" viewBox="0 0 1e-308 1"><path d="M0 0L1 1"/></svg>`,
		`<svg><g><g><g><path d="M0 0 1 1 2 2"/></g></g></g></svg>`,
		`<svg><defs><path d="M0 0L1 1"/></defs><text>hi</text><path class="jump pause" data-pause="x" d="M1 1L2 2"/></svg>`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if dir := fixtureDirOrEmpty(); dir != "" {
		for _, name := range fixtureGlob(dir) {
			// Large seeds make the fuzzer spend its time minimising.
			if data, err := os.ReadFile(name); err == nil && len(data) < 4<<10 {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Read(data)
		if err != nil {
			return
		}
		n := 0
		for _, p := range d.Paths {
			n += len(p.Segments)
		}
		if n > geom.MaxSegments+len(d.Paths) {
			t.Fatalf("%d segments read, limit %d", n, geom.MaxSegments)
		}
		if err := d.Check(); err != nil {
			t.Fatalf("design read outside the guard: %v", err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, formatstest.WithoutText(d)); err != nil {
			t.Fatalf("writing what was read: %v", err)
		}
		if err := formatstest.CheckOutput(buf.Bytes()); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(buf.Bytes()); err != nil {
			t.Fatalf("re-reading written SVG: %v\n%s", err, buf.Bytes())
		}
	})
}
