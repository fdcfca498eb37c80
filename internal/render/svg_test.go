package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/geom"
)

// svgDoc is the part of a preview the tests look at.
type svgDoc struct {
	ViewBox string `xml:"viewBox,attr"`
	Groups  []struct {
		Class string `xml:"class,attr"`
		Paths []struct {
			D      string `xml:"d,attr"`
			Effect string `xml:"vector-effect,attr"`
		} `xml:"path"`
		Texts []string `xml:"text"`
	} `xml:"g"`
}

func parsePreview(t *testing.T, d *geom.Design) (svgDoc, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := PreviewSVG(&buf, d); err != nil {
		t.Fatal(err)
	}
	var doc svgDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("preview is not XML: %v\n%s", err, buf.String())
	}
	return doc, buf.String()
}

func viewBox(t *testing.T, s string) [4]float64 {
	t.Helper()
	var v [4]float64
	f := strings.Fields(s)
	if len(f) != 4 {
		t.Fatalf("viewBox %q", s)
	}
	for i := range f {
		x, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			t.Fatalf("viewBox %q: %v", s, err)
		}
		v[i] = x
	}
	return v
}

func TestPreviewSVG(t *testing.T) {
	// The L is 6 × 10 in with its foot on y = 0; in SVG space (y down) the
	// top of the stem (y = 10) must come out as y = -10.
	doc, raw := parsePreview(t, lDesign())
	vb := viewBox(t, doc.ViewBox)
	if vb[0] > 0 || vb[1] > -10 || vb[0]+vb[2] < 6 || vb[1]+vb[3] < 0 {
		t.Errorf("viewBox %v does not contain the design's flipped box (0,-10)-(6,0)", vb)
	}
	if vb[2] > 12 || vb[3] > 15 {
		t.Errorf("viewBox %v is not in inches around a 6 × 10 in design", vb)
	}
	var stitch, scale bool
	for _, g := range doc.Groups {
		for _, p := range g.Paths {
			if p.Effect != "non-scaling-stroke" {
				t.Errorf("path in group %q lacks vector-effect=non-scaling-stroke", g.Class)
			}
		}
		switch g.Class {
		case "stitch":
			stitch = true
			if d := g.Paths[0].D; !strings.HasPrefix(d, "M0 0L6 0L6 -2L2 -2L2 -10") {
				t.Errorf("stitch path %q: want Y flipped, M0 0L6 0L6 -2L2 -2L2 -10...", d)
			}
		case "scale":
			scale = true
			all := strings.Join(g.Texts, "|")
			if !strings.Contains(all, "6 × 10 in") {
				t.Errorf("scale texts %q lack the size 6 × 10 in", all)
			}
			if !strings.Contains(all, "2 inches") {
				t.Errorf("scale texts %q lack the 2 inches ruler label", all)
			}
		}
	}
	if !stitch || !scale {
		t.Errorf("missing groups (stitch %v, scale %v):\n%s", stitch, scale, raw)
	}
}

func TestPreviewSVGArcs(t *testing.T) {
	// A counter-clockwise quarter circle from (1,0) to (0,1) about the
	// origin passes through (0.7,0.7): in SVG space from (1,0) to (0,-1)
	// with sweep-flag 0 (counter-clockwise on screen).
	d := &geom.Design{Paths: []geom.Path{{Start: geom.Point{X: 1}, Stitch: true, Segments: []geom.Segment{
		{Kind: geom.Arc, End: geom.Point{Y: 1}, Sweep: math.Pi / 2},
	}}}}
	doc, _ := parsePreview(t, d)
	if got := doc.Groups[0].Paths[0].D; got != "M1 0A1 1 0 0 0 0 -1" {
		t.Errorf("quarter arc: %q, want %q", got, "M1 0A1 1 0 0 0 0 -1")
	}
	// A full circle is split so that no piece is ambiguous.
	doc, _ = parsePreview(t, circleDesign())
	if n := strings.Count(doc.Groups[0].Paths[0].D, "A"); n != 8 {
		t.Errorf("two full circles: %d arc commands, want 8 quarter arcs", n)
	}
	vb := viewBox(t, doc.ViewBox)
	if vb[0] > -5 || vb[0] < -6 || vb[1] > -5 || vb[1] < -6 {
		t.Errorf("viewBox %v: want the circle's extent (-5,-5)-(5,5) plus a little padding", vb)
	}
}

func TestPreviewSVGEscapesTitle(t *testing.T) {
	d := lDesign()
	d.Meta.Title = `Hearts & <Stars>`
	_, raw := parsePreview(t, d)
	if !strings.Contains(raw, "<title>Hearts &amp; &lt;Stars&gt;</title>") {
		t.Errorf("title not escaped: %s", raw[:min(len(raw), 300)])
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestPreviewSVGErrors(t *testing.T) {
	if err := PreviewSVG(failWriter{}, lDesign()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write error: got %v", err)
	}
	if err := PreviewSVG(&bytes.Buffer{}, nil); err == nil {
		t.Error("nil design: no error")
	}
}

func TestScaleBarLength(t *testing.T) {
	for w, want := range map[float64]float64{0.3: 0.25, 2.5: 1, 12: 5, 14.4: 5, 30: 10, 1000: 100} {
		if got := scaleBarLength(w); got != want {
			t.Errorf("scaleBarLength(%v) = %v, want %v", w, got, want)
		}
	}
}
