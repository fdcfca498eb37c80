package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// SetBusiness gives the API the business service (customers, quotes,
// jobs, invoices, analytics, tax).
func (h *Handler) SetBusiness(b *business.Service) { h.business = b }

// businessRoutes adds the business endpoints. The business is private to
// owners and editors: a viewer's token is refused (403).
func (h *Handler) businessRoutes() {
	editor := store.RoleEditor
	h.mux.HandleFunc("GET "+Prefix+"/price-list", h.authed(editor, h.getPriceList))
	h.mux.HandleFunc("POST "+Prefix+"/quotes", h.authed(editor, h.createQuote))
	h.mux.HandleFunc("GET "+Prefix+"/customers", h.authed(editor, h.listCustomers))
	h.mux.HandleFunc("POST "+Prefix+"/customers", h.authed(editor, h.createCustomer))
	h.mux.HandleFunc("POST "+Prefix+"/customers/import", h.authed(editor, h.importCustomers))
	h.mux.HandleFunc("GET "+Prefix+"/customers/{id}", h.authed(editor, h.getCustomer))
	h.mux.HandleFunc("PATCH "+Prefix+"/customers/{id}", h.authed(editor, h.patchCustomer))
	h.mux.HandleFunc("DELETE "+Prefix+"/customers/{id}", h.authed(editor, h.deleteCustomer))
	h.mux.HandleFunc("GET "+Prefix+"/jobs", h.authed(editor, h.listJobs))
	h.mux.HandleFunc("POST "+Prefix+"/jobs", h.authed(editor, h.createJob))
	h.mux.HandleFunc("GET "+Prefix+"/jobs/{id}", h.authed(editor, h.getJob))
	h.mux.HandleFunc("PATCH "+Prefix+"/jobs/{id}", h.authed(editor, h.patchJob))
	h.mux.HandleFunc("POST "+Prefix+"/jobs/{id}/status", h.authed(editor, h.jobStatus))
	h.mux.HandleFunc("POST "+Prefix+"/jobs/{id}/send-quote", h.authed(editor, h.sendQuote))
	h.mux.HandleFunc("GET "+Prefix+"/queue", h.authed(editor, h.queue))
	h.mux.HandleFunc("GET "+Prefix+"/invoices", h.authed(editor, h.listInvoices))
	h.mux.HandleFunc("POST "+Prefix+"/invoices", h.authed(editor, h.createInvoice))
	h.mux.HandleFunc("GET "+Prefix+"/invoices/{id}", h.authed(editor, h.getInvoice))
	h.mux.HandleFunc("GET "+Prefix+"/invoices/{id}/pdf", h.authed(editor, h.invoicePDF))
	h.mux.HandleFunc("POST "+Prefix+"/invoices/{id}/issue", h.authed(editor, h.issueInvoice))
	h.mux.HandleFunc("POST "+Prefix+"/invoices/{id}/send", h.authed(editor, h.sendInvoice))
	h.mux.HandleFunc("POST "+Prefix+"/invoices/{id}/void", h.authed(editor, h.voidInvoice))
	h.mux.HandleFunc("POST "+Prefix+"/invoices/{id}/payments", h.authed(editor, h.addPayment))
	h.mux.HandleFunc("GET "+Prefix+"/analytics/revenue", h.authed(editor, h.revenue))
	h.mux.HandleFunc("GET "+Prefix+"/tax", h.authed(editor, h.taxYear))
	h.mux.HandleFunc("GET "+Prefix+"/tax/{kind}", h.authed(editor, h.taxCSV))
}

func (h *Handler) getPriceList(w http.ResponseWriter, r *http.Request) {
	pl, set, err := h.business.PriceList(r.Context(), CallerFrom(r.Context()).Tenant.ID)
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"price_list": pl, "settings": set})
}

// quoteBody is what POST /quotes, POST /jobs and PATCH /jobs read.
type quoteBody struct {
	WidthIn      float64 `json:"width_in"`
	LengthIn     float64 `json:"length_in"`
	Level        string  `json:"level"`
	Batting      string  `json:"batting"`
	Thread       string  `json:"thread"`
	Binding      string  `json:"binding"`
	BackingSeams int     `json:"backing_seams"`
	PrepHours    float64 `json:"prep_hours"`
	Bobbins      int     `json:"bobbins"`
	// TaxRate is a fraction (0.06 for 6 %); absent, the price list's.
	TaxRate *float64 `json:"tax_rate"`
	Extra   []struct {
		Kind        string  `json:"kind"`
		Description string  `json:"description"`
		Amount      float64 `json:"amount"`
	} `json:"extra_lines"`
}

func (b *quoteBody) input() business.QuoteInput {
	in := business.QuoteInput{Width: business.HundredthsOf(b.WidthIn), Length: business.HundredthsOf(b.LengthIn), Level: b.Level,
		Batting: b.Batting, Thread: b.Thread, Binding: b.Binding, BackingSeams: b.BackingSeams, PrepHours: business.HundredthsOf(b.PrepHours),
		Bobbins: b.Bobbins}
	if b.TaxRate != nil {
		r := business.PPMOf(*b.TaxRate)
		in.TaxRate = &r
	}
	for _, l := range b.Extra {
		in.Extra = append(in.Extra, business.Line{Kind: business.LineKind(l.Kind), Description: l.Description, Amount: business.CentsOf(l.Amount)})
	}
	return in
}

const quoteHint = `Send {"width_in": 90, "length_in": 108, "level": "Light edge-to-edge", "binding": "Machine finished", "thread": "Standard", "tax_rate": 0.06, "pattern_id": 12}.`

// quoteJSON is a quote as the API answers it: lines, totals in cents,
// and with a design, its plan's figures at the top level too.
func quoteJSON(q *business.Quote) map[string]any {
	out := map[string]any{"lines": q.Lines, "subtotal_cents": q.Subtotal, "taxable_cents": q.TaxableAmount, "tax_rate_ppm": q.TaxRate,
		"tax_cents": q.Tax, "total_cents": q.Total, "currency": q.Currency, "total": q.Total.Plain()}
	if p := q.Plan; p != nil {
		out["plan"] = p
		out["rows"], out["repeats"], out["stitched_length_in"] = p.Rows, p.Repeats, p.StitchedLength
		out["stitch_minutes"], out["thread_yards"], out["bobbins"] = p.Minutes, p.ThreadYards, p.Bobbins
	}
	return out
}

func (h *Handler) createQuote(w http.ResponseWriter, r *http.Request) {
	var body struct {
		quoteBody
		PatternID int64 `json:"pattern_id"`
	}
	if h.failed(w, r, httpx.DecodeJSON(r, 1<<20, &body, quoteHint)) {
		return
	}
	q, err := h.business.Quote(r.Context(), CallerFrom(r.Context()).Tenant.ID, business.QuoteRequest{QuoteInput: body.input(), PatternID: body.PatternID})
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, quoteJSON(q))
}

// customerBody is a customer as sent.
type customerBody struct {
	Name         *string `json:"name"`
	Email        *string `json:"email"`
	Phone        *string `json:"phone"`
	Address      *string `json:"address"`
	Delivery     *string `json:"delivery"`
	Notes        *string `json:"notes"`
	EmailConsent *bool   `json:"email_consent"`
	PhotoConsent *bool   `json:"photo_consent"`
}

// apply sets the fields sent onto c.
func (b *customerBody) apply(c *store.Customer) {
	for _, f := range []struct {
		from *string
		to   *string
	}{{b.Name, &c.Name}, {b.Email, &c.Email}, {b.Phone, &c.Phone}, {b.Address, &c.Address}, {b.Delivery, &c.Delivery}, {b.Notes, &c.Notes}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if b.EmailConsent != nil {
		c.EmailConsent = *b.EmailConsent
	}
	if b.PhotoConsent != nil {
		c.PhotoConsent = *b.PhotoConsent
	}
}

const customerHint = `Send {"name": "Jane Doe", "email": "jane@example.com", "phone": "", "address": "", "delivery": "pickup", "notes": "", "email_consent": true, "photo_consent": false}.`

func (h *Handler) listCustomers(w http.ResponseWriter, r *http.Request) {
	cs, err := h.business.Customers(r.Context(), CallerFrom(r.Context()).Tenant.ID, store.CustomerQuery{Search: r.URL.Query().Get("q"),
		Deleted: r.URL.Query().Get("deleted") == "true"})
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"customers": nonNil(cs)})
}

func (h *Handler) createCustomer(w http.ResponseWriter, r *http.Request) {
	var body customerBody
	if h.failed(w, r, httpx.DecodeJSON(r, 64<<10, &body, customerHint)) {
		return
	}
	var c store.Customer
	body.apply(&c)
	out, err := h.business.CreateCustomer(r.Context(), CallerFrom(r.Context()).Tenant.ID, c)
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// importCustomers reads a CSV body (text/csv) of customers.
func (h *Handler) importCustomers(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, business.MaxCSVBytes+1)
	res, err := h.business.ImportCustomers(r.Context(), CallerFrom(r.Context()).Tenant.ID, r.Body)
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (h *Handler) getCustomer(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var f *business.CustomerFile
	if err == nil {
		f, err = h.business.Customer(r.Context(), CallerFrom(r.Context()).Tenant.ID, id)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"customer": f.Customer, "jobs": nonNil(f.Jobs), "invoices": invoicesJSON(f.Invoices, time.Now())})
}

func (h *Handler) patchCustomer(w http.ResponseWriter, r *http.Request) {
	tid := CallerFrom(r.Context()).Tenant.ID
	id, err := httpx.PathID(r, "id")
	var body customerBody
	if err == nil {
		err = httpx.DecodeJSON(r, 64<<10, &body, customerHint)
	}
	var f *business.CustomerFile
	if err == nil {
		f, err = h.business.Customer(r.Context(), tid, id)
	}
	if err == nil {
		body.apply(f.Customer)
		err = h.business.UpdateCustomer(r.Context(), tid, *f.Customer)
	}
	if err == nil {
		f, err = h.business.Customer(r.Context(), tid, id)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, f.Customer)
}

func (h *Handler) deleteCustomer(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = h.business.DeleteCustomer(r.Context(), CallerFrom(r.Context()).Tenant.ID, id, r.URL.Query().Get("restore") != "true")
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": r.URL.Query().Get("restore") != "true"})
}

// jobBody is a job as sent.
type jobBody struct {
	quoteBody
	CustomerID  int64         `json:"customer_id"`
	NewCustomer *customerBody `json:"new_customer"`
	Title       string        `json:"title"`
	PatternIDs  []int64       `json:"pattern_ids"`
	Notes       string        `json:"notes"`
	Deposit     float64       `json:"deposit"`
	ReceivedOn  string        `json:"received_on"`
	PromisedOn  string        `json:"promised_on"`
	ShareID     *int64        `json:"share_id"`
}

const jobHint = `Send {"customer_id": 3, "title": "Jane's quilt", "width_in": 90, "length_in": 108, "level": "Light edge-to-edge", "pattern_ids": [12], "promised_on": "2026-03-14"}.`

var errBadDate = problem.Invalid("bad_date", "Dates are written 2026-03-14.")

// day reads a date (YYYY-MM-DD); "" is none.
func day(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, errBadDate.Wrap(err)
	}
	return &t, nil
}

func (b *jobBody) input() (business.JobInput, error) {
	in := business.JobInput{CustomerID: b.CustomerID, Title: b.Title, Quote: b.quoteBody.input(), PatternIDs: b.PatternIDs, Notes: b.Notes,
		Deposit: business.CentsOf(b.Deposit), ShareID: b.ShareID}
	if b.NewCustomer != nil {
		in.NewCustomer = &store.Customer{}
		b.NewCustomer.apply(in.NewCustomer)
	}
	var err error
	if in.ReceivedOn, err = day(b.ReceivedOn); err != nil {
		return in, err
	}
	in.PromisedOn, err = day(b.PromisedOn)
	return in, err
}

// jobJSON is a job with the word of its status.
func jobJSON(j *store.Job) map[string]any {
	return map[string]any{"job": j, "status_word": business.StatusWord(j.Status), "width_in": float64(j.Width) / 100,
		"length_in": float64(j.Length) / 100, "total": business.Cents(j.TotalCents).Plain()}
}

func (h *Handler) listJobs(w http.ResponseWriter, r *http.Request) {
	q := store.JobQuery{}
	if s := r.URL.Query().Get("status"); s != "" {
		q.Statuses = strings.Split(s, ",")
	}
	q.CustomerID, _ = strconv.ParseInt(r.URL.Query().Get("customer_id"), 10, 64)
	q.PatternID, _ = strconv.ParseInt(r.URL.Query().Get("pattern_id"), 10, 64)
	js, err := h.business.Jobs(r.Context(), CallerFrom(r.Context()).Tenant.ID, q)
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": nonNil(js)})
}

func (h *Handler) createJob(w http.ResponseWriter, r *http.Request) {
	var body jobBody
	err := httpx.DecodeJSON(r, 1<<20, &body, jobHint)
	var in business.JobInput
	if err == nil {
		in, err = body.input()
	}
	var j *store.Job
	if err == nil {
		j, err = h.business.CreateJob(r.Context(), CallerFrom(r.Context()).Tenant.ID, in)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusCreated, jobJSON(j))
}

func (h *Handler) getJob(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var f *business.JobFile
	if err == nil {
		f, err = h.business.Job(r.Context(), CallerFrom(r.Context()).Tenant.ID, id)
	}
	if h.failed(w, r, err) {
		return
	}
	out := jobJSON(f.Job)
	out["margin"] = business.Margin(f.Money)
	if f.Place > 0 {
		out["queue_place"], out["ready_by"] = f.Place, f.ReadyBy.Format(time.DateOnly)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) patchJob(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var body jobBody
	if err == nil {
		err = httpx.DecodeJSON(r, 1<<20, &body, jobHint)
	}
	var in business.JobInput
	if err == nil {
		in, err = body.input()
	}
	var j *store.Job
	if err == nil {
		j, err = h.business.UpdateJob(r.Context(), CallerFrom(r.Context()).Tenant.ID, id, in)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, jobJSON(j))
}

func (h *Handler) jobStatus(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var body struct {
		Status string `json:"status"`
		On     string `json:"on"`
		Method string `json:"method"`
	}
	if err == nil {
		err = httpx.DecodeJSON(r, 4<<10, &body, `Send {"status": "in_queue", "on": "2026-03-02"}.`)
	}
	var on *time.Time
	if err == nil {
		on, err = day(body.On)
	}
	var j *store.Job
	if err == nil {
		ch := business.StatusChange{Status: body.Status, Method: body.Method}
		if on != nil {
			ch.On = *on
		}
		j, err = h.business.SetStatus(r.Context(), CallerFrom(r.Context()).Tenant.ID, id, ch)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, jobJSON(j))
}

func (h *Handler) sendQuote(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var sent *business.SentQuote
	if err == nil {
		sent, err = h.business.SendQuote(r.Context(), CallerFrom(r.Context()).Tenant.ID, id)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sent_to": sent.To, "accept_url": sent.URL})
}

func (h *Handler) queue(w http.ResponseWriter, r *http.Request) {
	q, err := h.business.Queue(r.Context(), CallerFrom(r.Context()).Tenant.ID, 0)
	if h.failed(w, r, err) {
		return
	}
	jobs := []map[string]any{}
	for _, e := range q.Jobs {
		jobs = append(jobs, map[string]any{"id": e.Job.ID, "title": e.Job.Title, "customer": e.Job.CustomerName, "status": e.Job.Status,
			"ahead": e.Ahead, "ready_by": e.ReadyBy.Format(time.DateOnly), "promised_on": e.Job.PromisedOn, "late": e.Late,
			"estimated_hours": float64(e.Job.Estimated) / 100})
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": jobs, "weekly_hours": float64(q.WeeklyHours) / 100,
		"next_free": q.NextFree.Format(time.DateOnly)})
}

// invoicesJSON are invoices with their shown status and balance.
func invoicesJSON(vs []*store.Invoice, now time.Time) []map[string]any {
	out := []map[string]any{}
	for _, v := range vs {
		out = append(out, invoiceJSON(v, now))
	}
	return out
}

func invoiceJSON(v *store.Invoice, now time.Time) map[string]any {
	return map[string]any{"invoice": v, "status": business.InvoiceStatus(v, now), "balance_cents": business.Balance(v)}
}

func (h *Handler) listInvoices(w http.ResponseWriter, r *http.Request) {
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	vs, err := h.business.Invoices(r.Context(), CallerFrom(r.Context()).Tenant.ID, store.InvoiceQuery{Year: year})
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"invoices": invoicesJSON(vs, time.Now())})
}

func (h *Handler) createInvoice(w http.ResponseWriter, r *http.Request) {
	var body struct {
		JobID int64 `json:"job_id"`
		Issue bool  `json:"issue"`
	}
	err := httpx.DecodeJSON(r, 4<<10, &body, `Send {"job_id": 7, "issue": true}.`)
	tid := CallerFrom(r.Context()).Tenant.ID
	var v *store.Invoice
	if err == nil {
		v, err = h.business.CreateInvoice(r.Context(), tid, body.JobID)
	}
	if err == nil && body.Issue {
		v, err = h.business.IssueInvoice(r.Context(), tid, v.ID)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusCreated, invoiceJSON(v, time.Now()))
}

func (h *Handler) getInvoice(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var v *store.Invoice
	if err == nil {
		v, err = h.business.Invoice(r.Context(), CallerFrom(r.Context()).Tenant.ID, id)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, invoiceJSON(v, time.Now()))
}

func (h *Handler) invoicePDF(w http.ResponseWriter, r *http.Request) {
	tid := CallerFrom(r.Context()).Tenant.ID
	id, err := httpx.PathID(r, "id")
	var pdf []byte
	if err == nil {
		pdf, err = h.business.InvoicePDF(r.Context(), tid, id)
	}
	if h.failed(w, r, err) {
		return
	}
	httpx.Attachment(w, fmt.Sprintf("invoice-%d.pdf", id), "application/pdf", int64(len(pdf)), strings.NewReader(string(pdf)))
}

// invoiceAction runs one change of an invoice and answers the invoice.
func (h *Handler) invoiceAction(w http.ResponseWriter, r *http.Request, do func(tenantID, id int64) error) {
	tid := CallerFrom(r.Context()).Tenant.ID
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = do(tid, id)
	}
	var v *store.Invoice
	if err == nil {
		v, err = h.business.Invoice(r.Context(), tid, id)
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, invoiceJSON(v, time.Now()))
}

func (h *Handler) issueInvoice(w http.ResponseWriter, r *http.Request) {
	h.invoiceAction(w, r, func(tid, id int64) error {
		_, err := h.business.IssueInvoice(r.Context(), tid, id)
		return err
	})
}

func (h *Handler) sendInvoice(w http.ResponseWriter, r *http.Request) {
	h.invoiceAction(w, r, func(tid, id int64) error {
		_, err := h.business.SendInvoice(r.Context(), tid, id)
		return err
	})
}

func (h *Handler) voidInvoice(w http.ResponseWriter, r *http.Request) {
	h.invoiceAction(w, r, func(tid, id int64) error { return h.business.VoidInvoice(r.Context(), tid, id) })
}

func (h *Handler) addPayment(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Amount    float64 `json:"amount"`
		Method    string  `json:"method"`
		On        string  `json:"on"`
		Reference string  `json:"reference"`
	}
	h.invoiceAction(w, r, func(tid, id int64) error {
		if err := httpx.DecodeJSON(r, 4<<10, &body, `Send {"amount": 276.24, "method": "card", "on": "2026-03-14", "reference": ""}.`); err != nil {
			return err
		}
		on, err := day(body.On)
		if err != nil {
			return err
		}
		in := business.PaymentInput{Amount: business.CentsOf(body.Amount), Method: body.Method, Reference: body.Reference}
		if on != nil {
			in.On = *on
		}
		_, err = h.business.RecordPayment(r.Context(), tid, id, in)
		return err
	})
}

var errBadYear = problem.Invalid("bad_year", "Give the year as ?year=2026.")

// year reads ?year=, the current year when absent.
func year(r *http.Request) (int, error) {
	s := r.URL.Query().Get("year")
	if s == "" {
		return time.Now().Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, errBadYear.Wrap(err)
	}
	return y, nil
}

// revenue answers the year's money per month, quarter and year, top
// designs, customers by value and the queue's length (?format=csv&table=
// months|quarters|designs|customers|queue for one table as CSV).
func (h *Handler) revenue(w http.ResponseWriter, r *http.Request) {
	y, err := year(r)
	var a *business.Analytics
	if err == nil {
		a, err = h.business.Analytics(r.Context(), CallerFrom(r.Context()).Tenant.ID, y)
	}
	if err == nil && r.URL.Query().Get("format") == "csv" {
		table := r.URL.Query().Get("table")
		if table == "" {
			table = business.TableMonths
		}
		var data []byte
		if data, err = a.CSV(table); err == nil {
			httpx.Attachment(w, fmt.Sprintf("%s-%d.csv", table, y), "text/csv; charset=utf-8", int64(len(data)), strings.NewReader(string(data)))
			return
		}
	}
	if h.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (h *Handler) taxYear(w http.ResponseWriter, r *http.Request) {
	y, err := year(r)
	var ty *business.TaxYear
	if err == nil {
		ty, err = h.business.TaxYear(r.Context(), CallerFrom(r.Context()).Tenant.ID, y)
	}
	if h.failed(w, r, err) {
		return
	}
	out := map[string]any{"tax_year": ty, "invoices": invoicesJSON(ty.Invoices, time.Now())}
	writeJSON(w, http.StatusOK, out)
}

// taxCSV answers /tax/income.csv and /tax/expenses.csv of ?year=.
func (h *Handler) taxCSV(w http.ResponseWriter, r *http.Request) {
	kind, ok := strings.CutSuffix(r.PathValue("kind"), ".csv")
	y, err := year(r)
	if !ok {
		err = problem.NotFound("not_found", "The tax export is /tax/income.csv or /tax/expenses.csv.")
	}
	var ty *business.TaxYear
	if err == nil {
		ty, err = h.business.TaxYear(r.Context(), CallerFrom(r.Context()).Tenant.ID, y)
	}
	var data []byte
	if err == nil {
		data, err = ty.CSV(kind)
	}
	if h.failed(w, r, err) {
		return
	}
	httpx.Attachment(w, fmt.Sprintf("tax-%s-%d.csv", kind, y), "text/csv; charset=utf-8", int64(len(data)), strings.NewReader(string(data)))
}

// nonNil answers an empty list as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
