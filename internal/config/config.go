// Package config reads PatternVault's settings from PV_* environment
// variables. Every option is one row of the options table below, with its
// default and a line of help; secrets may also come from a file named by
// the variable with a _FILE suffix (PV_DATABASE_URL_FILE, ...).
package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting of a PatternVault process.
type Config struct {
	// DataDir holds the embedded database, files and the mail outbox.
	DataDir string
	// HTTPAddr is the address the web server listens on.
	HTTPAddr string
	// DatabaseURL points at an external PostgreSQL; empty runs the embedded one.
	DatabaseURL string
	// DatabaseReplicaURL points at a streaming replica for reads that
	// tolerate lag; empty reads everything from DatabaseURL.
	DatabaseReplicaURL string
	// DatabaseSessionURL reaches the primary with session semantics
	// (LISTEN, advisory locks, migrations) when DatabaseURL goes through a
	// transaction pooler; empty means DatabaseURL is a plain connection.
	DatabaseSessionURL string
	// DatabaseExecMode is pgx's query exec mode (empty: automatic).
	DatabaseExecMode string
	// DatabaseMaxConns bounds each pool (0: the URL's pool_max_conns or 8).
	DatabaseMaxConns int
	// DatabaseMaxConnLifetime and DatabaseMaxConnIdle recycle connections.
	DatabaseMaxConnLifetime, DatabaseMaxConnIdle time.Duration
	// BaseURL is the public URL of the service, used in links and emails.
	BaseURL string
	// BaseDomain enables subdomain routing ({slug}.{BaseDomain}) when set.
	BaseDomain string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For header
	// names the client; empty believes no such header.
	TrustedProxies []netip.Prefix
	// MigrateWorkers bounds how many tenant schemas migrate at once.
	MigrateWorkers int
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// LogFormat is text (logfmt-like key=value lines) or json (one JSON
	// object a line).
	LogFormat string
	// MetricsAddr serves /metrics there when set (an admin address).
	MetricsAddr string
	// BlobURL selects file storage: empty for DataDir/files, s3://... for S3.
	BlobURL string
	// MaxUploadBytes bounds one import (all its files together).
	MaxUploadBytes int64
	// GoogleClientID and GoogleClientSecret turn on "Sign in with Google".
	GoogleClientID, GoogleClientSecret string
	// SMTPURL is smtp://user:pass@host:port (STARTTLS) or smtps://...; empty writes mail to DataDir/outbox.
	SMTPURL string
	// MailFrom is the sender of every email.
	MailFrom string
	// VoyageAPIKey switches semantic search from the local concepts to
	// Voyage AI's multimodal model.
	VoyageAPIKey string
	// VectorMemoryBytes bounds the in-memory vector indexes.
	VectorMemoryBytes int64
	// BackupSchedule is when workspace snapshots are taken: "HH:MM"
	// daily, an interval such as "6h", or "off" (read and checked by
	// backup.ParseSchedule when the app opens).
	BackupSchedule string
	// BackupKeep is how many snapshots are kept: "7d 4w 12m"
	// (backup.ParseRetention).
	BackupKeep string
	// BackupCheckEvery is how often each workspace's latest snapshot is
	// restored into a scratch schema and compared.
	BackupCheckEvery time.Duration
	// BackupRepo, when set, turns on pgBackRest for the embedded
	// PostgreSQL: a directory, or s3://KEY:SECRET@host:port/bucket/path.
	BackupRepo string
	// Billing holds the plans' prices and allowances and Stripe's keys.
	Billing Billing
	// FetchAllow lists hosts and CIDRs a store's URLs may reach over http
	// and at private addresses (development and tests only).
	FetchAllow string
	// FetchMaxBytes bounds the files of one store delivery.
	FetchMaxBytes int64
	// FetchTimeout bounds one download from a store.
	FetchTimeout time.Duration
	// StoreFeeCents is what a store pays per delivered design.
	StoreFeeCents int64
	// StoreFeeCurrency names the fee's currency in the invoicing CSV.
	StoreFeeCurrency string
	// ImportMemoryBytes is the memory budget of one import.
	ImportMemoryBytes int64
	// ImportWorkers is how many designs one import reads at once (0: one
	// per core).
	ImportWorkers int
	// BackgroundWorkers is how many background jobs (duplicate scans)
	// run at once in this process (0: one fewer than the cores, at least
	// one).
	BackgroundWorkers int
}

// Embedded reports whether the process runs its own PostgreSQL.
func (c *Config) Embedded() bool { return c.DatabaseURL == "" }

// Option is one row of the options table.
type Option struct {
	Env     string
	Default string
	Secret  bool
	Help    string
	set     func(c *Config, v string) error
}

// Options returns the table of every option, in the order shown to users.
func Options() []Option { return options }

var options = []Option{
	{Env: "PV_DATA_DIR", Default: "./data", Help: "Directory for the embedded database, files and mail outbox.",
		set: func(c *Config, v string) error { c.DataDir = v; return nil }},
	{Env: "PV_HTTP_ADDR", Default: "127.0.0.1:8080", Help: "Address the web server listens on.",
		set: func(c *Config, v string) error { c.HTTPAddr = v; return nil }},
	{Env: "PV_DATABASE_URL", Default: "", Secret: true, Help: "PostgreSQL URL; empty runs an embedded PostgreSQL under the data directory.",
		set: func(c *Config, v string) error { c.DatabaseURL = v; return nil }},
	{Env: "PV_DATABASE_REPLICA_URL", Default: "", Secret: true, Help: "PostgreSQL URL of a streaming replica; the library grid, search, thumbnails and share pages read from it (not for a few seconds after the person wrote something). Empty reads from PV_DATABASE_URL.",
		set: func(c *Config, v string) error { c.DatabaseReplicaURL = strings.TrimSpace(v); return nil }},
	{Env: "PV_DATABASE_SESSION_URL", Default: "", Secret: true, Help: "Direct (or pgbouncer session-mode) URL of the primary for LISTEN, advisory locks and migrations, when PV_DATABASE_URL goes through pgbouncer in transaction mode. Setting it also makes job workers poll.",
		set: func(c *Config, v string) error { c.DatabaseSessionURL = strings.TrimSpace(v); return nil }},
	{Env: "PV_DATABASE_EXEC_MODE", Default: "", Help: "How queries are sent: cache_statement, cache_describe, describe_exec, exec or simple_protocol. Empty: the URL's default_query_exec_mode, else exec when PV_DATABASE_SESSION_URL is set (no prepared statements through pgbouncer), else cache_statement.",
		set: func(c *Config, v string) error {
			v = strings.TrimSpace(v)
			switch v {
			case "", "cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol":
				c.DatabaseExecMode = v
				return nil
			}
			return fmt.Errorf("want cache_statement, cache_describe, describe_exec, exec or simple_protocol")
		}},
	{Env: "PV_DATABASE_MAX_CONNS", Default: "0", Help: "Connections per pool of this server (0: the URL's pool_max_conns, or 8).",
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 10000 {
				return fmt.Errorf("want a whole number from 0 to 10000")
			}
			c.DatabaseMaxConns = n
			return nil
		}},
	{Env: "PV_DATABASE_MAX_CONN_LIFETIME", Default: "10m", Help: "Close a database connection after this long (bounds the catalogue cache each connection gathers as it visits tenant schemas).",
		set: func(c *Config, v string) error { return setDuration(&c.DatabaseMaxConnLifetime, v) }},
	{Env: "PV_DATABASE_MAX_CONN_IDLE", Default: "2m", Help: "Close a database connection idle this long.",
		set: func(c *Config, v string) error { return setDuration(&c.DatabaseMaxConnIdle, v) }},
	{Env: "PV_BASE_URL", Default: "", Help: "Public URL of the service (default http://PV_HTTP_ADDR).",
		set: setBaseURL},
	{Env: "PV_BASE_DOMAIN", Default: "", Help: "Domain for tenant subdomains ({slug}.domain); empty turns them off.",
		set: func(c *Config, v string) error { c.BaseDomain = strings.ToLower(strings.TrimSpace(v)); return nil }},
	{Env: "PV_TRUSTED_PROXIES", Default: "", Help: "Addresses or ranges of the reverse proxies in front (e.g. 10.0.0.5,10.1.0.0/16): their X-Forwarded-For names the client for rate limits and logs. Empty believes no forwarded header.",
		set: setTrustedProxies},
	{Env: "PV_MIGRATE_WORKERS", Default: "4", Help: "Tenant schemas migrated in parallel.",
		set: func(c *Config, v string) error { return setPositiveInt(&c.MigrateWorkers, v) }},
	{Env: "PV_LOG_LEVEL", Default: "info", Help: "Log level: debug, info, warn or error.",
		set: setLogLevel},
	{Env: "PV_LOG_FORMAT", Default: "text", Help: "Log lines as text (key=value) or json (one object a line, for a log collector).",
		set: setLogFormat},
	{Env: "PV_METRICS_ADDR", Default: "", Help: "Address for Prometheus /metrics (e.g. 127.0.0.1:9090); empty turns it off. Keep it private.",
		set: setMetricsAddr},
	{Env: "PV_BLOB_URL", Default: "", Secret: true, Help: "File storage: empty keeps files under PV_DATA_DIR/files; s3://KEY:SECRET@host:port/bucket?secure=false for S3.",
		set: func(c *Config, v string) error { c.BlobURL = strings.TrimSpace(v); return nil }},
	{Env: "PV_MAX_UPLOAD_MB", Default: "1024", Help: "Largest import (all files of one upload together), in megabytes.",
		set: func(c *Config, v string) error {
			var mb int
			if err := setPositiveInt(&mb, v); err != nil {
				return err
			}
			c.MaxUploadBytes = int64(mb) << 20
			return nil
		}},
	{Env: "PV_GOOGLE_CLIENT_ID", Default: "", Help: "OAuth client ID for Sign in with Google; empty hides it.",
		set: func(c *Config, v string) error { c.GoogleClientID = strings.TrimSpace(v); return nil }},
	{Env: "PV_GOOGLE_CLIENT_SECRET", Default: "", Secret: true, Help: "OAuth client secret for Sign in with Google.",
		set: func(c *Config, v string) error { c.GoogleClientSecret = strings.TrimSpace(v); return nil }},
	{Env: "PV_SMTP_URL", Default: "", Secret: true, Help: "SMTP server, smtp://user:pass@host:587 (STARTTLS) or smtps://...:465; empty writes mail to PV_DATA_DIR/outbox.",
		set: func(c *Config, v string) error { c.SMTPURL = strings.TrimSpace(v); return nil }},
	{Env: "PV_MAIL_FROM", Default: "PatternVault <no-reply@localhost>", Help: "Sender of every email.",
		set: func(c *Config, v string) error { c.MailFrom = strings.TrimSpace(v); return nil }},
	{Env: "PV_VOYAGE_API_KEY", Default: "", Secret: true, Help: "Voyage AI key: semantic search embeds thumbnails and words with voyage-multimodal-3 (billed per token, counted per tenant); empty uses the built-in local concepts, no network.",
		set: func(c *Config, v string) error { c.VoyageAPIKey = strings.TrimSpace(v); return nil }},
	{Env: "PV_VECTOR_MEMORY_MB", Default: "1024", Help: "Memory for the in-memory vector indexes of recently searched libraries, in megabytes (least recently searched are dropped first).",
		set: func(c *Config, v string) error {
			var mb int
			if err := setPositiveInt(&mb, v); err != nil {
				return err
			}
			c.VectorMemoryBytes = int64(mb) << 20
			return nil
		}},
	{Env: "PV_BACKUP_SCHEDULE", Default: "02:00", Help: "When every workspace is snapshotted: a local time of day (02:00, nightly), an interval such as 6h, or off.",
		set: func(c *Config, v string) error { c.BackupSchedule = strings.TrimSpace(v); return nil }},
	{Env: "PV_BACKUP_KEEP", Default: "7d 4w 12m", Help: "Snapshots kept per workspace: the newest of each of the last N days (d), weeks (w) and months (m).",
		set: func(c *Config, v string) error { c.BackupKeep = strings.TrimSpace(v); return nil }},
	{Env: "PV_BACKUP_CHECK_EVERY", Default: "168h", Help: "How often each workspace's latest snapshot is restored into a scratch schema and compared (spread over the week).",
		set: func(c *Config, v string) error { return setDuration(&c.BackupCheckEvery, v) }},
	{Env: "PV_BACKUP_REPO", Default: "", Secret: true, Help: "pgBackRest repository for the embedded PostgreSQL (full, incremental and WAL archive): a directory, or s3://KEY:SECRET@host:port/bucket/path; empty turns it off.",
		set: func(c *Config, v string) error { c.BackupRepo = strings.TrimSpace(v); return nil }},
	{Env: "PV_IMPORT_MEMORY_MB", Default: "256", Help: "Memory budget of one import, in megabytes, whatever the upload's size: a design whose geometry alone would not fit is kept without a preview.",
		set: func(c *Config, v string) error {
			var mb int
			if err := setPositiveInt(&mb, v); err != nil {
				return err
			}
			c.ImportMemoryBytes = int64(mb) << 20
			return nil
		}},
	{Env: "PV_IMPORT_WORKERS", Default: "0", Help: "Designs one import reads at once; 0 means one per core.",
		set: func(c *Config, v string) error { return setCount(&c.ImportWorkers, v) }},
	{Env: "PV_BACKGROUND_WORKERS", Default: "0", Help: "Background jobs (duplicate scans) run at once by this server; 0 means one fewer than its cores (at least one), so requests always find a core.",
		set: func(c *Config, v string) error { return setCount(&c.BackgroundWorkers, v) }},
	{Env: "PV_FETCH_ALLOW", Default: "", Help: "Hosts and CIDRs (comma separated) that pattern stores' file URLs may reach over http and at private addresses: development and tests only, e.g. 127.0.0.1. Empty: https to public addresses only.",
		set: func(c *Config, v string) error { c.FetchAllow = strings.TrimSpace(v); return nil }},
	{Env: "PV_FETCH_MAX_MB", Default: "200", Help: "Largest set of files one store delivery may download, in megabytes.",
		set: func(c *Config, v string) error {
			var mb int
			if err := setPositiveInt(&mb, v); err != nil {
				return err
			}
			c.FetchMaxBytes = int64(mb) << 20
			return nil
		}},
	{Env: "PV_FETCH_TIMEOUT", Default: "2m", Help: "Longest one download from a pattern store may take (a slow drip is cut off).",
		set: func(c *Config, v string) error { return setDuration(&c.FetchTimeout, v) }},
	{Env: "PV_STORE_FEE_CENTS", Default: "25", Help: "What a pattern store pays per delivered design, in cents (the admin's metering CSV).",
		set: func(c *Config, v string) error {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n < 0 || n > 1_000_000 {
				return fmt.Errorf("want a whole number of cents from 0 to 1000000")
			}
			c.StoreFeeCents = n
			return nil
		}},
	{Env: "PV_STORE_FEE_CURRENCY", Default: "USD", Help: "Currency of PV_STORE_FEE_CENTS in the metering CSV.",
		set: func(c *Config, v string) error {
			c.StoreFeeCurrency = strings.ToUpper(strings.TrimSpace(v))
			return nil
		}},
}

// Load reads the configuration from the process environment.
func Load() (*Config, error) { return LoadFrom(os.LookupEnv) }

// LoadFrom reads the configuration through lookup, which behaves like
// os.LookupEnv; tests pass their own.
func LoadFrom(lookup func(string) (string, bool)) (*Config, error) {
	c := &Config{}
	for _, o := range options {
		v, err := value(o, lookup)
		if err != nil {
			return nil, err
		}
		if err := o.set(c, v); err != nil {
			return nil, fmt.Errorf("config: %s=%q: %w", o.Env, v, err)
		}
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.HTTPAddr
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return nil, fmt.Errorf("config: PV_DATA_DIR %q: %w", c.DataDir, err)
	}
	c.DataDir = abs
	return c, nil
}

// value returns the option's value: the variable, else the content of the
// file named by its _FILE variable (secrets only), else the default.
func value(o Option, lookup func(string) (string, bool)) (string, error) {
	if v, ok := lookup(o.Env); ok {
		return v, nil
	}
	if o.Secret {
		if path, ok := lookup(o.Env + "_FILE"); ok && path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("config: read %s_FILE: %w", o.Env, err)
			}
			return strings.TrimSpace(string(b)), nil
		}
	}
	return o.Default, nil
}

func setBaseURL(c *Config, v string) error {
	v = strings.TrimRight(strings.TrimSpace(v), "/")
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want an http(s) URL such as https://patterns.example.com")
	}
	c.BaseURL = v
	return nil
}

// setTrustedProxies reads a comma-separated list of IP addresses and
// CIDR ranges.
func setTrustedProxies(c *Config, v string) error {
	c.TrustedProxies = nil
	for f := range strings.SplitSeq(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return fmt.Errorf("%q is not an IP address or a range such as 10.0.0.0/8", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, p.Masked())
	}
	return nil
}

// setCount accepts a whole number of at least 0 (0 meaning automatic).
func setCount(dst *int, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return fmt.Errorf("want a whole number of at least 0")
	}
	*dst = n
	return nil
}

func setPositiveInt(dst *int, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return fmt.Errorf("want a whole number of at least 1")
	}
	*dst = n
	return nil
}

func setDuration(dst *time.Duration, v string) error {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d < time.Second {
		return fmt.Errorf("want a duration of at least 1s, such as 90s, 10m or 1h")
	}
	*dst = d
	return nil
}

func setLogFormat(c *Config, v string) error {
	switch v = strings.ToLower(strings.TrimSpace(v)); v {
	case "text", "json":
		c.LogFormat = v
		return nil
	}
	return fmt.Errorf("want text or json")
}

// setMetricsAddr accepts HOST:PORT or :PORT with a port from 1 to 65535
// (a port of 0 would pick a random one nobody could scrape).
func setMetricsAddr(c *Config, v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		c.MetricsAddr = ""
		return nil
	}
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("%q: want HOST:PORT such as 127.0.0.1:9090", v)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return fmt.Errorf("%q: the port must be a number from 1 to 65535", v)
	}
	if strings.ContainsAny(host, " /") {
		return fmt.Errorf("%q: %q is not a host name or address", v, host)
	}
	c.MetricsAddr = v
	return nil
}

func setLogLevel(c *Config, v string) error {
	switch v {
	case "debug", "info", "warn", "error":
		c.LogLevel = v
		return nil
	}
	return fmt.Errorf("want debug, info, warn or error")
}
