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

-- Ids that pages and the API show of people, share links, API tokens and
-- invitations are random from now on (53 bits, so JavaScript reads them
-- exactly), not a count across the platform that tells how many there
-- are and which came before. Existing rows keep theirs.
CREATE FUNCTION platform.random_id(tbl regclass) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    candidate bigint;
    taken     boolean;
BEGIN
    LOOP
        candidate := (('x' || substr(md5(gen_random_uuid()::text), 1, 14))::bit(56)::bigint >> 3) + 1;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE id = $1)', tbl) INTO taken USING candidate;
        IF NOT taken THEN
            RETURN candidate;
        END IF;
    END LOOP;
END $$;

ALTER TABLE platform.users ALTER COLUMN id DROP IDENTITY;
ALTER TABLE platform.users ALTER COLUMN id SET DEFAULT platform.random_id('platform.users');
ALTER TABLE platform.share_links ALTER COLUMN id DROP IDENTITY;
ALTER TABLE platform.share_links ALTER COLUMN id SET DEFAULT platform.random_id('platform.share_links');
ALTER TABLE platform.api_tokens ALTER COLUMN id DROP IDENTITY;
ALTER TABLE platform.api_tokens ALTER COLUMN id SET DEFAULT platform.random_id('platform.api_tokens');
ALTER TABLE platform.invitations ALTER COLUMN id DROP IDENTITY;
ALTER TABLE platform.invitations ALTER COLUMN id SET DEFAULT platform.random_id('platform.invitations');
