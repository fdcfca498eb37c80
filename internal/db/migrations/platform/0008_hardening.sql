-- Hardening (issue 14).

-- A password made by `patternvault admin create` works for one sign-in;
-- then its owner must choose her own.
ALTER TABLE platform.users ADD COLUMN password_one_time boolean NOT NULL DEFAULT false;

-- A platform admin's support view reaches one workspace only.
ALTER TABLE platform.sessions ADD COLUMN tenant_id bigint REFERENCES platform.tenants (id) ON DELETE CASCADE;

-- Share links and invitations made during a support view work only while
-- that session lives (the hash of its token), and are revoked when it ends.
ALTER TABLE platform.share_links ADD COLUMN support_session bytea;
ALTER TABLE platform.invitations ADD COLUMN support_session bytea;

-- How many guests a link takes; its owner may raise it.
ALTER TABLE platform.share_links ADD COLUMN max_voters int NOT NULL DEFAULT 50 CHECK (max_voters BETWEEN 1 AND 500);

-- The guests whose "I'm done" the link's owner was told about: one notice
-- per guest per link.
CREATE TABLE platform.share_link_notices (
    share_id  bigint NOT NULL REFERENCES platform.share_links (id) ON DELETE CASCADE,
    voter_id  text NOT NULL,
    sent_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (share_id, voter_id)
);

-- A workspace's own limits where they differ from the defaults (see
-- internal/limits): the shape the plans will fill per subscription.
CREATE TABLE platform.tenant_limits (
    tenant_id  bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    what       text NOT NULL,
    value      bigint NOT NULL CHECK (value >= 0),
    PRIMARY KEY (tenant_id, what)
);
