-- Search: a weighted document per pattern (name A, keywords B, designer and
-- type C, notes D) for full-text, and a folded text of name, keywords and
-- designer for trigram similarity (typos, prefixes). The store refreshes
-- both whenever one of their sources changes.
ALTER TABLE patterns
    ADD COLUMN search_doc  tsvector NOT NULL DEFAULT ''::tsvector,
    ADD COLUMN search_text text NOT NULL DEFAULT '';

CREATE INDEX patterns_search_doc_idx ON patterns USING gin (search_doc);
CREATE INDEX patterns_search_text_idx ON patterns USING gin (search_text public.gin_trgm_ops);
CREATE INDEX keywords_name_trgm_idx ON keywords USING gin (platform.fold(name) public.gin_trgm_ops);

-- Saved searches, pinned keywords, recent searches and the search log.
CREATE TABLE saved_searches (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    query       text NOT NULL DEFAULT '',
    filters     jsonb NOT NULL DEFAULT '{}',
    pinned      boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saved_searches_user_idx ON saved_searches (user_id, created_at DESC);

CREATE TABLE pinned_keywords (
    user_id     bigint NOT NULL,
    keyword_id  bigint NOT NULL REFERENCES keywords (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, keyword_id)
);

CREATE TABLE search_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint,
    query           text NOT NULL,
    results         int NOT NULL,
    took_ms         real NOT NULL,
    clicked_pattern bigint,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX search_log_at_idx ON search_log (at DESC);
CREATE INDEX search_log_user_idx ON search_log (user_id, at DESC);

-- Embeddings for semantic search, one per pattern and provider.
CREATE TABLE pattern_embeddings (
    pattern_id  bigint NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
    provider    text NOT NULL,
    dim         int NOT NULL,
    vector      bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pattern_id, provider)
);

-- Bumped whenever embeddings change, so every app server's in-memory
-- index knows when to reload.
CREATE TABLE search_version (
    version  bigint NOT NULL
);
INSERT INTO search_version VALUES (1);
