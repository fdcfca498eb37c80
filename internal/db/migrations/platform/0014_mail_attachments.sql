-- Files sent with a mail (an invoice's PDF): kept with the outbox row
-- until the mail is sent, then dropped like its bodies.
CREATE TABLE platform.mail_attachments (
    outbox_id    bigint NOT NULL REFERENCES platform.mail_outbox (id) ON DELETE CASCADE,
    position     int NOT NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    content_type text NOT NULL,
    data         bytea NOT NULL,
    PRIMARY KEY (outbox_id, position)
);
