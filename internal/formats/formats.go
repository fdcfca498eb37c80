// Package formats reads and writes quilting machine formats to and from the
// neutral geometry of package geom. Each format lives in its own file and
// registers a Format in the table below; detection looks at content first
// and the file name second.
package formats

import (
	"errors"
	"io"

	"github.com/patternvault/patternvault/internal/geom"
)

// ErrNotDesign is returned (wrapped) when data is not a design in the format.
var ErrNotDesign = errors.New("not a design file")

// Format describes one machine format.
type Format struct {
	// Name is the short lower-case name, also the usual extension ("qli").
	Name string
	// Title is the human name ("Gammill / Statler Stitcher QLI").
	Title string
	// Extensions lists file extensions without the dot, lower case.
	Extensions []string
	// Sniff reports whether the start of a file (up to 512 bytes) looks like
	// this format. Nil when the format cannot be recognised by content.
	Sniff func(head []byte) bool
	// Read parses a whole file. Nil when the structure is unknown.
	Read func(data []byte) (*geom.Design, error)
	// Write encodes a design. Nil when the format cannot be written.
	Write func(w io.Writer, d *geom.Design) error
}
