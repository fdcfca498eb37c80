-- Files that snapshots reference (internal/backup), as intervals of
-- snapshot ids: the file was referenced by every snapshot of the workspace
-- from from_snap to to_snap (NULL: up to the latest). A snapshot touches
-- only the files that came or went since the one before; dropping old
-- snapshots drops the intervals that no kept snapshot falls in. No cleanup
-- deletes a file that has a row here.
CREATE TABLE backup_refs (
    blob_key   text NOT NULL,
    size       bigint NOT NULL,
    from_snap  bigint NOT NULL,
    to_snap    bigint,
    CHECK (to_snap IS NULL OR to_snap >= from_snap)
);
CREATE INDEX backup_refs_key_idx ON backup_refs (blob_key);
CREATE UNIQUE INDEX backup_refs_open_idx ON backup_refs (blob_key) WHERE to_snap IS NULL;

-- The trash: deleted designs stay 30 days before they are purged.
CREATE INDEX patterns_deleted_idx ON patterns (deleted_at) WHERE deleted_at IS NOT NULL;
