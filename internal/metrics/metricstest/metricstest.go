// Package metricstest reads what a metrics.Registry writes with
// Prometheus' own text-format parser, for tests: it proves the exposition
// is what a Prometheus server takes, and gives its families to check.
// Only tests import it, so the parser never enters the program.
package metricstest

import (
	"bytes"
	"sort"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/patternvault/patternvault/internal/metrics"
)

// Gather writes r's metrics and parses them, failing t if Prometheus'
// parser refuses them. Families come sorted by name.
func Gather(t testing.TB, r *metrics.Registry) []*dto.MetricFamily {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		t.Fatalf("write metrics: %v", err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Prometheus' parser refuses the metrics: %v\n%s", err, buf.String())
	}
	out := make([]*dto.MetricFamily, 0, len(families))
	for _, f := range families {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GetName() < out[j].GetName() })
	return out
}
