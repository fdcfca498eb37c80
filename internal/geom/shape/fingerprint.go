package shape

import (
	"math"
	"sync"

	"github.com/patternvault/patternvault/internal/geom"
)

// Fingerprint layout: one version byte, one aspect byte, then for each of
// fpGrid×fpGrid cells (row 0 at the bottom) fpDirs 4-bit values, two a
// byte (high nibble first).
const (
	fpVersion = 2
	fpGrid    = 8
	fpDirs    = 4
	// FingerprintSize is the length of a fingerprint in bytes.
	FingerprintSize = 2 + fpGrid*fpGrid*fpDirs/2
	// aspectStep is how many aspect codes make one doubling of width/height.
	aspectStep = 32
)

// SameDesignThreshold is the FingerprintDistance below which two
// fingerprints are taken for the same design. On the fixture designs,
// copies of one design (rescaled, moved, simplified, rounded, or read from
// its SVG drawing) stay below 0.02, while different designs are more than
// 0.35 apart.
const SameDesignThreshold = 0.15

// Fingerprint returns a compact (FingerprintSize bytes) summary of the
// shape of d's stitched ink that does not change when the design is moved
// or scaled uniformly, nor when it is re-encoded in another format. The
// design is fitted into a unit square keeping its aspect ratio; the square
// is divided into 8×8 cells, and each cell holds the length of stitching
// that runs in each of four directions (horizontal, rising, vertical,
// falling), relative to the largest such value, as 4 bits. The aspect
// ratio is kept too, coarsely. Mirrored or rotated copies are different
// fingerprints. A design with no stitches, or one beyond DefaultBudget,
// gives nil.
func Fingerprint(d *geom.Design) []byte {
	s, err := sampleDesign(d, DefaultBudget)
	if err != nil {
		return nil
	}
	return fingerprint(s)
}

// fingerprint encodes the direction grid of sampled ink.
func fingerprint(s *samples) []byte {
	g := s.dirs
	peak := 0.0
	for _, v := range g {
		peak = math.Max(peak, v)
	}
	out := make([]byte, FingerprintSize)
	out[0] = fpVersion
	out[1] = aspectCode(s.b.W(), s.b.H())
	for i, v := range g {
		q := byte(0)
		if peak > 0 {
			q = byte(math.Round(15 * v / peak))
		}
		if i%2 == 0 {
			out[2+i/2] = q << 4
		} else {
			out[2+i/2] |= q
		}
	}
	return out
}

// aspectCode maps width/height to a byte, 128 for a square, aspectStep
// codes per doubling, clamped.
func aspectCode(w, h float64) byte {
	if w <= 0 || h <= 0 {
		return 128
	}
	c := 128 + math.Round(math.Log2(w/h)*aspectStep)
	return byte(math.Max(0, math.Min(255, c)))
}

// dirGrid accumulates, for each cell of a fpGrid×fpGrid grid over the
// unit square (design centred, aspect kept), the stitched length running
// in each of fpDirs directions. Each piece is split bilinearly among the
// four nearest cell centres and the two nearest directions, so that small
// shifts and turns change the values smoothly.
type dirGrid struct {
	g             []float64
	minX, minY    float64
	scale, ox, oy float64
}

// newDirGrid returns the direction grid of s (filled into s.dirs).
func newDirGrid(s *samples) *dirGrid {
	scale := float64(fpGrid) / s.ext
	return &dirGrid{
		g: s.dirs, minX: s.b.MinX, minY: s.b.MinY, scale: scale,
		ox: (float64(fpGrid) - s.b.W()*scale) / 2,
		oy: (float64(fpGrid) - s.b.H()*scale) / 2,
	}
}

// piece adds the stitching from p to q.
func (dg *dirGrid) piece(p, q geom.Point) {
	l := p.Dist(q)
	if l == 0 {
		return
	}
	ang := math.Mod(math.Atan2(q.Y-p.Y, q.X-p.X)+math.Pi, math.Pi) // [0, π)
	fd := ang / math.Pi * fpDirs
	d0 := int(fd) % fpDirs
	fr := fd - math.Floor(fd)
	mid := geom.Point{X: (p.X + q.X) / 2, Y: (p.Y + q.Y) / 2}
	x := (mid.X-dg.minX)*dg.scale + dg.ox - 0.5
	y := (mid.Y-dg.minY)*dg.scale + dg.oy - 0.5
	splat(dg.g, x, y, d0, l*(1-fr))
	splat(dg.g, x, y, (d0+1)%fpDirs, l*fr)
}

// splat adds w to direction dir of the four cells around (x, y), in cell
// units with cell centres at integers, clamping to the grid's edge.
func splat(g []float64, x, y float64, dir int, w float64) {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	ix, iy := int(x0), int(y0)
	add := func(cx, cy int, f float64) {
		cx = min(max(cx, 0), fpGrid-1)
		cy = min(max(cy, 0), fpGrid-1)
		g[(cy*fpGrid+cx)*fpDirs+dir] += w * f
	}
	add(ix, iy, (1-fx)*(1-fy))
	add(ix+1, iy, fx*(1-fy))
	add(ix, iy+1, (1-fx)*fy)
	add(ix+1, iy+1, fx*fy)
}

// FingerprintDistance compares two fingerprints: 0 for identical shapes,
// growing as they differ (the share of directional ink they do not have
// in common, 0..1, plus the difference of their aspect ratios in
// doublings).
// Fingerprints of different versions or lengths, or nil, are at distance 2
// (never the same design).
func FingerprintDistance(a, b []byte) float64 {
	if len(a) != FingerprintSize || len(b) != FingerprintSize || a[0] != b[0] {
		return 2
	}
	return distance(a, b, FingerprintInk(a)+FingerprintInk(b))
}

// FingerprintDistanceInk is FingerprintDistance of two valid fingerprints
// of one version whose FingerprintInk are known (a scan computes them
// once per design instead of once per pair).
func FingerprintDistanceInk(a, b []byte, inkA, inkB int) float64 {
	return distance(a, b, inkA+inkB)
}

func distance(a, b []byte, sum int) float64 {
	diff := 0
	nd := nibbleDiff()
	ga, gb := a[2:FingerprintSize], b[2:FingerprintSize]
	for i := range ga {
		diff += int(nd[uint16(ga[i])<<8|uint16(gb[i])])
	}
	grid := 0.0
	if sum > 0 {
		grid = float64(diff) / float64(sum)
	}
	aspect := math.Abs(float64(a[1])-float64(b[1])) / aspectStep
	return grid + aspect
}

// FingerprintInk is the sum of a fingerprint's cells. The grid part of
// FingerprintDistance is at least |inkA-inkB| / (inkA+inkB), so designs
// whose ink totals are far apart need no comparing.
func FingerprintInk(fp []byte) int {
	ink := 0
	for _, v := range fp[2:] {
		ink += int(v>>4 + v&15)
	}
	return ink
}

// nibbleDiff()[a<<8|b] is the sum of the differences of the two 4-bit
// values of bytes a and b, built on first use (not at every command's
// start).
var nibbleDiff = sync.OnceValue(func() *[1 << 16]uint8 {
	diff := new([1 << 16]uint8)
	for a := range 256 {
		for b := range 256 {
			diff[a<<8|b] = uint8(abs(a>>4-b>>4) + abs(a&15-b&15))
		}
	}
	return diff
})

// SameDesign reports whether two fingerprints are of the same design
// (FingerprintDistance below SameDesignThreshold).
func SameDesign(a, b []byte) bool {
	return FingerprintDistance(a, b) < SameDesignThreshold
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
