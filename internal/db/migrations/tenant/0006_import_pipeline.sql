-- The streaming import: a batch remembers how many of its designs are
-- stored (a rerun after a crash starts there), which worker holds it and
-- until when (a live lease keeps a rescued job from running it twice), and
-- the files it kept with a caveat (too large to preview, too complex to
-- analyse).
ALTER TABLE import_batches
    ADD COLUMN resume_at    int NOT NULL DEFAULT 0,
    ADD COLUMN lease_owner  text NOT NULL DEFAULT '',
    ADD COLUMN lease_until  timestamptz,
    ADD COLUMN warnings     jsonb NOT NULL DEFAULT '[]';

-- Designs not yet compared with the rest of the library for duplicates.
-- Designs that exist now were compared by the whole-library scans.
ALTER TABLE patterns ADD COLUMN dup_checked boolean NOT NULL DEFAULT true;
ALTER TABLE patterns ALTER COLUMN dup_checked SET DEFAULT false;
CREATE INDEX patterns_dup_pending_idx ON patterns (id) WHERE NOT dup_checked;
