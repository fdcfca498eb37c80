package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/patternvault/patternvault/internal/app"
	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

const tenantUsage = "usage: patternvault tenant create --slug S --name N | list [--json] | suspend S | resume S | plan S PLAN [--comp] [--trial-days N] [--founding=true|false] [--monthly]"

func runTenant(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageError(tenantUsage)
	}
	switch args[0] {
	case "create":
		return runTenantCreate(ctx, e, args[1:])
	case "list":
		return runTenantList(ctx, e, args[1:])
	case "suspend":
		return runTenantStatus(ctx, e, args[1:], store.TenantSuspended)
	case "resume":
		return runTenantStatus(ctx, e, args[1:], store.TenantActive)
	case "plan":
		return runTenantPlan(ctx, e, args[1:])
	}
	return usageError(tenantUsage)
}

func runTenantCreate(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("tenant create", flag.ContinueOnError)
	slug := fs.String("slug", "", "workspace address, e.g. pams-quilts")
	name := fs.String("name", "", "workspace name, e.g. \"Pam's Quilts\"")
	asJSON := fs.Bool("json", false, "print the tenant as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *slug == "" || *name == "" {
		return usageError(tenantUsage)
	}
	a, err := app.Open(ctx, e.cfg, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := tenant.Create(ctx, a.Store, *slug, *name)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(t)
	}
	fmt.Fprintf(e.stdout, "created workspace %s (%s) at /t/%s/\n", t.Slug, t.Name, t.Slug)
	return nil
}

func runTenantList(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("tenant list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print a JSON array")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	a, err := app.Open(ctx, e.cfg, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	ts, err := a.Store.Tenants(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if ts == nil {
			ts = []*store.Tenant{}
		}
		return json.NewEncoder(e.stdout).Encode(ts)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tPLAN\tSTATUS\tCREATED")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Slug, t.Name, t.Plan, t.Status, t.CreatedAt.Format("2006-01-02"))
	}
	return tw.Flush()
}

func runTenantStatus(ctx context.Context, e *env, args []string, status string) error {
	if len(args) != 1 {
		return usageError(tenantUsage)
	}
	a, err := app.Open(ctx, e.cfg, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.Store.TenantBySlug(ctx, args[0])
	if err != nil {
		return err
	}
	if err := a.Store.SetTenantStatus(ctx, t.ID, status); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "workspace %s is now %s\n", t.Slug, status)
	return nil
}

// runTenantPlan sets a workspace's plan by hand (manual billing), as the
// platform admin's billing page does: audited, refused while the
// workspace holds more than the plan allows.
func runTenantPlan(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("tenant plan", flag.ContinueOnError)
	comp := fs.Bool("comp", false, "free of charge (comped) instead of paying by arrangement")
	trial := fs.Int("trial-days", 0, "extend the trial by this many days instead")
	founding := fs.String("founding", "", "true or false: give or take the founding member's price")
	monthly := fs.Bool("monthly", false, "billed monthly (the default is yearly)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageError(tenantUsage)
	}
	c := billing.AdminChange{Plan: pos[1], TrialDays: *trial}
	if *comp {
		c.Status = store.SubComped
	}
	if *monthly {
		c.Interval = "month"
	}
	if *founding != "" {
		f, err := strconv.ParseBool(*founding)
		if err != nil {
			return usageError("tenant plan: --founding is true or false")
		}
		c.Founding = &f
	}
	a, err := app.Open(ctx, e.cfg, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.Store.TenantBySlug(ctx, pos[0])
	if err != nil {
		return err
	}
	acct, err := a.Billing.AdminChangePlan(ctx, t.ID, c, nil, "command line")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "workspace %s is on the %s plan (%s)\n", t.Slug, acct.Plan.Name, acct.Status)
	return nil
}
