-- Designs waiting to be compared with the rest of the library for
-- duplicates are rows of their own table, not a flag on patterns: marking
-- thousands of designs checked by UPDATE wrote a new version of each row
-- into every index of patterns (eleven, two of them GIN over the search
-- documents), a fifth of PostgreSQL's time in an import. A design is
-- queued as it is inserted with dup_checked false (the column's default,
-- so every way of adding a design queues it as before) and leaves the
-- queue once compared; dup_checked itself is no longer updated.
CREATE TABLE dup_pending (
    pattern_id bigint PRIMARY KEY REFERENCES patterns (id) ON DELETE CASCADE
);
INSERT INTO dup_pending SELECT id FROM patterns WHERE NOT dup_checked;
DROP INDEX patterns_dup_pending_idx;

-- One statement per insert, whatever its number of rows. Schema-qualified
-- through the table's own schema, as every tenant function is.
CREATE FUNCTION queue_dup_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('INSERT INTO %I.dup_pending SELECT id FROM added WHERE NOT dup_checked ON CONFLICT DO NOTHING',
        TG_TABLE_SCHEMA);
    RETURN NULL;
END $$;
CREATE TRIGGER patterns_queue_dup_check AFTER INSERT ON patterns
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION queue_dup_check();
