-- Billing (internal/billing): a workspace's plan and what it pays, the
-- Stripe events already handled, remote searches counted per month, and
-- the history of plan and status changes (for conversion and churn).

-- tenants.plan is the workspace's current plan, kept by billing.
ALTER TABLE platform.tenants ALTER COLUMN plan SET DEFAULT 'professional';
UPDATE platform.tenants SET plan = 'professional' WHERE plan NOT IN ('starter', 'professional', 'business');

-- One row per workspace that billing has touched; a workspace without one
-- is in its first trial (from its created_at).
CREATE TABLE platform.subscriptions (
    tenant_id               bigint PRIMARY KEY REFERENCES platform.tenants (id) ON DELETE CASCADE,
    plan                    text NOT NULL,
    status                  text NOT NULL
        CHECK (status IN ('trialing', 'active', 'past_due', 'canceled', 'comped', 'expired')),
    billing_interval        text NOT NULL DEFAULT 'year' CHECK (billing_interval IN ('year', 'month')),
    -- What one interval costs, in cents (a founding member's own price).
    amount_cents            bigint NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    currency                text NOT NULL DEFAULT 'usd',
    -- A founding member pays the founding price for life.
    founding                boolean NOT NULL DEFAULT false,
    trial_ends_at           timestamptz,
    current_period_end      timestamptz,
    -- Set when a payment fails: after it the workspace is read-only.
    grace_ends_at           timestamptz,
    cancel_at_period_end    boolean NOT NULL DEFAULT false,
    has_payment_method      boolean NOT NULL DEFAULT false,
    stripe_customer_id      text UNIQUE,
    stripe_subscription_id  text,
    stripe_price_id         text NOT NULL DEFAULT '',
    -- When the workspace first paid, and when it stopped.
    converted_at            timestamptz,
    canceled_at             timestamptz,
    -- The reminders already sent for this trial and this grace period.
    trial_reminded_at       timestamptz,
    grace_reminded_at       timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_stripe_sub_idx ON platform.subscriptions (stripe_subscription_id);

-- Existing workspaces start a fresh trial.
INSERT INTO platform.subscriptions (tenant_id, plan, status, trial_ends_at)
SELECT id, 'professional', 'trialing', now() + interval '14 days' FROM platform.tenants;

-- Every Stripe event handled, once: a repeated delivery is a no-op.
CREATE TABLE platform.stripe_events (
    id           text PRIMARY KEY,
    type         text NOT NULL,
    tenant_id    bigint REFERENCES platform.tenants (id) ON DELETE SET NULL,
    created      timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- Searches answered by a remote model, per workspace and month.
CREATE TABLE platform.remote_searches (
    tenant_id  bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    month      date NOT NULL,
    searches   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, month)
);

-- Each change of a workspace's plan or status, for conversion and churn.
CREATE TABLE platform.subscription_history (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id         bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    at                timestamptz NOT NULL DEFAULT now(),
    plan              text NOT NULL,
    status            text NOT NULL,
    amount_cents      bigint NOT NULL DEFAULT 0,
    billing_interval  text NOT NULL DEFAULT 'year',
    source            text NOT NULL CHECK (source IN ('trial', 'stripe', 'admin', 'owner')),
    actor_id          bigint REFERENCES platform.users (id) ON DELETE SET NULL
);
CREATE INDEX subscription_history_tenant_idx ON platform.subscription_history (tenant_id, at);
INSERT INTO platform.subscription_history (tenant_id, plan, status, source)
SELECT tenant_id, plan, status, 'trial' FROM platform.subscriptions;
