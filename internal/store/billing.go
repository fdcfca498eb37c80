package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Subscription statuses, as billing keeps them.
const (
	SubTrialing = "trialing"
	SubActive   = "active"
	SubPastDue  = "past_due"
	SubCanceled = "canceled"
	SubComped   = "comped"
	SubExpired  = "expired"
)

// Subscription is what a workspace pays for: its plan, status and the
// Stripe objects behind them. A workspace without a row is in its first
// trial; billing fills one in then.
type Subscription struct {
	TenantID             int64
	Plan                 string
	Status               string
	Interval             string // "year" or "month"
	AmountCents          int64
	Currency             string
	Founding             bool
	TrialEndsAt          *time.Time
	CurrentPeriodEnd     *time.Time
	GraceEndsAt          *time.Time
	CancelAtPeriodEnd    bool
	HasPaymentMethod     bool
	StripeCustomerID     string
	StripeSubscriptionID string
	StripePriceID        string
	ConvertedAt          *time.Time
	CanceledAt           *time.Time
	TrialRemindedAt      *time.Time
	GraceRemindedAt      *time.Time
	CreatedAt            time.Time
	UpdatedAt            time.Time
	// Stored reports whether the row exists (false: the default trial).
	Stored bool
}

const subscriptionColumns = `tenant_id, plan, status, billing_interval, amount_cents, currency, founding, trial_ends_at,
	current_period_end, grace_ends_at, cancel_at_period_end, has_payment_method, coalesce(stripe_customer_id, ''),
	coalesce(stripe_subscription_id, ''), stripe_price_id, converted_at, canceled_at, trial_reminded_at, grace_reminded_at,
	created_at, updated_at`

func scanSubscription(row pgx.Row) (*Subscription, error) {
	s := &Subscription{Stored: true}
	err := row.Scan(&s.TenantID, &s.Plan, &s.Status, &s.Interval, &s.AmountCents, &s.Currency, &s.Founding, &s.TrialEndsAt,
		&s.CurrentPeriodEnd, &s.GraceEndsAt, &s.CancelAtPeriodEnd, &s.HasPaymentMethod, &s.StripeCustomerID,
		&s.StripeSubscriptionID, &s.StripePriceID, &s.ConvertedAt, &s.CanceledAt, &s.TrialRemindedAt, &s.GraceRemindedAt,
		&s.CreatedAt, &s.UpdatedAt)
	return s, err
}

// Subscription returns the workspace's subscription row, or ErrNotFound
// when it has none yet.
func (s *Store) Subscription(ctx context.Context, tenantID int64) (*Subscription, error) {
	sub, err := scanSubscription(s.q.QueryRow(ctx, `SELECT `+subscriptionColumns+` FROM platform.subscriptions WHERE tenant_id = $1`, tenantID))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: subscription of tenant %d: %w", tenantID, err)
	}
	return sub, nil
}

// LockSubscription returns the workspace's subscription row locked for
// the rest of the transaction (call it inside Tx), or ErrNotFound. The
// tenant's row is locked too, so that two first changes of a workspace
// without a subscription row wait for each other.
func (s *Store) LockSubscription(ctx context.Context, tenantID int64) (*Subscription, error) {
	if _, err := s.q.Exec(ctx, `SELECT 1 FROM platform.tenants WHERE id = $1 FOR UPDATE`, tenantID); err != nil {
		return nil, fmt.Errorf("store: lock tenant %d: %w", tenantID, err)
	}
	sub, err := scanSubscription(s.q.QueryRow(ctx, `SELECT `+subscriptionColumns+` FROM platform.subscriptions WHERE tenant_id = $1 FOR UPDATE`, tenantID))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: lock subscription of tenant %d: %w", tenantID, err)
	}
	return sub, nil
}

// SubscriptionByCustomer returns the subscription of the workspace mapped
// to a Stripe customer, or ErrNotFound.
func (s *Store) SubscriptionByCustomer(ctx context.Context, customerID string) (*Subscription, error) {
	sub, err := scanSubscription(s.q.QueryRow(ctx, `SELECT `+subscriptionColumns+` FROM platform.subscriptions WHERE stripe_customer_id = $1`, customerID))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: subscription of customer %q: %w", customerID, err)
	}
	return sub, nil
}

// SaveSubscription writes the workspace's subscription (inserting it the
// first time) and sets the workspace's plan to match.
func (s *Store) SaveSubscription(ctx context.Context, sub *Subscription) error {
	var customer, stripeSub *string
	if sub.StripeCustomerID != "" {
		customer = &sub.StripeCustomerID
	}
	if sub.StripeSubscriptionID != "" {
		stripeSub = &sub.StripeSubscriptionID
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO platform.subscriptions (tenant_id, plan, status, billing_interval, amount_cents, currency, founding,
				trial_ends_at, current_period_end, grace_ends_at, cancel_at_period_end, has_payment_method, stripe_customer_id,
				stripe_subscription_id, stripe_price_id, converted_at, canceled_at, trial_reminded_at, grace_reminded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
			ON CONFLICT (tenant_id) DO UPDATE SET plan = $2, status = $3, billing_interval = $4, amount_cents = $5,
				currency = $6, founding = $7, trial_ends_at = $8, current_period_end = $9, grace_ends_at = $10,
				cancel_at_period_end = $11, has_payment_method = $12, stripe_customer_id = $13, stripe_subscription_id = $14,
				stripe_price_id = $15, converted_at = $16, canceled_at = $17, trial_reminded_at = $18, grace_reminded_at = $19,
				updated_at = now()`,
			sub.TenantID, sub.Plan, sub.Status, sub.Interval, sub.AmountCents, sub.Currency, sub.Founding, sub.TrialEndsAt,
			sub.CurrentPeriodEnd, sub.GraceEndsAt, sub.CancelAtPeriodEnd, sub.HasPaymentMethod, customer, stripeSub,
			sub.StripePriceID, sub.ConvertedAt, sub.CanceledAt, sub.TrialRemindedAt, sub.GraceRemindedAt)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE platform.tenants SET plan = $2 WHERE id = $1`, sub.TenantID, sub.Plan)
		return err
	})
	if isUniqueViolation(err) {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: save subscription of tenant %d: %w", sub.TenantID, err)
	}
	sub.Stored = true
	return nil
}

// SubscriptionChange is one line of a workspace's plan history.
type SubscriptionChange struct {
	TenantID    int64
	At          time.Time
	Plan        string
	Status      string
	AmountCents int64
	Interval    string
	// Source is what made the change: trial, stripe, admin or owner.
	Source  string
	ActorID *int64
}

// AddSubscriptionChange appends a line to the workspace's plan history.
func (s *Store) AddSubscriptionChange(ctx context.Context, c *SubscriptionChange) error {
	_, err := s.q.Exec(ctx, `
		INSERT INTO platform.subscription_history (tenant_id, plan, status, amount_cents, billing_interval, source, actor_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.TenantID, c.Plan, c.Status, c.AmountCents, c.Interval, c.Source, c.ActorID)
	if err != nil {
		return fmt.Errorf("store: subscription history of tenant %d: %w", c.TenantID, err)
	}
	return nil
}

// StripeEventSeen reports whether the Stripe event was handled already.
func (s *Store) StripeEventSeen(ctx context.Context, id string) (bool, error) {
	var seen bool
	if err := s.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM platform.stripe_events WHERE id = $1)`, id).Scan(&seen); err != nil {
		return false, fmt.Errorf("store: stripe event %q: %w", id, err)
	}
	return seen, nil
}

// RecordStripeEvent enters a Stripe event in the ledger; it returns false
// when the event was there already (another delivery handled it). Call it
// in the transaction that applies the event, so that an event is entered
// exactly when its effect is.
func (s *Store) RecordStripeEvent(ctx context.Context, id, typ string, tenantID int64, created time.Time) (bool, error) {
	var tid *int64
	if tenantID != 0 {
		tid = &tenantID
	}
	tag, err := s.q.Exec(ctx, `INSERT INTO platform.stripe_events (id, type, tenant_id, created) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO NOTHING`, id, typ, tid, created)
	if err != nil {
		return false, fmt.Errorf("store: record stripe event %q: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// CountStripeEvents returns how many Stripe events the ledger holds.
func (s *Store) CountStripeEvents(ctx context.Context) (int, error) {
	var n int
	if err := s.q.QueryRow(ctx, `SELECT count(*) FROM platform.stripe_events`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count stripe events: %w", err)
	}
	return n, nil
}

// AddRemoteSearch counts one remote-model search of the workspace in the
// month that month falls in, and returns the month's count so far.
func (s *Store) AddRemoteSearch(ctx context.Context, tenantID int64, month time.Time) (int64, error) {
	var n int64
	err := s.q.QueryRow(ctx, `
		INSERT INTO platform.remote_searches (tenant_id, month, searches) VALUES ($1, date_trunc('month', $2::timestamptz)::date, 1)
		ON CONFLICT (tenant_id, month) DO UPDATE SET searches = remote_searches.searches + 1
		RETURNING searches`, tenantID, month).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count remote search of tenant %d: %w", tenantID, err)
	}
	return n, nil
}

// Usage is what a workspace holds and has used, for its plan's limits.
type Usage struct {
	Designs      int64
	StorageBytes int64
	// Members counts the people in the workspace and the open invitations.
	Members     int64
	Invitations int64
	// ShareLinks counts the links that are neither revoked nor expired.
	ShareLinks int64
	// RemoteSearches counts this month's searches by a remote model.
	RemoteSearches int64
	// StagedDesigns counts the designs held in staged imports.
	StagedDesigns int64
	StagedImports int64
}

// PlanUsage reads the workspace's usage in one transaction: one query in
// its schema (designs and bytes counted as the limits count them, see
// usageSQL; staged imports) and one on the platform tables
// (members, invitations, links, remote searches), never one joining both,
// so a tenant's schema can live on another node. month is any time in the
// month whose remote searches count.
func (t *TenantTx) PlanUsage(ctx context.Context, month time.Time) (*Usage, error) {
	u := &Usage{}
	err := t.tx.QueryRow(ctx, `
		SELECT (`+usageSQL[UsageDesigns]+`), (`+usageSQL[UsageBytes]+`)::bigint,
		       (SELECT count(*) FROM import_batches WHERE status = 'staged'),
		       (SELECT coalesce(sum(designs_total), 0) FROM import_batches WHERE status = 'staged')::bigint`).
		Scan(&u.Designs, &u.StorageBytes, &u.StagedImports, &u.StagedDesigns)
	if err == nil {
		err = t.tx.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM platform.memberships WHERE tenant_id = $1),
		       (SELECT count(*) FROM platform.invitations
		        WHERE tenant_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()),
		       (SELECT count(*) FROM platform.share_links WHERE tenant_id = $1 AND revoked_at IS NULL AND expires_at > now()),
		       coalesce((SELECT searches FROM platform.remote_searches
		                 WHERE tenant_id = $1 AND month = date_trunc('month', $2::timestamptz)::date), 0)`,
			t.tenantID, month).Scan(&u.Members, &u.Invitations, &u.ShareLinks, &u.RemoteSearches)
	}
	if err != nil {
		return nil, fmt.Errorf("store: usage of tenant %d: %w", t.tenantID, err)
	}
	return u, nil
}

// PlanUsage is TenantTx.PlanUsage in a read transaction of its own.
func (s *Store) PlanUsage(ctx context.Context, tenantID int64, month time.Time) (*Usage, error) {
	var u *Usage
	err := s.ReadTenant(ctx, tenantID, func(tx *TenantTx) error {
		var err error
		u, err = tx.PlanUsage(ctx, month)
		return err
	})
	return u, err
}

// Owners returns the owners of a workspace, first owner first.
func (s *Store) Owners(ctx context.Context, tenantID int64) ([]*User, error) {
	rows, err := s.q.Query(ctx, `SELECT `+prefixed("u.", userColumns)+` FROM platform.memberships m
		JOIN platform.users u ON u.id = m.user_id WHERE m.tenant_id = $1 AND m.role = 'owner' ORDER BY m.created_at, u.id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("store: owners of tenant %d: %w", tenantID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("store: owners of tenant %d: %w", tenantID, err)
	}
	return out, nil
}

// BillingRow is one workspace in the platform admin's billing overview.
type BillingRow struct {
	Tenant       *Tenant
	OwnerEmail   string
	Subscription *Subscription
	Usage        Usage
}

// BillingRows lists every workspace that is not deleted with its
// subscription (a default-trial one when it has no row: Stored false)
// and its platform-side usage (members, links, this month's remote
// searches). Designs and storage are read per tenant by TenantUsage.
func (s *Store) BillingRows(ctx context.Context, month time.Time) ([]*BillingRow, error) {
	rows, err := s.q.Query(ctx, `
		SELECT `+prefixed("t.", tenantColumns)+`, s.tenant_id IS NOT NULL,
		       coalesce(s.plan, t.plan), coalesce(s.status, 'trialing'), coalesce(s.billing_interval, 'year'),
		       coalesce(s.amount_cents, 0), coalesce(s.founding, false), s.trial_ends_at, s.grace_ends_at,
		       coalesce(s.stripe_customer_id, ''), coalesce(s.stripe_subscription_id, ''), s.converted_at, s.canceled_at,
		       coalesce((SELECT u.email FROM platform.memberships m JOIN platform.users u ON u.id = m.user_id
		                 WHERE m.tenant_id = t.id AND m.role = 'owner' ORDER BY m.created_at LIMIT 1), ''),
		       (SELECT count(*) FROM platform.memberships m WHERE m.tenant_id = t.id),
		       (SELECT count(*) FROM platform.share_links l WHERE l.tenant_id = t.id AND l.revoked_at IS NULL AND l.expires_at > now()),
		       coalesce((SELECT r.searches FROM platform.remote_searches r
		                 WHERE r.tenant_id = t.id AND r.month = date_trunc('month', $1::timestamptz)::date), 0)
		FROM platform.tenants t LEFT JOIN platform.subscriptions s ON s.tenant_id = t.id
		WHERE t.status <> 'deleted' ORDER BY t.slug`, month)
	if err != nil {
		return nil, fmt.Errorf("store: billing rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*BillingRow, error) {
		b := &BillingRow{Tenant: &Tenant{}, Subscription: &Subscription{}}
		t, sub := b.Tenant, b.Subscription
		err := r.Scan(append(t.dest(), &sub.Stored, &sub.Plan, &sub.Status, &sub.Interval, &sub.AmountCents, &sub.Founding, &sub.TrialEndsAt, &sub.GraceEndsAt,
			&sub.StripeCustomerID, &sub.StripeSubscriptionID, &sub.ConvertedAt, &sub.CanceledAt,
			&b.OwnerEmail, &b.Usage.Members, &b.Usage.ShareLinks, &b.Usage.RemoteSearches)...)
		sub.TenantID = t.ID
		if !sub.Stored {
			sub.CreatedAt = t.CreatedAt
		}
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: billing rows: %w", err)
	}
	return out, nil
}

// TenantUsage reads the designs and storage of a workspace (its own
// schema), for the admin overview.
func (s *Store) TenantUsage(ctx context.Context, tenantID int64) (designs, storage int64, err error) {
	err = s.ReadTenant(ctx, tenantID, func(tx *TenantTx) error {
		return tx.tx.QueryRow(ctx, `SELECT (`+usageSQL[UsageDesigns]+`), (`+usageSQL[UsageBytes]+`)::bigint`).
			Scan(&designs, &storage)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: designs and storage of tenant %d: %w", tenantID, err)
	}
	return designs, storage, nil
}

// Churned returns how many workspaces were paying (active or past due) at
// since and how many of those are no longer paying now (their latest
// change since then is a status other than active, past due).
func (s *Store) Churned(ctx context.Context, since time.Time) (payingThen, lost int, err error) {
	err = s.q.QueryRow(ctx, `
		WITH past AS (
			SELECT DISTINCT ON (tenant_id) tenant_id, status FROM platform.subscription_history
			WHERE at <= $1 ORDER BY tenant_id, at DESC, id DESC
		), latest AS (
			SELECT DISTINCT ON (tenant_id) tenant_id, status FROM platform.subscription_history
			ORDER BY tenant_id, at DESC, id DESC
		)
		SELECT count(*), count(*) FILTER (WHERE n.status NOT IN ('active', 'past_due'))
		FROM past p JOIN latest n USING (tenant_id) WHERE p.status IN ('active', 'past_due')`, since).Scan(&payingThen, &lost)
	if err != nil {
		return 0, 0, fmt.Errorf("store: churn since %s: %w", since.Format(time.DateOnly), err)
	}
	return payingThen, lost, nil
}

// Trials returns the subscriptions of the active workspaces in a trial
// without a Stripe subscription behind it (those end by the clock): the
// stored ones, and a default one (Stored false, CreatedAt the
// workspace's) for each workspace billing has not touched.
func (s *Store) Trials(ctx context.Context) ([]*Subscription, error) {
	rows, err := s.q.Query(ctx, `
		SELECT t.id, t.created_at, s.tenant_id IS NOT NULL, coalesce(s.plan, t.plan), s.trial_ends_at, s.trial_reminded_at
		FROM platform.tenants t LEFT JOIN platform.subscriptions s ON s.tenant_id = t.id
		WHERE t.status = 'active' AND (s.tenant_id IS NULL OR (s.status = 'trialing' AND s.stripe_subscription_id IS NULL))
		ORDER BY t.id`)
	if err != nil {
		return nil, fmt.Errorf("store: trials: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Subscription, error) {
		sub := &Subscription{Status: SubTrialing}
		err := r.Scan(&sub.TenantID, &sub.CreatedAt, &sub.Stored, &sub.Plan, &sub.TrialEndsAt, &sub.TrialRemindedAt)
		return sub, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: trials: %w", err)
	}
	return out, nil
}
