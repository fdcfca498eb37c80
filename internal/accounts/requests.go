package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/store"
)

// Requests for a link by email (a password reset, a sign-in link) are
// answered by a background job: the request itself only queues the job,
// the same single insert whether or not the address has an account, so
// neither the answer nor its timing tells which addresses have one.

// Link purposes a LinkRequestArgs asks for.
const (
	linkReset = "reset"
	linkMagic = "magic"
)

// LinkRequestArgs is the job that looks up an address and, if it has an
// account, mails it the link it asked for.
type LinkRequestArgs struct {
	Email   string `json:"email"`
	Purpose string `json:"purpose"` // reset or magic
}

// Kind names the job for River.
func (LinkRequestArgs) Kind() string { return "accounts_link_request" }

// InsertOpts puts the job on the mail queue: it only ever queues a mail.
func (LinkRequestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMail, MaxAttempts: 5}
}

// Inserter queues a job; *jobs.Queue is one.
type Inserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// LinkWorker runs LinkRequestArgs jobs.
type LinkWorker struct {
	river.WorkerDefaults[LinkRequestArgs]
	svc *Service
}

// Worker returns the River worker of link requests.
func (s *Service) Worker() *LinkWorker { return &LinkWorker{svc: s} }

// Timeout bounds one attempt.
func (w *LinkWorker) Timeout(*river.Job[LinkRequestArgs]) time.Duration { return time.Minute }

// Work mails the link, if the address has an account.
func (w *LinkWorker) Work(ctx context.Context, job *river.Job[LinkRequestArgs]) error {
	return w.svc.sendLink(ctx, job.Args.Email, job.Args.Purpose)
}

// requestLink queues (or, with no queue, as in tests, does) the work of
// a link request.
func (s *Service) requestLink(ctx context.Context, email, purpose string) error {
	email = strings.TrimSpace(email)
	if len(email) > 254 {
		return nil // no account has such an address
	}
	if s.Queue == nil {
		return s.sendLink(ctx, email, purpose)
	}
	if _, err := s.Queue.Insert(ctx, LinkRequestArgs{Email: email, Purpose: purpose}, nil); err != nil {
		return fmt.Errorf("accounts: queue a %s link: %w", purpose, err)
	}
	return nil
}

// sendLink mails a reset or sign-in link to email if it has an account.
func (s *Service) sendLink(ctx context.Context, email, purpose string) error {
	u, err := s.Store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	switch purpose {
	case linkReset:
		link, err := s.emailLink(ctx, u.ID, store.TokenReset, ResetTTL, "/reset")
		if err != nil {
			return err
		}
		return s.Mailer.Send(ctx, u.Email, mail.ResetData{Name: u.DisplayName, Link: link})
	case linkMagic:
		link, err := s.emailLink(ctx, u.ID, store.TokenMagic, MagicTTL, "/signin/magic")
		if err != nil {
			return err
		}
		return s.Mailer.Send(ctx, u.Email, mail.MagicData{Name: u.DisplayName, Link: link})
	}
	return fmt.Errorf("accounts: unknown link purpose %q", purpose)
}
