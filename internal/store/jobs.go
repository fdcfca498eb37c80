package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Job is one customer quilt: its size, choices, quoted lines, plan,
// dates and status.
type Job struct {
	ID            int64    `json:"id"`
	CustomerID    int64    `json:"customer_id"`
	Title         string   `json:"title"`
	Status        string   `json:"status"`
	Width         int64    `json:"width_hundredths"`
	Length        int64    `json:"length_hundredths"`
	Level         string   `json:"level"`
	Batting       string   `json:"batting"`
	Thread        string   `json:"thread"`
	Binding       string   `json:"binding"`
	BackingSeams  int      `json:"backing_seams"`
	Prep          int64    `json:"prep_hundredths"`
	Bobbins       int      `json:"bobbins"`
	TaxRatePPM    int64    `json:"tax_rate_ppm"`
	SubtotalCents int64    `json:"subtotal_cents"`
	TaxCents      int64    `json:"tax_cents"`
	TotalCents    int64    `json:"total_cents"`
	DepositCents  int64    `json:"deposit_cents"`
	Notes         string   `json:"notes"`
	Rows          *int     `json:"rows"`
	Repeats       *int     `json:"repeats"`
	StitchedIn    *float32 `json:"stitched_length_in"`
	StitchMinutes *float32 `json:"stitch_minutes"`
	ThreadYards   *float32 `json:"thread_yards"`
	BobbinsNeeded *int     `json:"bobbins_needed"`
	// Estimated is the time the job takes, in hundredths of an hour.
	Estimated      int64      `json:"estimated_hundredths"`
	HoursSpent     int64      `json:"hours_spent_hundredths"`
	ReceivedOn     *time.Time `json:"received_on"`
	PromisedOn     *time.Time `json:"promised_on"`
	StartedOn      *time.Time `json:"started_on"`
	FinishedOn     *time.Time `json:"finished_on"`
	DeliveredOn    *time.Time `json:"delivered_on"`
	DeliveryMethod string     `json:"delivery_method"`
	PaidOn         *time.Time `json:"paid_on"`
	AcceptedOn     *time.Time `json:"accepted_on"`
	QueuePosition  *int       `json:"queue_position"`
	ShareID        *int64     `json:"share_id"`
	QuoteSentAt    *time.Time `json:"quote_sent_at"`
	AcceptedBy     string     `json:"accepted_by"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`

	// Filled by the queries that join them.
	CustomerName string    `json:"customer_name"`
	Lines        []JobLine `json:"lines"`
	PatternIDs   []int64   `json:"pattern_ids"`
}

// JobLine is one priced line of a job's quote.
type JobLine struct {
	Kind        string `json:"kind"`
	Description string `json:"description"`
	AmountCents int64  `json:"amount_cents"`
	Taxable     bool   `json:"taxable"`
}

// jobSelect reads jobs (alias j) with their customer's name and designs.
const jobSelect = `SELECT ` + "j.id, j.customer_id, j.title, j.status, j.width_hundredths, j.length_hundredths, j.level, j.batting, j.thread, j.binding, " +
	`j.backing_seams, j.prep_hundredths, j.bobbins, j.tax_rate_ppm, j.subtotal_cents, j.tax_cents, j.total_cents, j.deposit_cents, j.notes,
	j.rows, j.repeats, j.stitched_length_in, j.stitch_minutes, j.thread_yards, j.bobbins_needed, j.estimated_hundredths,
	j.hours_spent_hundredths, j.received_on, j.promised_on, j.started_on, j.finished_on, j.delivered_on, j.delivery_method, j.paid_on,
	j.accepted_on, j.queue_position, j.share_id, j.quote_sent_at, j.accepted_by, j.created_at, j.updated_at,
	c.name, coalesce((SELECT array_agg(pattern_id ORDER BY position) FROM job_designs d WHERE d.job_id = j.id), '{}')
	FROM jobs j JOIN customers c ON c.id = j.customer_id `

func scanJob(row pgx.Row) (*Job, error) {
	j := &Job{}
	err := row.Scan(&j.ID, &j.CustomerID, &j.Title, &j.Status, &j.Width, &j.Length, &j.Level, &j.Batting, &j.Thread, &j.Binding,
		&j.BackingSeams, &j.Prep, &j.Bobbins, &j.TaxRatePPM, &j.SubtotalCents, &j.TaxCents, &j.TotalCents, &j.DepositCents, &j.Notes,
		&j.Rows, &j.Repeats, &j.StitchedIn, &j.StitchMinutes, &j.ThreadYards, &j.BobbinsNeeded, &j.Estimated,
		&j.HoursSpent, &j.ReceivedOn, &j.PromisedOn, &j.StartedOn, &j.FinishedOn, &j.DeliveredOn, &j.DeliveryMethod, &j.PaidOn,
		&j.AcceptedOn, &j.QueuePosition, &j.ShareID, &j.QuoteSentAt, &j.AcceptedBy, &j.CreatedAt, &j.UpdatedAt,
		&j.CustomerName, &j.PatternIDs)
	return j, err
}

// JobQuery filters the job list.
type JobQuery struct {
	// Statuses keeps only these (none: all).
	Statuses   []string
	CustomerID int64
	PatternID  int64
	Limit      int
}

// Jobs lists jobs: those in the queue by their place, the others newest
// first.
func (t *TenantTx) Jobs(ctx context.Context, q JobQuery) ([]*Job, error) {
	if q.Limit <= 0 || q.Limit > 2000 {
		q.Limit = 2000
	}
	rows, err := t.tx.Query(ctx, jobSelect+`
		WHERE (coalesce(cardinality($1::text[]), 0) = 0 OR j.status = ANY($1)) AND ($2 = 0 OR j.customer_id = $2)
		  AND ($3 = 0 OR EXISTS (SELECT 1 FROM job_designs d WHERE d.job_id = j.id AND d.pattern_id = $3))
		ORDER BY j.queue_position NULLS LAST, j.created_at DESC, j.id DESC LIMIT $4`, q.Statuses, q.CustomerID, q.PatternID, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: jobs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Job, error) { return scanJob(r) })
	if err != nil {
		return nil, fmt.Errorf("store: jobs: %w", err)
	}
	return out, nil
}

// Job returns one job with its lines.
func (t *TenantTx) Job(ctx context.Context, id int64) (*Job, error) {
	j, err := scanJob(t.tx.QueryRow(ctx, jobSelect+`WHERE j.id = $1`, id))
	if err := noRows(fmt.Sprintf("job %d", id), err); err != nil {
		return nil, err
	}
	return j, t.jobLines(ctx, j)
}

// JobByTokenHash finds the job whose accept (or status, when status)
// token hashes to hash.
func (t *TenantTx) JobByTokenHash(ctx context.Context, hash []byte, status bool) (*Job, error) {
	col := "accept_token_hash"
	if status {
		col = "status_token_hash"
	}
	j, err := scanJob(t.tx.QueryRow(ctx, jobSelect+`WHERE j.`+col+` = $1`, hash))
	if err := noRows("job by token", err); err != nil {
		return nil, err
	}
	return j, t.jobLines(ctx, j)
}

func (t *TenantTx) jobLines(ctx context.Context, j *Job) error {
	rows, err := t.tx.Query(ctx, `SELECT kind, description, amount_cents, taxable FROM job_lines WHERE job_id = $1 ORDER BY position`, j.ID)
	if err != nil {
		return fmt.Errorf("store: job %d lines: %w", j.ID, err)
	}
	j.Lines, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (JobLine, error) {
		var l JobLine
		err := r.Scan(&l.Kind, &l.Description, &l.AmountCents, &l.Taxable)
		return l, err
	})
	if err != nil {
		return fmt.Errorf("store: job %d lines: %w", j.ID, err)
	}
	return nil
}

// SaveJob inserts a job (ID 0) or writes all its fields, its lines and
// its designs.
func (t *TenantTx) SaveJob(ctx context.Context, j *Job) error {
	args := []any{j.CustomerID, j.Title, j.Status, j.Width, j.Length, j.Level, j.Batting, j.Thread, j.Binding,
		j.BackingSeams, j.Prep, j.Bobbins, j.TaxRatePPM, j.SubtotalCents, j.TaxCents, j.TotalCents, j.DepositCents, j.Notes,
		j.Rows, j.Repeats, j.StitchedIn, j.StitchMinutes, j.ThreadYards, j.BobbinsNeeded, j.Estimated, j.HoursSpent,
		j.ReceivedOn, j.PromisedOn, j.StartedOn, j.FinishedOn, j.DeliveredOn, j.DeliveryMethod, j.PaidOn, j.AcceptedOn,
		j.QueuePosition, j.ShareID, j.QuoteSentAt, j.AcceptedBy}
	var err error
	if j.ID == 0 {
		err = t.tx.QueryRow(ctx, `INSERT INTO jobs (customer_id, title, status, width_hundredths, length_hundredths, level, batting,
			thread, binding, backing_seams, prep_hundredths, bobbins, tax_rate_ppm, subtotal_cents, tax_cents, total_cents,
			deposit_cents, notes, rows, repeats, stitched_length_in, stitch_minutes, thread_yards, bobbins_needed,
			estimated_hundredths, hours_spent_hundredths, received_on, promised_on, started_on, finished_on, delivered_on,
			delivery_method, paid_on, accepted_on, queue_position, share_id, quote_sent_at, accepted_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
				$24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38)
			RETURNING id, created_at, updated_at`, args...).Scan(&j.ID, &j.CreatedAt, &j.UpdatedAt)
	} else {
		var tag interface{ RowsAffected() int64 }
		tag, err = t.tx.Exec(ctx, `UPDATE jobs SET customer_id = $1, title = $2, status = $3, width_hundredths = $4,
			length_hundredths = $5, level = $6, batting = $7, thread = $8, binding = $9, backing_seams = $10,
			prep_hundredths = $11, bobbins = $12, tax_rate_ppm = $13, subtotal_cents = $14, tax_cents = $15, total_cents = $16,
			deposit_cents = $17, notes = $18, rows = $19, repeats = $20, stitched_length_in = $21, stitch_minutes = $22,
			thread_yards = $23, bobbins_needed = $24, estimated_hundredths = $25, hours_spent_hundredths = $26,
			received_on = $27, promised_on = $28, started_on = $29, finished_on = $30, delivered_on = $31,
			delivery_method = $32, paid_on = $33, accepted_on = $34, queue_position = $35, share_id = $36,
			quote_sent_at = $37, accepted_by = $38, updated_at = now()
			WHERE id = $39`, append(args, j.ID)...)
		if err == nil && tag.RowsAffected() == 0 {
			err = ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("store: save job %q: %w", j.Title, err)
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM job_lines WHERE job_id = $1`, j.ID); err != nil {
		return fmt.Errorf("store: job %d lines: %w", j.ID, err)
	}
	for i, l := range j.Lines {
		if _, err := t.tx.Exec(ctx, `INSERT INTO job_lines (job_id, position, kind, description, amount_cents, taxable)
			VALUES ($1, $2, $3, $4, $5, $6)`, j.ID, i+1, l.Kind, l.Description, l.AmountCents, l.Taxable); err != nil {
			return fmt.Errorf("store: job %d line %d: %w", j.ID, i+1, err)
		}
	}
	_, err = t.tx.Exec(ctx, `DELETE FROM job_designs WHERE job_id = $1 AND pattern_id <> ALL(coalesce($2::bigint[], '{}'))`, j.ID, j.PatternIDs)
	if err == nil {
		_, err = t.tx.Exec(ctx, `INSERT INTO job_designs (job_id, pattern_id, position)
			SELECT $1, p, ord FROM unnest($2::bigint[]) WITH ORDINALITY AS x(p, ord)
			ON CONFLICT (job_id, pattern_id) DO UPDATE SET position = excluded.position`, j.ID, j.PatternIDs)
	}
	if err != nil {
		return fmt.Errorf("store: job %d designs: %w", j.ID, err)
	}
	return nil
}

// SetJobToken stores the hash of a job's accept or status token.
func (t *TenantTx) SetJobToken(ctx context.Context, id int64, hash []byte, status bool) error {
	col := "accept_token_hash"
	if status {
		col = "status_token_hash"
	}
	return t.execOne(ctx, "set job token", `UPDATE jobs SET `+col+` = $2 WHERE id = $1`, id, hash)
}

// MaxQueuePosition is the last place taken in the queue (0 when empty).
func (t *TenantTx) MaxQueuePosition(ctx context.Context) (int, error) {
	var n int
	err := t.tx.QueryRow(ctx, `SELECT coalesce(max(queue_position), 0) FROM jobs WHERE queue_position IS NOT NULL`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: queue end: %w", err)
	}
	return n, nil
}

// SetQueueOrder numbers the queue's jobs 1, 2, 3... in the order of ids.
func (t *TenantTx) SetQueueOrder(ctx context.Context, ids []int64) error {
	_, err := t.tx.Exec(ctx, `UPDATE jobs SET queue_position = x.ord FROM unnest($1::bigint[]) WITH ORDINALITY AS x(id, ord)
		WHERE jobs.id = x.id`, ids)
	if err != nil {
		return fmt.Errorf("store: reorder queue: %w", err)
	}
	return nil
}
