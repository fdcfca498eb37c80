package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
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
	// Listen for /metrics before anything starts, so that an address that
	// cannot be used stops start-up with the reason, like any bad setting.
	var metricsLn net.Listener
	if e.cfg.MetricsAddr != "" {
		ln, err := net.Listen("tcp", e.cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("serve: PV_METRICS_ADDR=%s: cannot listen there: %w", e.cfg.MetricsAddr, err)
		}
		metricsLn = ln
		defer ln.Close()
	}
	a, err := app.Open(ctx, e.cfg, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	deps := web.Deps{Config: e.cfg, Log: e.log, Store: a.Store, Migrator: a.Migrator, Accounts: a.Accounts, Library: a.Library, Shares: a.Shares, Search: a.Search, Backup: a.Backup, Stores: a.Stores, Business: a.Business, Billing: a.Billing, Metrics: a.Metrics, Checks: a.Checks()}
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
	if metricsLn != nil {
		ms := &http.Server{Handler: a.Metrics.Handler(), ReadHeaderTimeout: 5 * time.Second}
		go func() { <-ctx.Done(); ms.Close() }()
		e.log.Info("metrics", "addr", metricsLn.Addr().String())
		go func() {
			if err := ms.Serve(metricsLn); err != nil && err != http.ErrServerClosed {
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

func runVersion(ctx context.Context, e *env, args []string) error {
	fmt.Fprintln(e.stdout, "patternvault", app.ReadBuild())
	return nil
}
