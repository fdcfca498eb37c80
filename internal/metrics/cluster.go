package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/patternvault/patternvault/internal/db"
)

// RegisterCluster adds the figures an operator of several app servers
// needs, labelled with this server's name: each connection pool's use
// (primary, replica, session), the reads that fell back from the replica
// to the primary, the role the primary pool reaches, and the replication
// lag of every standby and of the replica pool.
func (m *Metrics) RegisterCluster(d *db.DB, server string) {
	m.Registry.MustRegister(&clusterCollector{db: d, server: server})
}

var (
	poolConns = prometheus.NewDesc("patternvault_db_pool_connections", "Connections of this server's pool, by state (acquired, idle, constructing) and the pool's maximum (max).",
		[]string{"server", "pool", "state"}, nil)
	poolAcquires = prometheus.NewDesc("patternvault_db_pool_acquires_total", "Connections taken from the pool.",
		[]string{"server", "pool"}, nil)
	poolWaits = prometheus.NewDesc("patternvault_db_pool_acquire_waits_total", "Acquires that waited for a free connection.",
		[]string{"server", "pool"}, nil)
	poolWaitSeconds = prometheus.NewDesc("patternvault_db_pool_acquire_wait_seconds_total", "Time spent waiting for a connection.",
		[]string{"server", "pool"}, nil)
	poolRecycled = prometheus.NewDesc("patternvault_db_pool_closed_total", "Connections closed for their lifetime (max_lifetime) or idleness (max_idle).",
		[]string{"server", "pool", "reason"}, nil)
	replicaFallbacks = prometheus.NewDesc("patternvault_db_replica_fallbacks_total", "Reads that wanted the replica and went to the primary because it could not be reached.",
		[]string{"server"}, nil)
	primaryIsPrimary = prometheus.NewDesc("patternvault_db_primary_ok", "1 when the primary pool reaches a primary (not a server in recovery).",
		[]string{"server"}, nil)
	standbyLag = prometheus.NewDesc("patternvault_db_standby_replay_lag_seconds", "Replay lag of each streaming standby, as the primary reports it.",
		[]string{"server", "standby", "sync"}, nil)
	standbyLagBytes = prometheus.NewDesc("patternvault_db_standby_lag_bytes", "WAL each standby has still to replay.",
		[]string{"server", "standby", "sync"}, nil)
	replicaUp = prometheus.NewDesc("patternvault_db_replica_up", "1 when the replica pool reaches a server in recovery.",
		[]string{"server"}, nil)
	replicaDelay = prometheus.NewDesc("patternvault_db_replica_delay_seconds", "Age of the last transaction the replica pool's server replayed, while it has WAL left to replay.",
		[]string{"server"}, nil)
)

type clusterCollector struct {
	db     *db.DB
	server string
}

func (c *clusterCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolConns, poolAcquires, poolWaits, poolWaitSeconds, poolRecycled, replicaFallbacks,
		primaryIsPrimary, standbyLag, standbyLagBytes, replicaUp, replicaDelay} {
		ch <- d
	}
}

func (c *clusterCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c.db.Pools() {
		s := p.Stat
		ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.AcquiredConns()), c.server, p.Name, "acquired")
		ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.IdleConns()), c.server, p.Name, "idle")
		ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.ConstructingConns()), c.server, p.Name, "constructing")
		ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.MaxConns()), c.server, p.Name, "max")
		ch <- prometheus.MustNewConstMetric(poolAcquires, prometheus.CounterValue, float64(s.AcquireCount()), c.server, p.Name)
		ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(s.EmptyAcquireCount()), c.server, p.Name)
		ch <- prometheus.MustNewConstMetric(poolWaitSeconds, prometheus.CounterValue, s.AcquireDuration().Seconds(), c.server, p.Name)
		ch <- prometheus.MustNewConstMetric(poolRecycled, prometheus.CounterValue, float64(s.MaxLifetimeDestroyCount()), c.server, p.Name, "max_lifetime")
		ch <- prometheus.MustNewConstMetric(poolRecycled, prometheus.CounterValue, float64(s.MaxIdleDestroyCount()), c.server, p.Name, "max_idle")
	}
	ch <- prometheus.MustNewConstMetric(replicaFallbacks, prometheus.CounterValue, float64(db.ReplicaFallbacks()), c.server)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r, err := c.db.Replication(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(primaryIsPrimary, prometheus.GaugeValue, 0, c.server)
		return
	}
	ok := 0.0
	if r.PrimaryRole == "primary" {
		ok = 1
	}
	ch <- prometheus.MustNewConstMetric(primaryIsPrimary, prometheus.GaugeValue, ok, c.server)
	for _, s := range r.Standbys {
		ch <- prometheus.MustNewConstMetric(standbyLag, prometheus.GaugeValue, s.ReplayLag.Seconds(), c.server, s.Name, s.Sync)
		ch <- prometheus.MustNewConstMetric(standbyLagBytes, prometheus.GaugeValue, float64(s.LagBytes), c.server, s.Name, s.Sync)
	}
	if r.Replica != nil {
		up := 0.0
		if r.Replica.Reachable && r.Replica.InRecovery {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(replicaUp, prometheus.GaugeValue, up, c.server)
		ch <- prometheus.MustNewConstMetric(replicaDelay, prometheus.GaugeValue, r.Replica.Delay.Seconds(), c.server)
	}
}
