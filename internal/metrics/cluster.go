package metrics

import (
	"context"
	"time"

	"github.com/patternvault/patternvault/internal/db"
)

// RegisterCluster adds the figures an operator of several app servers
// needs, labelled with this server's name: each connection pool's use
// (primary, replica, session), the reads that fell back from the replica
// to the primary, the role the primary pool reaches, and the replication
// lag of every standby and of the replica pool.
func (m *Metrics) RegisterCluster(d *db.DB, server string) {
	c := &clusterCollector{db: d, server: server}
	m.Registry.add(collector(c.collect))
}

var (
	poolConns        = gaugeDesc("patternvault_db_pool_connections", "Connections of this server's pool, by state (acquired, idle, constructing) and the pool's maximum (max).", "server", "pool", "state")
	poolAcquires     = counterDesc("patternvault_db_pool_acquires_total", "Connections taken from the pool.", "server", "pool")
	poolWaits        = counterDesc("patternvault_db_pool_acquire_waits_total", "Acquires that waited for a free connection.", "server", "pool")
	poolWaitSeconds  = counterDesc("patternvault_db_pool_acquire_wait_seconds_total", "Time spent waiting for a connection.", "server", "pool")
	poolRecycled     = counterDesc("patternvault_db_pool_closed_total", "Connections closed for their lifetime (max_lifetime) or idleness (max_idle).", "server", "pool", "reason")
	replicaFallbacks = counterDesc("patternvault_db_replica_fallbacks_total", "Reads that wanted the replica and went to the primary because it could not be reached.", "server")
	primaryIsPrimary = gaugeDesc("patternvault_db_primary_ok", "1 when the primary pool reaches a primary (not a server in recovery).", "server")
	standbyLag       = gaugeDesc("patternvault_db_standby_replay_lag_seconds", "Replay lag of each streaming standby, as the primary reports it.", "server", "standby", "sync")
	standbyLagBytes  = gaugeDesc("patternvault_db_standby_lag_bytes", "WAL each standby has still to replay.", "server", "standby", "sync")
	replicaUp        = gaugeDesc("patternvault_db_replica_up", "1 when the replica pool reaches a server in recovery.", "server")
	replicaDelay     = gaugeDesc("patternvault_db_replica_delay_seconds", "Age of the last transaction the replica pool's server replayed, while it has WAL left to replay.", "server")
)

type clusterCollector struct {
	db     *db.DB
	server string
}

func (c *clusterCollector) collect(emit emitFunc) {
	for _, p := range c.db.Pools() {
		s := p.Stat
		emit(poolConns, float64(s.AcquiredConns()), c.server, p.Name, "acquired")
		emit(poolConns, float64(s.IdleConns()), c.server, p.Name, "idle")
		emit(poolConns, float64(s.ConstructingConns()), c.server, p.Name, "constructing")
		emit(poolConns, float64(s.MaxConns()), c.server, p.Name, "max")
		emit(poolAcquires, float64(s.AcquireCount()), c.server, p.Name)
		emit(poolWaits, float64(s.EmptyAcquireCount()), c.server, p.Name)
		emit(poolWaitSeconds, s.AcquireDuration().Seconds(), c.server, p.Name)
		emit(poolRecycled, float64(s.MaxLifetimeDestroyCount()), c.server, p.Name, "max_lifetime")
		emit(poolRecycled, float64(s.MaxIdleDestroyCount()), c.server, p.Name, "max_idle")
	}
	emit(replicaFallbacks, float64(db.ReplicaFallbacks()), c.server)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r, err := c.db.Replication(ctx)
	if err != nil {
		emit(primaryIsPrimary, 0, c.server)
		return
	}
	ok := 0.0
	if r.PrimaryRole == "primary" {
		ok = 1
	}
	emit(primaryIsPrimary, ok, c.server)
	for _, s := range r.Standbys {
		emit(standbyLag, s.ReplayLag.Seconds(), c.server, s.Name, s.Sync)
		emit(standbyLagBytes, float64(s.LagBytes), c.server, s.Name, s.Sync)
	}
	if r.Replica != nil {
		up := 0.0
		if r.Replica.Reachable && r.Replica.InRecovery {
			up = 1
		}
		emit(replicaUp, up, c.server)
		emit(replicaDelay, r.Replica.Delay.Seconds(), c.server)
	}
}
