package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// jobsPage lists jobs by status.
type jobsPage struct {
	Jobs     []*store.Job
	Status   string
	Statuses []string
	Currency string
}

func (s *Server) jobs(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	status := r.URL.Query().Get("status")
	q := store.JobQuery{Limit: 500}
	if status != "" {
		q.Statuses = []string{status}
	}
	js, err := s.business.Jobs(r.Context(), t.ID, q)
	var pl *business.PriceList
	if err == nil {
		pl, _, err = s.business.PriceList(r.Context(), t.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "jobs", pageData{Title: "Jobs", Data: jobsPage{Jobs: js, Status: status, Statuses: business.Statuses, Currency: pl.Currency}})
}

// jobForm is the new-job (and edit-job) form's data.
type jobForm struct {
	Job       *store.Job
	List      *business.PriceList
	Customers []*store.Customer
	Designs   []*store.Pattern
	Draft     *business.Draft
}

// newJobForm shows the form for a new job: blank, for designs (?ids=),
// for a customer (?customer=), or from a share link's votes
// (?share=ID&voter=Jane: "turn Jane's favourite into a job").
func (s *Server) newJobForm(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	form := map[string]string{"width": "", "length": "", "level": "Light edge-to-edge", "thread": "Standard", "binding": "Machine finished"}
	var draft *business.Draft
	ids := parseIDs(r.URL.Query()["ids"])
	if share, _ := strconv.ParseInt(r.URL.Query().Get("share"), 10, 64); share > 0 {
		d, err := s.business.DraftFromShare(r.Context(), t.ID, share, r.URL.Query().Get("voter"))
		if err != nil {
			s.failBack(w, r, err, tenant.Path(t.Slug, "shares", share))
			return
		}
		draft, ids = d, d.PatternIDs
		form["title"], form["customer_name"], form["customer_email"] = d.Title, d.CustomerName, d.Email
		if d.CustomerID != 0 {
			form["customer"] = strconv.FormatInt(d.CustomerID, 10)
		}
	}
	if c := r.URL.Query().Get("customer"); c != "" {
		form["customer"] = c
	}
	s.renderJobForm(w, r, ids, draft, form, nil)
}

func (s *Server) renderJobForm(w http.ResponseWriter, r *http.Request, ids []int64, draft *business.Draft, form map[string]string, failed error) {
	t := tenant.FromContext(r.Context())
	data := jobForm{Draft: draft}
	var err error
	if data.List, _, err = s.business.PriceList(r.Context(), t.ID); err == nil {
		data.Customers, err = s.business.Customers(r.Context(), t.ID, store.CustomerQuery{})
	}
	if err == nil {
		err = s.store.ReadTenant(r.Context(), t.ID, func(tx *store.TenantTx) error {
			byID, err := tx.PatternsByIDs(r.Context(), ids)
			for _, id := range ids {
				if p := byID[id]; p != nil {
					data.Designs = append(data.Designs, p)
				}
			}
			return err
		})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pd := pageData{Title: "New job", Data: data, Form: form}
	if failed != nil {
		s.failForm(w, r, failed, "job_new", pd)
		return
	}
	s.render(w, r, http.StatusOK, "job_new", pd)
}

var jobFields = []string{"customer", "customer_name", "customer_email", "customer_phone", "title", "width", "length", "level", "batting",
	"thread", "binding", "backing_seams", "prep_hours", "deposit", "received_on", "promised_on", "notes", "share"}

// readJobForm reads the job form into a business.JobInput.
func readJobForm(r *http.Request) (business.JobInput, map[string]string, error) {
	if err := r.ParseForm(); err != nil {
		return business.JobInput{}, nil, errBadForm.Wrap(err)
	}
	f := formValues(r, jobFields...)
	in := business.JobInput{Title: f["title"], Notes: f["notes"], PatternIDs: parseIDs(r.PostForm["ids"]),
		Quote: business.QuoteInput{Level: f["level"], Batting: f["batting"], Thread: f["thread"], Binding: f["binding"]}}
	in.CustomerID, _ = strconv.ParseInt(f["customer"], 10, 64)
	if in.CustomerID == 0 && f["customer_name"] != "" {
		in.NewCustomer = &store.Customer{Name: f["customer_name"], Email: f["customer_email"], Phone: f["customer_phone"]}
	}
	if share, _ := strconv.ParseInt(f["share"], 10, 64); share > 0 {
		in.ShareID = &share
	}
	var err error
	read := func(fn func() error) {
		if err == nil {
			err = fn()
		}
	}
	read(func() (e error) {
		in.Quote.Width, e = business.ParseHundredths(orZero(f["width"]))
		return wrapNum("width", e)
	})
	read(func() (e error) {
		in.Quote.Length, e = business.ParseHundredths(orZero(f["length"]))
		return wrapNum("length", e)
	})
	read(func() (e error) { in.Quote.BackingSeams, e = formInt(r, "backing_seams"); return })
	read(func() (e error) { in.Quote.PrepHours, e = formHundredths(r, "prep_hours"); return })
	read(func() (e error) { in.Deposit, e = formCents(r, "deposit"); return })
	read(func() (e error) { in.ReceivedOn, e = formDate(r, "received_on"); return })
	read(func() (e error) { in.PromisedOn, e = formDate(r, "promised_on"); return })
	return in, f, err
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func wrapNum(name string, err error) error {
	if err != nil {
		return errNumber(name, err)
	}
	return nil
}

func (s *Server) createJob(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	in, f, err := readJobForm(r)
	var j *store.Job
	if err == nil {
		j, err = s.business.CreateJob(r.Context(), t.ID, in)
	}
	if err != nil {
		s.renderJobForm(w, r, in.PatternIDs, nil, f, err)
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "jobs", j.ID), "Job made. Check the quote below, then email it to your customer.")
}

// jobPage is one job.
type jobPage struct {
	File     *business.JobFile
	List     *business.PriceList
	Margin   business.JobMargin
	Statuses []string
	Methods  []string
	// Next is the status that usually follows this one.
	Next       string
	StatusLink string
	Categories []string
	// Kit fills the job's "Machine kit" fields.
	Kit kitForm
}

// nextStatus is the usual next step of a job.
func nextStatus(s string) string {
	for i, st := range business.Statuses[:len(business.Statuses)-2] {
		if st == s {
			return business.Statuses[i+1]
		}
	}
	return ""
}

func (s *Server) job(w http.ResponseWriter, r *http.Request) {
	s.showJob(w, r, "")
}

func (s *Server) showJob(w http.ResponseWriter, r *http.Request, statusLink string) {
	f, pl, _, err := recordAndPrices(s, r, s.business.Job)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if statusLink != "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	s.render(w, r, http.StatusOK, "job", pageData{Title: f.Job.Title, Data: jobPage{File: f, List: pl, Margin: business.Margin(f.Money),
		Statuses: business.Statuses, Methods: []string{"picked up", "shipped"}, Next: nextStatus(f.Job.Status), StatusLink: statusLink,
		Categories: business.ExpenseCategories, Kit: jobKitForm(r, f.Job.ID)}})
}

func (s *Server) updateJob(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	back := tenant.Path(t.Slug, "jobs", id)
	var in business.JobInput
	if err == nil {
		in, _, err = readJobForm(r)
	}
	if err == nil {
		_, err = s.business.UpdateJob(r.Context(), t.ID, id, in)
	}
	s.jobDone(w, r, err, back, "Job saved and priced again.")
}

// adjustLines stores the quote's lines as she edited them.
func (s *Server) adjustLines(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	back := tenant.Path(t.Slug, "jobs", id)
	if err == nil {
		err = r.ParseForm()
	}
	var lines []business.Line
	descs, kinds, amounts := r.PostForm["description"], r.PostForm["kind"], r.PostForm["amount"]
	for i := range descs {
		if i >= len(kinds) || i >= len(amounts) || err != nil {
			break
		}
		if strings.TrimSpace(descs[i]) == "" && strings.TrimSpace(amounts[i]) == "" {
			continue // the empty "add a line" row
		}
		a := strings.TrimSpace(amounts[i])
		neg := strings.HasPrefix(a, "-") || strings.HasPrefix(a, "−")
		a = strings.TrimLeft(a, "-−")
		var c business.Cents
		if c, err = business.ParseCents(a); err != nil {
			err = errNumber("amount", err)
			break
		}
		if neg {
			c = -c
		}
		lines = append(lines, business.Line{Kind: business.LineKind(kinds[i]), Description: descs[i], Amount: c})
	}
	if err == nil {
		_, err = s.business.AdjustLines(r.Context(), t.ID, id, lines)
	}
	s.jobDone(w, r, err, back, "Quote lines saved.")
}

// jobDone answers a change of a job: back with done, or the problem.
func (s *Server) jobDone(w http.ResponseWriter, r *http.Request, err error, back, done string) {
	switch p := httpx.Problem(err); {
	case err == nil:
		s.redirectWith(w, r, back, done)
	case p == nil || p.Status == http.StatusNotFound && p.Code == "not_found":
		s.fail(w, r, err)
	default:
		s.failBack(w, r, err, back)
	}
}

func (s *Server) jobStatus(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	back := s.back(r, tenant.Path(t.Slug, "jobs", id))
	status := r.PostFormValue("status")
	var on *time.Time
	if err == nil {
		on, err = formDate(r, "on")
	}
	if err == nil {
		ch := business.StatusChange{Status: status, Method: r.PostFormValue("method")}
		if on != nil {
			ch.On = *on
		}
		_, err = s.business.SetStatus(r.Context(), t.ID, id, ch)
	}
	s.jobDone(w, r, err, back, "Now: "+business.StatusWord(status)+".")
}

func (s *Server) sendQuote(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var sent *business.SentQuote
	if err == nil {
		sent, err = s.business.SendQuote(r.Context(), t.ID, id)
	}
	msg := ""
	if sent != nil {
		msg = "Quote emailed to " + sent.To + ". She can accept it from the email, no account needed."
	}
	s.jobDone(w, r, err, tenant.Path(t.Slug, "jobs", id), msg)
}

// newStatusLink makes a status link and shows it on the job's page, once.
func (s *Server) newStatusLink(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var link string
	if err == nil {
		link, err = s.business.NewStatusLink(r.Context(), t.ID, id)
	}
	if err != nil {
		s.jobDone(w, r, err, tenant.Path(t.Slug, "jobs", id), "")
		return
	}
	s.showJob(w, r, link)
}

func (s *Server) moveJob(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	by := 1
	if r.PostFormValue("dir") == "up" {
		by = -1
	}
	if err == nil {
		err = s.business.MoveInQueue(r.Context(), t.ID, id, by)
	}
	s.jobDone(w, r, err, tenant.Path(t.Slug, "queue"), "Queue order changed.")
}

func (s *Server) jobHours(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var h business.Hundredths
	if err == nil {
		h, err = formHundredths(r, "hours")
	}
	if err == nil {
		err = s.business.SetHours(r.Context(), t.ID, id, h)
	}
	s.jobDone(w, r, err, tenant.Path(t.Slug, "jobs", id), "Hours saved.")
}

// jobPhoto takes a photo of the job's top or of the finished quilt.
func (s *Server) jobPhoto(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	back := tenant.Path(t.Slug, "jobs", id)
	r.Body = http.MaxBytesReader(w, r.Body, business.MaxPhotoBytes+64<<10)
	file, _, ferr := r.FormFile("photo")
	if err == nil && ferr != nil {
		err = errBadForm.Reword("Choose a photo first.").Wrap(ferr)
	}
	if err == nil {
		defer file.Close()
		_, err = s.business.AddPhoto(r.Context(), t.ID, business.PhotoInput{Kind: r.PostFormValue("kind"), JobID: id,
			Caption: r.PostFormValue("caption"), Public: r.PostFormValue("public") == "on", Data: file})
	}
	s.jobDone(w, r, err, back, "Photo added.")
}

func (s *Server) jobInvoice(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	var v *store.Invoice
	if err == nil {
		v, err = s.business.CreateInvoice(r.Context(), t.ID, id)
	}
	if err != nil {
		s.jobDone(w, r, err, tenant.Path(t.Slug, "jobs", id), "")
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "invoices", v.ID), "Draft invoice made from the job. Issue it to give it its number.")
}

// jobExpense records a cost of the job.
func (s *Server) addExpense(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	back := s.back(r, tenant.Path(t.Slug, "costs"))
	amount, err := formCents(r, "amount")
	var tax business.Cents
	if err == nil {
		tax, err = formCents(r, "tax")
	}
	var on *time.Time
	if err == nil {
		on, err = formDate(r, "on")
	}
	in := business.ExpenseInput{Category: r.PostFormValue("category"), Description: r.PostFormValue("description"), Amount: amount, Tax: tax}
	in.JobID, _ = strconv.ParseInt(r.PostFormValue("job"), 10, 64)
	if on != nil {
		in.On = *on
	}
	if err == nil {
		_, err = s.business.AddExpense(r.Context(), t.ID, in)
	}
	s.jobDone(w, r, err, back, fmt.Sprintf("Expense of %s recorded.", amount))
}

func (s *Server) deleteExpense(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.business.DeleteExpense(r.Context(), t.ID, id)
	}
	s.jobDone(w, r, err, s.back(r, tenant.Path(t.Slug, "costs")), "Expense removed.")
}

// queuePage is the queue with its estimates.
type queuePage struct {
	Queue *business.Queue
}

func (s *Server) queue(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	q, err := s.business.Queue(r.Context(), t.ID, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "queue", pageData{Title: "Queue", Data: queuePage{Queue: q}})
}

// calendarPage is a month of promised and estimated dates.
type calendarPage struct {
	Month      time.Time
	Prev, Next string
	Weeks      [][]business.CalendarDay
}

func (s *Server) calendar(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	month, err := time.Parse("2006-01", r.URL.Query().Get("month"))
	if err != nil {
		n := s.business.Now()
		month = time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	weeks, err := s.business.Calendar(r.Context(), t.ID, month.Year(), month.Month())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "calendar", pageData{Title: "Calendar, " + month.Format("January 2006"), Data: calendarPage{Month: month,
		Prev: month.AddDate(0, -1, 0).Format("2006-01"), Next: month.AddDate(0, 1, 0).Format("2006-01"), Weeks: weeks}})
}
