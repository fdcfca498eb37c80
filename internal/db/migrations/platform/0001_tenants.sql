-- Tenants: one row per quilter's workspace; its data lives in schema t_<id>.
CREATE TABLE platform.tenants (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug           text NOT NULL UNIQUE,
    name           text NOT NULL,
    plan           text NOT NULL DEFAULT 'free',
    status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleted')),
    settings       jsonb NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$')
);

-- Old slugs keep working after a rename: they redirect to the tenant.
CREATE TABLE platform.tenant_slug_history (
    slug       text PRIMARY KEY,
    tenant_id  bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    changed_at timestamptz NOT NULL DEFAULT now()
);
