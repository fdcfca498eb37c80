-- Backups (internal/backup). A snapshot's manifest (every row of the
-- workspace, gzipped) lives in blob storage and references the
-- workspace's content-addressed files. These rows say which snapshots
-- exist, what they hold and what the last restore check found.
CREATE TABLE platform.backup_snapshots (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('scheduled', 'manual', 'before_restore', 'before_delete')),
    taken_at      timestamptz NOT NULL DEFAULT now(),
    took_ms       int NOT NULL DEFAULT 0,
    index_key     text NOT NULL,
    index_sha256  bytea NOT NULL,
    designs       int NOT NULL DEFAULT 0,
    rows          bigint NOT NULL DEFAULT 0,
    files         int NOT NULL DEFAULT 0,
    file_bytes    bigint NOT NULL DEFAULT 0,
    stored_bytes  bigint NOT NULL DEFAULT 0,
    -- A checksum of the file references it holds (a restore check
    -- recomputes it from the restored rows).
    refs_sha256   bytea NOT NULL,
    checked_at    timestamptz,
    check_ok      boolean,
    check_report  text NOT NULL DEFAULT ''
);
CREATE INDEX backup_snapshots_tenant_idx ON platform.backup_snapshots (tenant_id, taken_at DESC);

-- Exports: a ZIP of the whole workspace made in the background, kept in
-- blob storage for a few days.
CREATE TABLE platform.backup_exports (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id      bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    requested_by   bigint REFERENCES platform.users (id) ON DELETE SET NULL,
    machine        text NOT NULL DEFAULT '',
    status         text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    designs_total  int NOT NULL DEFAULT 0,
    designs_done   int NOT NULL DEFAULT 0,
    bytes          bigint NOT NULL DEFAULT 0,
    blob_key       text NOT NULL DEFAULT '',
    error          text NOT NULL DEFAULT '',
    notify         boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    expires_at     timestamptz
);
CREATE INDEX backup_exports_tenant_idx ON platform.backup_exports (tenant_id, created_at DESC);

-- Restores run in the background too: from an export uploaded into a new
-- workspace, or from a snapshot (the whole workspace, or one design or
-- share link).
CREATE TABLE platform.backup_restores (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id        bigint NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    requested_by     bigint REFERENCES platform.users (id) ON DELETE SET NULL,
    source           text NOT NULL CHECK (source IN ('export', 'snapshot', 'design', 'share')),
    snapshot_id      bigint,
    item_id          bigint,
    upload_key       text NOT NULL DEFAULT '',
    replace          boolean NOT NULL DEFAULT false,
    status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    before_snapshot  bigint,
    summary          text NOT NULL DEFAULT '',
    error            text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX backup_restores_tenant_idx ON platform.backup_restores (tenant_id, created_at DESC);

-- Workspace deletion: the workspace is paused at once and purged after a
-- grace period in which its owner or a platform admin can cancel.
-- backup_bytes is what its snapshots keep (chunks, and files no live
-- design holds any more).
ALTER TABLE platform.tenants
    ADD COLUMN delete_after         timestamptz,
    ADD COLUMN delete_requested_by  bigint REFERENCES platform.users (id) ON DELETE SET NULL,
    ADD COLUMN status_before_delete text NOT NULL DEFAULT '',
    ADD COLUMN backup_bytes         bigint NOT NULL DEFAULT 0;

-- Account deletion: the person's account goes with the workspaces they
-- alone own, after the same grace period.
ALTER TABLE platform.users ADD COLUMN delete_after timestamptz;
