-- What embedding providers cost, per tenant and day (a remote model bills
-- by token; the local one costs nothing but is counted the same way).
CREATE TABLE platform.embedding_usage (
    tenant_id  bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    provider   text NOT NULL,
    day        date NOT NULL,
    requests   bigint NOT NULL DEFAULT 0,
    inputs     bigint NOT NULL DEFAULT 0,
    tokens     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, provider, day)
);
