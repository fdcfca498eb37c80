-- A design file none of the readers could read (corrupt, truncated, random
-- bytes, a picture or a web page under a design's name) is kept, never
-- lost, but marked with why: it is never offered as a machine-ready
-- download, nor converted from.
ALTER TABLE pattern_files ADD COLUMN problem text NOT NULL DEFAULT '';

-- An import remembers the names of the files uploaded (its uploads are
-- forgotten once processed) and which designs it skipped as already in
-- the library, so that its page can say which.
ALTER TABLE import_batches
    ADD COLUMN upload_names text[] NOT NULL DEFAULT '{}',
    ADD COLUMN skipped      jsonb NOT NULL DEFAULT '[]';

-- Files of a whole upload rather than of one design (a store's README, a
-- licence at its root), kept once with the import instead of with every
-- design.
CREATE TABLE import_files (
    batch_id   bigint NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    n          int NOT NULL,
    file_name  text NOT NULL,
    size       bigint NOT NULL,
    blob_key   text NOT NULL,
    PRIMARY KEY (batch_id, n)
);
