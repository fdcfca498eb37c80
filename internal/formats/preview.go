package formats

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/patternvault/patternvault/internal/geom"
)

// Preview returns geometry to draw a picture of the file called name: what
// Read returns for a format with a reader, or, for a format kept as-is
// whose layout one exporter was seen to write (CMD/CQP, PC Quilter TXT,
// XY, QDATA: see the shared FORMATS.md), a preview read the way that
// exporter writes. A preview is for a thumbnail, never for a conversion or
// a size the quilter relies on: the machines' own files may differ, so it
// carries a warning saying so, and a file that does not follow the
// exporter's layout simply has no preview (ErrNoGeometry), never
// "unreadable". The guard of geom.Design.Check applies as everywhere.
func Preview(name string, data []byte) (*geom.Design, *Format, error) {
	d, f, err := Read(name, data)
	if f == nil || f.preview == nil || !isNoGeometry(err) {
		return d, f, err
	}
	if len(data) > geom.MaxFileSize {
		return nil, f, err
	}
	p, perr := f.preview(data)
	if perr == nil {
		perr = p.Check()
	}
	if perr != nil {
		return nil, f, &ReadError{Name: filepath.Base(name), Format: f, Err: perr, kinds: []error{ErrNoGeometry},
			Reason: fmt.Sprintf("%s files are kept as they are, and this one has no preview: %v", f.Title, perr)}
	}
	p.Meta.Format = f.Name
	p.Warnings = append(p.Warnings, fmt.Sprintf("This picture of a %s file is a preview: PatternVault reads %s files as one exporter writes them, which the machines' own files may not follow.", f.Title, strings.ToUpper(f.Name)))
	p.Warnings = append(p.Warnings, sizeWarnings(p)...)
	return p, f, nil
}

// isNoGeometry reports an error that is only "kept as-is, no preview".
func isNoGeometry(err error) bool {
	re, ok := err.(*ReadError)
	return ok && len(re.kinds) == 1 && re.kinds[0] == ErrNoGeometry
}

// previewCMD reads CMD and CQP files as one exporter writes them: CRLF
// text, "PU" and "PD" lines lifting and lowering the pen, one point per
// line as "X<x>,<y> Y" in inches with Y down, and a footer of "END" and
// "MIN X=..." lines.
func previewCMD(data []byte) (*geom.Design, error) {
	var b builder
	down, started := false, false
	err := eachLine(data, func(n int, line string) error {
		upper := strings.ToUpper(line)
		switch {
		case line == "":
			return nil
		case upper == "PU":
			down = false
			return nil
		case upper == "PD":
			down = true
			return nil
		case upper == "END":
			return errStop
		case !strings.HasPrefix(upper, "X"):
			return fmt.Errorf("cmd: line %d: not a point: %q", n, clip(line))
		}
		xs, rest, ok := strings.Cut(line[1:], ",")
		ys := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "Y"))
		ys = strings.TrimSpace(strings.TrimSuffix(ys, "y"))
		if !ok {
			return fmt.Errorf("cmd: line %d: want X<x>,<y> Y, got %q", n, clip(line))
		}
		x, y, err := parseXY("cmd", n, xs, ys)
		if err != nil {
			return err
		}
		p := geom.Point{X: x, Y: -y}
		if !started {
			started = true
			if !down {
				return wrapLine("cmd", n, b.moveTo(p))
			}
		}
		return wrapLine("cmd", n, b.lineTo(p, down))
	})
	if err != nil {
		return nil, err
	}
	return b.design("cmd")
}

// previewXY reads PC Quilter TXT and XY files as one exporter writes them:
// "x y" per line, space-separated, in inches with Y up, one stitched line
// through every point.
func previewXY(data []byte) (*geom.Design, error) {
	var b builder
	first := true
	err := eachLine(data, func(n int, line string) error {
		if line == "" {
			return nil
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return fmt.Errorf("xy: line %d: want x y, got %q", n, clip(line))
		}
		x, y, err := parseXY("xy", n, f[0], f[1])
		if err != nil {
			return err
		}
		p := geom.Point{X: x, Y: y}
		if first {
			first = false
			return wrapLine("xy", n, b.moveTo(p))
		}
		return wrapLine("xy", n, b.lineTo(p, true))
	})
	if err != nil {
		return nil, err
	}
	return b.design("xy")
}

// previewQDATA reads QDATA files as one exporter writes them: a
// "$Limit a,b,c,d" header, "#COLR R:..,G:..,B:.., <thread>" lines, the
// first point absolute in thousandths of an inch with Y negated, the
// following ones "dx, dy" relative in thousandths with Y up, and "#END".
// A thread line after the first point is a pause for the thread change.
func previewQDATA(data []byte) (*geom.Design, error) {
	var b builder
	first := true
	err := eachLine(data, func(n int, line string) error {
		upper := strings.ToUpper(line)
		switch {
		case line == "" || strings.HasPrefix(upper, "$LIMIT"):
			return nil
		case strings.HasPrefix(upper, "#END"):
			return errStop
		case strings.HasPrefix(upper, "#COLR"):
			thread := line[strings.LastIndexByte(line, ',')+1:] // "" when there is no comma
			if thread = strings.TrimSpace(thread); strings.HasPrefix(strings.ToUpper(thread), "#COLR") {
				thread = ""
			}
			if first {
				if thread != "" {
					b.d.Meta.Notes = append(b.d.Meta.Notes, "Thread: "+thread)
				}
			} else {
				b.pause(thread)
			}
			return nil
		case strings.HasPrefix(line, "#"):
			return nil
		}
		xs, ys, ok := strings.Cut(line, ",")
		if !ok {
			return fmt.Errorf("qdata: line %d: want x, y, got %q", n, clip(line))
		}
		x, y, err := parseXY("qdata", n, xs, ys)
		if err != nil {
			return err
		}
		if first {
			first = false
			return wrapLine("qdata", n, b.moveTo(geom.Point{X: x * qliUnit, Y: -y * qliUnit}))
		}
		return wrapLine("qdata", n, b.lineTo(b.cur.Add(geom.Point{X: x * qliUnit, Y: y * qliUnit}), true))
	})
	if err != nil {
		return nil, err
	}
	return b.design("qdata")
}

// parseXY parses the two numbers of a point on line n of a preview format.
func parseXY(format string, n int, xs, ys string) (x, y float64, err error) {
	if x, err = parseNumber(strings.TrimSpace(xs)); err != nil {
		return 0, 0, fmt.Errorf("%s: line %d: bad x %w", format, n, err)
	}
	if y, err = parseNumber(strings.TrimSpace(ys)); err != nil {
		return 0, 0, fmt.Errorf("%s: line %d: bad y %w", format, n, err)
	}
	return x, y, nil
}

// wrapLine prefixes a reader's error with the format and line.
func wrapLine(format string, n int, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: line %d: %w", format, n, err)
}
