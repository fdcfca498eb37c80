package web

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"

	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/tenant"
)

// series is one set of bars of a chart.
type series struct {
	Name   string
	Color  string
	Values []float64
}

// barChart draws bars (one group per label, one bar per series) as an
// inline SVG, on the server: large type, two high-contrast colours with
// a legend, a title and a description for screen readers (the table
// under each chart has the same figures). format writes an axis value.
func barChart(title string, labels []string, ss []series, format func(float64) string) template.HTML {
	const w, h, left, bottom, top = 760.0, 360.0, 96.0, 48.0, 44.0
	peak := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			peak = math.Max(peak, v)
		}
	}
	step := niceStep(peak / 4)
	axisMax := step * 4
	if axisMax == 0 {
		axisMax, step = 4, 1
	}
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-t" xmlns="http://www.w3.org/2000/svg">`, w, h, slugID(title))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`, slugID(title), esc(title))
	plotH := h - bottom - top
	for i := 0; i <= 4; i++ {
		v := step * float64(i)
		y := h - bottom - plotH*v/axisMax
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#c9c4bb"/>`, left, w-8, y, y)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end" font-size="17" fill="#1b1f24">%s</text>`, left-8, y+6, esc(format(v)))
	}
	n := float64(len(labels))
	group := (w - left - 8) / math.Max(n, 1)
	bar := group * 0.8 / math.Max(float64(len(ss)), 1)
	for i, l := range labels {
		x0 := left + group*float64(i) + group*0.1
		for k, s := range ss {
			if i >= len(s.Values) {
				continue
			}
			bh := plotH * s.Values[i] / axisMax
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>`,
				x0+bar*float64(k), h-bottom-bh, bar, bh, s.Color, esc(l), esc(s.Name), esc(format(s.Values[i])))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle" font-size="17" fill="#1b1f24">%s</text>`, x0+group*0.4, h-bottom+26, esc(l))
	}
	x := left
	for _, s := range ss {
		fmt.Fprintf(&b, `<rect x="%.0f" y="8" width="22" height="22" fill="%s"/><text x="%.0f" y="26" font-size="18" fill="#1b1f24">%s</text>`, x, s.Color, x+30, esc(s.Name))
		x += 40 + 11*float64(len(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // numbers and escaped text only
}

// niceStep rounds a step up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

func slugID(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 32
		}
		return '-'
	}, s)
}

// analyticsPage is a year of the business: charts with their tables.
type analyticsPage struct {
	A         *business.Analytics
	Years     []int
	Months    template.HTML
	Quarters  template.HTML
	Designs   template.HTML
	Queue     template.HTML
	Customers template.HTML
}

func (s *Server) analytics(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	y := s.pageYear(r)
	a, err := s.business.Analytics(r.Context(), t.ID, y)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	dollars := func(v float64) string { return business.Money(business.Cents(math.Round(v*100)), a.Currency) }
	whole := func(v float64) string { return strings.TrimSuffix(dollars(v), ".00") }
	money := func(ps []business.Period) ([]string, []series) {
		var labels []string
		rev, cost := series{Name: "Revenue", Color: "#234e70"}, series{Name: "Costs", Color: "#a3231a"}
		for _, p := range ps {
			labels = append(labels, p.Label)
			rev.Values = append(rev.Values, float64(p.Revenue)/100)
			cost.Values = append(cost.Values, float64(p.Costs)/100)
		}
		return labels, []series{rev, cost}
	}
	data := analyticsPage{A: a, Years: years(s.business.Now().Year())}
	l, ss := money(a.Months)
	data.Months = barChart(fmt.Sprintf("Revenue and costs by month, %d", y), l, ss, whole)
	l, ss = money(a.Quarters)
	data.Quarters = barChart(fmt.Sprintf("Revenue and costs by quarter, %d", y), l, ss, whole)
	var dl []string
	dr := series{Name: "Revenue", Color: "#234e70"}
	for i, d := range a.ByRevenue {
		if i == 6 {
			break
		}
		dl = append(dl, fmt.Sprintf("#%d", i+1))
		dr.Values = append(dr.Values, float64(d.Revenue)/100)
	}
	data.Designs = barChart(fmt.Sprintf("Top designs by revenue, %d", y), dl, []series{dr}, whole)
	var ql []string
	qs := series{Name: "Jobs waiting", Color: "#234e70"}
	for i, p := range a.Queue {
		label := ""
		if i%4 == 0 {
			label = p.Day.Format("2 Jan")
		}
		ql = append(ql, label)
		qs.Values = append(qs.Values, float64(p.Jobs))
	}
	data.Queue = barChart(fmt.Sprintf("Queue length at the end of each week, %d", y), ql, []series{qs}, func(v float64) string { return fmt.Sprintf("%.0f", v) })
	var cl []string
	cs := series{Name: "Revenue", Color: "#234e70"}
	for i, c := range a.Customers {
		if i == 6 {
			break
		}
		cl = append(cl, fmt.Sprintf("#%d", i+1))
		cs.Values = append(cs.Values, float64(c.Revenue)/100)
	}
	data.Customers = barChart(fmt.Sprintf("Customers by value, %d", y), cl, []series{cs}, whole)
	s.render(w, r, http.StatusOK, "analytics", pageData{Title: fmt.Sprintf("Analytics %d", y), Data: data})
}

// analyticsCSV sends one table of the analytics as CSV.
func (s *Server) analyticsCSV(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	y := s.pageYear(r)
	table := strings.TrimSuffix(r.PathValue("table"), ".csv")
	a, err := s.business.Analytics(r.Context(), t.ID, y)
	var data []byte
	if err == nil {
		data, err = a.CSV(table)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	csvAttachment(w, fmt.Sprintf("%s-%d.csv", table, y), data)
}

// taxPage is the printable summary of a year for the accountant.
type taxPage struct {
	T     *business.TaxYear
	Years []int
}

func (s *Server) tax(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	y := s.pageYear(r)
	ty, err := s.business.TaxYear(r.Context(), t.ID, y)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "tax", pageData{Title: fmt.Sprintf("Tax summary %d", y), Data: taxPage{T: ty, Years: years(s.business.Now().Year())}})
}

func (s *Server) taxCSV(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	y := s.pageYear(r)
	kind := strings.TrimSuffix(r.PathValue("kind"), ".csv")
	ty, err := s.business.TaxYear(r.Context(), t.ID, y)
	var data []byte
	if err == nil {
		data, err = ty.CSV(kind)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	csvAttachment(w, fmt.Sprintf("tax-%s-%d.csv", kind, y), data)
}

// csvAttachment sends data as the CSV download name.
func csvAttachment(w http.ResponseWriter, name string, data []byte) {
	httpx.Attachment(w, name, "text/csv; charset=utf-8", int64(len(data)), bytes.NewReader(data))
}
