-- Pattern stores (issue 18): stores that deliver purchased designs into a
-- quilter's library through the import API. Tenant data stays in the
-- tenant's schema (its purchases table); these rows are the platform's
-- side: who the store is, its keys, the quilters' grants, and each
-- delivery until it lands. Every token is kept only as its SHA-256.

CREATE TABLE platform.stores (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    website         text NOT NULL DEFAULT '',
    contact         text NOT NULL DEFAULT '',
    -- Hosts the store's file_url, thumbnail_url and callback_url may name
    -- ("cdn.example.com", "*.example.com").
    allowed_hosts   text[] NOT NULL DEFAULT '{}',
    -- Where the consent page may send the quilter back (exact match).
    redirect_uris   text[] NOT NULL DEFAULT '{}',
    -- Signs callbacks (HMAC-SHA256); shown to the store once, like a key.
    signing_secret  text NOT NULL,
    disabled_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE platform.store_keys (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id        bigint NOT NULL REFERENCES platform.stores (id) ON DELETE CASCADE,
    -- The first characters of the key, to recognise it in lists.
    prefix          text NOT NULL,
    key_hash        bytea NOT NULL UNIQUE,
    -- Requests per minute this key may make.
    rate_per_minute int NOT NULL DEFAULT 120 CHECK (rate_per_minute BETWEEN 1 AND 100000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- Set when the key was rotated: it keeps working until then.
    expires_at      timestamptz,
    revoked_at      timestamptz,
    last_used_at    timestamptz
);
CREATE INDEX store_keys_store_idx ON platform.store_keys (store_id);

-- A quilter's consent: the store may deliver into this workspace as this
-- person (OAuth 2.0 authorization code with PKCE).
CREATE TABLE platform.store_grants (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id           bigint NOT NULL REFERENCES platform.stores (id) ON DELETE CASCADE,
    user_id            bigint NOT NULL REFERENCES platform.users (id) ON DELETE CASCADE,
    tenant_id          bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    -- Deliveries wait in the Inbox for acceptance instead of landing.
    review             boolean NOT NULL DEFAULT false,
    access_hash        bytea NOT NULL UNIQUE,
    access_expires_at  timestamptz NOT NULL,
    refresh_hash       bytea NOT NULL UNIQUE,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_used_at       timestamptz,
    revoked_at         timestamptz
);
CREATE INDEX store_grants_user_idx ON platform.store_grants (user_id);
CREATE INDEX store_grants_tenant_idx ON platform.store_grants (tenant_id);

CREATE TABLE platform.store_auth_codes (
    code_hash       bytea PRIMARY KEY,
    store_id        bigint NOT NULL REFERENCES platform.stores (id) ON DELETE CASCADE,
    user_id         bigint NOT NULL REFERENCES platform.users (id) ON DELETE CASCADE,
    tenant_id       bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    review          boolean NOT NULL,
    redirect_uri    text NOT NULL,
    code_challenge  text NOT NULL,
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz
);

-- One import call: fetched, checked, then waiting (Inbox, claim link) or
-- imported into a workspace, and finally delivered or failed.
CREATE TABLE platform.store_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id         bigint NOT NULL REFERENCES platform.stores (id) ON DELETE CASCADE,
    idempotency_key  text NOT NULL,
    request_hash     bytea NOT NULL,
    link             text NOT NULL CHECK (link IN ('grant', 'claim', 'email')),
    grant_id         bigint REFERENCES platform.store_grants (id) ON DELETE SET NULL,
    user_id          bigint REFERENCES platform.users (id) ON DELETE SET NULL,
    tenant_id        bigint REFERENCES platform.tenants (id) ON DELETE SET NULL,
    auto_land        boolean NOT NULL DEFAULT false,
    request          jsonb NOT NULL,
    status           text NOT NULL CHECK (status IN ('fetching', 'inbox', 'claim', 'importing', 'delivered', 'failed', 'declined')),
    reason_code      text NOT NULL DEFAULT '',
    reason           text NOT NULL DEFAULT '',
    claim_expires_at timestamptz,
    fetch_attempts   int NOT NULL DEFAULT 0,
    bundle_key       text NOT NULL DEFAULT '',
    bundle_size      bigint NOT NULL DEFAULT 0,
    design_names     text[] NOT NULL DEFAULT '{}',
    design_sha256    bytea[] NOT NULL DEFAULT '{}',
    batch_id         bigint,
    pattern_ids      bigint[] NOT NULL DEFAULT '{}',
    designs          int NOT NULL DEFAULT 0,
    callback_url     text NOT NULL DEFAULT '',
    callback_status  text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    landed_at        timestamptz,
    UNIQUE (store_id, idempotency_key)
);
CREATE INDEX store_deliveries_inbox_idx ON platform.store_deliveries (user_id, created_at DESC) WHERE status = 'inbox';
CREATE INDEX store_deliveries_landed_idx ON platform.store_deliveries (store_id, landed_at) WHERE status = 'delivered';

-- Claim links of a delivery: each answer to an import call (a retry with
-- the same idempotency key too) carries a working link; the first one
-- opened claims the delivery.
CREATE TABLE platform.store_claims (
    token_hash   bytea PRIMARY KEY,
    delivery_id  bigint NOT NULL REFERENCES platform.store_deliveries (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX store_claims_delivery_idx ON platform.store_claims (delivery_id);
