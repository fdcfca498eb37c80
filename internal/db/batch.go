package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// TenantBatch runs b's statements on tenant id's schema on the primary
// in one round trip, and calls their callbacks (QueuedQuery.Query,
// QueryRow, Exec) in order. It is WithTenant for a few independent
// statements without the begin, search_path and commit round trips: the
// statements follow one that pins the search_path transaction-locally,
// and PostgreSQL runs them all in one implicit transaction (one Sync
// ends the pipeline), committed when the last succeeds and rolled back
// when any fails. So it stays safe behind a transaction pooler.
//
// The statements are sent unnamed (pgx's exec mode: parameters as text,
// typed by the server), because each must be parsed after the
// search_path is set: pgx's own batches prepare every new statement
// before running the first, when table names would not resolve.
func (d *DB) TenantBatch(ctx context.Context, id int64, b *pgx.Batch) error {
	schema := TenantSchema(id)
	if !ValidSchema(schema) {
		return fmt.Errorf("%w: %q", ErrBadSchema, schema)
	}
	conn, err := d.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("db: acquire a connection: %w", err)
	}
	defer conn.Release()
	return pipeline(ctx, conn.Conn(), pinSchema, schema, b)
}

// ReadTenantBatch is TenantBatch for statements that only read, as
// ReadTenant: the implicit transaction is read-only, and runs on the
// replica when one is configured and ctx allows it (AllowReplica),
// falling back to the primary when the replica cannot be reached.
func (d *DB) ReadTenantBatch(ctx context.Context, id int64, b *pgx.Batch) error {
	schema := TenantSchema(id)
	if !ValidSchema(schema) {
		return fmt.Errorf("%w: %q", ErrBadSchema, schema)
	}
	if d.Replica != nil && ReplicaAllowed(ctx) {
		conn, err := d.Replica.Acquire(ctx)
		if err == nil {
			defer conn.Release()
			return pipeline(ctx, conn.Conn(), pinSchemaReadOnly, schema, b)
		}
		if ctx.Err() != nil {
			return err
		}
		replicaFallbacks.Add(1)
	}
	conn, err := d.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("db: acquire a connection: %w", err)
	}
	defer conn.Release()
	return pipeline(ctx, conn.Conn(), pinSchemaReadOnly, schema, b)
}

// The statements that open a batch's implicit transaction.
const (
	pinSchema         = "SELECT set_config('search_path', $1, true)"
	pinSchemaReadOnly = "SELECT set_config('search_path', $1, true), set_config('transaction_read_only', 'on', true)"
)

// pipeline sends pin (with schema) and b's statements as one pipeline of
// unnamed statements ended by one Sync, then reads the results in order
// through b's callbacks (a statement without one is read as Exec).
func pipeline(ctx context.Context, c *pgx.Conn, pin, schema string, b *pgx.Batch) error {
	m := c.TypeMap()
	var eqb pgx.ExtendedQueryBuilder
	batch := &pgconn.Batch{}
	add := func(sql string, args []any) error {
		if err := eqb.Build(m, nil, args); err != nil {
			return fmt.Errorf("db: batch: %w", err)
		}
		batch.ExecParams(sql, eqb.ParamValues, nil, eqb.ParamFormats, eqb.ResultFormats)
		return nil
	}
	if err := add(pin, []any{schema}); err != nil {
		return err
	}
	for _, q := range b.QueuedQueries {
		if err := add(q.SQL, q.Arguments); err != nil {
			return err
		}
	}
	res := &pipelineResults{m: m, mrr: c.PgConn().ExecBatch(ctx, batch)}
	_, err := res.Exec() // the pin
	for _, q := range b.QueuedQueries {
		if err != nil {
			break
		}
		if q.Fn != nil {
			err = q.Fn(res)
		} else {
			_, err = res.Exec()
		}
	}
	if cerr := res.mrr.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("db: batch of %d statements on %s: %w", len(b.QueuedQueries), schema, err)
	}
	return nil
}

// pipelineResults reads a pipeline's results one statement after the
// other, for the callbacks of pgx's QueuedQuery.
type pipelineResults struct {
	m   *pgtype.Map
	mrr *pgconn.MultiResultReader
}

var errNoResult = errors.New("db: batch: fewer results than statements")

func (r *pipelineResults) next() (*pgconn.ResultReader, error) {
	if !r.mrr.NextResult() {
		if err := r.mrr.Close(); err != nil {
			return nil, err
		}
		return nil, errNoResult
	}
	return r.mrr.ResultReader(), nil
}

// Exec implements pgx.BatchResults.
func (r *pipelineResults) Exec() (pgconn.CommandTag, error) {
	rr, err := r.next()
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	return rr.Close()
}

// Query implements pgx.BatchResults.
func (r *pipelineResults) Query() (pgx.Rows, error) {
	rr, err := r.next()
	if err != nil {
		return nil, err
	}
	return pgx.RowsFromResultReader(r.m, rr), nil
}

// QueryRow implements pgx.BatchResults.
func (r *pipelineResults) QueryRow() pgx.Row {
	rows, err := r.Query()
	return pipelineRow{rows, err}
}

// Close implements pgx.BatchResults.
func (r *pipelineResults) Close() error { return r.mrr.Close() }

// Tx implements pgx.BatchResults: the batch's transaction is implicit.
func (r *pipelineResults) Tx() pgx.Tx { return nil }

// pipelineRow is QueryRow's answer: the first row of rows.
type pipelineRow struct {
	rows pgx.Rows
	err  error
}

// Scan implements pgx.Row.
func (r pipelineRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}
