package business

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// The statuses of a job, in the order a quilt goes through them, and
// the words a person reads for them.
const (
	StatusQuote     = "quote"
	StatusAccepted  = "accepted"
	StatusInQueue   = "in_queue"
	StatusQuilting  = "quilting"
	StatusFinished  = "finished"
	StatusDelivered = "delivered"
	StatusPaid      = "paid"
	StatusCancelled = "cancelled"
)

// Statuses lists the statuses in order, cancelled last.
var Statuses = []string{StatusQuote, StatusAccepted, StatusInQueue, StatusQuilting, StatusFinished, StatusDelivered, StatusPaid, StatusCancelled}

// StatusWord is a status as a person reads it.
func StatusWord(s string) string {
	switch s {
	case StatusQuote:
		return "Quote"
	case StatusAccepted:
		return "Accepted"
	case StatusInQueue:
		return "In the queue"
	case StatusQuilting:
		return "Being quilted"
	case StatusFinished:
		return "Finished"
	case StatusDelivered:
		return "Delivered"
	case StatusPaid:
		return "Paid"
	case StatusCancelled:
		return "Cancelled"
	}
	return s
}

// queued reports whether a job in status s holds a place in the queue.
func queued(s string) bool { return s == StatusAccepted || s == StatusInQueue || s == StatusQuilting }

// JobInput is what a job is made or changed from.
type JobInput struct {
	// CustomerID is an existing customer; or NewCustomer is added with
	// the job.
	CustomerID  int64
	NewCustomer *store.Customer
	Title       string
	Quote       QuoteInput
	PatternIDs  []int64
	Notes       string
	Deposit     Cents
	ReceivedOn  *time.Time
	PromisedOn  *time.Time
	// ShareID is the share link the designs were chosen on, if any.
	ShareID *int64
}

// fallbackSqInPerHour estimates the time of a job without a planned
// design: four thousand square inches an hour, a middling edge-to-edge.
const fallbackSqInPerHour = 4000

// CreateJob adds a job (and its new customer), planned from its first
// design's geometry and priced on the price list.
func (s *Service) CreateJob(ctx context.Context, tenantID int64, in JobInput) (*store.Job, error) {
	if err := s.require(ctx, tenantID, FeatureJobs); err != nil {
		return nil, err
	}
	if in.NewCustomer != nil {
		if err := cleanCustomer(in.NewCustomer); err != nil {
			return nil, err
		}
	}
	j := &store.Job{Status: StatusQuote, ShareID: in.ShareID}
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		if in.NewCustomer != nil {
			c, err := tx.CreateCustomer(ctx, in.NewCustomer)
			if err != nil {
				return err
			}
			in.CustomerID = c.ID
		}
		return s.fillJob(ctx, tx, j, in)
	})
	if err != nil {
		return nil, fmt.Errorf("business: create job: %w", err)
	}
	return j, nil
}

// UpdateJob changes a job's customer, size, choices, designs and notes,
// and prices it again (her own line amounts are replaced by the list's).
func (s *Service) UpdateJob(ctx context.Context, tenantID, id int64, in JobInput) (*store.Job, error) {
	if err := s.require(ctx, tenantID, FeatureJobs); err != nil {
		return nil, err
	}
	var j *store.Job
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if j, err = tx.Job(ctx, id); err != nil {
			return notFoundAs(err, ErrNoJob)
		}
		if in.CustomerID == 0 {
			in.CustomerID = j.CustomerID
		}
		return s.fillJob(ctx, tx, j, in)
	})
	if err != nil {
		return nil, fmt.Errorf("business: update job %d: %w", id, err)
	}
	return j, nil
}

// fillJob checks in, plans and prices it into j and saves j.
func (s *Service) fillJob(ctx context.Context, tx *store.TenantTx, j *store.Job, in JobInput) error {
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Notes = strings.TrimSpace(in.Notes)
	switch {
	case utf8.RuneCountInString(in.Title) > 120:
		return invalid("bad_title", "The quilt's name can be up to 120 characters.")
	case utf8.RuneCountInString(in.Notes) > 4000:
		return invalid("too_long", "Notes can be up to 4,000 characters.")
	case in.Deposit < 0 || in.Deposit > 10_000_000:
		return invalid("bad_deposit", "The deposit must be between 0 and 100,000.")
	case len(in.PatternIDs) > 20:
		return invalid("too_many_designs", "A job can use up to 20 designs.")
	}
	c, err := tx.Customer(ctx, in.CustomerID)
	if err != nil || c.DeletedAt != nil {
		return ErrNoCustomer
	}
	ids := uniqIDs(in.PatternIDs)
	if len(ids) > 0 {
		live, err := tx.LivePatterns(ctx, ids)
		if err != nil {
			return err
		}
		if len(live) != len(ids) {
			return ErrNoDesign
		}
	}
	pl, _, err := priceListTx(ctx, tx)
	if err != nil {
		return err
	}
	var plan *Plan
	if len(ids) > 0 {
		d, err := designOf(ctx, tx, ids[0])
		if err != nil {
			return err
		}
		if p, err := MakePlan(*d, in.Quote.Width, in.Quote.Length, pl.Machine); err == nil {
			plan = p
		} else if _, ok := problem.As(err); !ok {
			return err
		} // a design without geometry is kept, without a plan
	}
	if in.Quote.TaxRate == nil {
		r := pl.TaxRate
		in.Quote.TaxRate = &r
	}
	priced, err := pl.Price(in.Quote, plan)
	if err != nil {
		return err
	}
	if in.Title == "" {
		in.Title = c.Name + "'s quilt"
	}
	j.CustomerID, j.CustomerName, j.Title, j.Notes = c.ID, c.Name, in.Title, in.Notes
	j.Width, j.Length = int64(in.Quote.Width), int64(in.Quote.Length)
	j.Level, j.Batting, j.Thread, j.Binding = in.Quote.Level, in.Quote.Batting, in.Quote.Thread, in.Quote.Binding
	j.BackingSeams, j.Prep, j.Bobbins = in.Quote.BackingSeams, int64(in.Quote.PrepHours), in.Quote.Bobbins
	j.DepositCents = int64(in.Deposit)
	if in.ReceivedOn != nil {
		j.ReceivedOn = in.ReceivedOn
	}
	if in.PromisedOn != nil {
		j.PromisedOn = in.PromisedOn
	}
	j.PatternIDs = ids
	setPriced(j, priced)
	j.Rows, j.Repeats, j.StitchedIn, j.StitchMinutes, j.ThreadYards, j.BobbinsNeeded = nil, nil, nil, nil, nil, nil
	hours := float64(pl.Machine.SetupHours) / 100
	if plan != nil {
		rows, reps, b := plan.Rows, plan.Repeats, plan.Bobbins
		st, mins, ty := float32(plan.StitchedLength), float32(plan.Minutes), float32(plan.ThreadYards)
		j.Rows, j.Repeats, j.StitchedIn, j.StitchMinutes, j.ThreadYards, j.BobbinsNeeded = &rows, &reps, &st, &mins, &ty, &b
		hours += plan.Hours()
	} else {
		hours += float64(j.Width) * float64(j.Length) / 10_000 / fallbackSqInPerHour
	}
	hours += float64(in.Quote.PrepHours) / 100
	j.Estimated = int64(math.Ceil(hours * 100))
	return tx.SaveJob(ctx, j)
}

// setPriced copies a priced quote's lines and totals into a job.
func setPriced(j *store.Job, p *Priced) {
	j.Lines = j.Lines[:0]
	for _, l := range p.Lines {
		j.Lines = append(j.Lines, store.JobLine{Kind: string(l.Kind), Description: l.Description, AmountCents: int64(l.Amount), Taxable: l.Taxable})
	}
	j.TaxRatePPM, j.SubtotalCents, j.TaxCents, j.TotalCents = int64(p.TaxRate), int64(p.Subtotal), int64(p.Tax), int64(p.Total)
}

// JobLines returns a job's lines as priced lines.
func JobLines(j *store.Job) []Line {
	out := make([]Line, len(j.Lines))
	for i, l := range j.Lines {
		out[i] = Line{Kind: LineKind(l.Kind), Description: l.Description, Amount: Cents(l.AmountCents), Taxable: l.Taxable}
	}
	return out
}

// AdjustLines replaces a job's priced lines with hers (amounts changed,
// lines added or removed, before she sends the quote); the totals follow.
func (s *Service) AdjustLines(ctx context.Context, tenantID, id int64, lines []Line) (*store.Job, error) {
	if err := s.require(ctx, tenantID, FeatureJobs); err != nil {
		return nil, err
	}
	if len(lines) > MaxLines {
		return nil, invalid("too_many_lines", fmt.Sprintf("A quote can have up to %d lines.", MaxLines))
	}
	for i := range lines {
		l := &lines[i]
		l.Description = strings.Join(strings.Fields(l.Description), " ")
		if l.Kind == "" {
			l.Kind = KindOther
		}
		switch {
		case l.Description == "" || utf8.RuneCountInString(l.Description) > 300:
			return nil, invalid("bad_line", "Each line needs a description of up to 300 characters.")
		case !validKind(l.Kind):
			return nil, invalid("bad_line", fmt.Sprintf("“%s” is not a kind of line.", l.Kind))
		case l.Amount < -10_000_000 || l.Amount > 10_000_000:
			return nil, invalid("bad_amount", "A line's amount must be between −100,000 and 100,000.")
		}
	}
	var j *store.Job
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if j, err = tx.Job(ctx, id); err != nil {
			return notFoundAs(err, ErrNoJob)
		}
		pl, _, err := priceListTx(ctx, tx)
		if err != nil {
			return err
		}
		for i := range lines {
			lines[i].Taxable = pl.Taxable[lines[i].Kind]
		}
		setPriced(j, Totals(lines, PPM(j.TaxRatePPM), pl.Currency))
		return tx.SaveJob(ctx, j)
	})
	if err != nil {
		return nil, fmt.Errorf("business: adjust job %d: %w", id, err)
	}
	return j, nil
}

// JobFile is a job with what its page shows.
type JobFile struct {
	Job      *store.Job
	Customer *store.Customer
	Designs  map[int64]*store.Pattern
	Invoices []*store.Invoice
	Photos   []*store.Photo
	Expenses []*store.Expense
	Money    store.JobMoney
	// Place is the job's place in the queue from 1 (0 outside it), and
	// ReadyBy the day it should be ready.
	Place   int
	ReadyBy time.Time
}

// Job reads a job's page.
func (s *Service) Job(ctx context.Context, tenantID, id int64) (*JobFile, error) {
	f := &JobFile{}
	var q []*store.Job
	var pl *PriceList
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if f.Job, err = tx.Job(ctx, id); err != nil {
			return err
		}
		if f.Customer, err = tx.Customer(ctx, f.Job.CustomerID); err != nil {
			return err
		}
		if f.Designs, err = tx.PatternsByIDs(ctx, f.Job.PatternIDs); err != nil {
			return err
		}
		if f.Invoices, err = tx.Invoices(ctx, store.InvoiceQuery{JobID: id}); err != nil {
			return err
		}
		if f.Photos, err = tx.Photos(ctx, store.PhotoQuery{JobID: id}); err != nil {
			return err
		}
		if f.Expenses, err = tx.Expenses(ctx, 0, id); err != nil {
			return err
		}
		money, err := tx.JobsMoney(ctx, []int64{id}, 0)
		if err != nil {
			return err
		}
		if len(money) == 1 {
			f.Money = money[0]
		}
		if pl, _, err = priceListTx(ctx, tx); err != nil {
			return err
		}
		q, err = tx.Jobs(ctx, store.JobQuery{Statuses: []string{StatusAccepted, StatusInQueue, StatusQuilting}})
		return err
	})
	if err != nil {
		return nil, notFoundAs(err, ErrNoJob)
	}
	for _, e := range estimate(q, pl.Machine.WeeklyHours, s.today()) {
		if e.Job.ID == id {
			f.Place, f.ReadyBy = e.Ahead+1, e.ReadyBy
		}
	}
	return f, nil
}

// Jobs lists jobs.
func (s *Service) Jobs(ctx context.Context, tenantID int64, q store.JobQuery) ([]*store.Job, error) {
	var out []*store.Job
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		out, err = tx.Jobs(ctx, q)
		return err
	})
	return out, err
}

// StatusChange moves a job to a status on a day.
type StatusChange struct {
	Status string
	// On is the day it happened (zero: today).
	On time.Time
	// Method is how a delivered quilt left: "picked up" or "shipped".
	Method string
}

// SetStatus moves a job to another status, fills the day it happened
// (received, started, finished, delivered, paid) when not yet set, and
// gives it a place at the end of the queue (or takes it out).
func (s *Service) SetStatus(ctx context.Context, tenantID, id int64, ch StatusChange) (*store.Job, error) {
	if err := s.require(ctx, tenantID, FeatureJobs); err != nil {
		return nil, err
	}
	known := false
	for _, st := range Statuses {
		known = known || st == ch.Status
	}
	if !known {
		return nil, invalid("bad_status", "That is not a status of a job.")
	}
	if ch.Method != "" && ch.Method != "picked up" && ch.Method != "shipped" {
		return nil, invalid("bad_method", "A quilt is picked up or shipped.")
	}
	on := ch.On
	if on.IsZero() {
		on = s.today()
	}
	var j *store.Job
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if j, err = tx.Job(ctx, id); err != nil {
			return notFoundAs(err, ErrNoJob)
		}
		return s.moveTo(ctx, tx, j, ch.Status, on, ch.Method)
	})
	if err != nil {
		return nil, fmt.Errorf("business: job %d to %s: %w", id, ch.Status, err)
	}
	return j, nil
}

// moveTo sets j's status and its dates and place, and saves it.
func (s *Service) moveTo(ctx context.Context, tx *store.TenantTx, j *store.Job, status string, on time.Time, method string) error {
	day := func(d **time.Time) {
		if *d == nil {
			v := on
			*d = &v
		}
	}
	switch status {
	case StatusAccepted:
		day(&j.AcceptedOn)
	case StatusInQueue:
		day(&j.AcceptedOn)
		day(&j.ReceivedOn)
	case StatusQuilting:
		day(&j.AcceptedOn)
		day(&j.StartedOn)
	case StatusFinished:
		day(&j.FinishedOn)
	case StatusDelivered:
		day(&j.FinishedOn)
		day(&j.DeliveredOn)
		if method != "" {
			j.DeliveryMethod = method
		}
	case StatusPaid:
		day(&j.PaidOn)
	}
	if queued(status) && j.QueuePosition == nil {
		n, err := tx.MaxQueuePosition(ctx)
		if err != nil {
			return err
		}
		n++
		j.QueuePosition = &n
	}
	if !queued(status) {
		j.QueuePosition = nil
	}
	j.Status = status
	return tx.SaveJob(ctx, j)
}

// MoveInQueue moves a queued job up (by < 0) or down (by > 0).
func (s *Service) MoveInQueue(ctx context.Context, tenantID, id int64, by int) error {
	if err := s.require(ctx, tenantID, FeatureJobs); err != nil {
		return err
	}
	return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		q, err := tx.Jobs(ctx, store.JobQuery{Statuses: []string{StatusAccepted, StatusInQueue, StatusQuilting}})
		if err != nil {
			return err
		}
		at := -1
		ids := make([]int64, len(q))
		for i, j := range q {
			ids[i] = j.ID
			if j.ID == id {
				at = i
			}
		}
		if at < 0 {
			return problem.Invalid("not_queued", "That job is not in the queue.")
		}
		to := min(max(at+by, 0), len(ids)-1)
		moved := ids[at]
		ids = append(ids[:at], ids[at+1:]...)
		ids = append(ids[:to], append([]int64{moved}, ids[to:]...)...)
		return tx.SetQueueOrder(ctx, ids)
	})
}

// SetHours records the hours she spent on a job.
func (s *Service) SetHours(ctx context.Context, tenantID, id int64, hours Hundredths) error {
	if err := s.require(ctx, tenantID, FeatureJobs); err != nil {
		return err
	}
	if hours < 0 || hours > 100_000 {
		return invalid("bad_hours", "Hours must be between 0 and 1,000.")
	}
	return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		j, err := tx.Job(ctx, id)
		if err != nil {
			return notFoundAs(err, ErrNoJob)
		}
		j.HoursSpent = int64(hours)
		return tx.SaveJob(ctx, j)
	})
}

// Draft is a new job's form filled from a share link's votes.
type Draft struct {
	CustomerID   int64
	CustomerName string
	Email        string
	Title        string
	PatternIDs   []int64
	ShareID      int64
}

// DraftFromShare turns a guest's choices on a share link into a new
// job's form: her favourites (or, without any, her likes), best ranked
// first, and the customer of that name or the link's email, when she is
// in the list already.
func (s *Service) DraftFromShare(ctx context.Context, tenantID, shareID int64, voter string) (*Draft, error) {
	var l *store.ShareLink
	var votes []store.Vote
	var existing *store.Customer
	voter = strings.TrimSpace(voter)
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if l, err = tx.Share(ctx, shareID); err != nil {
			return err
		}
		if votes, err = tx.Platform().Votes(ctx, l.ID, ""); err != nil {
			return err
		}
		email := ""
		if strings.EqualFold(voter, l.RecipientName) {
			email = l.RecipientEmail
		}
		existing, err = tx.CustomerByNameOrEmail(ctx, voter, email)
		if errors.Is(err, store.ErrNotFound) {
			existing, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, notFoundAs(err, problem.NotFound("share_not_found", "That share link does not exist."))
	}
	d := &Draft{CustomerName: voter, ShareID: l.ID, Title: voter + "'s quilt"}
	if strings.EqualFold(voter, l.RecipientName) {
		d.Email = l.RecipientEmail
	}
	if existing != nil {
		d.CustomerID, d.CustomerName, d.Email = existing.ID, existing.Name, existing.Email
	}
	var favs, likes []store.Vote
	for _, v := range votes {
		if !strings.EqualFold(v.VoterName, voter) {
			continue
		}
		switch v.Vote {
		case "favorite":
			favs = append(favs, v)
		case "like":
			likes = append(likes, v)
		}
	}
	if len(favs) == 0 {
		favs = likes
	}
	if len(favs) == 0 {
		return nil, problem.Invalid("no_favourites", voter+" has not chosen a favourite or a like on this link yet.")
	}
	rank := func(v store.Vote) int {
		if v.Rank != nil {
			return *v.Rank
		}
		return 1000
	}
	for i := range favs { // a few votes: insertion sort by rank, stable
		for k := i; k > 0 && rank(favs[k]) < rank(favs[k-1]); k-- {
			favs[k], favs[k-1] = favs[k-1], favs[k]
		}
	}
	for _, v := range favs {
		d.PatternIDs = append(d.PatternIDs, v.PatternID)
	}
	return d, nil
}

func uniqIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := []int64{}
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
