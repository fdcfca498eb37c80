// Package app opens PatternVault's shared resources for a subcommand: the
// embedded PostgreSQL (or the configured one), the database pool with its
// migrations checked, and the store.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/embed/voyage"
	"github.com/patternvault/patternvault/internal/health"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/metrics"
	"github.com/patternvault/patternvault/internal/pgbackrest"
	"github.com/patternvault/patternvault/internal/pgserver"
	"github.com/patternvault/patternvault/internal/search"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/storeapi"
)

// DatabaseName is the embedded cluster's database.
const DatabaseName = "patternvault"

// ErrSchemaBehind means the database needs `patternvault migrate`.
var ErrSchemaBehind = errors.New("database schema is behind this version of PatternVault: run `patternvault migrate` first")

// App holds what every subcommand needs.
type App struct {
	Config   *config.Config
	Log      *slog.Logger
	DB       *db.DB
	Store    *store.Store
	Migrator *db.Migrator
	Accounts *accounts.Service
	// Queue is the background job queue; serve starts its workers, other
	// commands only insert jobs.
	Queue *jobs.Queue
	// Blobs stores uploaded files and thumbnails.
	Blobs blob.Store
	// Library imports and serves designs.
	Library *library.Service
	// Shares runs share links.
	Shares *share.Service
	// Search answers plain-words searches.
	Search *search.Service
	// Business runs customers, quotes, jobs, invoices and the portfolio.
	Business *business.Service
	// Backup runs exports, snapshots, restores and deletions.
	Backup *backup.Service
	// Billing runs plans, entitlements and Stripe.
	Billing *billing.Service
	// Stores runs pattern stores' deliveries.
	Stores *storeapi.Service
	// Metrics records what the process does, for /metrics.
	Metrics *metrics.Metrics
	// PITR is pgBackRest's set-up for the embedded cluster (nil unless
	// PV_BACKUP_REPO is set).
	PITR *pgbackrest.Config
	pg   *pgserver.Server
	// stopWatch stops watching the embedded cluster.
	stopWatch context.CancelFunc
	// guard fronts the file store; spool keeps uploads while S3 is down
	// (nil with local files).
	guard *blob.Guard
	spool *blob.Spool
	mail  mail.Transport

	workersOn     bool
	stopEmbedding context.CancelFunc
}

// Open starts or joins the embedded cluster (when no database URL is
// configured) and connects. With the embedded default it migrates
// automatically; against an external database it refuses to run on a
// schema that is behind, unless skipCheck (used by `migrate` itself).
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger, skipCheck bool) (*App, error) {
	a := &App{Config: cfg, Log: log}
	dsn := cfg.DatabaseURL
	if cfg.Embedded() {
		opt := pgserver.Options{Logger: log}
		if cfg.BackupRepo != "" {
			var err error
			if a.PITR, err = PITRConfig(cfg); err != nil {
				return nil, err
			}
			if opt.ArchiveCommand, err = a.PITR.ArchiveCommand(); err != nil {
				return nil, err
			}
		}
		pg, err := pgserver.Start(ctx, filepath.Join(cfg.DataDir, "pg"), opt)
		if err != nil {
			return nil, err
		}
		a.pg = pg
		if a.PITR != nil {
			a.PITR.PGData, a.PITR.PGSocket = pg.DataDir(), pg.SocketDir()
			if err := a.PITR.WriteConf(); err != nil {
				a.Close()
				return nil, err
			}
			if err := pg.Own(append(a.PITR.Dirs(), a.PITR.ConfPath())...); err != nil {
				a.Close()
				return nil, err
			}
		}
		// The cluster is restarted when its postmaster dies (kill -9,
		// out of memory); /readyz says so meanwhile.
		watchCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
		a.stopWatch = stop
		go pg.Watch(watchCtx, PostgresWatchEvery)
		if err := db.EnsureDatabase(ctx, pg.DSN("postgres"), DatabaseName); err != nil {
			a.Close()
			return nil, err
		}
		dsn = pg.DSN(DatabaseName)
	}
	d, err := db.OpenWith(ctx, dsn, DBOptions(cfg))
	if err != nil {
		a.Close()
		return nil, err
	}
	a.DB = d
	a.Store = store.New(d)
	a.Migrator = db.NewMigrator(d, cfg.MigrateWorkers, log)
	if err := a.checkSchema(ctx, skipCheck); err != nil {
		a.Close()
		return nil, err
	}
	transport, err := mail.NewTransport(cfg.SMTPURL, cfg.MailFrom, cfg.DataDir, log)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Metrics = metrics.New(d.Pool)
	a.Metrics.RegisterCluster(d, health.ServerName(cfg.HTTPAddr))
	a.Metrics.RegisterQueue(d, jobs.DefaultDeadAfter)
	if err := a.openBlobs(ctx); err != nil {
		a.Close()
		return nil, err
	}
	a.mail = transport
	limits := ingest.DefaultLimits()
	limits.MaxUploadSize = cfg.MaxUploadBytes
	a.Library = &library.Service{Store: a.Store, Blobs: a.Blobs, Limits: limits, Log: log,
		ImportMemory: cfg.ImportMemoryBytes, Workers: cfg.ImportWorkers, TempDir: filepath.Join(cfg.DataDir, "tmp")}
	policy, err := BackupPolicy(cfg)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Backup = &backup.Service{Store: a.Store, Blobs: a.Blobs, Library: a.Library, BaseURL: cfg.BaseURL, Log: log,
		Policy: policy, Generator: "PatternVault " + Version()}
	// The accounts service's worker is registered before the queue
	// exists; the service gets its mailer and queue below.
	a.Accounts = accounts.New(a.Store, nil, cfg.BaseURL)
	workers := river.NewWorkers()
	river.AddWorker(workers, mail.NewWorker(d.Pool, transport, log))
	river.AddWorker(workers, a.Accounts.Worker())
	a.Backup.AddWorkers(workers)
	river.AddWorker(workers, a.Library.Worker())
	river.AddWorker(workers, a.Library.DuplicatesWorker())
	allow, err := storeapi.ParseAllowlist(cfg.FetchAllow)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Stores = &storeapi.Service{Store: a.Store, Library: a.Library, Blobs: a.Blobs, Log: log, BaseURL: cfg.BaseURL,
		Fetcher:  storeapi.NewFetcher(allow, storeapi.FetchLimits{MaxBytes: cfg.FetchMaxBytes, Timeout: cfg.FetchTimeout}),
		FeeCents: cfg.StoreFeeCents, Currency: cfg.StoreFeeCurrency}
	a.Stores.AddWorkers(workers)
	river.AddWorker(workers, a.Library.DuplicateSweepWorker())
	river.AddWorker(workers, a.Library.OrphanSweepWorker())
	a.Billing = billing.New(a.Store, nil, cfg.Billing, cfg.BaseURL, log) // its mailer once the queue is there
	a.Billing.Staged, a.Billing.RemoteModel = a.Library, cfg.VoyageAPIKey != ""
	a.Library.Quotas = a.Billing
	river.AddWorker(workers, a.Billing.Worker())
	if a.Queue, err = jobs.New(d.Pool, jobs.Config{Workers: workers, Logger: log, PollOnly: d.Pooled,
		Queues: jobs.DefaultQueues(cfg.BackgroundWorkers), Periodic: []*river.PeriodicJob{library.DuplicateSweep(), library.OrphanSweep(), a.Billing.Periodic()},
		Middleware: []rivertype.Middleware{&outageMiddleware{log: log}}}); err != nil {
		a.Close()
		return nil, err
	}
	a.Library.Queue = a.Queue
	a.Backup.Queue = a.Queue
	a.Library.StorageDown = a.guard.Open
	a.Stores.Queue = a.Queue
	a.Library.Metrics = a.Metrics
	mailer := mail.NewQueue(d.Pool, a.Queue)
	a.Billing.Mail = mailer
	a.Shares = share.New(a.Store, mailer, cfg.BaseURL)
	a.Shares.Quota = a.Billing
	a.Shares.Metrics = a.Metrics
	a.Search = search.New(a.Store)
	a.Search.Metrics = a.Metrics
	a.Search.Quota = a.Billing
	if a.Search.Semantic, err = a.semantic(cfg, log); err != nil {
		a.Close()
		return nil, err
	}
	a.Search.Semantic.OnChange = a.Search.WordsChanged
	a.Accounts.Mailer, a.Accounts.Queue = mailer, a.Queue
	a.Business = business.New(a.Store, a.Blobs, mailer, cfg.BaseURL)
	a.Business.Entitled = businessEntitled(a.Billing)
	a.Backup.Mail = mailer
	if a.PITR != nil {
		a.Backup.Platform = a.platformBackupDue
	}
	a.Accounts.Quota = a.Billing
	return a, nil
}

// BackupPolicy reads when snapshots are taken, how many are kept and how
// often they are checked from cfg.
func BackupPolicy(cfg *config.Config) (backup.Policy, error) {
	p := backup.DefaultPolicy()
	if err := backup.ParseSchedule(&p, cfg.BackupSchedule); err != nil {
		return p, fmt.Errorf("config: PV_BACKUP_SCHEDULE=%q: %w", cfg.BackupSchedule, err)
	}
	if err := backup.ParseRetention(&p, cfg.BackupKeep); err != nil {
		return p, fmt.Errorf("config: PV_BACKUP_KEEP=%q: %w", cfg.BackupKeep, err)
	}
	p.CheckEvery = cfg.BackupCheckEvery
	return p, nil
}

// PITRConfig is pgBackRest's set-up for the embedded cluster under cfg's
// data directory, with the repository PV_BACKUP_REPO names: a full backup
// weekly, an incremental one nightly.
func PITRConfig(cfg *config.Config) (*pgbackrest.Config, error) {
	repo, err := pgbackrest.ParseRepo(cfg.BackupRepo)
	if err != nil {
		return nil, fmt.Errorf("config: PV_BACKUP_REPO: %w", err)
	}
	return &pgbackrest.Config{Repo: repo, Home: filepath.Join(cfg.DataDir, "pgbackrest"),
		FullEvery: 7 * 24 * time.Hour, IncrEvery: 24 * time.Hour}, nil
}

// PlatformBackup takes a pgBackRest backup of the embedded cluster now
// (kind pgbackrest.Full, Diff or Incr), creating the stanza first when
// needed.
func (a *App) PlatformBackup(ctx context.Context, kind string) error {
	if a.PITR == nil {
		return errors.New("app: platform backups are off: set PV_BACKUP_REPO (embedded PostgreSQL only; see docs/backups.md for an external one)")
	}
	if err := a.PITR.Setup(ctx, a.pg.Exec); err != nil {
		return err
	}
	return a.PITR.Backup(ctx, a.pg.Exec, kind)
}

// RestorePlatform puts the embedded cluster back as it was at target (a
// time; "" replays everything archived) from pgBackRest's repository:
// no other PatternVault process may use it; its current data directory
// is moved aside and kept, and the cluster is started and recovered
// before RestorePlatform returns. It returns where the old data is.
func RestorePlatform(ctx context.Context, cfg *config.Config, log *slog.Logger, target string) (string, error) {
	if !cfg.Embedded() || cfg.BackupRepo == "" {
		return "", errors.New("app: platform restores work on the embedded PostgreSQL with PV_BACKUP_REPO set; see docs/backups.md for an external one")
	}
	pc, err := PITRConfig(cfg)
	if err != nil {
		return "", err
	}
	cmd, err := pc.ArchiveCommand()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cfg.DataDir, "pg")
	opt := pgserver.Options{Logger: log, ArchiveCommand: cmd}
	aside, err := pgserver.ReplaceData(ctx, dir, opt, time.Now().UTC().Format("20060102T150405Z"), func(s *pgserver.Server) error {
		pc.PGData, pc.PGSocket = s.DataDir(), s.SocketDir()
		if err := pc.WriteConf(); err != nil {
			return err
		}
		if err := s.Own(append(pc.Dirs(), pc.ConfPath())...); err != nil {
			return err
		}
		_, err := pc.Run(ctx, s.Exec, "restore", pgbackrest.RestoreArgs(target)...)
		return err
	})
	if err != nil {
		return aside, err
	}
	pg, err := pgserver.Start(ctx, dir, opt)
	if err != nil {
		return aside, fmt.Errorf("app: start the restored cluster: %w", err)
	}
	defer pg.Close()
	d, err := db.OpenDatabase(ctx, pg.DSN("postgres"), "")
	if err != nil {
		return aside, err
	}
	defer d.Close()
	for {
		recovering, err := d.InRecovery(ctx)
		if err != nil {
			return aside, fmt.Errorf("app: restored cluster: %w", err)
		}
		if !recovering {
			return aside, nil
		}
		select {
		case <-ctx.Done():
			return aside, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// PlatformBackups lists pgBackRest's backups of the embedded cluster.
func (a *App) PlatformBackups(ctx context.Context) ([]pgbackrest.BackupInfo, error) {
	if a.PITR == nil {
		return nil, errors.New("app: platform backups are off: set PV_BACKUP_REPO")
	}
	return a.PITR.Info(ctx, a.pg.Exec)
}

// platformBackupDue takes the pgBackRest backup that is due, if any (the
// backup tick calls it).
func (a *App) platformBackupDue(ctx context.Context) error {
	if err := a.PITR.Setup(ctx, a.pg.Exec); err != nil {
		return err
	}
	list, err := a.PITR.Info(ctx, a.pg.Exec)
	if err != nil {
		return err
	}
	if kind := a.PITR.Due(list, time.Now()); kind != "" {
		a.Log.Info("app: platform backup", "type", kind)
		return a.PITR.Backup(ctx, a.pg.Exec, kind)
	}
	return nil
}

// DBOptions are the database pools' settings from cfg.
func DBOptions(cfg *config.Config) db.Options {
	return db.Options{
		ReplicaURL:      cfg.DatabaseReplicaURL,
		SessionURL:      cfg.DatabaseSessionURL,
		ExecMode:        cfg.DatabaseExecMode,
		MaxConns:        int32(cfg.DatabaseMaxConns),
		MaxConnLifetime: cfg.DatabaseMaxConnLifetime,
		MaxConnIdleTime: cfg.DatabaseMaxConnIdle,
	}
}

// checkSchema migrates the embedded database, or refuses an external one
// that is behind (unless skip, for `migrate` itself).
func (a *App) checkSchema(ctx context.Context, skip bool) error {
	if skip {
		return nil
	}
	if a.Config.Embedded() {
		_, err := a.Migrate(ctx)
		return err
	}
	behind, err := a.Migrator.Status(ctx)
	if err != nil {
		return err
	}
	jobsBehind, msgs, err := jobs.Behind(ctx, a.DB.Session)
	if err != nil {
		return err
	}
	if jobsBehind {
		behind = append(behind, msgs...)
	}
	if len(behind) > 0 {
		return fmt.Errorf("%w (behind: %s)", ErrSchemaBehind, strings.Join(first(behind, 5), ", "))
	}
	return nil
}

// Migrate brings the platform schema, every tenant schema and the job
// queue's tables up to date.
func (a *App) Migrate(ctx context.Context) (db.Result, error) {
	res, err := a.Migrator.Run(ctx)
	if err != nil {
		return res, err
	}
	return res, jobs.Migrate(ctx, a.DB.Session)
}

// StartWorkers starts this process's job workers (once); Close stops them.
func (a *App) StartWorkers(ctx context.Context) error {
	if a.workersOn {
		return nil
	}
	if _, err := a.Queue.Client.PeriodicJobs().AddSafely(a.Backup.Periodic()); err != nil {
		return fmt.Errorf("app: schedule backups: %w", err)
	}
	embedCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.observeJobs(embedCtx)
	if err := a.Queue.Start(ctx); err != nil {
		stop()
		return err
	}
	a.stopEmbedding = stop
	go a.Search.Semantic.Run(embedCtx)
	go a.heartbeat(embedCtx)
	if a.spool != nil {
		go a.spool.Run(embedCtx)
	}
	a.workersOn = true
	return nil
}

// PostgresWatchEvery is how often the embedded cluster's postmaster is
// looked at: a dead one is restarted within about this time.
const PostgresWatchEvery = time.Second

// HeartbeatEvery is how often a serving app server reports itself (and its
// pools) in platform.app_servers, for the Health page.
const HeartbeatEvery = 10 * time.Second

func (a *App) heartbeat(ctx context.Context) {
	name, version, started := health.ServerName(a.Config.HTTPAddr), Version(), time.Now()
	a.DB.BaseURL = a.Config.BaseURL
	for {
		if err := a.DB.Beat(ctx, name, version, started); err != nil && ctx.Err() == nil {
			a.Log.Warn("app: heartbeat", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(HeartbeatEvery):
		}
	}
}

// semantic builds the vector side of search: Voyage AI's multimodal
// model (on thumbnails and words) when a key is set, else the local
// concepts.
func (a *App) semantic(cfg *config.Config, log *slog.Logger) (*search.Semantic, error) {
	if cfg.VoyageAPIKey == "" {
		return search.NewSemantic(a.Store, search.LocalProvider(), cfg.VectorMemoryBytes, log), nil
	}
	p, err := voyage.New(cfg.VoyageAPIKey)
	if err != nil {
		return nil, fmt.Errorf("app: voyage: %w", err)
	}
	sem := search.NewSemantic(a.Store, p, cfg.VectorMemoryBytes, log)
	sem.Images = func(ctx context.Context, tenantID, patternID int64) ([]byte, error) {
		rc, _, err := a.Library.Thumbnail(ctx, tenantID, patternID, library.ThumbGrid)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}
	return sem, nil
}

// Close disconnects and releases the embedded cluster (stopping it when no
// other PatternVault process uses it).
func (a *App) Close() error {
	if a.workersOn {
		a.stopEmbedding()
		a.Queue.Stop(context.Background())
		a.workersOn = false
	}
	if a.DB != nil {
		a.DB.Close()
	}
	if a.pg != nil {
		a.stopWatch()
		return a.pg.Close()
	}
	return nil
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}

// SignInURLs are the sign-in pages people reach: those of the app servers
// that reported themselves in the last minute (they know the address they
// serve, which a command run in another shell, without the server's
// settings, may not), else the one this configuration gives (running is
// then false).
func (a *App) SignInURLs(ctx context.Context) (urls []string, running bool) {
	servers, err := a.DB.AppServers(ctx)
	if err != nil {
		a.Log.Warn("app: list app servers", "err", err)
	}
	seen := map[string]bool{}
	for _, s := range servers {
		if s.BaseURL != "" && time.Since(s.SeenAt) < time.Minute && !seen[s.BaseURL] {
			seen[s.BaseURL] = true
			urls = append(urls, s.BaseURL+"/signin")
		}
	}
	if len(urls) == 0 {
		return []string{a.Config.BaseURL + "/signin"}, false
	}
	return urls, true
}

// businessEntitled checks the business's features (business.Feature*,
// named as billing names them) against the workspace's plan.
func businessEntitled(b *billing.Service) func(ctx context.Context, tenantID int64, feature string) error {
	return func(ctx context.Context, tenantID int64, feature string) error {
		return b.Feature(ctx, tenantID, billing.Feature(feature))
	}
}
