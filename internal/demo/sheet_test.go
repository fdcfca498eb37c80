package demo

import (
	"image"
	"image/color"
	"image/draw"
	"os"
	"path/filepath"
	"testing"

	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/geom/shape"
	"github.com/patternvault/patternvault/internal/render"
)

// writeSheet draws the designs side by side, six to a row, into a PNG.
func writeSheet(t *testing.T, path string, ds []*geom.Design) {
	const size, perRow = 256, 6
	rows := (len(ds) + perRow - 1) / perRow
	im := image.NewGray(image.Rect(0, 0, size*perRow, size*rows))
	draw.Draw(im, im.Bounds(), image.NewUniform(color.Gray{200}), image.Point{}, draw.Src)
	for i, d := range ds {
		x, y := size*(i%perRow), size*(i/perRow)
		th := render.Thumbnail(d, size-4, render.Options{ShowJumps: true})
		draw.Draw(im, image.Rect(x+2, y+2, x+size-2, y+size-2), th, image.Point{}, draw.Src)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := render.EncodePNG(f, im); err != nil {
		t.Fatal(err)
	}
}

// TestContactSheets draws every motif and a few designs of every type into
// PNG contact sheets for a person to look at, when DEMO_SHEETS names a
// directory.
func TestContactSheets(t *testing.T) {
	dir := os.Getenv("DEMO_SHEETS")
	if dir == "" {
		t.Skip("set DEMO_SHEETS to a directory to draw contact sheets")
	}
	var ds []*geom.Design
	for i, m := range Motifs() {
		ds = append(ds, m.Unit(itemRand(1, i)))
	}
	writeSheet(t, filepath.Join(dir, "motifs.png"), ds)
	ds = nil
	for ti, typ := range Types {
		for j := 0; j < 6; j++ {
			it := NewItemOfType(3, ti*10+j, typ, nil)
			ds = append(ds, it.Design)
			bb := it.Design.StitchBounds()
			t.Logf("%-8s %-40q %5.1f × %4.1f in, classified %s", typ, it.Name, bb.Width(), bb.Height(), shape.Classify(it.Design).Type)
		}
	}
	writeSheet(t, filepath.Join(dir, "types.png"), ds)
}
