package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/patternvault/patternvault/internal/app"
	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/store"
)

const userUsage = "usage: patternvault user create --email E --password P [--name N] [--tenant S --role owner|editor|viewer]"

func runUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError(userUsage)
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	email := fs.String("email", "", "email address")
	password := fs.String("password", "", "password (at least 10 characters)")
	name := fs.String("name", "", "display name (default: the part of the email before @)")
	slug := fs.String("tenant", "", "workspace to join")
	role := fs.String("role", store.RoleOwner, "role in the workspace")
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" || *password == "" {
		return usageError(userUsage)
	}
	a, err := app.Open(ctx, e.cfg, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Accounts.CreateVerifiedUser(ctx, *email, *name, *password)
	if err != nil {
		return err
	}
	if *slug != "" {
		if err := joinTenant(ctx, a, u, *slug, *role); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "created user %s (id %d)\n", u.Email, u.ID)
	return nil
}

func joinTenant(ctx context.Context, a *app.App, u *store.User, slug, role string) error {
	if !store.ValidRole(role) {
		return usageError("--role must be owner, editor or viewer")
	}
	t, err := a.Store.TenantBySlug(ctx, slug)
	if err != nil {
		return err
	}
	return a.Store.AddMember(ctx, t.ID, u.ID, role)
}

const tokenUsage = "usage: patternvault token create --tenant S --email E [--name N]"

func runToken(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError(tokenUsage)
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	slug := fs.String("tenant", "", "workspace the token is for")
	email := fs.String("email", "", "user the token acts as")
	name := fs.String("name", "CLI token", "a name to recognise the token by")
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *slug == "" || *email == "" {
		return usageError(tokenUsage)
	}
	a, err := app.Open(ctx, e.cfg, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Store.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	t, err := a.Store.TenantBySlug(ctx, *slug)
	if err != nil {
		return err
	}
	token, _, err := a.Accounts.CreateAPIToken(ctx, u, t, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, token)
	return nil
}

const adminUsage = "usage: patternvault admin create --email E"

// runAdmin makes (or promotes) a platform admin and prints a one-time
// password: it signs in once, and then the admin must choose her own.
func runAdmin(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError(adminUsage)
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	email := fs.String("email", "", "admin's email address")
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return usageError(adminUsage)
	}
	a, err := app.Open(ctx, e.cfg, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Store.UserByEmail(ctx, *email)
	if errors.Is(err, store.ErrNotFound) {
		// A placeholder password, replaced at once by the one-time one.
		u, err = a.Accounts.CreateVerifiedUser(ctx, *email, "", auth.NewToken(""))
	}
	if err != nil {
		return err
	}
	password, err := a.Accounts.MakeOneTimePassword(ctx, u)
	if err != nil {
		return err
	}
	if err := a.Store.SetPlatformAdmin(ctx, u.ID, true); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "platform admin: %s\none-time password: %s\n", u.Email, password)
	urls, running := a.SignInURLs(ctx)
	if running {
		fmt.Fprintf(e.stdout, "sign in at %s with it once, then choose your own password.\n", strings.Join(urls, " or "))
	} else {
		fmt.Fprintf(e.stdout, "start the server (patternvault serve), then sign in at %s with it once and choose your own password.\n", urls[0])
	}
	return nil
}
