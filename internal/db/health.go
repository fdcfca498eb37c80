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
