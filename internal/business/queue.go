package business

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// Queued is a job in the queue with its estimate.
type Queued struct {
	Job *store.Job
	// Ahead is how many jobs come before it.
	Ahead int
	// ReadyBy is when it should be finished: the hours of the jobs ahead
	// and its own, at her weekly hours, from today.
	ReadyBy time.Time
	// Late is true when ReadyBy is after the date she promised.
	Late bool
}

// estimate walks the queue in order: each job takes its estimated hours,
// and a week gives weekly hours, spread over its seven days.
func estimate(q []*store.Job, weekly Hundredths, today time.Time) []Queued {
	if weekly <= 0 {
		weekly = 100
	}
	out := make([]Queued, 0, len(q))
	cum := int64(0)
	for i, j := range q {
		cum += max(j.Estimated, 1)
		days := int(math.Ceil(float64(cum) * 7 / float64(weekly)))
		e := Queued{Job: j, Ahead: i, ReadyBy: today.AddDate(0, 0, days)}
		e.Late = j.PromisedOn != nil && e.ReadyBy.After(*j.PromisedOn)
		out = append(out, e)
	}
	return out
}

// Queue is the quilter's queue with its estimates.
type Queue struct {
	Jobs []Queued
	// WeeklyHours is her capacity.
	WeeklyHours Hundredths
	// Hours is the work waiting, in hundredths of an hour.
	Hours int64
	// NextFree is when a new job of an average size (or of NewHours)
	// would be ready.
	NextFree time.Time
}

// Queue returns the jobs accepted and not yet finished, in order, with
// the day each should be ready, and when a new job of newHours
// (hundredths; 0 for a typical 4-hour quilt) would be ready.
func (s *Service) Queue(ctx context.Context, tenantID int64, newHours Hundredths) (*Queue, error) {
	var q []*store.Job
	var pl *PriceList
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if pl, _, err = priceListTx(ctx, tx); err != nil {
			return err
		}
		q, err = tx.Jobs(ctx, store.JobQuery{Statuses: []string{StatusAccepted, StatusInQueue, StatusQuilting}})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("business: queue: %w", err)
	}
	out := &Queue{Jobs: estimate(q, pl.Machine.WeeklyHours, s.today()), WeeklyHours: pl.Machine.WeeklyHours}
	for _, j := range q {
		out.Hours += j.Estimated
	}
	if newHours <= 0 {
		newHours = 400
	}
	probe := append(append([]*store.Job{}, q...), &store.Job{Estimated: int64(newHours)})
	e := estimate(probe, pl.Machine.WeeklyHours, s.today())
	out.NextFree = e[len(e)-1].ReadyBy
	return out, nil
}

// CalendarDay is one day of the calendar with what falls on it.
type CalendarDay struct {
	Date    time.Time
	InMonth bool
	Today   bool
	// Promised are the jobs promised for the day; Ready those estimated
	// to be finished that day.
	Promised []*store.Job
	Ready    []*store.Job
}

// Calendar lays out the weeks (Monday first) of month with the jobs
// promised and estimated ready on each day.
func (s *Service) Calendar(ctx context.Context, tenantID int64, year int, month time.Month) ([][]CalendarDay, error) {
	var jobs []*store.Job
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		jobs, err = tx.Jobs(ctx, store.JobQuery{Statuses: []string{StatusQuote, StatusAccepted, StatusInQueue, StatusQuilting, StatusFinished}})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("business: calendar: %w", err)
	}
	q, err := s.Queue(ctx, tenantID, 0)
	if err != nil {
		return nil, err
	}
	ready := map[string][]*store.Job{}
	for _, e := range q.Jobs {
		k := e.ReadyBy.Format(time.DateOnly)
		ready[k] = append(ready[k], e.Job)
	}
	promised := map[string][]*store.Job{}
	for _, j := range jobs {
		if j.PromisedOn != nil {
			k := j.PromisedOn.Format(time.DateOnly)
			promised[k] = append(promised[k], j)
		}
	}
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	start := first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
	today := s.today()
	var weeks [][]CalendarDay
	for d := start; d.Before(first.AddDate(0, 1, 0)) || d.Weekday() != time.Monday; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Monday {
			weeks = append(weeks, nil)
		}
		k := d.Format(time.DateOnly)
		weeks[len(weeks)-1] = append(weeks[len(weeks)-1], CalendarDay{Date: d, InMonth: d.Month() == month, Today: d.Equal(today),
			Promised: promised[k], Ready: ready[k]})
	}
	return weeks, nil
}

// publicURL is a customer's link of workspace t: /t/{slug}/{kind}/{token}.
func (s *Service) publicURL(t *store.Tenant, kind, token string) string {
	return s.BaseURL + tenant.Path(t.Slug, kind, token)
}

// workspaceName is the name a customer reads: the business's, else the
// workspace's.
func workspaceName(t *store.Tenant, set *store.BusinessSettings) string {
	if set != nil && set.BusinessName != "" {
		return set.BusinessName
	}
	return t.Name
}

// SentQuote says where a quote went.
type SentQuote struct {
	To  string
	URL string
}

// ErrNoEmail refuses to mail a customer who has no address.
var ErrNoEmail = problem.Invalid("no_email", "This customer has no email address: add one on her page first.")

// SendQuote emails the job's quote to its customer with a new accept
// link (no account needed; an earlier link stops working).
func (s *Service) SendQuote(ctx context.Context, tenantID, jobID int64) (*SentQuote, error) {
	if err := s.require(ctx, tenantID, FeatureJobs); err != nil {
		return nil, err
	}
	token := auth.NewToken("")
	var data mail.QuoteData
	var to string
	var url string
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		j, err := tx.Job(ctx, jobID)
		if err != nil {
			return notFoundAs(err, ErrNoJob)
		}
		if j.Status != StatusQuote {
			return problem.Conflict("not_a_quote", "This job's quote was already accepted.")
		}
		c, err := tx.Customer(ctx, j.CustomerID)
		if err != nil {
			return err
		}
		if c.Email == "" {
			return ErrNoEmail
		}
		t, err := tx.Platform().TenantByID(ctx, tenantID)
		if err != nil {
			return err
		}
		set, err := tx.BusinessSettings(ctx)
		if err != nil {
			return err
		}
		if err := tx.SetJobToken(ctx, jobID, auth.HashToken(token), false); err != nil {
			return err
		}
		now := s.Now()
		j.QuoteSentAt = &now
		if err := tx.SaveJob(ctx, j); err != nil {
			return err
		}
		url = s.publicURL(t, "quote", token)
		to = c.Email
		data = mail.QuoteData{Quilter: workspaceName(t, set), Customer: c.Name, Title: j.Title,
			Size: fmt.Sprintf("%s × %s in", Hundredths(j.Width), Hundredths(j.Length)), Total: Money(Cents(j.TotalCents), set.Currency), Link: url}
		for _, l := range j.Lines {
			data.Lines = append(data.Lines, l.Description+": "+Money(Cents(l.AmountCents), set.Currency))
		}
		if j.TaxCents != 0 {
			data.Lines = append(data.Lines, fmt.Sprintf("Tax (%s %%): %s", PPM(j.TaxRatePPM).Percent(), Money(Cents(j.TaxCents), set.Currency)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("business: send quote of job %d: %w", jobID, err)
	}
	if err := s.Mailer.Send(ctx, to, data); err != nil {
		return nil, fmt.Errorf("business: email quote of job %d: %w", jobID, err)
	}
	return &SentQuote{To: to, URL: url}, nil
}

// Money writes an amount with its currency's sign: "$276.24", "276.24 CHF".
func Money(c Cents, currency string) string {
	switch currency {
	case "USD", "CAD", "AUD", "NZD", "":
		if c < 0 {
			return "−$" + (-c).String()
		}
		return "$" + c.String()
	case "GBP":
		return "£" + c.String()
	case "EUR":
		return "€" + c.String()
	}
	return c.String() + " " + currency
}

// PublicJob is what a customer sees through her link.
type PublicJob struct {
	Tenant   *store.Tenant
	Business string
	Job      *store.Job
	Currency string
	// Ahead and ReadyBy place a queued job.
	Ahead   int
	ReadyBy time.Time
	Queued  bool
	// StatusURL is a new status link, made when she accepted just now.
	StatusURL string
}

// validToken keeps lookups uniform: a token of the wrong length is looked
// up as a dummy, so timing tells nothing.
func validToken(token string) string {
	if len(token) < 20 || len(token) > 100 {
		return "invalid-token-" + strings.Repeat("x", 30)
	}
	return token
}

// OpenJobLink finds the job of a customer's link (a quote's accept link,
// or a status link when status) in workspace t.
func (s *Service) OpenJobLink(ctx context.Context, t *store.Tenant, token string, status bool) (*PublicJob, error) {
	p := &PublicJob{Tenant: t}
	var q []*store.Job
	var pl *PriceList
	var set *store.BusinessSettings
	err := s.Store.ReadTenant(ctx, t.ID, func(tx *store.TenantTx) error {
		var err error
		if p.Job, err = tx.JobByTokenHash(ctx, auth.HashToken(validToken(token)), status); err != nil {
			return err
		}
		if pl, set, err = priceListTx(ctx, tx); err != nil {
			return err
		}
		q, err = tx.Jobs(ctx, store.JobQuery{Statuses: []string{StatusAccepted, StatusInQueue, StatusQuilting}})
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrLinkNotFound.Wrap(err)
	}
	if err != nil {
		return nil, fmt.Errorf("business: open job link: %w", err)
	}
	p.Business, p.Currency = workspaceName(t, set), pl.Currency
	for _, e := range estimate(q, pl.Machine.WeeklyHours, s.today()) {
		if e.Job.ID == p.Job.ID {
			p.Queued, p.Ahead, p.ReadyBy = true, e.Ahead, e.ReadyBy
		}
	}
	return p, nil
}

// AcceptQuote is the customer accepting her quote through its link,
// under the name she typed: the job is accepted, takes its place at the
// end of the queue, and gets a status link, shown to her once.
func (s *Service) AcceptQuote(ctx context.Context, t *store.Tenant, token, name string) (*PublicJob, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || len(name) > 120 {
		return nil, invalid("bad_name", "Please type your name to accept.")
	}
	status := auth.NewToken("")
	accepted := false
	err := s.Store.Tenant(ctx, t.ID, func(tx *store.TenantTx) error {
		j, err := tx.JobByTokenHash(ctx, auth.HashToken(validToken(token)), false)
		if err != nil {
			return err
		}
		if j.Status != StatusQuote {
			return nil // accepted already: the page shows where it is
		}
		j.AcceptedBy = name
		if err := s.moveTo(ctx, tx, j, StatusAccepted, s.today(), ""); err != nil {
			return err
		}
		accepted = true
		return tx.SetJobToken(ctx, j.ID, auth.HashToken(status), true)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrLinkNotFound.Wrap(err)
	}
	if err != nil {
		return nil, fmt.Errorf("business: accept quote: %w", err)
	}
	p, err := s.OpenJobLink(ctx, t, token, false)
	if err != nil {
		return nil, err
	}
	if accepted {
		p.StatusURL = s.publicURL(t, "status", status)
	}
	return p, nil
}

// NewStatusLink makes a new private status link for a job's customer (an
// earlier one stops working) and returns it; it is shown only once.
func (s *Service) NewStatusLink(ctx context.Context, tenantID, jobID int64) (string, error) {
	if err := s.require(ctx, tenantID, FeatureJobs); err != nil {
		return "", err
	}
	token := auth.NewToken("")
	var url string
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		t, err := tx.Platform().TenantByID(ctx, tenantID)
		if err != nil {
			return err
		}
		if err := tx.SetJobToken(ctx, jobID, auth.HashToken(token), true); err != nil {
			return notFoundAs(err, ErrNoJob)
		}
		url = s.publicURL(t, "status", token)
		return nil
	})
	return url, err
}
