package business

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/pdfdoc"
	"github.com/patternvault/patternvault/internal/store"
)

// InvoicePDF draws an issued (or draft) invoice as a one-page PDF (more
// pages when it has many lines) in the core Helvetica fonts (pdfdoc);
// text is encoded in the fonts' Windows-1252, so accents, "×" and "€"
// print and nothing else breaks the file.
func (s *Service) InvoicePDF(ctx context.Context, tenantID, id int64) ([]byte, error) {
	v, err := s.Invoice(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	t, err := s.Store.TenantByID(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	_, set, err := s.PriceList(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return invoicePDF(v, workspaceName(t, set), set.BusinessAddress, s.today())
}

func invoicePDF(v *store.Invoice, business, address string, today time.Time) ([]byte, error) {
	pdf := pdfdoc.New(pdfdoc.LetterW, pdfdoc.LetterH, 18)
	number := "Draft"
	if v.Number != nil {
		number = *v.Number
	}
	pdf.SetTitle("Invoice " + number)
	pdf.SetCreator("PatternVault")
	pdf.AddPage()
	pdf.SetFont(true, 20)
	pdf.Cell(pdfdoc.Cell{W: 110, H: 10, Text: business})
	pdf.Cell(pdfdoc.Cell{H: 10, Text: "Invoice " + number, Align: pdfdoc.Right, NewLine: true})
	pdf.SetFont(false, 11)
	if address != "" {
		pdf.Paragraph(110, 5.5, address)
	}
	pdf.Ln(6)
	pdf.SetFont(true, 11)
	pdf.Cell(pdfdoc.Cell{W: 110, H: 6, Text: "Bill to"})
	pdf.Cell(pdfdoc.Cell{H: 6, Text: InvoiceStatus(v, today), Align: pdfdoc.Right, NewLine: true})
	pdf.SetFont(false, 11)
	pdf.Cell(pdfdoc.Cell{W: 110, H: 6, Text: v.CustomerName})
	if v.IssuedOn != nil {
		pdf.Cell(pdfdoc.Cell{H: 6, Text: "Date: " + v.IssuedOn.Format("2 January 2006"), Align: pdfdoc.Right, NewLine: true})
	} else {
		pdf.Ln(6)
	}
	lines := []string{}
	if v.CustomerAddress != "" {
		lines = append(lines, v.CustomerAddress)
	}
	if v.CustomerEmail != "" {
		lines = append(lines, v.CustomerEmail)
	}
	y := pdf.Y()
	if len(lines) > 0 {
		pdf.Paragraph(110, 5.5, strings.Join(lines, "\n"))
	}
	if v.DueOn != nil {
		y2 := pdf.Y()
		pdf.SetY(y)
		pdf.Cell(pdfdoc.Cell{H: 6, Text: "Due: " + v.DueOn.Format("2 January 2006"), Align: pdfdoc.Right, NewLine: true})
		pdf.SetY(max(y2, pdf.Y()))
	}
	if v.JobTitle != "" {
		pdf.Ln(2)
		pdf.Cell(pdfdoc.Cell{H: 6, Text: "For: " + v.JobTitle, NewLine: true})
	}
	pdf.Ln(6)
	pdf.SetFont(true, 11)
	pdf.SetDrawColor(120, 120, 120)
	pdf.Cell(pdfdoc.Cell{W: 140, H: 8, Text: "Description", Rule: true})
	pdf.Cell(pdfdoc.Cell{H: 8, Text: "Amount", Align: pdfdoc.Right, Rule: true, NewLine: true})
	pdf.SetFont(false, 11)
	money := func(c int64) string { return Money(Cents(c), v.Currency) }
	for _, l := range v.Lines {
		d := l.Description
		if !l.Taxable {
			d += " (no tax)"
		}
		// The amount goes beside the description's first line, or
		// its last when the description went on to a new page.
		page, x, y := pdf.Page(), pdf.X(), pdf.Y()
		pdf.Paragraph(140, 6, d)
		y2 := pdf.Y()
		if pdf.Page() != page {
			y = y2 - 6
		}
		pdf.SetXY(x+140, y)
		pdf.Cell(pdfdoc.Cell{H: 6, Text: money(l.AmountCents), Align: pdfdoc.Right, NewLine: true})
		pdf.SetY(max(y2, pdf.Y()))
	}
	pdf.Ln(2)
	row := func(label, amount string, bold bool) {
		pdf.SetFont(bold, 11)
		pdf.Cell(pdfdoc.Cell{W: 140, H: 7, Text: label, Align: pdfdoc.Right})
		pdf.Cell(pdfdoc.Cell{H: 7, Text: amount, Align: pdfdoc.Right, NewLine: true})
	}
	row("Subtotal", money(v.SubtotalCents), false)
	row(fmt.Sprintf("Tax (%s %%)", PPM(v.TaxRatePPM).Percent()), money(v.TaxCents), false)
	row("Total", money(v.TotalCents), true)
	for _, p := range v.Payments {
		row(fmt.Sprintf("Paid %s by %s", p.PaidOn.Format("2 Jan 2006"), p.Method), "-"+money(p.AmountCents), false)
	}
	row("Balance due", money(v.TotalCents-v.PaidCents), true)
	if v.Notes != "" {
		pdf.Ln(6)
		pdf.Paragraph(0, 6, v.Notes)
	}
	b, err := pdf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("business: draw invoice %d: %w", v.ID, err)
	}
	return b, nil
}
