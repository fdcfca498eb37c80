package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// PlanNames are the plans whose prices and allowances are options, in the
// order of internal/billing's plan table.
var PlanNames = []string{"starter", "professional", "business"}

// Billing holds the plans' prices and allowances and the Stripe settings
// (internal/billing owns the plan table; these are its numbers).
type Billing struct {
	// TrialDays is how long a new workspace's Professional trial lasts.
	TrialDays int
	// GraceDays is how long a workspace whose payment failed keeps
	// working before it becomes read-only.
	GraceDays int
	// Monthly offers monthly billing beside yearly.
	Monthly bool
	// Yearly and MonthlyPrice are each plan's price in cents, by plan name.
	Yearly, MonthlyPrice map[string]int64
	// FoundingCents is the founding member's yearly price (Professional).
	FoundingCents int64
	// StorageBytes and RemoteSearches are each plan's storage and monthly
	// remote-model searches, by plan name (-1: unlimited).
	StorageBytes, RemoteSearches map[string]int64
	// StripeSecretKey turns Stripe on; empty runs billing in manual mode.
	StripeSecretKey string
	// StripeWebhookSecret checks the signatures of Stripe's webhooks.
	StripeWebhookSecret string
	// StripeAPIURL points the Stripe client elsewhere (stripe-mock in tests).
	StripeAPIURL string
	// StripePrices maps "starter_yearly", "starter_monthly", ...,
	// "founding_yearly" to a Stripe price id; a missing one is found by
	// its lookup key, patternvault_<key>.
	StripePrices map[string]string
}

// Stripe reports whether Stripe is configured.
func (b *Billing) Stripe() bool { return b.StripeSecretKey != "" }

// planDefaults are the plans' defaults: yearly and monthly price in
// dollars, storage in GB (0: unlimited), remote searches a month (-1:
// unlimited).
var planDefaults = map[string][4]string{
	"starter":      {"299", "29", "20", "0"},
	"professional": {"599", "59", "200", "2000"},
	"business":     {"999", "99", "1000", "10000"},
}

func init() { options = append(options, billingOptions()...) }

// billingOptions are the billing rows of the options table: the trial,
// the grace period, monthly billing, then per plan its prices, storage,
// remote searches and Stripe prices, then Stripe's keys.
func billingOptions() []Option {
	b := func(c *Config) *Billing {
		if c.Billing.Yearly == nil {
			c.Billing.Yearly, c.Billing.MonthlyPrice = map[string]int64{}, map[string]int64{}
			c.Billing.StorageBytes, c.Billing.RemoteSearches = map[string]int64{}, map[string]int64{}
			c.Billing.StripePrices = map[string]string{}
		}
		return &c.Billing
	}
	opts := []Option{
		{Env: "PV_TRIAL_DAYS", Default: "14", Help: "Days of the Professional trial a new workspace starts with (no card needed).",
			set: func(c *Config, v string) error { return setPositiveInt(&b(c).TrialDays, v) }},
		{Env: "PV_GRACE_DAYS", Default: "14", Help: "Days a workspace keeps working after a failed payment before it becomes read-only (never deleted).",
			set: func(c *Config, v string) error { return setPositiveInt(&b(c).GraceDays, v) }},
		{Env: "PV_MONTHLY_BILLING", Default: "false", Help: "Offer monthly billing beside yearly (true or false).",
			set: func(c *Config, v string) error {
				on, err := strconv.ParseBool(strings.TrimSpace(v))
				if err != nil {
					return fmt.Errorf("want true or false")
				}
				b(c).Monthly = on
				return nil
			}},
		{Env: "PV_PRICE_FOUNDING", Default: "399", Help: "Founding member's yearly price of Professional, in dollars (kept for life by the subscriptions that have it).",
			set: func(c *Config, v string) error { return setCents(&b(c).FoundingCents, v) }},
		{Env: "PV_STRIPE_PRICE_FOUNDING", Default: "", Help: "Stripe price id of the founding member's yearly price; empty looks up the price with lookup key patternvault_founding_yearly.",
			set: func(c *Config, v string) error { setPrice(b(c), "founding_yearly", v); return nil }},
	}
	for _, plan := range PlanNames {
		d, up := planDefaults[plan], strings.ToUpper(plan)
		opts = append(opts,
			Option{Env: "PV_PRICE_" + up, Default: d[0], Help: "Yearly price of the " + plan + " plan, in dollars.",
				set: func(c *Config, v string) error { return setCentsIn(b(c).Yearly, plan, v) }},
			Option{Env: "PV_PRICE_" + up + "_MONTHLY", Default: d[1], Help: "Monthly price of the " + plan + " plan, in dollars (with PV_MONTHLY_BILLING).",
				set: func(c *Config, v string) error { return setCentsIn(b(c).MonthlyPrice, plan, v) }},
			Option{Env: "PV_STORAGE_GB_" + up, Default: d[2], Help: "Storage of the " + plan + " plan, in GB (0: unlimited).",
				set: func(c *Config, v string) error {
					n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
					if err != nil || n < 0 || n > 1<<20 {
						return fmt.Errorf("want a whole number of GB from 0 to 1048576")
					}
					b(c).StorageBytes[plan] = n << 30
					if n == 0 {
						b(c).StorageBytes[plan] = -1
					}
					return nil
				}},
			Option{Env: "PV_REMOTE_SEARCHES_" + up, Default: d[3], Help: "Searches a month by the remote model (PV_VOYAGE_API_KEY) on the " + plan + " plan (-1: unlimited, 0: words and local concepts only).",
				set: func(c *Config, v string) error {
					n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
					if err != nil || n < -1 {
						return fmt.Errorf("want a whole number, or -1 for unlimited")
					}
					b(c).RemoteSearches[plan] = n
					return nil
				}},
			Option{Env: "PV_STRIPE_PRICE_" + up, Default: "", Help: "Stripe price id of the " + plan + " plan, yearly; empty looks up lookup key patternvault_" + plan + "_yearly.",
				set: func(c *Config, v string) error { setPrice(b(c), plan+"_yearly", v); return nil }},
			Option{Env: "PV_STRIPE_PRICE_" + up + "_MONTHLY", Default: "", Help: "Stripe price id of the " + plan + " plan, monthly; empty looks up lookup key patternvault_" + plan + "_monthly.",
				set: func(c *Config, v string) error { setPrice(b(c), plan+"_monthly", v); return nil }},
		)
	}
	return append(opts,
		Option{Env: "PV_STRIPE_SECRET_KEY", Default: "", Secret: true, Help: "Stripe secret key; empty runs billing in manual mode (the platform admin sets plans).",
			set: func(c *Config, v string) error { b(c).StripeSecretKey = strings.TrimSpace(v); return nil }},
		Option{Env: "PV_STRIPE_WEBHOOK_SECRET", Default: "", Secret: true, Help: "Signing secret (whsec_...) of the Stripe webhook endpoint /billing/webhook.",
			set: func(c *Config, v string) error { b(c).StripeWebhookSecret = strings.TrimSpace(v); return nil }},
		Option{Env: "PV_STRIPE_API_URL", Default: "", Help: "Base URL of Stripe's API (empty: Stripe's own; tests point it at stripe-mock).",
			set: func(c *Config, v string) error {
				v = strings.TrimRight(strings.TrimSpace(v), "/")
				if v != "" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
					return fmt.Errorf("want an http(s) URL")
				}
				b(c).StripeAPIURL = v
				return nil
			}},
	)
}

func setPrice(b *Billing, key, v string) {
	if v = strings.TrimSpace(v); v != "" {
		b.StripePrices[key] = v
	}
}

func setCentsIn(m map[string]int64, key, v string) error {
	var c int64
	if err := setCents(&c, v); err != nil {
		return err
	}
	m[key] = c
	return nil
}

// setCents reads a price in dollars ("299" or "299.50") as cents.
func setCents(dst *int64, v string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f > 1e6 || math.IsNaN(f) {
		return fmt.Errorf("want a price in dollars such as 299 or 299.50")
	}
	*dst = int64(math.Round(f * 100))
	return nil
}
