-- The quilting business hub (internal/business): the price list and
-- settings, customers, jobs (customer quilts) with their quoted lines and
-- designs, invoices with their lines and payments, expenses, and photos
-- of quilt tops and finished quilts. Money is integer cents; rates are
-- millionths of the currency unit; lengths and hours are hundredths.

CREATE TABLE business_settings (
    id                       boolean PRIMARY KEY DEFAULT true CHECK (id),
    currency                 text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    tax_rate_ppm             int NOT NULL DEFAULT 0 CHECK (tax_rate_ppm BETWEEN 0 AND 300000),
    taxable_kinds            text[] NOT NULL DEFAULT '{quilting,batting,backing,thread,binding,labour,other}',
    hourly_rate_cents        bigint NOT NULL DEFAULT 2500 CHECK (hourly_rate_cents >= 0),
    backing_seam_cents       bigint NOT NULL DEFAULT 550 CHECK (backing_seam_cents >= 0),
    binding_extra_hundredths int NOT NULL DEFAULT 1200 CHECK (binding_extra_hundredths BETWEEN 0 AND 10000),
    row_overlap_hundredths   int NOT NULL DEFAULT 50 CHECK (row_overlap_hundredths BETWEEN 0 AND 2000),
    stitches_per_inch        int NOT NULL DEFAULT 10 CHECK (stitches_per_inch BETWEEN 1 AND 40),
    inches_per_minute        int NOT NULL DEFAULT 120 CHECK (inches_per_minute BETWEEN 1 AND 2000),
    row_advance_hundredths   int NOT NULL DEFAULT 300 CHECK (row_advance_hundredths BETWEEN 0 AND 6000),
    thread_factor_hundredths int NOT NULL DEFAULT 150 CHECK (thread_factor_hundredths BETWEEN 100 AND 500),
    bobbin_yards             int NOT NULL DEFAULT 150 CHECK (bobbin_yards BETWEEN 10 AND 2000),
    weekly_hours_hundredths  int NOT NULL DEFAULT 2000 CHECK (weekly_hours_hundredths BETWEEN 100 AND 16800),
    setup_hours_hundredths   int NOT NULL DEFAULT 50 CHECK (setup_hours_hundredths BETWEEN 0 AND 2400),
    invoice_prefix           text NOT NULL DEFAULT 'INV-' CHECK (length(invoice_prefix) <= 12),
    next_invoice_number      int NOT NULL DEFAULT 1 CHECK (next_invoice_number >= 1),
    payment_days             int NOT NULL DEFAULT 14 CHECK (payment_days BETWEEN 0 AND 365),
    business_name            text NOT NULL DEFAULT '' CHECK (length(business_name) <= 120),
    business_address         text NOT NULL DEFAULT '' CHECK (length(business_address) <= 500),
    gallery_public           boolean NOT NULL DEFAULT false,
    gallery_intro            text NOT NULL DEFAULT '' CHECK (length(gallery_intro) <= 2000),
    updated_at               timestamptz NOT NULL DEFAULT now()
);
INSERT INTO business_settings DEFAULT VALUES;

CREATE TABLE price_items (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    grp           text NOT NULL CHECK (grp IN ('level', 'batting', 'thread', 'binding')),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    unit          text NOT NULL CHECK (unit IN ('sq_in', 'flat', 'bobbin', 'inch', 'foot')),
    rate_micros   bigint NOT NULL CHECK (rate_micros BETWEEN 0 AND 10000000000),
    minimum_cents bigint NOT NULL DEFAULT 0 CHECK (minimum_cents >= 0),
    position      int NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX price_items_name_key ON price_items (grp, lower(name));
-- The defaults of business.DefaultPriceList.
INSERT INTO price_items (grp, name, unit, rate_micros, minimum_cents, position) VALUES
    ('level', 'Light edge-to-edge', 'sq_in', 20000, 4000, 1),
    ('level', 'Dense edge-to-edge', 'sq_in', 30000, 4000, 2),
    ('level', 'Custom', 'sq_in', 60000, 5000, 3),
    ('batting', 'Crib (studio''s)', 'flat', 12000000, 0, 1),
    ('batting', 'Throw (studio''s)', 'flat', 18000000, 0, 2),
    ('batting', 'Twin (studio''s)', 'flat', 25000000, 0, 3),
    ('batting', 'Queen (studio''s)', 'flat', 35000000, 0, 4),
    ('batting', 'King (studio''s)', 'flat', 42000000, 0, 5),
    ('thread', 'Standard', 'flat', 5000000, 0, 1),
    ('thread', 'Per bobbin', 'bobbin', 800000, 0, 2),
    ('binding', 'Attach one side', 'inch', 100000, 0, 1),
    ('binding', 'Machine finished', 'inch', 150000, 0, 2),
    ('binding', 'Hand finished', 'inch', 250000, 0, 3);

CREATE TABLE customers (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    email          text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    phone          text NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
    address        text NOT NULL DEFAULT '' CHECK (length(address) <= 500),
    delivery       text NOT NULL DEFAULT '' CHECK (delivery IN ('', 'pickup', 'dropoff', 'ship')),
    notes          text NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
    email_consent  boolean NOT NULL DEFAULT false,
    photo_consent  boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    deleted_at     timestamptz
);
CREATE INDEX customers_name_idx ON customers (lower(name), id) WHERE deleted_at IS NULL;

CREATE TABLE jobs (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id            bigint NOT NULL REFERENCES customers (id),
    title                  text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    status                 text NOT NULL DEFAULT 'quote'
        CHECK (status IN ('quote', 'accepted', 'in_queue', 'quilting', 'finished', 'delivered', 'paid', 'cancelled')),
    width_hundredths       int NOT NULL CHECK (width_hundredths BETWEEN 100 AND 50000),
    length_hundredths      int NOT NULL CHECK (length_hundredths BETWEEN 100 AND 50000),
    level                  text NOT NULL DEFAULT '',
    batting                text NOT NULL DEFAULT '',
    thread                 text NOT NULL DEFAULT '',
    binding                text NOT NULL DEFAULT '',
    backing_seams          int NOT NULL DEFAULT 0 CHECK (backing_seams BETWEEN 0 AND 20),
    prep_hundredths        int NOT NULL DEFAULT 0 CHECK (prep_hundredths >= 0),
    bobbins                int NOT NULL DEFAULT 0 CHECK (bobbins >= 0),
    tax_rate_ppm           int NOT NULL DEFAULT 0 CHECK (tax_rate_ppm BETWEEN 0 AND 300000),
    subtotal_cents         bigint NOT NULL DEFAULT 0,
    tax_cents              bigint NOT NULL DEFAULT 0,
    total_cents            bigint NOT NULL DEFAULT 0,
    deposit_cents          bigint NOT NULL DEFAULT 0 CHECK (deposit_cents >= 0),
    notes                  text NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
    -- The plan of the first design, from its geometry (null without one).
    rows                   int,
    repeats                int,
    stitched_length_in     real,
    stitch_minutes         real,
    thread_yards           real,
    bobbins_needed         int,
    estimated_hundredths   int NOT NULL DEFAULT 0,
    hours_spent_hundredths int NOT NULL DEFAULT 0 CHECK (hours_spent_hundredths >= 0),
    received_on            date,
    promised_on            date,
    started_on             date,
    finished_on            date,
    delivered_on           date,
    delivery_method        text NOT NULL DEFAULT '' CHECK (delivery_method IN ('', 'picked up', 'shipped')),
    paid_on                date,
    accepted_on            date,
    queue_position         int,
    share_id               bigint,
    quote_sent_at          timestamptz,
    accepted_by            text NOT NULL DEFAULT '',
    accept_token_hash      bytea UNIQUE,
    status_token_hash      bytea UNIQUE,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_customer_idx ON jobs (customer_id, created_at DESC);
CREATE INDEX jobs_status_idx ON jobs (status, queue_position, id);

CREATE TABLE job_designs (
    job_id      bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    pattern_id  bigint NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
    position    int NOT NULL,
    PRIMARY KEY (job_id, pattern_id)
);
CREATE INDEX job_designs_pattern_idx ON job_designs (pattern_id);

CREATE TABLE job_lines (
    job_id       bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    position     int NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('quilting', 'batting', 'backing', 'thread', 'binding', 'labour', 'other')),
    description  text NOT NULL CHECK (length(description) BETWEEN 1 AND 300),
    amount_cents bigint NOT NULL,
    taxable      boolean NOT NULL,
    PRIMARY KEY (job_id, position)
);

CREATE TABLE invoices (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number           text UNIQUE,
    job_id           bigint REFERENCES jobs (id) ON DELETE SET NULL,
    customer_id      bigint NOT NULL REFERENCES customers (id),
    customer_name    text NOT NULL DEFAULT '',
    customer_email   text NOT NULL DEFAULT '',
    customer_address text NOT NULL DEFAULT '',
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued', 'void')),
    issued_on        date,
    due_on           date,
    currency         text NOT NULL DEFAULT 'USD',
    subtotal_cents   bigint NOT NULL DEFAULT 0,
    tax_rate_ppm     int NOT NULL DEFAULT 0,
    tax_cents        bigint NOT NULL DEFAULT 0,
    total_cents      bigint NOT NULL DEFAULT 0,
    deposit_cents    bigint NOT NULL DEFAULT 0,
    notes            text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    sent_at          timestamptz,
    voided_at        timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invoices_issued_idx ON invoices (issued_on) WHERE status = 'issued';
CREATE INDEX invoices_customer_idx ON invoices (customer_id);
CREATE INDEX invoices_job_idx ON invoices (job_id);

CREATE TABLE invoice_lines (
    invoice_id   bigint NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position     int NOT NULL,
    kind         text NOT NULL,
    description  text NOT NULL,
    amount_cents bigint NOT NULL,
    taxable      boolean NOT NULL,
    PRIMARY KEY (invoice_id, position)
);

CREATE TABLE payments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id   bigint NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    paid_on      date NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    method       text NOT NULL CHECK (method IN ('cash', 'cheque', 'card', 'transfer')),
    reference    text NOT NULL DEFAULT '' CHECK (length(reference) <= 120),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_invoice_idx ON payments (invoice_id);
CREATE INDEX payments_paid_idx ON payments (paid_on);

CREATE TABLE expenses (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    spent_on     date NOT NULL,
    category     text NOT NULL CHECK (category IN ('batting', 'thread', 'backing', 'supplies', 'equipment', 'other')),
    description  text NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    tax_cents    bigint NOT NULL DEFAULT 0 CHECK (tax_cents >= 0),
    job_id       bigint REFERENCES jobs (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX expenses_spent_idx ON expenses (spent_on);
CREATE INDEX expenses_job_idx ON expenses (job_id);

CREATE TABLE photos (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('top', 'finished')),
    job_id        bigint REFERENCES jobs (id) ON DELETE SET NULL,
    customer_id   bigint REFERENCES customers (id) ON DELETE SET NULL,
    caption       text NOT NULL DEFAULT '' CHECK (length(caption) <= 300),
    public        boolean NOT NULL DEFAULT false,
    width         int NOT NULL,
    height        int NOT NULL,
    content_type  text NOT NULL,
    sha256        bytea NOT NULL,
    blob_key      text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX photos_job_idx ON photos (job_id);
CREATE INDEX photos_public_idx ON photos (created_at DESC) WHERE public;

CREATE TABLE photo_designs (
    photo_id    bigint NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    pattern_id  bigint NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
    PRIMARY KEY (photo_id, pattern_id)
);
CREATE INDEX photo_designs_pattern_idx ON photo_designs (pattern_id);
