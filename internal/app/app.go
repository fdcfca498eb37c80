// Package app opens PatternVault's shared resources for a subcommand: the
// embedded PostgreSQL (or the configured one), the database pool with its
// migrations checked, and the store.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/pgserver"
	"github.com/patternvault/patternvault/internal/store"
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
	pg       *pgserver.Server
}

// Open starts or joins the embedded cluster (when no database URL is
// configured) and connects. With the embedded default it migrates
// automatically; against an external database it refuses to run on a
// schema that is behind, unless skipCheck (used by `migrate` itself).
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger, skipCheck bool) (*App, error) {
	a := &App{Config: cfg, Log: log}
	dsn := cfg.DatabaseURL
	if cfg.Embedded() {
		pg, err := pgserver.Start(ctx, filepath.Join(cfg.DataDir, "pg"), pgserver.Options{Logger: log})
		if err != nil {
			return nil, err
		}
		a.pg = pg
		if err := db.EnsureDatabase(ctx, pg.DSN("postgres"), DatabaseName); err != nil {
			a.Close()
			return nil, err
		}
		dsn = pg.DSN(DatabaseName)
	}
	d, err := db.Open(ctx, dsn)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.DB = d
	a.Store = store.New(d)
	a.Migrator = db.NewMigrator(d, cfg.MigrateWorkers, log)
	a.Accounts = accounts.New(a.Store, logMailer{log}, cfg.BaseURL)
	if skipCheck {
		return a, nil
	}
	if cfg.Embedded() {
		if _, err := a.Migrator.Run(ctx); err != nil {
			a.Close()
			return nil, err
		}
		return a, nil
	}
	behind, err := a.Migrator.Status(ctx)
	if err != nil {
		a.Close()
		return nil, err
	}
	if len(behind) > 0 {
		a.Close()
		return nil, fmt.Errorf("%w (behind: %s)", ErrSchemaBehind, strings.Join(first(behind, 5), ", "))
	}
	return a, nil
}

// Close disconnects and releases the embedded cluster (stopping it when no
// other PatternVault process uses it).
func (a *App) Close() error {
	if a.DB != nil {
		a.DB.Close()
	}
	if a.pg != nil {
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

// logMailer writes each email's link to the log.
type logMailer struct{ log *slog.Logger }

func (m logMailer) Send(ctx context.Context, e accounts.Email) error {
	m.log.Info("mail", "kind", e.Kind, "to", e.To, "link", e.Link)
	return nil
}
