-- Share links: a quilter sends a customer a link to a handful of designs;
-- the customer (no account) picks favourites by name. The link reaches only
-- its own designs: pattern ids here point into the tenant's schema.
CREATE TABLE platform.share_links (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    token_hash      bytea NOT NULL UNIQUE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    recipient_name  text NOT NULL DEFAULT '',
    recipient_email text NOT NULL DEFAULT '',
    message         text NOT NULL DEFAULT '' CHECK (length(message) <= 2000),
    created_by      bigint REFERENCES platform.users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    allow_download  boolean NOT NULL DEFAULT false,
    show_designer   boolean NOT NULL DEFAULT true,
    voting_mode     text NOT NULL DEFAULT 'like' CHECK (voting_mode IN ('like', 'rank')),
    notify_owner    boolean NOT NULL DEFAULT true,
    views           int NOT NULL DEFAULT 0
);
CREATE INDEX share_links_tenant_idx ON platform.share_links (tenant_id, created_at DESC);

CREATE TABLE platform.share_link_patterns (
    share_id    bigint NOT NULL REFERENCES platform.share_links (id) ON DELETE CASCADE,
    position    int NOT NULL,
    pattern_id  bigint NOT NULL,
    PRIMARY KEY (share_id, position),
    UNIQUE (share_id, pattern_id)
);

CREATE TABLE platform.share_link_votes (
    share_id    bigint NOT NULL REFERENCES platform.share_links (id) ON DELETE CASCADE,
    voter_id    text NOT NULL,   -- random id kept in the guest's cookie
    voter_name  text NOT NULL CHECK (length(voter_name) BETWEEN 1 AND 60),
    pattern_id  bigint NOT NULL,
    vote        text NOT NULL CHECK (vote IN ('like', 'favorite', 'maybe')),
    rank        int CHECK (rank BETWEEN 1 AND 50),
    comment     text NOT NULL DEFAULT '' CHECK (length(comment) <= 1000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (share_id, voter_id, pattern_id)
);
