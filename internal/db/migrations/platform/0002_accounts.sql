-- People who sign in. A guest of a share link never has a row here.
CREATE TABLE platform.users (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email              text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    display_name       text NOT NULL DEFAULT '',
    password_hash      text,              -- argon2id PHC string; NULL for Google-only accounts
    email_verified_at  timestamptz,
    is_platform_admin  boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON platform.users (lower(email));

-- Who may use which workspace, and how.
CREATE TABLE platform.memberships (
    user_id     bigint NOT NULL REFERENCES platform.users (id) ON DELETE CASCADE,
    tenant_id   bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, tenant_id)
);
CREATE INDEX memberships_tenant_idx ON platform.memberships (tenant_id);

-- Signed-in browser sessions; the cookie holds a random token, the table its SHA-256.
CREATE TABLE platform.sessions (
    token_hash          bytea PRIMARY KEY,
    user_id             bigint NOT NULL REFERENCES platform.users (id) ON DELETE CASCADE,
    impersonator_id     bigint REFERENCES platform.users (id) ON DELETE CASCADE,
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_seen_at        timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL,
    user_agent          text NOT NULL DEFAULT '',
    ip                  text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_idx ON platform.sessions (user_id);

-- One-time links sent by email: verify, reset, magic sign-in.
CREATE TABLE platform.email_tokens (
    token_hash  bytea PRIMARY KEY,
    purpose     text NOT NULL CHECK (purpose IN ('verify', 'reset', 'magic')),
    user_id     bigint NOT NULL REFERENCES platform.users (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Invitations to join a workspace with a role; single use, 7 days.
CREATE TABLE platform.invitations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    email        text NOT NULL,
    role         text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    token_hash   bytea NOT NULL UNIQUE,
    invited_by   bigint REFERENCES platform.users (id) ON DELETE SET NULL,
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitations_tenant_idx ON platform.invitations (tenant_id);

-- Personal API tokens for /api/v1, each for one user in one workspace.
CREATE TABLE platform.api_tokens (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES platform.users (id) ON DELETE CASCADE,
    tenant_id     bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    name          text NOT NULL,
    token_hash    bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_tokens_user_idx ON platform.api_tokens (user_id);

-- Sign-in identities from outside providers (Google).
CREATE TABLE platform.identities (
    provider    text NOT NULL,
    subject     text NOT NULL,
    user_id     bigint NOT NULL REFERENCES platform.users (id) ON DELETE CASCADE,
    email       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, subject)
);

-- What platform admins did, in particular while impersonating.
CREATE TABLE platform.audit_log (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at               timestamptz NOT NULL DEFAULT now(),
    actor_id         bigint REFERENCES platform.users (id) ON DELETE SET NULL,
    as_user_id       bigint REFERENCES platform.users (id) ON DELETE SET NULL,
    tenant_id        bigint REFERENCES platform.tenants (id) ON DELETE SET NULL,
    action           text NOT NULL,
    detail           jsonb NOT NULL DEFAULT '{}',
    ip               text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON platform.audit_log (at DESC);

-- Workspace logo (small image) kept with the tenant.
ALTER TABLE platform.tenants ADD COLUMN logo bytea, ADD COLUMN logo_type text;
