// Package testrig is PatternVault's one test rig (after GoToSocial's
// testrig): the services of a running PatternVault, wired as `patternvault
// serve` wires them, over a real PostgreSQL database of the test's own
// (internal/testdb) and blob storage in a temporary folder. Tests and
// benchmarks of every package build it the same way, through testing.TB,
// so a benchmark whose set-up fails stops with the reason, and everything
// is cleaned up when it ends.
//
//	r := testrig.New(t, testrig.Options{})
//	acme := r.Tenant(t, "acme")
//	p := r.Pattern(t, acme, "Feather border", "feather")
//
// By default the job queue only takes jobs (tests run an import with
// Library.Process themselves) and mail is recorded in r.Mail. A live rig
// (Options.Live) runs the queue's workers, as a server does, and sends
// mail through the real outbox into r.MailDir.
//
// Use testrig.Main from TestMain so that the test cluster stops at the end.
package testrig

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/search"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/storeapi"
	"github.com/patternvault/patternvault/internal/testdb"
)

// Main runs a package's tests and then stops the test cluster: use it as
// func TestMain(m *testing.M) { os.Exit(testrig.Main(m)) }.
func Main(m *testing.M) int { return testdb.Main(m) }

// Options change what New builds.
type Options struct {
	// BaseURL is the public address in links (mail, share links);
	// default "http://pv.test".
	BaseURL string
	// Live runs the job queue's workers (imports, duplicates, mail) and
	// sends mail through the outbox table into MailDir, as a server does.
	Live bool
	// Billing, when set, changes billing's configuration (the defaults of
	// internal/config: manual mode, the usual plans) before it is built.
	Billing func(*config.Billing)
	// FetchAllow is PV_FETCH_ALLOW for the stores' fetcher ("" allows
	// public https only, as in production).
	FetchAllow string
	// Fetch bounds the stores' downloads (zero: the defaults).
	Fetch storeapi.FetchLimits
}

// Rig is one PatternVault's services over a database of the test's own.
type Rig struct {
	DB    *db.DB
	Store *store.Store
	Blobs blob.Store
	// BlobDir is the folder of Blobs.
	BlobDir  string
	Queue    *jobs.Queue
	Library  *library.Service
	Accounts *accounts.Service
	Shares   *share.Service
	Search   *search.Service
	// Business runs customers, quotes, jobs, invoices and the portfolio.
	Business *business.Service
	// Backup runs exports, snapshots and restores (in the foreground;
	// a live rig's queue also runs its jobs).
	Backup *backup.Service
	// Billing holds the plans; every service checks its limits with it.
	Billing *billing.Service
	// Stores runs pattern stores' deliveries (its jobs run in a live rig).
	Stores  *storeapi.Service
	Log     *slog.Logger
	BaseURL string
	// Mail records the mail the services send (not in a live rig).
	Mail *Outbox
	// MailDir is where a live rig's mail worker delivers mail (.eml).
	MailDir string
}

// New builds a rig; it fails tb when any part cannot be set up.
func New(tb testing.TB, o Options) *Rig {
	tb.Helper()
	ctx := context.Background()
	if o.BaseURL == "" {
		o.BaseURL = "http://pv.test"
	}
	d := testdb.New(tb)
	r := &Rig{DB: d, Store: store.New(d), Log: slog.New(slog.DiscardHandler), BaseURL: o.BaseURL, BlobDir: tb.TempDir()}
	if err := jobs.Migrate(ctx, d.Pool); err != nil {
		tb.Fatalf("testrig: migrate the job queue: %v", err)
	}
	var err error
	if r.Blobs, err = blob.Open(ctx, "", r.BlobDir); err != nil {
		tb.Fatalf("testrig: blob storage: %v", err)
	}
	r.Library = &library.Service{Store: r.Store, Blobs: r.Blobs, Limits: ingest.DefaultLimits(), Log: r.Log}
	r.Backup = &backup.Service{Store: r.Store, Blobs: r.Blobs, Library: r.Library, BaseURL: o.BaseURL, Log: r.Log, Policy: backup.DefaultPolicy()}
	allow, err := storeapi.ParseAllowlist(o.FetchAllow)
	if err != nil {
		tb.Fatalf("testrig: %v", err)
	}
	r.Stores = &storeapi.Service{Store: r.Store, Library: r.Library, Blobs: r.Blobs, Log: r.Log, BaseURL: o.BaseURL,
		Fetcher: storeapi.NewFetcher(allow, o.Fetch), FeeCents: 25, Currency: "USD",
		RetryDelays: []time.Duration{200 * time.Millisecond, 400 * time.Millisecond}, LandPoll: 100 * time.Millisecond}
	cfg := jobs.Config{}
	var sender mail.Sender
	r.Accounts = accounts.New(r.Store, nil, o.BaseURL)
	if o.Live {
		r.MailDir = tb.TempDir()
		transport, err := mail.NewDirTransport(r.MailDir, "PatternVault <no-reply@localhost>", r.Log)
		if err != nil {
			tb.Fatalf("testrig: mail transport: %v", err)
		}
		workers := river.NewWorkers()
		river.AddWorker(workers, r.Library.Worker())
		river.AddWorker(workers, r.Library.DuplicatesWorker())
		river.AddWorker(workers, mail.NewWorker(d.Pool, transport, r.Log))
		r.Stores.AddWorkers(workers)
		river.AddWorker(workers, r.Accounts.Worker())
		r.Backup.AddWorkers(workers)
		cfg = jobs.Config{Workers: workers, Logger: r.Log, PollInterval: 100 * time.Millisecond, TestOnly: true,
			Queues: map[string]int{jobs.QueueDefault: 2, jobs.QueueMail: 1, jobs.QueueImports: 1, jobs.QueueBackground: 1}}
	}
	if r.Queue, err = jobs.New(d.Pool, cfg); err != nil {
		tb.Fatalf("testrig: job queue: %v", err)
	}
	r.Library.Queue = r.Queue
	r.Stores.Queue = r.Queue
	if o.Live {
		sender = mail.NewQueue(d.Pool, r.Queue)
		if err := r.Queue.Start(ctx); err != nil {
			tb.Fatalf("testrig: start the workers: %v", err)
		}
		// Stop the workers before the database goes (cleanups run last first).
		tb.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			r.Queue.Stop(sctx)
		})
	} else {
		r.Mail = &Outbox{}
		sender = r.Mail
	}
	r.Accounts.Mailer = sender
	if o.Live {
		r.Accounts.Queue = r.Queue // link requests run as jobs, as in a server
	}
	r.Shares = share.New(r.Store, sender, o.BaseURL)
	r.Business = business.New(r.Store, r.Blobs, sender, o.BaseURL)
	// Search ranks by words and by the built-in local vectors, as the
	// server does; tests embed with Semantic.EmbedTenant when they need
	// vectors.
	r.Search = search.New(r.Store)
	r.Search.Semantic = search.NewSemantic(r.Store, search.LocalProvider(), 64<<20, r.Log)
	r.Backup.Queue, r.Backup.Mail = r.Queue, sender
	defaults, err := config.LoadFrom(func(string) (string, bool) { return "", false })
	if err != nil {
		tb.Fatalf("testrig: default configuration: %v", err)
	}
	if o.Billing != nil {
		o.Billing(&defaults.Billing)
	}
	r.Billing = billing.New(r.Store, sender, defaults.Billing, o.BaseURL, r.Log)
	r.Business.Entitled = func(ctx context.Context, tenantID int64, feature string) error {
		return r.Billing.Feature(ctx, tenantID, billing.Feature(feature))
	}
	r.Billing.Staged = r.Library
	r.Library.Quotas, r.Shares.Quota, r.Accounts.Quota, r.Search.Quota = r.Billing, r.Billing, r.Billing, r.Billing
	return r
}

// Tenant creates workspace slug (named slug too).
func (r *Rig) Tenant(tb testing.TB, slug string) *store.Tenant {
	tb.Helper()
	t, err := r.Store.CreateTenant(context.Background(), slug, slug)
	if err != nil {
		tb.Fatalf("testrig: tenant %s: %v", slug, err)
	}
	return t
}

// Plan puts workspace tenantID on plan ("starter", "professional",
// "business") as the platform admin would.
func (r *Rig) Plan(tb testing.TB, tenantID int64, plan string) {
	tb.Helper()
	if _, err := r.Billing.AdminChangePlan(context.Background(), tenantID, billing.AdminChange{Plan: plan}, nil, ""); err != nil {
		tb.Fatalf("testrig: plan %s for tenant %d: %v", plan, tenantID, err)
	}
}

// Pattern adds a design named name with keywords to t's library (without
// files).
func (r *Rig) Pattern(tb testing.TB, t *store.Tenant, name string, keywords ...string) *store.Pattern {
	tb.Helper()
	p, err := r.Store.CreatePattern(context.Background(), t.ID, &store.Pattern{Name: name, Keywords: keywords})
	if err != nil {
		tb.Fatalf("testrig: pattern %q: %v", name, err)
	}
	return p
}

// Sent is one mail a service sent, as the person would read it.
type Sent struct {
	To   string
	Data mail.Data
	// Message is the mail composed from its templates.
	Message mail.Message
	// Link is the first link of its text.
	Link string
}

// Outbox is a mail.Sender that keeps what is sent, composed from the real
// templates, so that a test can follow a mail's link the way a person
// would.
type Outbox struct {
	mu   sync.Mutex
	sent []Sent
}

var firstLink = regexp.MustCompile(`https?://[^\s<>"]+`)

// Send composes the mail and keeps it.
func (o *Outbox) Send(_ context.Context, to string, data mail.Data) error {
	msg, err := mail.Compose(data)
	if err != nil {
		return err
	}
	msg.To = to
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, Sent{To: to, Data: data, Message: msg,
		Link: strings.TrimRight(firstLink.FindString(msg.Text), ".,;:!?)")})
	return nil
}

// Last returns the newest mail of kind (a mail.Kind* constant) to to,
// failing tb when there is none.
func (o *Outbox) Last(tb testing.TB, kind, to string) Sent {
	tb.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.sent) - 1; i >= 0; i-- {
		if o.sent[i].Data.Kind() == kind && strings.EqualFold(o.sent[i].To, to) {
			return o.sent[i]
		}
	}
	tb.Fatalf("no %s mail to %s", kind, to)
	return Sent{}
}

// Count returns how many mails of kind went to to.
func (o *Outbox) Count(kind, to string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, s := range o.sent {
		if s.Data.Kind() == kind && strings.EqualFold(s.To, to) {
			n++
		}
	}
	return n
}
