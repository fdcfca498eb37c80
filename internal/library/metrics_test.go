package library

import (
	"testing"

	"github.com/patternvault/patternvault/internal/metrics"
)

// TestImportMetrics: a finished import counts by its outcome, and its
// designs by theirs (the same ZIP twice: created, then duplicates).
func TestImportMetrics(t *testing.T) {
	t.Parallel()
	data, designs := fixtureZIP(t, false)
	r := newRig(t)
	m := metrics.New(nil)
	r.svc.Metrics = m
	acme := r.tenant(t, "acme")
	r.importZIP(t, acme.ID, "a.zip", data)
	r.importZIP(t, acme.ID, "again.zip", data)
	for name, c := range map[string]struct {
		c    *metrics.Counter
		want float64
	}{
		"imports done":      {m.Imports.WithLabelValues("done"), 2},
		"imports failed":    {m.Imports.WithLabelValues("failed"), 0},
		"designs created":   {m.ImportDesigns.WithLabelValues("created"), float64(designs)},
		"designs duplicate": {m.ImportDesigns.WithLabelValues("duplicate"), float64(designs)},
		"designs failed":    {m.ImportDesigns.WithLabelValues("failed"), 0},
	} {
		if got := c.c.Value(); got != c.want {
			t.Errorf("%s = %v, want %v", name, got, c.want)
		}
	}
}
