-- Searches read a GIN index's pending list (fresh entries not yet merged)
-- from start to end. After a large import the default 4 MB list made the
-- search indexes slow until autovacuum ran; a small list is merged into
-- the index often, so searches stay fast right after imports.
ALTER INDEX patterns_search_doc_idx SET (gin_pending_list_limit = 256);
ALTER INDEX patterns_search_text_idx SET (gin_pending_list_limit = 256);
ALTER INDEX keywords_name_trgm_idx SET (gin_pending_list_limit = 256);
