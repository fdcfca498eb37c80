package business

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/patternvault/patternvault/internal/store"
)

// InvoicePDF draws an issued (or draft) invoice as a one-page PDF (more
// pages when it has many lines), with fpdf's core Helvetica; text is
// translated to the font's Windows-1252 code page, so accents, "×" and
// "€" print and nothing else breaks the file.
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
	pdf := fpdf.New("P", "mm", "Letter", "")
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	txt := func(s string) string { return tr(strings.ReplaceAll(s, "−", "-")) }
	number := "Draft"
	if v.Number != nil {
		number = *v.Number
	}
	pdf.SetTitle("Invoice "+number, true)
	pdf.SetCreator("PatternVault", true)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 20)
	pdf.CellFormat(110, 10, txt(business), "", 0, "L", false, 0, "")
	pdf.CellFormat(0, 10, txt("Invoice "+number), "", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 11)
	if address != "" {
		pdf.MultiCell(110, 5.5, txt(address), "", "L", false)
	}
	pdf.Ln(6)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(110, 6, "Bill to", "", 0, "L", false, 0, "")
	pdf.CellFormat(0, 6, txt(InvoiceStatus(v, today)), "", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 11)
	pdf.CellFormat(110, 6, txt(v.CustomerName), "", 0, "L", false, 0, "")
	if v.IssuedOn != nil {
		pdf.CellFormat(0, 6, "Date: "+v.IssuedOn.Format("2 January 2006"), "", 1, "R", false, 0, "")
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
	y := pdf.GetY()
	if len(lines) > 0 {
		pdf.MultiCell(110, 5.5, txt(strings.Join(lines, "\n")), "", "L", false)
	}
	if v.DueOn != nil {
		y2 := pdf.GetY()
		pdf.SetY(y)
		pdf.CellFormat(0, 6, "Due: "+v.DueOn.Format("2 January 2006"), "", 1, "R", false, 0, "")
		pdf.SetY(max(y2, pdf.GetY()))
	}
	if v.JobTitle != "" {
		pdf.Ln(2)
		pdf.CellFormat(0, 6, txt("For: "+v.JobTitle), "", 1, "L", false, 0, "")
	}
	pdf.Ln(6)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.SetDrawColor(120, 120, 120)
	pdf.CellFormat(140, 8, "Description", "B", 0, "L", false, 0, "")
	pdf.CellFormat(0, 8, "Amount", "B", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 11)
	money := func(c int64) string { return txt(Money(Cents(c), v.Currency)) }
	for _, l := range v.Lines {
		d := l.Description
		if !l.Taxable {
			d += " (no tax)"
		}
		x, y := pdf.GetX(), pdf.GetY()
		pdf.MultiCell(140, 6, txt(d), "", "L", false)
		y2 := pdf.GetY()
		pdf.SetXY(x+140, y)
		pdf.CellFormat(0, 6, money(l.AmountCents), "", 1, "R", false, 0, "")
		pdf.SetY(max(y2, pdf.GetY()))
	}
	pdf.Ln(2)
	row := func(label, amount string, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		pdf.SetFont("Helvetica", style, 11)
		pdf.CellFormat(140, 7, txt(label), "", 0, "R", false, 0, "")
		pdf.CellFormat(0, 7, amount, "", 1, "R", false, 0, "")
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
		pdf.MultiCell(0, 6, txt(v.Notes), "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("business: draw invoice %d: %w", v.ID, err)
	}
	return buf.Bytes(), nil
}
