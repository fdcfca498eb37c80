-- Designs delivered by pattern stores (issue 18): which store sold which
-- design, the order, SKU, purchase date and licence. One design may have
-- been bought more than once (two stores, or again).
CREATE TABLE purchases (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pattern_id     bigint NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
    store_id       bigint NOT NULL,
    store_name     text NOT NULL,
    order_id       text NOT NULL DEFAULT '',
    sku            text NOT NULL DEFAULT '',
    purchase_date  date,
    licence_text   text NOT NULL DEFAULT '',
    delivery_id    bigint NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (delivery_id, pattern_id)
);
CREATE INDEX purchases_pattern_idx ON purchases (pattern_id);
CREATE INDEX purchases_sku_idx ON purchases (store_id, sku) WHERE sku <> '';
