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
	"github.com/patternvault/patternvault/internal/limits"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

const tenantUsage = "usage: patternvault tenant create --slug S --name N | list [--json] | suspend S | resume S | limits S [WHAT VALUE|default] | plan S PLAN [--comp] [--trial-days N] [--founding=true|false] [--monthly]"

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
	case "limits":
		return runTenantLimits(ctx, e, args[1:])
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

// runTenantLimits shows a workspace's limits and what it uses of each, or
// sets one ("tenant limits acme bytes 20GB"; "default" returns to the
// default).
func runTenantLimits(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 && len(args) != 3 {
		return usageError(tenantUsage)
	}
	var what limits.What
	var value int64 = -1
	if len(args) == 3 {
		var ok bool
		if what, ok = limits.Parse(args[1]); !ok {
			return usageError(fmt.Sprintf("no limit %q: use one of %v", args[1], limits.All))
		}
		if args[2] != "default" {
			var err error
			if value, err = limits.ParseValue(what, args[2]); err != nil {
				return usageError(err.Error())
			}
		}
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
	if what != "" {
		if err := a.Store.SetTenantLimit(ctx, t.ID, string(what), value); err != nil {
			return err
		}
	}
	set, err := a.Library.Quotas.Limits(ctx, t.ID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LIMIT\tVALUE\tUSED")
	for _, w := range limits.All {
		var used int64
		err := a.Store.ReadTenant(ctx, t.ID, func(tx *store.TenantTx) error {
			var err error
			used, err = tx.Usage(ctx, string(w))
			return err
		})
		if err != nil {
			return err
		}
		v, u := fmt.Sprint(set[w]), fmt.Sprint(used)
		if w == limits.Bytes {
			v, u = limits.HumanBytes(set[w]), limits.HumanBytes(used)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", w, v, u)
	}
	return tw.Flush()
}
