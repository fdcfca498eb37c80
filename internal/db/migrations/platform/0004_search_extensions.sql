-- Full-text and typo-tolerant search: pg_trgm for similarity, unaccent to
-- fold accents. Extensions live in schema public; tenant SQL calls them
-- schema-qualified, since a tenant transaction's search_path is its own
-- schema alone.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

-- unaccent() is only STABLE (its dictionary could change); an IMMUTABLE
-- wrapper with the dictionary named lets indexes and stored columns use it.
CREATE FUNCTION platform.fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
