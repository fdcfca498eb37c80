// Package pdfdoc writes simple documents as PDF: pages of text in the core
// Helvetica fonts (regular and bold), as one-line cells, wrapped
// paragraphs and rules, which is all an invoice needs. The core fonts are
// not embedded (every PDF reader has them), so a page is a few kilobytes.
// Text is encoded as Windows-1252 (WinAnsiEncoding): accents, "×" and "€"
// print, a character outside it prints as "?", and nothing a person types
// can break the file.
package pdfdoc

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"unicode/utf16"
)

// LetterW and LetterH are US Letter's width and height in millimetres.
const LetterW, LetterH = 215.9, 279.4

const (
	ptPerMM   = 72 / 25.4
	cellPad   = 1.0 // mm between a cell's side and its text
	ruleWidth = 0.2 // mm
)

// Align is where a cell's text sits in its box.
type Align int

// The alignments of a cell's text.
const (
	Left Align = iota
	Right
)

// Cell is one line of text in a box W wide (0: up to the right margin)
// and H high, in millimetres.
type Cell struct {
	W, H  float64
	Text  string
	Align Align
	// Rule draws a rule along the box's bottom.
	Rule bool
	// NewLine starts what comes next on the next line at the left
	// margin; otherwise it starts right of this box.
	NewLine bool
}

// Doc is a document being written. Positions are millimetres from the
// page's top-left corner; a cell or paragraph line that would cross the
// bottom margin goes on a new page.
type Doc struct {
	pageW, pageH, margin float64
	x, y                 float64
	bold                 bool
	size                 float64 // points
	stroke               string  // the rules' colour operator
	pages                []*bytes.Buffer
	title, creator       string
}

// New starts a document of w × h mm pages with margin mm on every side,
// in 11-point Helvetica with black rules. It has no page until AddPage
// or the first cell.
func New(w, h, margin float64) *Doc {
	return &Doc{pageW: w, pageH: h, margin: margin, x: margin, y: margin, size: 11, stroke: "0 0 0 RG"}
}

// SetTitle sets the title a PDF reader shows for the document.
func (d *Doc) SetTitle(s string) { d.title = s }

// SetCreator names the program that made the document.
func (d *Doc) SetCreator(s string) { d.creator = s }

// AddPage starts a new page, at its top-left margin.
func (d *Doc) AddPage() {
	d.pages = append(d.pages, &bytes.Buffer{})
	d.x, d.y = d.margin, d.margin
}

// SetFont sets the text's weight and size in points.
func (d *Doc) SetFont(bold bool, size float64) { d.bold, d.size = bold, size }

// SetDrawColor sets the rules' colour.
func (d *Doc) SetDrawColor(r, g, b uint8) {
	d.stroke = fmt.Sprintf("%.3f %.3f %.3f RG", float64(r)/255, float64(g)/255, float64(b)/255)
}

// X returns the current position's distance from the page's left edge.
func (d *Doc) X() float64 { return d.x }

// Y returns the current position's distance from the page's top edge.
func (d *Doc) Y() float64 { return d.y }

// Page returns how many pages the document has.
func (d *Doc) Page() int { return len(d.pages) }

// SetY moves to y mm from the top, at the left margin.
func (d *Doc) SetY(y float64) { d.x, d.y = d.margin, y }

// SetXY moves to (x, y).
func (d *Doc) SetXY(x, y float64) { d.x, d.y = x, y }

// Ln moves down h mm, to the left margin.
func (d *Doc) Ln(h float64) { d.x, d.y = d.margin, d.y+h }

// Cell writes c at the current position and moves past it.
func (d *Doc) Cell(c Cell) { d.cell(c, encode(c.Text)) }

// Paragraph writes text left-aligned in a column w mm wide (0: up to the
// right margin) from the current position, h mm a line, wrapped between
// words (inside a word too long for a line) and at every line break, then
// moves to the left margin below it.
func (d *Doc) Paragraph(w, h float64, text string) {
	if w == 0 {
		w = d.pageW - d.margin - d.x
	}
	x := d.x
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		for _, line := range d.wrap(encode(para), w-2*cellPad) {
			d.x = x
			d.cell(Cell{W: w, H: h, NewLine: true}, line)
		}
	}
	d.x = d.margin
}

// cell writes c with its text already encoded as text.
func (d *Doc) cell(c Cell, text []byte) {
	if len(d.pages) == 0 {
		d.AddPage()
	}
	if d.y+c.H > d.pageH-d.margin && d.y > d.margin {
		x := d.x
		d.AddPage()
		d.x = x
	}
	w := c.W
	if w == 0 {
		w = d.pageW - d.margin - d.x
	}
	p := d.pages[len(d.pages)-1]
	if c.Rule {
		y := (d.pageH - d.y - c.H) * ptPerMM
		fmt.Fprintf(p, "%s %.2f w %.2f %.2f m %.2f %.2f l S\n", d.stroke, ruleWidth*ptPerMM, d.x*ptPerMM, y, (d.x+w)*ptPerMM, y)
	}
	if len(text) > 0 {
		tx := d.x + cellPad
		if c.Align == Right {
			tx = d.x + w - cellPad - d.width(text)
		}
		baseline := d.y + c.H/2 + 0.3*d.size/ptPerMM
		font := 1
		if d.bold {
			font = 2
		}
		fmt.Fprintf(p, "BT /F%d %.2f Tf %.2f %.2f Td (", font, d.size, tx*ptPerMM, (d.pageH-baseline)*ptPerMM)
		writeEscaped(p, text)
		p.WriteString(") Tj ET\n")
	}
	if c.NewLine {
		d.Ln(c.H)
	} else {
		d.x += w
	}
}

// width returns how wide text is in the current font, in millimetres.
func (d *Doc) width(text []byte) float64 {
	widths := d.widths()
	n := 0
	for _, c := range text {
		n += int(widths[c])
	}
	return d.mm(n)
}

// widths returns the current font's character widths.
func (d *Doc) widths() *[256]uint16 {
	if d.bold {
		return &helveticaBoldWidths
	}
	return &helveticaWidths
}

// mm returns n thousandths of the font size in millimetres.
func (d *Doc) mm(n int) float64 { return float64(n) * d.size / 1000 / ptPerMM }

// wrap splits text into lines at most maxW mm wide in the current font:
// at the last space that fits, or inside a word no line can hold (at
// least one character a line).
func (d *Doc) wrap(text []byte, maxW float64) [][]byte {
	var lines [][]byte
	for d.width(text) > maxW {
		widths := d.widths()
		fit, space, n := 0, -1, 0
		for i, c := range text {
			n += int(widths[c])
			if d.mm(n) > maxW {
				break
			}
			fit = i + 1
			if text[i] == ' ' {
				space = i
			}
		}
		cut, next := fit, fit
		switch {
		case fit < len(text) && text[fit] == ' ':
			next = fit + 1
		case space > 0:
			cut, next = space, space+1
		case fit == 0:
			cut, next = 1, 1
		}
		lines = append(lines, text[:cut])
		text = text[next:]
	}
	return append(lines, text)
}

// encode turns s into Windows-1252 bytes.
func encode(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, winAnsi(r))
	}
	return b
}

// writeEscaped writes text as the inside of a PDF literal string.
func writeEscaped(b *bytes.Buffer, text []byte) {
	for _, c := range text {
		if c == '(' || c == ')' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
}

// textString returns s as a PDF text string: literal when it is plain
// ASCII, UTF-16 with a byte-order mark otherwise.
func textString(s string) string {
	ascii := true
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			ascii = false
			break
		}
	}
	var b bytes.Buffer
	if ascii {
		b.WriteByte('(')
		writeEscaped(&b, []byte(s))
		b.WriteByte(')')
		return b.String()
	}
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteByte('>')
	return b.String()
}

// Bytes returns the document as a PDF file.
func (d *Doc) Bytes() ([]byte, error) {
	if len(d.pages) == 0 {
		d.AddPage()
	}
	var b bytes.Buffer
	var offsets []int
	obj := func(format string, args ...any) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n", len(offsets))
		fmt.Fprintf(&b, format, args...)
		b.WriteString("\nendobj\n")
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	const firstPage = 6 // objects 1-5: catalog, page tree, two fonts, info
	kids := make([]string, len(d.pages))
	for i := range d.pages {
		kids[i] = fmt.Sprintf("%d 0 R", firstPage+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>",
		strings.Join(kids, " "), len(d.pages), d.pageW*ptPerMM, d.pageH*ptPerMM)
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	obj("<< /Title %s /Creator %s /Producer (PatternVault) >>", textString(d.title), textString(d.creator))
	for i, p := range d.pages {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		if _, err := zw.Write(p.Bytes()); err != nil {
			return nil, fmt.Errorf("pdfdoc: compress page %d: %w", i+1, err)
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("pdfdoc: compress page %d: %w", i+1, err)
		}
		obj("<< /Type /Page /Parent 2 0 R /Contents %d 0 R >>", firstPage+2*i+1)
		obj("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes())
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes(), nil
}
