package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/patternvault/patternvault/internal/app"
	"github.com/patternvault/patternvault/internal/storeapi"
)

const storeUsage = `usage: patternvault store create --name N [--website URL] [--contact C] [--allow-host H]... [--redirect-uri URI]... [--rate N] [--json]`

// multiFlag collects a flag given several times (or comma separated).
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error {
	*m = append(*m, v)
	return nil
}

func runStore(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError(storeUsage)
	}
	fs := flag.NewFlagSet("store create", flag.ContinueOnError)
	name := fs.String("name", "", "the store's name, e.g. \"Quilt Store X\"")
	website := fs.String("website", "", "the store's website")
	contact := fs.String("contact", "", "who to talk to at the store")
	rate := fs.Int("rate", storeapi.DefaultKeyRate, "requests a minute for the key")
	asJSON := fs.Bool("json", false, "print the store, key and secret as JSON")
	var hosts, redirects multiFlag
	fs.Var(&hosts, "allow-host", "a host its file URLs may name (repeat, or comma separated)")
	fs.Var(&redirects, "redirect-uri", "where the consent page may return quilters (repeat)")
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *name == "" {
		return usageError(storeUsage)
	}
	a, err := app.Open(ctx, e.cfg, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	c, err := a.Stores.CreateStore(ctx, storeapi.NewStore{Name: *name, Website: *website, Contact: *contact,
		AllowedHosts: hosts, RedirectURIs: redirects, RatePerMinute: *rate})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(map[string]any{"id": c.Store.ID, "name": c.Store.Name, "client_id": storeapi.ClientID(c.Store.ID),
			"key": c.Key, "signing_secret": c.SigningSecret, "allowed_hosts": c.Store.AllowedHosts, "redirect_uris": c.Store.RedirectURIs})
	}
	fmt.Fprintf(e.stdout, "created store %s (id %d, OAuth client id %s)\n", c.Store.Name, c.Store.ID, storeapi.ClientID(c.Store.ID))
	fmt.Fprintf(e.stdout, "store key (shown once): %s\n", c.Key)
	fmt.Fprintf(e.stdout, "callback signing secret (shown once): %s\n", c.SigningSecret)
	return nil
}
