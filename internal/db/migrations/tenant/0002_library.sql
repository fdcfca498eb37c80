-- The pattern library: designs, their files, keywords, favourites, imports,
-- views and downloads, shape analysis, duplicates and an undoable activity log.

ALTER TABLE patterns
    ADD COLUMN designer_url        text NOT NULL DEFAULT '',
    ADD COLUMN source              text NOT NULL DEFAULT '',
    ADD COLUMN purchased_on        date,
    ADD COLUMN type                text NOT NULL DEFAULT '',
    ADD COLUMN type_confidence     real NOT NULL DEFAULT 0,
    ADD COLUMN width_in            real,
    ADD COLUMN height_in           real,
    ADD COLUMN stitch_length_in    real,
    ADD COLUMN paths               int,
    ADD COLUMN jumps               int,
    ADD COLUMN thumb_state         text NOT NULL DEFAULT 'pending'
        CHECK (thumb_state IN ('pending', 'ready', 'picture', 'none')),
    ADD COLUMN mirror_lr           real,
    ADD COLUMN mirror_tb           real,
    ADD COLUMN suggested_rotation  int NOT NULL DEFAULT 0,
    ADD COLUMN rotation_confidence real NOT NULL DEFAULT 0,
    -- The quilter's answer on the triage page: '' (not reviewed), 'ok', 'rot90', 'rot180', 'rot270', 'mirror'.
    ADD COLUMN orientation         text NOT NULL DEFAULT ''
        CHECK (orientation IN ('', 'ok', 'rot90', 'rot180', 'rot270', 'mirror')),
    ADD COLUMN fingerprint         bytea,
    ADD COLUMN batch_id            bigint,
    ADD COLUMN view_count          int NOT NULL DEFAULT 0,
    ADD COLUMN download_count      int NOT NULL DEFAULT 0,
    ADD COLUMN deleted_at          timestamptz;

CREATE INDEX patterns_created_idx ON patterns (created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX patterns_designer_idx ON patterns (lower(designer), lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX patterns_live_name_idx ON patterns (lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX patterns_type_idx ON patterns (type) WHERE deleted_at IS NULL;

CREATE TABLE pattern_files (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pattern_id  bigint NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('design', 'picture', 'notes', 'other')),
    format      text NOT NULL DEFAULT '',
    file_name   text NOT NULL,
    size        bigint NOT NULL,
    sha256      bytea NOT NULL,
    blob_key    text NOT NULL,
    readable    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (pattern_id, file_name)
);
CREATE INDEX pattern_files_sha_idx ON pattern_files (sha256);
CREATE INDEX pattern_files_format_idx ON pattern_files (format, pattern_id);

CREATE TABLE keywords (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  text NOT NULL CHECK (length(name) BETWEEN 1 AND 60)
);
CREATE UNIQUE INDEX keywords_name_key ON keywords (lower(name));

CREATE TABLE pattern_keywords (
    pattern_id  bigint NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
    keyword_id  bigint NOT NULL REFERENCES keywords (id) ON DELETE CASCADE,
    PRIMARY KEY (pattern_id, keyword_id)
);
CREATE INDEX pattern_keywords_keyword_idx ON pattern_keywords (keyword_id, pattern_id);

CREATE TABLE keyword_groups (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  text NOT NULL CHECK (length(name) BETWEEN 1 AND 60)
);
CREATE UNIQUE INDEX keyword_groups_name_key ON keyword_groups (lower(name));

CREATE TABLE keyword_group_keywords (
    group_id    bigint NOT NULL REFERENCES keyword_groups (id) ON DELETE CASCADE,
    keyword_id  bigint NOT NULL REFERENCES keywords (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, keyword_id)
);

-- Favourites are per person (user ids live in platform.users).
CREATE TABLE favorites (
    user_id     bigint NOT NULL,
    pattern_id  bigint NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, pattern_id)
);
CREATE INDEX favorites_pattern_idx ON favorites (pattern_id);

CREATE TABLE import_batches (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_by     bigint,
    status         text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'staged', 'done', 'failed')),
    stage          boolean NOT NULL DEFAULT false,
    files          int NOT NULL DEFAULT 0,
    bytes          bigint NOT NULL DEFAULT 0,
    designs_total  int NOT NULL DEFAULT 0,
    designs_done   int NOT NULL DEFAULT 0,
    created        int NOT NULL DEFAULT 0,
    merged         int NOT NULL DEFAULT 0,
    duplicates     int NOT NULL DEFAULT 0,
    failed         jsonb NOT NULL DEFAULT '[]',
    error          text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz
);

-- The uploaded files of a batch, kept in blob storage until it is processed.
CREATE TABLE import_uploads (
    batch_id   bigint NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    n          int NOT NULL,
    file_name  text NOT NULL,
    size       bigint NOT NULL,
    blob_key   text NOT NULL,
    PRIMARY KEY (batch_id, n)
);

CREATE TABLE import_log (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id  bigint NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL DEFAULT now(),
    level     text NOT NULL,
    file      text NOT NULL DEFAULT '',
    message   text NOT NULL
);
CREATE INDEX import_log_batch_idx ON import_log (batch_id, id);

CREATE TABLE pattern_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pattern_id  bigint NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
    user_id     bigint,
    kind        text NOT NULL CHECK (kind IN ('view', 'download')),
    format      text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pattern_events_pattern_idx ON pattern_events (pattern_id, at DESC);

CREATE TABLE duplicate_candidates (
    a_id        bigint NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
    b_id        bigint NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('exact', 'near')),
    distance    real NOT NULL DEFAULT 0,
    decision    text NOT NULL DEFAULT '' CHECK (decision IN ('', 'keep_both', 'kept_a', 'kept_b')),
    decided_by  bigint,
    decided_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (a_id, b_id),
    CHECK (a_id < b_id)
);
CREATE INDEX duplicate_candidates_open_idx ON duplicate_candidates (created_at DESC, a_id, b_id) WHERE decision = '';

-- What people changed, with what it takes to undo it.
CREATE TABLE activity (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint,
    at         timestamptz NOT NULL DEFAULT now(),
    action     text NOT NULL,
    summary    text NOT NULL,
    undo       jsonb,
    undone_at  timestamptz
);
CREATE INDEX activity_at_idx ON activity (at DESC);
