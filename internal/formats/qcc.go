package formats

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/patternvault/patternvault/internal/geom"
)

// QCC is the QuiltEZ format: a header line "c s", then one "p X<in> Y<in>"
// point per line in inches with four decimals, Y negated by writers (Y down
// on file, up here). Readers take any X and Y numbers on a line and stop at
// M02.
//
// No distinction between jump and stitch is known, so the reader returns one
// stitched path through every point and the writer writes every point of
// every path from the first stitch to the last, jumps between them
// included (they will be sewn: Losses says so), in order. Jumps before the
// first stitch and after the last are left out: the first point only
// places the needle. Arcs and curves become polylines within 0.00025 in;
// pauses and metadata are dropped.
var QCC = &Format{
	Name:       "qcc",
	Title:      "QuiltEZ QCC",
	Extensions: []string{"qcc"},
	Sniff:      sniffQCC,
	Read:       readQCC,
	Write:      writeQCC,
	keeps:      0, // no jumps, pauses or metadata
	text:       true,
}

func init() { register(QCC) }

func sniffQCC(head []byte) bool {
	lines := headLines(head, 1)
	return len(lines) == 1 && strings.EqualFold(strings.Join(strings.Fields(lines[0]), " "), "c s")
}

func readQCC(data []byte) (*geom.Design, error) {
	if err := checkSize("qcc", data); err != nil {
		return nil, err
	}
	var b builder
	first, header := true, false
	err := eachLine(data, func(n int, line string) error {
		if !header {
			if !sniffQCC([]byte(line)) {
				return fmt.Errorf("qcc: line %d: missing \"c s\" header: %w", n, ErrNotDesign)
			}
			header = true
			return nil
		}
		if strings.HasPrefix(strings.ToUpper(line), "M02") || strings.HasPrefix(strings.ToUpper(line), "M2") {
			return errStop
		}
		x, okx, err := qccNumber(line, 'X')
		if err != nil {
			return fmt.Errorf("qcc: line %d: %w", n, err)
		}
		y, oky, err := qccNumber(line, 'Y')
		if err != nil {
			return fmt.Errorf("qcc: line %d: %w", n, err)
		}
		if !okx || !oky {
			return nil
		}
		p := geom.Point{X: x, Y: -y}
		if first {
			first = false
			if err := b.moveTo(p); err != nil {
				return fmt.Errorf("qcc: line %d: %w", n, err)
			}
			return nil
		}
		if err := b.lineTo(p, true); err != nil {
			return fmt.Errorf("qcc: line %d: %w", n, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !header {
		return nil, fmt.Errorf("qcc: empty file: %w", ErrNotDesign)
	}
	return b.design("qcc")
}

// qccNumber finds the number after letter (either case) on the line.
func qccNumber(line string, letter byte) (float64, bool, error) {
	i := strings.IndexAny(line, string([]byte{letter, letter | 0x20}))
	if i < 0 {
		return 0, false, nil
	}
	j := i + 1
	for j < len(line) && strings.IndexByte("+-.0123456789", line[j]) >= 0 {
		j++
	}
	v, err := parseNumber(line[i+1 : j])
	if err != nil {
		return 0, false, fmt.Errorf("bad %c value %w", letter, err)
	}
	return v, true, nil
}

// writeQCC writes every point of every path from the first stitch to the
// last, in order.
func writeQCC(w io.Writer, d *geom.Design) error {
	if err := checkWritable("qcc", d); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("c s\r\n")
	var prev, b []byte
	budget := newPointBudget()
	first, last := stitchedRange(d)
	for i := first; i <= last; i++ {
		pts, err := budget.flatten("qcc", &d.Paths[i])
		if err != nil {
			return err
		}
		for _, p := range pts {
			b = geom.AppendFixed(append(b[:0], "p X"...), round4(p.X)+0, 4)
			b = geom.AppendFixed(append(b, " Y"...), round4(-p.Y)+0, 4)
			b = append(b, '\r', '\n')
			if !bytes.Equal(b, prev) {
				bw.Write(b)
				prev, b = b, prev
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("qcc: %w", err)
	}
	return nil
}

// stitchedRange returns the indexes of the first and last stitched paths
// that sew anything; first > last when there is none.
func stitchedRange(d *geom.Design) (first, last int) {
	first, last = len(d.Paths), -1
	for i := range d.Paths {
		if d.Paths[i].Stitch && len(d.Paths[i].Segments) > 0 {
			first = min(first, i)
			last = i
		}
	}
	return first, last
}
