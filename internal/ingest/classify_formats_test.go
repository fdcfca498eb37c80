package ingest

import (
	"testing"

	"github.com/patternvault/patternvault/internal/formats"
)

// TestDesignExtsCoverFormats keeps the extension table in step with the
// format registry: every extension a format claims (except txt, which is
// sniffed) makes a design file, so quilting files PatternVault only keeps
// as-is (4DQ, QDATA, TAP...) stay byte-exact files of their design.
func TestDesignExtsCoverFormats(t *testing.T) {
	for _, f := range formats.All() {
		for _, ext := range f.Extensions {
			if ext == "txt" {
				continue
			}
			if got := Classify("folder/design."+ext, []byte("x")); got != RoleDesign {
				t.Errorf("a .%s file (%s) is classified %q, want design", ext, f.Title, got)
			}
		}
	}
}
