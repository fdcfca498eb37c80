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

// pipeline sends pin (with schema) and b's statements as one pipeline
// ended by one Sync, then reads the results in order through b's
// callbacks (a statement without one is read as Exec).
//
// With pgx's default exec mode (cache_statement) a statement is prepared
// on the connection, under a name of this package's, the first time the
// connection runs it, within the pipeline after the pin, so that its
// tables resolve in the tenant's schema (a prepared statement is
// re-planned by PostgreSQL when it later runs under another
// search_path); later pipelines on that connection only bind and
// execute it, as pgx's statement cache would. In the other exec modes
// (chosen for transaction poolers that keep no prepared statements) the
// statements are sent unnamed.
func pipeline(ctx context.Context, c *pgx.Conn, pin, schema string, b *pgx.Batch) (err error) {
	m := c.TypeMap()
	var prepared map[string]*pgconn.StatementDescription
	if c.Config().DefaultQueryExecMode == pgx.QueryExecModeCacheStatement {
		prepared = preparedOn(c.PgConn())
	}
	var eqb pgx.ExtendedQueryBuilder
	pl := c.PgConn().StartPipeline(ctx)
	res := &pipelineResults{m: m, pl: pl, prepared: prepared}
	defer func() {
		if cerr := pl.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("db: batch of %d statements on %s: %w", len(b.QueuedQueries), schema, cerr)
		}
	}()
	pl.SendQueryParams(pin, [][]byte{[]byte(schema)}, nil, nil, nil)
	for _, q := range b.QueuedQueries {
		if sd := prepared[q.SQL]; sd != nil {
			if err := eqb.Build(m, sd, q.Arguments); err != nil {
				return fmt.Errorf("db: batch: %w", err)
			}
			pl.SendQueryStatement(sd, eqb.ParamValues, eqb.ParamFormats, eqb.ResultFormats)
			continue
		}
		if err := eqb.Build(m, nil, q.Arguments); err != nil {
			return fmt.Errorf("db: batch: %w", err)
		}
		if prepared == nil || len(prepared)+len(res.pending) >= maxPrepared {
			pl.SendQueryParams(q.SQL, eqb.ParamValues, nil, eqb.ParamFormats, eqb.ResultFormats)
			continue
		}
		name := nextStatementName(c.PgConn())
		res.pending = append(res.pending, &pgconn.StatementDescription{Name: name, SQL: q.SQL})
		pl.SendPrepare(name, q.SQL, nil)
		pl.SendQueryPrepared(name, eqb.ParamValues, eqb.ParamFormats, eqb.ResultFormats)
	}
	if err := pl.Sync(); err != nil {
		return fmt.Errorf("db: batch on %s: %w", schema, err)
	}
	_, err = res.Exec() // the pin
	for _, q := range b.QueuedQueries {
		if err != nil {
			break
		}
		res.sql = q.SQL
		if q.Fn != nil {
			err = q.Fn(res)
		} else {
			_, err = res.Exec()
		}
	}
	if err == nil {
		err = res.end()
	}
	if err != nil {
		if res.sql != "" {
			delete(prepared, res.sql) // prepared again, under a new name, next time
		}
		return fmt.Errorf("db: batch of %d statements on %s: %w", len(b.QueuedQueries), schema, err)
	}
	return nil
}

// maxPrepared bounds the statements a connection keeps prepared (each
// costs the server memory for as long as the connection lives): SQL
// built with a varying shape, such as a filtered list's, could otherwise
// add statements without end. Past it, new statements are sent unnamed.
const maxPrepared = 256

// preparedOn returns the statements this package prepared on conn, by
// SQL (kept in the connection's custom data, so they go with it).
func preparedOn(conn *pgconn.PgConn) map[string]*pgconn.StatementDescription {
	const key = "patternvault.db.prepared"
	ps, _ := conn.CustomData()[key].(map[string]*pgconn.StatementDescription)
	if ps == nil {
		ps = map[string]*pgconn.StatementDescription{}
		conn.CustomData()[key] = ps
	}
	return ps
}

// nextStatementName is a name no statement prepared on conn has had
// (a statement forgotten after an error may still exist on the server).
func nextStatementName(conn *pgconn.PgConn) string {
	const key = "patternvault.db.statements"
	n, _ := conn.CustomData()[key].(int)
	conn.CustomData()[key] = n + 1
	return fmt.Sprintf("pv_batch_%d", n+1)
}

// pipelineResults reads a pipeline's results one statement after the
// other, for the callbacks of pgx's QueuedQuery, and notes the
// statements the pipeline prepared.
type pipelineResults struct {
	m        *pgtype.Map
	pl       *pgconn.Pipeline
	prepared map[string]*pgconn.StatementDescription // by SQL, or nil
	pending  []*pgconn.StatementDescription          // the statements this pipeline prepares, in order
	sql      string                                  // the statement being read
}

var errNoResult = errors.New("db: batch: fewer results than statements")

func (r *pipelineResults) next() (*pgconn.ResultReader, error) {
	for {
		res, err := r.pl.GetResults()
		if err != nil {
			return nil, err
		}
		switch res := res.(type) {
		case *pgconn.StatementDescription: // the pipeline's next prepared statement
			if len(r.pending) == 0 {
				return nil, errors.New("db: batch: a statement prepared unasked")
			}
			res.Name, res.SQL = r.pending[0].Name, r.pending[0].SQL
			r.pending = r.pending[1:]
			r.prepared[res.SQL] = res
		case *pgconn.ResultReader:
			return res, nil
		default:
			return nil, errNoResult
		}
	}
}

// end reads the pipeline's end.
func (r *pipelineResults) end() error {
	res, err := r.pl.GetResults()
	if err != nil {
		return err
	}
	if _, ok := res.(*pgconn.PipelineSync); !ok {
		return fmt.Errorf("db: batch: more results than statements (%T)", res)
	}
	return nil
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

// Close implements pgx.BatchResults; the pipeline is closed by its
// sender.
func (r *pipelineResults) Close() error { return nil }

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
