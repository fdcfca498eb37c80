package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// The business pages (internal/business): the hub, the price list,
// customers, jobs and the queue, invoices, costs, analytics, tax time and
// the portfolio. Only owners and editors reach them (routes.go); viewers
// see finished quilts on a design's page and nothing else of the business.

func init() {
	for k, v := range businessFuncs {
		templateFuncs[k] = v
	}
}

// businessFuncs are the template helpers of the business pages.
var businessFuncs = template.FuncMap{
	// money writes cents with the currency's sign: "$276.24".
	"money": func(c any, currency string) string { return business.Money(business.Cents(toInt64(c)), currency) },
	// hundredths writes a length or hours: "90.5".
	"hundredths":   func(h any) string { return business.Hundredths(toInt64(h)).String() },
	"micros":       func(m any) string { return business.Micros(toInt64(m)).String() },
	"percent":      func(p any) string { return business.PPM(toInt64(p)).Percent() },
	"statusword":   business.StatusWord,
	"unitword":     func(u business.Unit) string { return business.UnitWord(u) },
	"kindword":     func(k string) string { return business.LineKind(k).Word() },
	"deliveryword": func(d string) string { return business.Deliveries[d] },
	"invstatus":    func(v *store.Invoice) string { return business.InvoiceStatus(v, time.Now()) },
	"balance":      func(v *store.Invoice) int64 { return int64(business.Balance(v)) },
	"day": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format("2 Jan 2006")
	},
	"isodate": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.DateOnly)
	},
	"duration": func(m *float32) string {
		if m == nil {
			return ""
		}
		return business.Duration(float64(*m))
	},
	"f32": func(f *float32) float32 {
		if f == nil {
			return 0
		}
		return *f
	},
	"i32": func(n *int) int {
		if n == nil {
			return 0
		}
		return *n
	},
	"has": func(kinds []string, k string) bool {
		for _, x := range kinds {
			if x == k {
				return true
			}
		}
		return false
	},
	"publicname": business.PublicName,
	"kinds":      func() []business.LineKind { return business.LineKinds },
	"inc":        func(i int) int { return i + 1 },
	"i64": func(n *int64) int64 {
		if n == nil {
			return 0
		}
		return *n
	},
	// dict makes a map of key, value pairs for a shared template.
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			if k, ok := kv[i].(string); ok {
				m[k] = kv[i+1]
			}
		}
		return m
	},
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case business.Cents:
		return int64(n)
	case business.Micros:
		return int64(n)
	case business.Hundredths:
		return int64(n)
	case business.PPM:
		return int64(n)
	}
	return 0
}

// money reads an amount field of a form ("" is 0).
func formCents(r *http.Request, name string) (business.Cents, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, nil
	}
	c, err := business.ParseCents(v)
	if err != nil {
		return 0, errNumber(name, err)
	}
	return c, nil
}

func formHundredths(r *http.Request, name string) (business.Hundredths, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, nil
	}
	h, err := business.ParseHundredths(v)
	if err != nil {
		return 0, errNumber(name, err)
	}
	return h, nil
}

func formInt(r *http.Request, name string) (int, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errNumber(name, err)
	}
	return n, nil
}

// formDate reads a date field (2026-03-14); "" is none.
func formDate(r *http.Request, name string) (*time.Time, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, errBadForm.Reword(fmt.Sprintf("“%s” is not a date: pick one in the calendar.", v)).Wrap(err)
	}
	return &t, nil
}

// errNumber is a number field that could not be read.
func errNumber(name string, err error) error {
	return errBadForm.Reword(fmt.Sprintf("The %s must be a number, such as 12.50.", strings.ReplaceAll(name, "_", " "))).Wrap(err)
}

// bizHome is the business hub: the queue's head, what needs doing, links.
type bizHome struct {
	Queue    *business.Queue
	Quotes   []*store.Job
	Finished []*store.Job
	Currency string
}

func (s *Server) businessHome(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	q, err := s.business.Queue(r.Context(), t.ID, 0)
	var quotes, finished []*store.Job
	if err == nil {
		quotes, err = s.business.Jobs(r.Context(), t.ID, store.JobQuery{Statuses: []string{business.StatusQuote}, Limit: 20})
	}
	if err == nil {
		finished, err = s.business.Jobs(r.Context(), t.ID, store.JobQuery{Statuses: []string{business.StatusFinished, business.StatusDelivered}, Limit: 20})
	}
	var pl *business.PriceList
	if err == nil {
		pl, _, err = s.business.PriceList(r.Context(), t.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "business", pageData{Title: "Business", Data: bizHome{Queue: q, Quotes: quotes, Finished: finished, Currency: pl.Currency}})
}

// pricesPage is the price list and the business settings.
type pricesPage struct {
	List     *business.PriceList
	Settings *store.BusinessSettings
	Groups   []priceGroup
	Kinds    []business.LineKind
}

type priceGroup struct {
	Group, Title string
	Units        []business.Unit
	Items        []business.Item
}

func (s *Server) prices(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	pl, set, err := s.business.PriceList(r.Context(), t.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := pricesPage{List: pl, Settings: set, Kinds: business.LineKinds, Groups: []priceGroup{
		{business.GroupLevel, "Quilting levels", []business.Unit{business.PerSqIn}, pl.Group(business.GroupLevel)},
		{business.GroupBatting, "Batting", []business.Unit{business.Flat, business.PerSqIn}, pl.Group(business.GroupBatting)},
		{business.GroupThread, "Thread", []business.Unit{business.Flat, business.PerBobbin}, pl.Group(business.GroupThread)},
		{business.GroupBinding, "Binding", []business.Unit{business.PerInch, business.PerFoot}, pl.Group(business.GroupBinding)},
	}}
	s.render(w, r, http.StatusOK, "prices", pageData{Title: "Prices and settings", Data: data})
}

// saveSettings stores the business settings form.
func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	back := tenant.Path(t.Slug, "business", "prices")
	_, set, err := s.business.PriceList(r.Context(), t.ID)
	if err == nil {
		err = readSettings(r, set)
	}
	if err == nil {
		err = s.business.SaveSettings(r.Context(), t.ID, set)
	}
	if err != nil {
		s.failBack(w, r, err, back)
		return
	}
	s.redirectWith(w, r, back, "Settings saved.")
}

// readSettings fills set from the settings form.
func readSettings(r *http.Request, set *store.BusinessSettings) error {
	if err := r.ParseForm(); err != nil {
		return errBadForm.Wrap(err)
	}
	tax, err := business.ParsePercent(r.PostFormValue("tax_rate"))
	if err != nil {
		return errNumber("tax_rate", err)
	}
	set.TaxRatePPM = int64(tax)
	set.Currency = r.PostFormValue("currency")
	set.TaxableKinds = r.PostForm["taxable"]
	set.BusinessName, set.BusinessAddress = r.PostFormValue("business_name"), strings.TrimSpace(r.PostFormValue("business_address"))
	set.InvoicePrefix = r.PostFormValue("invoice_prefix")
	set.GalleryPublic = r.PostFormValue("gallery_public") == "on"
	set.GalleryIntro = strings.TrimSpace(r.PostFormValue("gallery_intro"))
	cents := map[string]*int64{"hourly_rate": &set.HourlyRateCents, "backing_seam": &set.BackingSeamCents}
	for name, dst := range cents {
		c, err := formCents(r, name)
		if err != nil {
			return err
		}
		*dst = int64(c)
	}
	hs := map[string]*int64{"binding_extra": &set.BindingExtra, "row_overlap": &set.RowOverlap, "row_advance": &set.RowAdvance,
		"thread_factor": &set.ThreadFactor, "weekly_hours": &set.WeeklyHours, "setup_hours": &set.SetupHours}
	for name, dst := range hs {
		h, err := formHundredths(r, name)
		if err != nil {
			return err
		}
		*dst = int64(h)
	}
	ints := map[string]*int{"stitches_per_inch": &set.StitchesPerInch, "inches_per_minute": &set.InchesPerMinute,
		"bobbin_yards": &set.BobbinYards, "payment_days": &set.PaymentDays}
	for name, dst := range ints {
		n, err := formInt(r, name)
		if err != nil {
			return err
		}
		*dst = n
	}
	return nil
}

// saveItem adds or changes an item of the price list.
func (s *Server) saveItem(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	back := tenant.Path(t.Slug, "business", "prices")
	var id int64
	var err error
	if r.PathValue("id") != "" {
		id, err = httpx.PathID(r, "id")
	}
	it := business.Item{ID: id, Group: r.PostFormValue("group"), Name: r.PostFormValue("name"), Unit: business.Unit(r.PostFormValue("unit"))}
	if err == nil {
		it.Rate, err = business.ParseMicros(r.PostFormValue("rate"))
		if err != nil {
			err = errNumber("price", err)
		}
	}
	if err == nil {
		it.Minimum, err = formCents(r, "minimum")
	}
	if err == nil {
		_, err = s.business.SaveItem(r.Context(), t.ID, it)
	}
	if err != nil {
		s.failBack(w, r, err, back)
		return
	}
	s.redirectWith(w, r, back, fmt.Sprintf("“%s” saved.", strings.TrimSpace(it.Name)))
}

func (s *Server) deleteItem(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	back := tenant.Path(t.Slug, "business", "prices")
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.business.DeleteItem(r.Context(), t.ID, id)
	}
	if err != nil {
		s.failBack(w, r, err, back)
		return
	}
	s.redirectWith(w, r, back, "Item removed from the price list.")
}

// recordAndPrices loads the business record that the path's id names
// (with load: a customer, job or invoice of the workspace) and the
// workspace's price list and business settings, which its page shows.
func recordAndPrices[T any](s *Server, r *http.Request, load func(ctx context.Context, tenantID, id int64) (T, error)) (T, *business.PriceList, *store.BusinessSettings, error) {
	t := tenant.FromContext(r.Context())
	var rec T
	id, err := httpx.PathID(r, "id")
	if err == nil {
		rec, err = load(r.Context(), t.ID, id)
	}
	if err != nil {
		return rec, nil, nil, err
	}
	pl, set, err := s.business.PriceList(r.Context(), t.ID)
	return rec, pl, set, err
}
