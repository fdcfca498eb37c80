package metrics_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/metrics"
	"github.com/patternvault/patternvault/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

func TestClusterMetrics(t *testing.T) {
	base := testdb.New(t)
	c := base.Pool.Config().ConnConfig
	dsn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s", c.Host, c.Port, c.User, c.Database)
	// A "replica" pool on the same (primary) server: reachable, not in
	// recovery, so replica_up is 0.
	d, err := db.OpenWith(context.Background(), dsn, db.Options{ReplicaURL: dsn, SessionURL: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m := metrics.New(d.Pool)
	m.RegisterCluster(d, "app1:8080")
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]int{}
	values := map[string]float64{}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "patternvault_db_") {
			continue
		}
		for _, mt := range f.GetMetric() {
			series[f.GetName()]++
			server := ""
			for _, l := range mt.GetLabel() {
				if l.GetName() == "server" {
					server = l.GetValue()
				}
			}
			if server != "app1:8080" {
				t.Errorf("%s has server label %q", f.GetName(), server)
			}
			if g := mt.GetGauge(); g != nil {
				values[f.GetName()] = g.GetValue()
			}
		}
	}
	if series["patternvault_db_pool_connections"] != 12 { // 4 states × primary, session, replica
		t.Errorf("pool connection series = %d, want 12", series["patternvault_db_pool_connections"])
	}
	for _, name := range []string{"patternvault_db_pool_acquires_total", "patternvault_db_pool_closed_total", "patternvault_db_replica_fallbacks_total"} {
		if series[name] == 0 {
			t.Errorf("no %s", name)
		}
	}
	if values["patternvault_db_primary_ok"] != 1 {
		t.Errorf("primary_ok = %v, want 1", values["patternvault_db_primary_ok"])
	}
	if v, ok := values["patternvault_db_replica_up"]; !ok || v != 0 {
		t.Errorf("replica_up = %v (present %v), want 0: the replica pool reaches a server not in recovery", v, ok)
	}
}
