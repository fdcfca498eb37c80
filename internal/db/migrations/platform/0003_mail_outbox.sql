-- Outgoing mail (internal/mail). A row is written in the same transaction
-- as the River job (kind mail_send, queue "mail") that sends it, so a
-- rolled back sign-up sends nothing. The worker counts attempts, records
-- the last error and sets sent_at; on success it empties the bodies, which
-- carry one-time links. River's own tables (platform.river_*) come from
-- jobs.Migrate, which runs after these files; nothing here refers to them.
CREATE TABLE platform.mail_outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_addr     text NOT NULL CHECK (length(to_addr) BETWEEN 3 AND 254),
    subject     text NOT NULL,
    text_body   text NOT NULL,
    html_body   text NOT NULL DEFAULT '',
    kind        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    attempts    int NOT NULL DEFAULT 0,
    sent_at     timestamptz,
    last_error  text
);
CREATE INDEX mail_outbox_unsent_idx ON platform.mail_outbox (created_at) WHERE sent_at IS NULL;
