package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/patternvault/patternvault/internal/app"
	"github.com/patternvault/patternvault/internal/auth/google"
	"github.com/patternvault/patternvault/internal/web"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", e.cfg.HTTPAddr, "listen address (overrides PV_HTTP_ADDR)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	e.cfg.HTTPAddr = *addr
	a, err := app.Open(ctx, e.cfg, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	deps := web.Deps{Config: e.cfg, Log: e.log, Store: a.Store, Migrator: a.Migrator, Accounts: a.Accounts, Library: a.Library, Shares: a.Shares, Search: a.Search, Business: a.Business, Metrics: a.Metrics}
	gcfg := google.Config{ClientID: e.cfg.GoogleClientID, ClientSecret: e.cfg.GoogleClientSecret, RedirectURL: e.cfg.BaseURL + "/auth/google/callback"}
	if google.Enabled(gcfg) {
		if deps.Google, err = google.New(ctx, gcfg); err != nil {
			return err
		}
	}
	srv, err := web.New(deps)
	if err != nil {
		return err
	}
	if err := a.StartWorkers(ctx); err != nil {
		return err
	}
	if e.cfg.MetricsAddr != "" {
		go func() {
			ms := &http.Server{Addr: e.cfg.MetricsAddr, Handler: a.Metrics.Handler(), ReadHeaderTimeout: 5 * time.Second}
			go func() { <-ctx.Done(); ms.Close() }()
			e.log.Info("metrics", "addr", e.cfg.MetricsAddr)
			if err := ms.ListenAndServe(); err != nil && err != http.ErrServerClosed {
				e.log.Error("metrics server", "err", err)
			}
		}()
	}
	return srv.ListenAndServe(ctx)
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	a, err := app.Open(ctx, e.cfg, e.log, true)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w (fix the cause and run migrate again: finished tenants are kept)", err)
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(map[string]any{
			"platform_applied": res.PlatformApplied, "tenants_checked": res.TenantsChecked,
			"tenants_migrated": res.TenantsMigrated, "seconds": res.Took.Seconds()})
	}
	fmt.Fprintf(e.stdout, "platform: %d migrations applied; tenants: %d checked, %d migrated; took %s\n",
		res.PlatformApplied, res.TenantsChecked, res.TenantsMigrated, res.Took.Round(1e6))
	return nil
}

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func runVersion(ctx context.Context, e *env, args []string) error {
	v := version
	if v == "" {
		v = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					v = "dev-" + s.Value[:12]
				}
			}
		}
	}
	fmt.Fprintln(e.stdout, "patternvault", v)
	return nil
}
