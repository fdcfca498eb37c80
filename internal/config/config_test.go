package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := LoadFrom(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || !c.Embedded() || c.BaseURL != "http://127.0.0.1:8080" {
		t.Errorf("defaults = %+v", c)
	}
	if !filepath.IsAbs(c.DataDir) || filepath.Base(c.DataDir) != "data" {
		t.Errorf("DataDir = %q, want an absolute path ending in data", c.DataDir)
	}
}

func TestSecretFromFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "dburl")
	if err := os.WriteFile(f, []byte("postgres://x@y/z\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadFrom(env(map[string]string{"PV_DATABASE_URL_FILE": f}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://x@y/z" || c.Embedded() {
		t.Errorf("DatabaseURL = %q", c.DatabaseURL)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	for k, v := range map[string]string{"PV_MIGRATE_WORKERS": "0", "PV_BASE_URL": "ftp://x", "PV_LOG_LEVEL": "loud"} {
		_, err := LoadFrom(env(map[string]string{k: v}))
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: err = %v, want one naming the variable", k, v, err)
		}
	}
}

// TestMetricsAddrAndLogFormat: a bad PV_METRICS_ADDR or PV_LOG_FORMAT
// stops start-up with an error naming the variable, like every setting.
func TestMetricsAddrAndLogFormat(t *testing.T) {
	for _, v := range []string{"9090", "localhost:abc", "127.0.0.1:70000", "127.0.0.1:0", "http://127.0.0.1:9090"} {
		_, err := LoadFrom(env(map[string]string{"PV_METRICS_ADDR": v}))
		if err == nil || !strings.Contains(err.Error(), "PV_METRICS_ADDR") {
			t.Errorf("PV_METRICS_ADDR=%s: err = %v, want one naming the variable", v, err)
		}
	}
	for _, v := range []string{"127.0.0.1:9090", ":9090", "[::1]:9090", "metrics.internal:9100", ""} {
		c, err := LoadFrom(env(map[string]string{"PV_METRICS_ADDR": v}))
		if err != nil || c.MetricsAddr != v {
			t.Errorf("PV_METRICS_ADDR=%s: %v, %+v", v, err, c)
		}
	}
	if _, err := LoadFrom(env(map[string]string{"PV_LOG_FORMAT": "xml"})); err == nil || !strings.Contains(err.Error(), "PV_LOG_FORMAT") {
		t.Errorf("PV_LOG_FORMAT=xml: err = %v", err)
	}
	c, err := LoadFrom(env(map[string]string{"PV_LOG_FORMAT": "JSON"}))
	if err != nil || c.LogFormat != "json" {
		t.Errorf("PV_LOG_FORMAT=JSON: %v %q", err, c.LogFormat)
	}
	if c, _ := LoadFrom(env(nil)); c.LogFormat != "text" {
		t.Errorf("default log format %q", c.LogFormat)
	}
}
