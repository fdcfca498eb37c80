package render

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata")

// polyDesign makes a design of one stitched polyline per argument.
func polyDesign(lines ...[]geom.Point) *geom.Design {
	d := &geom.Design{}
	for _, pts := range lines {
		p := geom.Path{Start: pts[0], Stitch: true}
		for _, q := range pts[1:] {
			p.Segments = append(p.Segments, geom.Segment{Kind: geom.Line, End: q})
		}
		d.Paths = append(d.Paths, p)
	}
	return d
}

func pts(xy ...float64) []geom.Point {
	out := make([]geom.Point, len(xy)/2)
	for i := range out {
		out[i] = geom.Point{X: xy[2*i], Y: xy[2*i+1]}
	}
	return out
}

// circleDesign is two concentric full-circle arcs (radius 5 and 3).
func circleDesign() *geom.Design {
	a, b := geom.Point{X: 5}, geom.Point{X: 3}
	return &geom.Design{Paths: []geom.Path{{
		Start: a, Stitch: true,
		Segments: []geom.Segment{
			{Kind: geom.Arc, End: a, Sweep: 2 * math.Pi},
			{Kind: geom.Line, End: b},
			{Kind: geom.Arc, End: b, Sweep: -2 * math.Pi},
		},
	}}}
}

// lDesign is the outline of a capital L, 6 wide and 10 tall.
func lDesign() *geom.Design {
	return polyDesign(pts(0, 0, 6, 0, 6, 2, 2, 2, 2, 10, 0, 10, 0, 0))
}

// jumpDesign is two squares joined by a jump from (2,0) to (8,0).
func jumpDesign() *geom.Design {
	d := polyDesign(pts(0, 0, 2, 0, 2, 2, 0, 2, 0, 0, 2, 0), pts(8, 0, 10, 0, 10, 2, 8, 2, 8, 0))
	jump := geom.Path{Start: geom.Point{X: 2}, Segments: []geom.Segment{{Kind: geom.Line, End: geom.Point{X: 8}}}}
	d.Paths = []geom.Path{d.Paths[0], jump, d.Paths[1]}
	return d
}

// topRightDesign has its ink massed in the top-right: a right triangle with
// the right angle at the top-right, hatched, plus a cubic along its edge.
func topRightDesign() *geom.Design {
	var lines [][]geom.Point
	lines = append(lines, pts(0, 10, 10, 10, 10, 0, 0, 10))
	for x := 1.0; x < 10; x++ {
		lines = append(lines, pts(x, 10, x, 10-x))
	}
	d := polyDesign(lines...)
	d.Paths = append(d.Paths, geom.Path{Start: geom.Point{X: 10, Y: 10}, Stitch: true, Segments: []geom.Segment{
		{Kind: geom.Cubic, C1: geom.Point{X: 8, Y: 9}, C2: geom.Point{X: 9, Y: 8}, End: geom.Point{X: 10, Y: 10}},
	}})
	return d
}

// inkStats summarises the dark pixels (below 200) of a thumbnail.
type inkStats struct {
	n                      int
	minX, minY, maxX, maxY int
	cx, cy                 float64 // ink centroid
}

func ink(img *image.Gray) inkStats {
	s := inkStats{minX: math.MaxInt, minY: math.MaxInt, maxX: -1, maxY: -1}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.GrayAt(x, y).Y >= 200 {
				continue
			}
			s.n++
			s.cx += float64(x)
			s.cy += float64(y)
			s.minX, s.maxX = min(s.minX, x), max(s.maxX, x)
			s.minY, s.maxY = min(s.minY, y), max(s.maxY, y)
		}
	}
	if s.n > 0 {
		s.cx /= float64(s.n)
		s.cy /= float64(s.n)
	}
	return s
}

func TestThumbnailNotMirrored(t *testing.T) {
	img := Thumbnail(topRightDesign(), 256, Options{})
	s := ink(img)
	if s.n == 0 {
		t.Fatal("no ink drawn")
	}
	if s.cx <= 128 || s.cy >= 128 {
		t.Errorf("ink centroid (%.0f, %.0f): want top-right of a 256 px image (x > 128, y < 128)", s.cx, s.cy)
	}
	// The L's stem is on the left and its foot at the bottom.
	l := ink(Thumbnail(lDesign(), 256, Options{}))
	if l.cx >= 128 || l.cy <= 128 {
		t.Errorf("L centroid (%.0f, %.0f): want bottom-left (x < 128, y > 128)", l.cx, l.cy)
	}
}

func TestThumbnailFitsCentredUniform(t *testing.T) {
	// A 20 × 5 in rectangle: wide, so it spans the width inside the margin.
	d := polyDesign(pts(0, 0, 20, 0, 20, 5, 0, 5, 0, 0))
	for _, size := range []int{SizeGrid, SizeDetail} {
		img := Thumbnail(d, size, Options{})
		s := ink(img)
		avail := float64(size) * (1 - 2*DefaultMargin)
		w, h := float64(s.maxX-s.minX+1), float64(s.maxY-s.minY+1)
		lw := Options{}.lineWidth(size)
		if math.Abs(w-avail) > lw+2 {
			t.Errorf("size %d: ink width %.0f, want %.0f±%.0f", size, w, avail, lw+2)
		}
		if math.Abs(h-avail/4) > lw+2 {
			t.Errorf("size %d: ink height %.0f, want %.0f (aspect kept)", size, h, avail/4)
		}
		left, right := float64(s.minX), float64(size-1-s.maxX)
		top, bottom := float64(s.minY), float64(size-1-s.maxY)
		if math.Abs(left-right) > 2 || math.Abs(top-bottom) > 2 {
			t.Errorf("size %d: margins l%.0f r%.0f t%.0f b%.0f, want centred", size, left, right, top, bottom)
		}
	}
}

func TestThumbnailJumps(t *testing.T) {
	d := jumpDesign()
	mid := func(img *image.Gray) uint8 {
		// The jump runs along y = 0 at x = 5, the middle of the design.
		b := img.Bounds()
		darkest := uint8(255)
		x := b.Dx() / 2
		for y := 0; y < b.Dy(); y++ {
			darkest = min(darkest, img.GrayAt(x, y).Y)
		}
		return darkest
	}
	if v := mid(Thumbnail(d, 256, Options{})); v != 255 {
		t.Errorf("hidden jump: darkest pixel in the middle column %d, want 255 (white)", v)
	}
	v := mid(Thumbnail(d, 256, Options{ShowJumps: true}))
	if v == 255 || v < 150 {
		t.Errorf("shown jump: darkest pixel in the middle column %d, want faint (150..254)", v)
	}
	if s := ink(Thumbnail(d, 256, Options{})); s.n == 0 {
		t.Error("the stitched squares were not drawn")
	}
}

func TestThumbnailDegenerate(t *testing.T) {
	nan := math.NaN()
	cases := map[string]*geom.Design{
		"nil":        nil,
		"empty":      {},
		"jumps only": {Paths: []geom.Path{{Start: geom.Point{}, Segments: []geom.Segment{{End: geom.Point{X: 1}}}}}},
		"nan":        polyDesign(pts(0, 0, nan, 1, 2, 2)),
	}
	for name, d := range cases {
		img := Thumbnail(d, 64, Options{})
		if img.Bounds().Dx() != 64 || img.Bounds().Dy() != 64 {
			t.Errorf("%s: size %v", name, img.Bounds())
		}
		if s := ink(img); s.n != 0 {
			t.Errorf("%s: %d ink pixels, want a blank image", name, s.n)
		}
	}
	// A single point is drawn as a dot in the middle.
	dot := ink(Thumbnail(polyDesign(pts(3, 3, 3, 3)), 64, Options{}))
	if dot.n == 0 || math.Abs(dot.cx-31.5) > 1.5 || math.Abs(dot.cy-31.5) > 1.5 {
		t.Errorf("single point: %+v, want a dot at the centre", dot)
	}
	if img := Thumbnail(lDesign(), 0, Options{}); img.Bounds().Dx() != 1 {
		t.Errorf("size 0: got %v, want clamped to 1", img.Bounds())
	}
}

// goldenCase is a synthetic design rendered against testdata/<name>.png.
type goldenCase struct {
	name string
	d    *geom.Design
	opt  Options
}

func TestThumbnailGolden(t *testing.T) {
	cases := []goldenCase{
		{"circle", circleDesign(), Options{}},
		{"letter-l", lDesign(), Options{}},
		{"jumps", jumpDesign(), Options{ShowJumps: true}},
		{"top-right", topRightDesign(), Options{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Thumbnail(c.d, SizeGrid, c.opt)
			path := filepath.Join("testdata", c.name+".png")
			if *update {
				writeGolden(t, path, got)
				return
			}
			want := readGolden(t, path)
			mean, frac := compareGray(got, want)
			if mean > 1.5 || frac > 0.003 {
				t.Errorf("differs from %s: mean abs diff %.2f (max 1.5), pixels off by >64: %.2f%% (max 0.3%%); run with -update if intended",
					path, mean, 100*frac)
			}
		})
	}
}

func writeGolden(t *testing.T, path string, img *image.Gray) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readGolden(t *testing.T, path string) *image.Gray {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("golden image missing (run go test -run Golden -update): %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	g, ok := img.(*image.Gray)
	if !ok {
		t.Fatalf("%s: %T, want grayscale", path, img)
	}
	return g
}

// compareGray returns the mean absolute difference of two grayscale images
// and the fraction of pixels that differ by more than 64 levels. Images of
// different sizes are completely different.
func compareGray(a, b *image.Gray) (mean, frac float64) {
	if a.Bounds() != b.Bounds() {
		return 255, 1
	}
	sum, off := 0, 0
	for i := range a.Pix {
		d := int(a.Pix[i]) - int(b.Pix[i])
		if d < 0 {
			d = -d
		}
		sum += d
		if d > 64 {
			off++
		}
	}
	n := float64(len(a.Pix))
	return float64(sum) / n, float64(off) / n
}

func TestCompareGrayDetectsChange(t *testing.T) {
	a := Thumbnail(lDesign(), 128, Options{})
	b := Thumbnail(circleDesign(), 128, Options{})
	if mean, frac := compareGray(a, a); mean != 0 || frac != 0 {
		t.Errorf("same image: %.2f %.4f", mean, frac)
	}
	if mean, frac := compareGray(a, b); mean <= 1.5 && frac <= 0.003 {
		t.Errorf("different images pass the golden tolerance: %.2f %.4f", mean, frac)
	}
}

func TestFixtureThumbnails(t *testing.T) {
	for _, f := range fixtureFiles(t) {
		t.Run(f.Name+"/"+filepath.Base(f.Path), func(t *testing.T) {
			d := readFixture(t, f)
			r := d.StitchBounds()
			b := struct{ W, H func() float64 }{r.Width, r.Height}
			img := Thumbnail(d, SizeGrid, Options{})
			s := ink(img)
			w, h := float64(s.maxX-s.minX+1), float64(s.maxY-s.minY+1)
			lw := Options{}.lineWidth(SizeGrid)
			// Compare the ink's box, less the line width, with the design's.
			got, want := (w-lw)/(h-lw), b.W()/b.H()
			if math.Abs(got-want)/want > 0.04 {
				t.Errorf("ink aspect %.3f (%.0fx%.0f px), design %.3f (%.2fx%.2f in)", got, w, h, want, b.W(), b.H())
			}
			if l, r := s.minX, SizeGrid-1-s.maxX; abs(l-r) > 2 {
				t.Errorf("not centred horizontally: margins %d and %d px", l, r)
			}
			if tp, bt := s.minY, SizeGrid-1-s.maxY; abs(tp-bt) > 2 {
				t.Errorf("not centred vertically: margins %d and %d px", tp, bt)
			}
			var buf bytes.Buffer
			if err := EncodePNG(&buf, img); err != nil {
				t.Fatal(err)
			}
			if buf.Len() > 15<<10 {
				t.Errorf("256 px PNG is %d bytes, want < 15 KB", buf.Len())
			}
			t.Logf("%.2f x %.2f in, png %d bytes", b.W(), b.H(), buf.Len())
		})
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// benchFixture returns the atom electrons BQM (a typical e2e), or the
// first fixture file.
func benchFixture(b *testing.B) fixtureFile {
	files := fixtureFiles(b)
	for _, f := range files {
		if f.Name == "atom-electrons" && strings.EqualFold(filepath.Ext(f.Path), ".bqm") {
			return f
		}
	}
	return files[0]
}

func BenchmarkThumbnail256(b *testing.B) {
	f := benchFixture(b)
	data, err := os.ReadFile(f.Path)
	if err != nil {
		b.Fatal(err)
	}
	name := filepath.Base(f.Path)
	b.Run("read+render", func(b *testing.B) {
		for b.Loop() {
			d, _, err := formats.Read(name, data)
			if err != nil {
				b.Fatal(err)
			}
			Thumbnail(d, SizeGrid, Options{})
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "designs/s")
	})
	d := readFixture(b, f)
	b.Run("render", func(b *testing.B) {
		for b.Loop() {
			Thumbnail(d, SizeGrid, Options{})
		}
	})
	b.Run("render1024", func(b *testing.B) {
		for b.Loop() {
			Thumbnail(d, SizeDetail, Options{})
		}
	})
}

func BenchmarkEncodePNG(b *testing.B) {
	img := Thumbnail(readFixture(b, benchFixture(b)), SizeGrid, Options{})
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := EncodePNG(&buf, img); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
}

func TestThumbnailConcurrent(t *testing.T) {
	designs := []*geom.Design{circleDesign(), lDesign(), jumpDesign(), topRightDesign()}
	want := make([]*image.Gray, len(designs))
	for i, d := range designs {
		want[i] = Thumbnail(d, 200+i, Options{ShowJumps: true})
	}
	errs := make(chan string, 64)
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for k := 0; k < 10; k++ {
				i := (g + k) % len(designs)
				got := Thumbnail(designs[i], 200+i, Options{ShowJumps: true})
				if !bytes.Equal(got.Pix, want[i].Pix) {
					errs <- fmt.Sprintf("goroutine %d: design %d differs when rendered concurrently", g, i)
					return
				}
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
