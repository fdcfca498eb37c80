package pdfdoc

import (
	"bytes"
	"compress/zlib"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// parsed is what checkFile read back from a document.
type parsed struct {
	pages    int
	contents []string // each page's content stream, inflated
}

var (
	objRe      = regexp.MustCompile(`(?s)^(\d+) 0 obj\n(.*?)\nendobj\n`)
	streamRe   = regexp.MustCompile(`(?s)^<< /Length (\d+) /Filter /FlateDecode >>\nstream\n(.*)\nendstream$`)
	countRe    = regexp.MustCompile(`/Count (\d+)`)
	startxRe   = regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`)
	xrefLineRe = regexp.MustCompile(`^(\d{10}) 00000 n $`)
)

// checkFile checks b is a well-formed PDF as Bytes writes it: header, every
// object where the cross-reference table says, streams as long as they
// say and inflating, the trailer pointing at the table.
func checkFile(t testing.TB, b []byte) parsed {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.4\n")) {
		t.Fatalf("no PDF header: %q", b[:min(len(b), 20)])
	}
	m := startxRe.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no startxref at the end: %q", b[max(0, len(b)-60):])
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if xref >= len(b) || !bytes.HasPrefix(b[xref:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the cross-reference table", xref)
	}
	lines := strings.Split(string(b[xref:]), "\n")
	n, err := strconv.Atoi(strings.TrimPrefix(lines[1], "0 "))
	if err != nil || lines[2] != "0000000000 65535 f " {
		t.Fatalf("bad cross-reference table head %q %q", lines[1], lines[2])
	}
	if !strings.Contains(string(b[xref:]), "/Size "+strconv.Itoa(n)+" ") {
		t.Errorf("trailer's /Size is not the table's %d entries", n)
	}
	var p parsed
	for i := 1; i < n; i++ {
		lm := xrefLineRe.FindStringSubmatch(lines[2+i])
		if lm == nil {
			t.Fatalf("cross-reference entry %d: %q", i, lines[2+i])
		}
		off, _ := strconv.Atoi(lm[1])
		om := objRe.FindSubmatch(b[off:])
		if om == nil || string(om[1]) != strconv.Itoa(i) {
			t.Fatalf("object %d is not at offset %d: %q", i, off, b[off:min(len(b), off+30)])
		}
		body := om[2]
		if c := countRe.FindSubmatch(body); c != nil && bytes.Contains(body, []byte("/Type /Pages")) {
			p.pages, _ = strconv.Atoi(string(c[1]))
		}
		if sm := streamRe.FindSubmatch(body); sm != nil {
			if l, _ := strconv.Atoi(string(sm[1])); l != len(sm[2]) {
				t.Fatalf("object %d: /Length %d, stream of %d bytes", i, l, len(sm[2]))
			}
			zr, err := zlib.NewReader(bytes.NewReader(sm[2]))
			if err != nil {
				t.Fatalf("object %d: %v", i, err)
			}
			content, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("object %d: inflate: %v", i, err)
			}
			p.contents = append(p.contents, string(content))
		}
	}
	if p.pages != len(p.contents) || p.pages == 0 {
		t.Fatalf("page tree says %d pages, %d content streams", p.pages, len(p.contents))
	}
	return p
}

var textRe = regexp.MustCompile(`BT /F(\d) ([\d.]+) Tf ([\d.]+) ([\d.]+) Td \(((?:[^\\)]|\\.)*)\) Tj ET`)

// shown is one text-showing operation of a page.
type shown struct {
	bold   bool
	size   float64
	x, y   float64 // points from the bottom-left
	text   string  // unescaped Windows-1252 bytes
	widthM float64 // its width in mm, from the metrics
}

func texts(t testing.TB, content string) []shown {
	t.Helper()
	var out []shown
	for _, m := range textRe.FindAllStringSubmatch(content, -1) {
		s := shown{bold: m[1] == "2"}
		s.size, _ = strconv.ParseFloat(m[2], 64)
		s.x, _ = strconv.ParseFloat(m[3], 64)
		s.y, _ = strconv.ParseFloat(m[4], 64)
		var raw []byte
		for i := 0; i < len(m[5]); i++ {
			if m[5][i] == '\\' {
				i++
			}
			raw = append(raw, m[5][i])
		}
		s.text = string(raw)
		d := &Doc{bold: s.bold, size: s.size}
		s.widthM = d.width(raw)
		out = append(out, s)
	}
	return out
}

func TestTextIsEncodedAndEscaped(t *testing.T) {
	d := New(LetterW, LetterH, 18)
	d.Cell(Cell{W: 100, H: 6, Text: "Café (1) \\ × 5 € ✓ −2\tend", NewLine: true})
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	p := checkFile(t, b)
	if want := `(Caf` + "\xe9" + ` \(1\) \\ ` + "\xd7" + ` 5 ` + "\x80" + ` ? -2 end) Tj`; !strings.Contains(p.contents[0], want) {
		t.Errorf("page content %q lacks %q", p.contents[0], want)
	}
}

func TestTitleIsATextString(t *testing.T) {
	for title, want := range map[string]string{
		"Invoice INV-0001":  "/Title (Invoice INV-0001)",
		"Invoice (draft)":   `/Title (Invoice \(draft\))`,
		"Facture Café":      "/Title <FEFF0046006100630074007500720065002000430061006600E9>",
		"Rechnung 𝄞 Müller": "/Title <FEFF0052006500630068006E0075006E00670020D834DD1E0020004D00FC006C006C00650072>",
	} {
		d := New(LetterW, LetterH, 18)
		d.SetTitle(title)
		b, err := d.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		checkFile(t, b)
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("title %q: the file lacks %s", title, want)
		}
	}
}

func TestWidthsAreHelveticas(t *testing.T) {
	d := New(LetterW, LetterH, 18)
	// Helvetica's H, e, l, l, o: 722+556+222+222+556 thousandths.
	if got, want := d.width([]byte("Hello")), 2278*11.0/1000/ptPerMM; math.Abs(got-want) > 1e-9 {
		t.Errorf("Hello at 11 pt is %.4f mm, want %.4f", got, want)
	}
	d.SetFont(true, 11)
	// Helvetica-Bold's: 722+556+278+278+611.
	if got, want := d.width([]byte("Hello")), 2445*11.0/1000/ptPerMM; math.Abs(got-want) > 1e-9 {
		t.Errorf("bold Hello at 11 pt is %.4f mm, want %.4f", got, want)
	}
}

func TestRightAlignedTextEndsAtTheCellsRight(t *testing.T) {
	d := New(LetterW, LetterH, 18)
	d.SetFont(true, 11)
	d.Cell(Cell{W: 140, H: 7, Text: "Balance due", Align: Right})
	d.Cell(Cell{H: 7, Text: "$1,234.50", Align: Right, NewLine: true})
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	ts := texts(t, checkFile(t, b).contents[0])
	if len(ts) != 2 {
		t.Fatalf("%d texts, want 2", len(ts))
	}
	for i, right := range []float64{18 + 140, LetterW - 18} {
		if end := ts[i].x/ptPerMM + ts[i].widthM; math.Abs(end-(right-cellPad)) > 0.01 {
			t.Errorf("%q ends at %.2f mm, want %.2f", ts[i].text, end, right-cellPad)
		}
	}
	if !ts[0].bold || ts[0].y != ts[1].y {
		t.Errorf("texts %+v: want bold, on one line", ts)
	}
}

func TestParagraphWrapsWithinItsColumnAndPages(t *testing.T) {
	long := strings.Repeat("edge to edge quilting, a meander ", 200) + strings.Repeat("x", 250) + "\n\nlast line"
	d := New(LetterW, LetterH, 18)
	d.Paragraph(140, 6, long)
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	p := checkFile(t, b)
	if p.pages < 2 {
		t.Fatalf("%d page(s), want the paragraph to go on to a second", p.pages)
	}
	var all []string
	for _, c := range p.contents {
		for _, s := range texts(t, c) {
			if s.widthM > 140-2*cellPad+1e-9 {
				t.Errorf("line %q is %.1f mm wide, column holds %.1f", s.text, s.widthM, 140-2*cellPad)
			}
			if s.y/ptPerMM < 18 {
				t.Errorf("line %q is in the bottom margin (%.1f mm from the bottom)", s.text, s.y/ptPerMM)
			}
			all = append(all, s.text)
		}
	}
	for _, l := range all[:len(all)-1] {
		if strings.Contains(l, "meander") && (strings.HasPrefix(l, " ") || strings.HasSuffix(l, " ")) {
			t.Errorf("line %q starts or ends with the space it was broken at", l)
		}
	}
	joined := strings.Join(all, " ")
	if got, want := strings.Count(joined, "meander"), 200; got != want {
		t.Errorf("%d meanders after wrapping, want %d (a word was split)", got, want)
	}
	if got := strings.Count(strings.ReplaceAll(strings.Join(all, ""), " ", ""), "x"); got != 250 {
		t.Errorf("the long word kept %d of its 250 letters", got)
	}
	if all[len(all)-1] != "last line" {
		t.Errorf("last line %q, want the text after the blank line", all[len(all)-1])
	}
	if d.X() != 18 {
		t.Errorf("after a paragraph x = %.1f, want the left margin", d.X())
	}
}

func TestEmptyDocumentHasAPage(t *testing.T) {
	b, err := New(LetterW, LetterH, 18).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if p := checkFile(t, b); p.pages != 1 {
		t.Errorf("%d pages, want 1", p.pages)
	}
}

// FuzzParagraph: whatever text a person types, the file is well formed and
// every line fits its column.
func FuzzParagraph(f *testing.F) {
	for _, s := range []string{"", "Custom edge-to-edge, 90 × 108 in", "Café (1) \\ ) ( € ✓\r\n\n", strings.Repeat("w", 400), "a \x00\x7f\xff b"} {
		f.Add(s, 60.0)
	}
	f.Fuzz(func(t *testing.T, s string, w float64) {
		if len(s) > 4000 || !(w >= 5 && w <= LetterW-36) {
			t.Skip()
		}
		d := New(LetterW, LetterH, 18)
		d.Cell(Cell{H: 6, Text: s, Align: Right, Rule: true, NewLine: true})
		d.Paragraph(w, 6, s)
		b, err := d.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range checkFile(t, b).contents {
			ts := texts(t, c)
			if i == 0 && len(ts) > 0 {
				ts = ts[1:] // the one-line cell
			}
			for _, l := range ts {
				if l.widthM > w-2*cellPad+1e-9 && len(l.text) > 1 {
					t.Errorf("line %q is %.1f mm wide in a %.1f mm column", l.text, l.widthM, w)
				}
			}
		}
	})
}
