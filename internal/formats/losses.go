package formats

import (
	"fmt"
	"strings"

	"github.com/patternvault/patternvault/internal/geom"
)

// keep is what a format's writer carries of a design, beyond the stitched
// paths themselves (which every writer keeps, in order, at true size).
type keep uint8

const (
	// keepJumps: jumps stay jumps (needle up), explicitly or as gaps.
	keepJumps keep = 1 << iota
	// keepPauses: operator stops are written.
	keepPauses
	// keepPauseText: a pause's message is written with it.
	keepPauseText
	// keepMeta: title, designer, notes and links are written.
	keepMeta

	keepAll = keepJumps | keepPauses | keepPauseText | keepMeta
)

// Losses lists, in plain words for the quilter, what writing d in the
// target format (a format name such as "bqm") would lose: pauses a format
// has no place for, jumps it can only sew, a designer's credit it cannot
// hold. An empty list means the conversion keeps everything the design
// has. The CLI prints these as warnings; a download page shows them beside
// the download.
func Losses(d *geom.Design, target string) []string {
	f := ByName(target)
	if f == nil || f.Write == nil {
		return []string{fmt.Sprintf("PatternVault cannot write %s files", strings.ToUpper(target))}
	}
	if d == nil {
		return nil
	}
	name := strings.ToUpper(f.Name)
	var out []string
	if n := len(d.Pauses); n > 0 {
		switch {
		case f.keeps&keepPauses == 0:
			out = append(out, fmt.Sprintf("%s files have no pauses: %s left out, so the machine will not stop there",
				name, pauseList(d.Pauses)))
		case f.keeps&keepPauseText == 0 && pauseTexts(d.Pauses) != "":
			out = append(out, fmt.Sprintf("%s files keep pauses as pen changes without their messages (%s)",
				name, pauseTexts(d.Pauses)))
		}
	}
	if f.keeps&keepJumps == 0 {
		if n, length := jumps(d); n > 0 {
			out = append(out, fmt.Sprintf("%s files have no jumps: %s (%.1f in) will be sewn as stitches",
				name, plural(n, "jump", "jumps"), length))
		}
	}
	if f.keeps&keepMeta == 0 && hasMeta(d.Meta) {
		out = append(out, fmt.Sprintf("%s files have no place for the title, designer and notes: they are not kept", name))
	}
	return out
}

// pauseList describes the pauses: `the pause ("Cut thread") is` or
// "3 pauses are".
func pauseList(ps []geom.Pause) string {
	what, verb := "the pause", "is"
	if len(ps) > 1 {
		what, verb = fmt.Sprintf("%d pauses", len(ps)), "are"
	}
	if t := pauseTexts(ps); t != "" {
		what += " (" + t + ")"
	}
	return what + " " + verb
}

// pauseTexts quotes the first few pause messages, or "" when none has one.
func pauseTexts(ps []geom.Pause) string {
	var q []string
	for _, p := range ps {
		if t := strings.TrimSpace(p.Text); t != "" {
			if len(q) == 3 {
				q = append(q, "…")
				break
			}
			if len(t) > 40 {
				t = t[:40] + "…"
			}
			q = append(q, fmt.Sprintf("%q", t))
		}
	}
	return strings.Join(q, ", ")
}

// jumps counts the moves with the needle up between the first and the last
// stitch, and their length: runs of jump paths, and gaps where a path does
// not start where the previous one ended. Jumps before the first stitch
// and after the last one only position the needle.
func jumps(d *geom.Design) (int, float64) {
	first, last := stitchedRange(d)
	if first > last {
		return 0, 0
	}
	n, length := 0, 0.0
	cur := d.Paths[first].Start
	inJump := false
	for i := first; i <= last; i++ {
		p := &d.Paths[i]
		move := cur.Dist(p.Start)
		if move <= joinTol {
			move = 0
		}
		if !p.Stitch {
			move += p.Length()
		}
		if move > 0 {
			if !inJump {
				n++
			}
			length += move
			inJump = true
		}
		if p.Stitch && len(p.Segments) > 0 {
			inJump = false
		}
		cur = p.End()
	}
	return n, length
}

// joinTol is the distance in inches under which two path ends touch.
const joinTol = 0.001

func hasMeta(m geom.Meta) bool {
	return m.Title != "" || m.Designer != "" || len(m.Notes) > 0 || len(m.URLs) > 0
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Plausible design sizes, in inches. No longarm frame is wider than 14 ft
// (168 in) and no quilt needs more; a design smaller than a quarter inch
// is most likely a file in another unit.
const (
	plausibleMax = 200
	plausibleMin = 0.25
)

// sizeWarnings returns a warning when d's stitched extent is not a size a
// quilting design has (a 941 × 1080 in QLI), so the quilter checks the
// file's unit or scale before stitching it.
func sizeWarnings(d *geom.Design) []string {
	b := d.StitchBounds()
	w, h := b.Width(), b.Height()
	switch {
	case d.StitchPathCount() == 0:
		return nil
	case w > plausibleMax || h > plausibleMax:
		return []string{fmt.Sprintf("This design is %.1f × %.1f in, larger than any quilt: the file may use another unit or scale; check the size before stitching.", w, h)}
	case w < plausibleMin && h < plausibleMin:
		return []string{fmt.Sprintf("This design is %.3f × %.3f in, smaller than any quilting motif: the file may use another unit or scale; check the size before stitching.", w, h)}
	}
	return nil
}
