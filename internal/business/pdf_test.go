package business

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/store"
)

// TestInvoicePDFReadsBack: an invoice's PDF, read back by poppler's
// pdftotext (a real PDF reader), says what the invoice says, each amount
// on its line's row, with accents and the euro sign intact; a
// description long enough to fill pages carries on to the next.
func TestInvoicePDFReadsBack(t *testing.T) {
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (Debian's poppler-utils, installed by scripts/deps) is not installed")
	}
	number := "INV-0042"
	issued := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	due := issued.AddDate(0, 0, 30)
	v := &store.Invoice{ID: 42, Number: &number, CustomerName: "Zoë Brontë", CustomerEmail: "zoe@example.com",
		CustomerAddress: "12 Rue de l'Église\nLyon", IssuedOn: &issued, DueOn: &due, Currency: "EUR",
		SubtotalCents: 27000, TaxRatePPM: 62500, TaxCents: 1688, TotalCents: 28688, PaidCents: 10000,
		Notes: "Thank you (merci) — see you in spring!", JobTitle: "Queen quilt × 2",
		Lines: []store.JobLine{
			{Description: "Edge-to-edge quilting, 90 × 108 in", AmountCents: 24300, Taxable: true},
			{Description: "Binding (machine)", AmountCents: 2700},
		},
		Payments: []*store.Payment{{PaidOn: issued, AmountCents: 10000, Method: "cheque"}},
	}
	b, err := invoicePDF(v, "Müller Quilting", "3 Mill Lane\nSpringfield", issued)
	if err != nil {
		t.Fatal(err)
	}
	text := readPDF(t, pdftotext, b)
	for _, want := range []string{"Müller Quilting", "Invoice INV-0042", "Zoë Brontë", "12 Rue de l'Église", "zoe@example.com",
		"Date: 3 November 2026", "Due: 3 December 2026", "For: Queen quilt × 2", "Thank you (merci) — see you in spring!"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	for _, row := range []string{
		`Edge-to-edge quilting, 90 × 108 in\s+€243\.00`,
		`Binding \(machine\) \(no tax\)\s+€27\.00`,
		`Subtotal\s+€270\.00`,
		`Total\s+€286\.88`,
		`Paid 3 Nov 2026 by cheque\s+-€100\.00`,
		`Balance due\s+€186\.88`,
	} {
		if !regexp.MustCompile(`(?m)^\s*` + row + `\s*$`).MatchString(text) {
			t.Errorf("the PDF has no row %s:\n%s", row, text)
		}
	}

	v.Lines = append(v.Lines, store.JobLine{Description: strings.Repeat("Custom feathers in the border, ", 120) + "finis", AmountCents: 5000, Taxable: true})
	b, err = invoicePDF(v, "Müller Quilting", "", issued)
	if err != nil {
		t.Fatal(err)
	}
	text = readPDF(t, pdftotext, b)
	if pages := strings.Count(text, "\f"); pages < 2 {
		t.Errorf("a description of pages came out on %d page(s)", pages)
	}
	if !regexp.MustCompile(`(?m)finis\s+€50\.00\s*$`).MatchString(text) {
		t.Errorf("the long line's amount is not beside its last line:\n%s", text)
	}
}

func readPDF(t *testing.T, pdftotext string, pdf []byte) string {
	t.Helper()
	cmd := exec.Command(pdftotext, "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	return string(out)
}
