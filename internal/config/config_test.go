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
