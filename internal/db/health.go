package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Standby is one streaming replica as the primary sees it.
type Standby struct {
	// Name is the standby's application_name (Patroni's node name).
	Name string
	// State is walsender's state (streaming, catchup, ...).
	State string
	// Sync is async, potential, sync or quorum.
	Sync string
	// ReplayLag is how long the standby took to replay the latest commits
	// it acknowledged (zero when idle).
	ReplayLag time.Duration
	// LagBytes is how much WAL the standby has still to replay.
	LagBytes int64
}

// Replication is the database side of an app server: which role its
// primary pool reaches, that primary's standbys, and its replica pool.
type Replication struct {
	// PrimaryRole is "primary", or "replica" when the main pool reaches a
	// server in recovery (a misrouted or failing-over cluster).
	PrimaryRole string
	// Standbys are the primary's streaming replicas (needs pg_monitor).
	Standbys []Standby
	// Replica reports on the replica pool; nil without one.
	Replica *ReplicaState
}

// ReplicaState is what the replica pool reaches.
type ReplicaState struct {
	// Reachable is false when the replica pool cannot connect (reads then
	// go to the primary).
	Reachable bool
	// InRecovery is true on a real standby.
	InRecovery bool
	// Delay is the age of the last replayed transaction, zero when the
	// standby has replayed everything it received.
	Delay time.Duration
}

// Replication reads the replication state through the app's own pools.
func (d *DB) Replication(ctx context.Context) (Replication, error) {
	var r Replication
	var inRecovery bool
	err := pgx.BeginFunc(ctx, d.Pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil {
			return err
		}
		if inRecovery {
			return nil
		}
		rows, err := tx.Query(ctx, `SELECT coalesce(application_name, ''), coalesce(state, ''), coalesce(sync_state, ''),
			coalesce(extract(epoch FROM replay_lag), 0)::float8,
			coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint
			FROM pg_stat_replication ORDER BY application_name`)
		if err != nil {
			return err
		}
		r.Standbys, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Standby, error) {
			var s Standby
			var lag float64
			err := row.Scan(&s.Name, &s.State, &s.Sync, &lag, &s.LagBytes)
			s.ReplayLag = time.Duration(lag * float64(time.Second))
			return s, err
		})
		return err
	})
	if err != nil {
		return r, fmt.Errorf("db: read replication state: %w", err)
	}
	r.PrimaryRole = "primary"
	if inRecovery {
		r.PrimaryRole = "replica"
	}
	if d.Replica != nil {
		r.Replica = replicaState(ctx, d.Replica)
	}
	return r, nil
}

func replicaState(ctx context.Context, p *pgxpool.Pool) *ReplicaState {
	s := &ReplicaState{}
	var delay float64
	err := p.QueryRow(ctx, `SELECT pg_is_in_recovery(),
		CASE WHEN pg_is_in_recovery() AND pg_last_wal_receive_lsn() IS DISTINCT FROM pg_last_wal_replay_lsn()
		     THEN coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) ELSE 0 END::float8`).Scan(&s.InRecovery, &delay)
	if err != nil {
		return s
	}
	s.Reachable = true
	s.Delay = time.Duration(delay * float64(time.Second))
	return s
}

// PoolStats are one pool's figures.
type PoolStats struct {
	// Name is primary, replica or session.
	Name string
	*pgxpool.Stat
}

// Pools returns the figures of each distinct pool.
func (d *DB) Pools() []PoolStats {
	out := []PoolStats{{Name: "primary", Stat: d.Pool.Stat()}}
	if d.Session != nil && d.Session != d.Pool {
		out = append(out, PoolStats{Name: "session", Stat: d.Session.Stat()})
	}
	if d.Replica != nil {
		out = append(out, PoolStats{Name: "replica", Stat: d.Replica.Stat()})
	}
	return out
}

// AppServer is one app server as it last reported itself.
type AppServer struct {
	Name      string
	Version   string
	StartedAt time.Time
	SeenAt    time.Time
	// Pools are its pools' figures at SeenAt.
	Pools []PoolFigures
	// ReplicaFallbacks counts its replica reads served by the primary.
	ReplicaFallbacks int64
	// BaseURL is the public address it serves ("" when it did not say).
	BaseURL string
}

// PoolFigures are one pool's figures as an app server reports them.
type PoolFigures struct {
	Name     string `json:"name"`
	Acquired int32  `json:"acquired"`
	Idle     int32  `json:"idle"`
	Open     int32  `json:"open"`
	Max      int32  `json:"max"`
	Waits    int64  `json:"waits"`
}

// Beat records that app server name (started at started, running version)
// is alive, with its pools' figures, and forgets servers silent for a day.
func (d *DB) Beat(ctx context.Context, name, version string, started time.Time) error {
	var pools []PoolFigures
	for _, p := range d.Pools() {
		pools = append(pools, PoolFigures{Name: p.Name, Acquired: p.AcquiredConns(), Idle: p.IdleConns(), Open: p.TotalConns(), Max: p.MaxConns(), Waits: p.EmptyAcquireCount()})
	}
	stats := map[string]any{"pools": pools, "replica_fallbacks": ReplicaFallbacks(), "base_url": d.BaseURL}
	_, err := d.Pool.Exec(ctx, `
		WITH gone AS (DELETE FROM platform.app_servers WHERE seen_at < now() - interval '1 day')
		INSERT INTO platform.app_servers (name, version, started_at, seen_at, stats) VALUES ($1, $2, $3, now(), $4)
		ON CONFLICT (name) DO UPDATE SET version = excluded.version, started_at = excluded.started_at,
			seen_at = now(), stats = excluded.stats`, name, version, started, stats)
	if err != nil {
		return fmt.Errorf("db: app server %s heartbeat: %w", name, err)
	}
	return nil
}

// AppServers lists the app servers that reported in the last day, most
// recently seen first.
func (d *DB) AppServers(ctx context.Context) ([]AppServer, error) {
	rows, err := d.Pool.Query(ctx, `SELECT name, version, started_at, seen_at, stats FROM platform.app_servers ORDER BY seen_at DESC, name`)
	if err != nil {
		return nil, fmt.Errorf("db: list app servers: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AppServer, error) {
		var a AppServer
		var stats struct {
			Pools            []PoolFigures `json:"pools"`
			ReplicaFallbacks int64         `json:"replica_fallbacks"`
			BaseURL          string        `json:"base_url"`
		}
		err := row.Scan(&a.Name, &a.Version, &a.StartedAt, &a.SeenAt, &stats)
		a.Pools, a.ReplicaFallbacks, a.BaseURL = stats.Pools, stats.ReplicaFallbacks, stats.BaseURL
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("db: list app servers: %w", err)
	}
	return out, nil
}

// Queue is the job queue's state.
type Queue struct {
	// ByState counts jobs per River state (available, running, retryable,
	// scheduled, ...), completed ones excluded.
	ByState map[string]int64
	// Failed are the kinds with jobs discarded in the last day, worst first.
	Failed []FailedKind
}

// FailedKind is a job kind that gave up on some jobs.
type FailedKind struct {
	Kind      string
	Count     int64
	LastError string
	At        time.Time
}

// JobQueue reads the job queue's depth and its recent failures.
func (d *DB) JobQueue(ctx context.Context) (Queue, error) {
	q := Queue{ByState: map[string]int64{}}
	rows, err := d.Pool.Query(ctx, `SELECT state::text, count(*) FROM platform.river_job WHERE state <> 'completed' GROUP BY 1`)
	if err != nil {
		return q, fmt.Errorf("db: job queue depth: %w", err)
	}
	var state string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&state, &n}, func() error { q.ByState[state] = n; return nil }); err != nil {
		return q, fmt.Errorf("db: job queue depth: %w", err)
	}
	rows, err = d.Pool.Query(ctx, `SELECT kind, count(*), max(finalized_at),
			coalesce((array_agg(errors[array_length(errors, 1)]->>'error' ORDER BY finalized_at DESC))[1], '')
		FROM platform.river_job WHERE state = 'discarded' AND finalized_at > now() - interval '1 day'
		GROUP BY kind ORDER BY count(*) DESC LIMIT 10`)
	if err != nil {
		return q, fmt.Errorf("db: job failures: %w", err)
	}
	q.Failed, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (FailedKind, error) {
		var f FailedKind
		err := row.Scan(&f.Kind, &f.Count, &f.At, &f.LastError)
		return f, err
	})
	if err != nil {
		return q, fmt.Errorf("db: job failures: %w", err)
	}
	return q, nil
}

// Storage is the database's size and its WAL archiving (the platform
// backups' part that PostgreSQL sees).
type Storage struct {
	DatabaseBytes int64
	Tenants       int64
	// Archiving is false when archive_mode is off (no WAL archive, so no
	// point-in-time restore).
	Archiving        bool
	LastArchived     string
	LastArchivedAt   *time.Time
	ArchiveFailures  int64
	LastFailedAt     *time.Time
	ArchiveLastError string
}

// Storage reads the database's size and WAL archiver state.
func (d *DB) Storage(ctx context.Context) (Storage, error) {
	var s Storage
	err := d.Pool.QueryRow(ctx, `SELECT pg_database_size(current_database()),
			(SELECT count(*) FROM platform.tenants WHERE status <> 'deleted'),
			current_setting('archive_mode') <> 'off',
			coalesce(a.last_archived_wal, ''), a.last_archived_time, a.failed_count, a.last_failed_time,
			coalesce(a.last_failed_wal, '')
		FROM pg_stat_archiver a`).Scan(&s.DatabaseBytes, &s.Tenants, &s.Archiving, &s.LastArchived, &s.LastArchivedAt,
		&s.ArchiveFailures, &s.LastFailedAt, &s.ArchiveLastError)
	if err != nil {
		return s, fmt.Errorf("db: storage: %w", err)
	}
	return s, nil
}

// InRecovery reports whether the database's server is in recovery
// (a standby, or a restored cluster still replaying WAL).
func (d *DB) InRecovery(ctx context.Context) (bool, error) {
	var recovering bool
	if err := d.Pool.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&recovering); err != nil {
		return false, fmt.Errorf("db: in recovery: %w", err)
	}
	return recovering, nil
}
