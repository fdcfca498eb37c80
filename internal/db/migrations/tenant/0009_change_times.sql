-- When a design's favourite mark (per person) or its keywords (user_id 0,
-- shared) last changed, so that a change made offline on a tablet and sent
-- later is applied only when it is the latest: last writer wins, by the
-- time each change was made.
CREATE TABLE change_times (
    pattern_id  bigint NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
    user_id     bigint NOT NULL DEFAULT 0,
    field       text NOT NULL CHECK (field IN ('favorite', 'keywords')),
    changed_at  timestamptz NOT NULL,
    PRIMARY KEY (pattern_id, user_id, field)
);
