package billing

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/patternvault/patternvault/internal/store"
)

// RemindBefore is how long before a trial's end its owners are told.
const RemindBefore = 3 * 24 * time.Hour

// RemindersArgs is the job that mails the owners of trials about to end
// and marks ended trials expired (trials without a Stripe subscription;
// Stripe tells of its own through the webhook).
type RemindersArgs struct{}

// Kind names the job for River.
func (RemindersArgs) Kind() string { return "billing_reminders" }

// RemindersWorker runs the reminders job.
type RemindersWorker struct {
	river.WorkerDefaults[RemindersArgs]
	svc *Service
}

// Worker returns the River worker of the reminders job.
func (s *Service) Worker() *RemindersWorker { return &RemindersWorker{svc: s} }

// Work runs the reminders once.
func (w *RemindersWorker) Work(ctx context.Context, _ *river.Job[RemindersArgs]) error {
	_, err := w.svc.Remind(ctx)
	return err
}

// Periodic is the reminders job every hour (and when a server starts).
func (s *Service) Periodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return RemindersArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// Remind mails the owners of each trial that ends within RemindBefore
// (once per trial) and marks each trial past its end expired. It returns
// how many workspaces it mailed or expired.
func (s *Service) Remind(ctx context.Context) (int, error) {
	trials, err := s.Store.Trials(ctx)
	if err != nil {
		return 0, err
	}
	now, n := s.Now(), 0
	for _, t := range trials {
		end := t.TrialEndsAt
		if !t.Stored || end == nil {
			e := t.CreatedAt.Add(time.Duration(s.Config.TrialDays) * 24 * time.Hour)
			end = &e
		}
		switch {
		case !now.Before(*end):
			out, err := s.update(ctx, t.TenantID, sourceTrial, nil, nil, nil, func(sub *store.Subscription) error {
				if sub.Status != store.SubTrialing || sub.StripeSubscriptionID != "" || sub.TrialEndsAt == nil || now.Before(*sub.TrialEndsAt) {
					return errUnchanged // changed since the list was read
				}
				sub.Status = store.SubExpired
				return nil
			})
			if err != nil {
				return n, err
			}
			if out.saved {
				n++
			}
		case end.Sub(now) <= RemindBefore && t.TrialRemindedAt == nil:
			sub, err := s.subscription(ctx, s.Store, t.TenantID, false)
			if err != nil {
				return n, err
			}
			s.trialEnding(ctx, t.TenantID, sub, sourceTrial)
			n++
		}
	}
	return n, nil
}
