package svg

import (
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// pxPerInch is the CSS reference resolution SVG uses for absolute units.
const pxPerInch = 96

// unitPx gives the size of one unit in px.
var unitPx = map[string]float64{
	"": 1, "px": 1, "in": pxPerInch, "mm": pxPerInch / 25.4, "cm": pxPerInch / 2.54,
	"pt": pxPerInch / 72.0, "pc": pxPerInch / 6.0,
}

// parseLength parses an SVG length such as "210mm" and returns it in px.
// ok is false for percentages, font-relative units and unparsable text.
func parseLength(s string) (px float64, ok bool) {
	s = strings.TrimSpace(s)
	i := len(s)
	for i > 0 && isLetter(s[i-1]) {
		i--
	}
	f, known := unitPx[strings.ToLower(s[i:])]
	if !known {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s[:i]), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v * f, true
}

// userLen returns the attribute name as a length in user units (px), 0 when
// absent or unusable.
func userLen(t xml.StartElement, name string) float64 {
	v, ok := attr(t, name)
	if !ok {
		return 0
	}
	px, _ := parseLength(v)
	return px
}

// rootMatrix returns the transform from the root's user units to inches with
// Y up, from width, height, viewBox and preserveAspectRatio.
func rootMatrix(t xml.StartElement) (matrix, error) {
	s := 1.0 / pxPerInch // inches per user unit
	sx, sy := s, s
	var vb []float64
	if v, ok := attr(t, "viewBox"); ok && strings.TrimSpace(v) != "" {
		var err error
		vb, err = parseNumberList(v)
		if err != nil || len(vb) != 4 {
			return identity, fmt.Errorf("viewBox %q: want four numbers", v)
		}
		if vb[2] <= 0 || vb[3] <= 0 {
			return identity, fmt.Errorf("viewBox %q: width and height must be positive", v)
		}
	}
	if vb != nil {
		w, wok := lengthAttr(t, "width")
		h, hok := lengthAttr(t, "height")
		switch {
		case wok && hok:
			sx, sy = w/pxPerInch/vb[2], h/pxPerInch/vb[3]
		case wok:
			sx = w / pxPerInch / vb[2]
			sy = sx
		case hok:
			sy = h / pxPerInch / vb[3]
			sx = sy
		}
		par, _ := attr(t, "preserveAspectRatio")
		if !strings.HasPrefix(strings.TrimSpace(par), "none") {
			sx = math.Min(sx, sy)
			sy = sx
		}
	}
	m := scale(sx, -sy)
	if vb != nil {
		m = m.mul(translate(-vb[0], -vb[1]))
	}
	return m, nil
}

// lengthAttr returns a positive length attribute in px.
func lengthAttr(t xml.StartElement, name string) (float64, bool) {
	v, ok := attr(t, name)
	if !ok {
		return 0, false
	}
	px, ok := parseLength(v)
	return px, ok && px > 0
}

// shapePath returns the path data equivalent to a shape element, or "" when
// the element draws nothing.
func shapePath(t xml.StartElement) (string, error) {
	n := func(name string) float64 { return userLen(t, name) }
	switch t.Name.Local {
	case "path":
		d, _ := attr(t, "d")
		return d, nil
	case "line":
		return fmt.Sprintf("M%g %gL%g %g", n("x1"), n("y1"), n("x2"), n("y2")), nil
	case "polyline", "polygon":
		pts, _ := attr(t, "points")
		v, err := parseNumberList(pts)
		if err != nil {
			return "", fmt.Errorf("points: %w", err)
		}
		if len(v) < 4 {
			return "", nil
		}
		var b strings.Builder
		b.WriteString("M")
		for i := 0; i+1 < len(v); i += 2 {
			fmt.Fprintf(&b, "%g %g ", v[i], v[i+1])
		}
		if t.Name.Local == "polygon" {
			b.WriteString("Z")
		}
		return b.String(), nil
	case "rect":
		return rectPath(n("x"), n("y"), n("width"), n("height"), t), nil
	case "circle":
		r := n("r")
		if r <= 0 {
			return "", nil
		}
		return ellipsePath(n("cx"), n("cy"), r, r), nil
	case "ellipse":
		rx, ry := n("rx"), n("ry")
		if rx <= 0 || ry <= 0 {
			return "", nil
		}
		return ellipsePath(n("cx"), n("cy"), rx, ry), nil
	}
	return "", nil
}

// ellipsePath draws a full ellipse as two half arcs from (cx+rx, cy).
func ellipsePath(cx, cy, rx, ry float64) string {
	return fmt.Sprintf("M%g %gA%g %g 0 0 1 %g %gA%g %g 0 0 1 %g %gZ",
		cx+rx, cy, rx, ry, cx-rx, cy, rx, ry, cx+rx, cy)
}

// rectPath draws a rectangle, with rounded corners when rx/ry are set.
func rectPath(x, y, w, h float64, t xml.StartElement) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	rx, rxok := lengthAttr(t, "rx")
	ry, ryok := lengthAttr(t, "ry")
	switch {
	case !rxok && !ryok:
		return fmt.Sprintf("M%g %gH%gV%gH%gZ", x, y, x+w, y+h, x)
	case !rxok:
		rx = ry
	case !ryok:
		ry = rx
	}
	rx, ry = math.Min(rx, w/2), math.Min(ry, h/2)
	return fmt.Sprintf("M%g %gH%gA%g %g 0 0 1 %g %gV%gA%g %g 0 0 1 %g %gH%gA%g %g 0 0 1 %g %gV%gA%g %g 0 0 1 %g %gZ",
		x+rx, y, x+w-rx, rx, ry, x+w, y+ry, y+h-ry, rx, ry, x+w-rx, y+h, x+rx, rx, ry, x, y+h-ry, y+ry, rx, ry, x+rx, y)
}
