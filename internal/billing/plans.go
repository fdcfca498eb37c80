package billing

import (
	"fmt"

	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/limits"
)

// The plans, cheapest first.
const (
	Starter      = "starter"
	Professional = "professional"
	Business     = "business"
)

// Feature is something a plan includes or not; Service.Feature checks one.
type Feature string

// The features that differ between plans.
const (
	// RemoteSearch is semantic search by the remote model (Voyage AI),
	// when one is configured; without it, search uses words and the local
	// concepts.
	RemoteSearch Feature = "remote_search"
	// Portfolio is the public portfolio of finished quilts.
	Portfolio Feature = "portfolio"
	// Customers, Jobs, Invoices, Analytics and TaxExport are the business
	// tools (issue 19).
	Customers Feature = "customers"
	Jobs      Feature = "jobs"
	Invoices  Feature = "invoices"
	Analytics Feature = "analytics"
	TaxExport Feature = "tax_export"
	// PrioritySupport answers the workspace's support mail first.
	PrioritySupport Feature = "priority_support"
)

// featureWords name each feature for people ("Customers and jobs come
// with ...").
var featureWords = map[Feature]string{
	RemoteSearch:    "Image search",
	Portfolio:       "The portfolio",
	Customers:       "Customers",
	Jobs:            "Jobs",
	Invoices:        "Invoices",
	Analytics:       "Analytics",
	TaxExport:       "The tax export",
	PrioritySupport: "Priority support",
}

// Limit is a counted limit of a workspace; Service.Check checks one. The
// platform's own caps (internal/limits: imports an hour, keywords, saved
// searches, and a ceiling on designs and bytes) are limits too, so every
// write point asks the one Check.
type Limit = limits.What

// The counted limits of a plan.
const (
	// Designs counts the live designs of the library.
	Designs = limits.Designs
	// Storage counts the bytes of the library's files (each content once,
	// the bin's included) and of its uploads waiting to be imported.
	Storage = limits.Bytes
	// Members counts the people in the workspace and open invitations.
	Members Limit = "members"
	// ShareLinks counts the share links neither revoked nor expired.
	ShareLinks Limit = "share_links"
	// RemoteSearches counts this month's searches by the remote model.
	RemoteSearches Limit = "remote_searches"
)

// Limits are every counted limit of a plan, in the order pages show them.
var Limits = []Limit{Designs, Storage, Members, ShareLinks, RemoteSearches}

// Unlimited is the value of a limit a plan does not have.
const Unlimited int64 = -1

// Plan is one row of the plan table: its price, its counted limits and
// its features.
type Plan struct {
	ID   string
	Name string
	// Rank orders the plans: a higher rank is an upgrade.
	Rank int
	// YearlyCents and MonthlyCents are the list prices.
	YearlyCents, MonthlyCents int64
	// Limits holds each counted limit (Unlimited when there is none).
	Limits   map[Limit]int64
	Features map[Feature]bool
	// Support is "email" or "priority".
	Support string
}

// Limit returns the plan's limit of l (Unlimited when it has none).
func (p *Plan) Limit(l Limit) int64 {
	if n, ok := p.Limits[l]; ok {
		return n
	}
	return Unlimited
}

// Has reports whether the plan includes feature f.
func (p *Plan) Has(f Feature) bool { return p.Features[f] }

// Plans is the plan table: the numbers that are configuration (prices,
// storage, remote searches) come from cfg, the rest is the product.
//
//	plan          designs  members  share links  features
//	Starter       2,000    1        5 active     words and local concepts
//	Professional  -        3        -            + image search, portfolio
//	Business      -        10       -            + customers, jobs, invoices,
//	                                               analytics, tax export,
//	                                               priority support
func Plans(cfg config.Billing) []*Plan {
	plan := func(id, name string, rank int, designs, members, links int64, support string, features ...Feature) *Plan {
		p := &Plan{ID: id, Name: name, Rank: rank, YearlyCents: cfg.Yearly[id], MonthlyCents: cfg.MonthlyPrice[id],
			Limits: map[Limit]int64{Designs: designs, Members: members, ShareLinks: links,
				Storage: orUnlimited(cfg.StorageBytes, id), RemoteSearches: orUnlimited(cfg.RemoteSearches, id)},
			Features: map[Feature]bool{}, Support: support}
		for _, f := range features {
			p.Features[f] = true
		}
		return p
	}
	return []*Plan{
		plan(Starter, "Starter", 1, 2000, 1, 5, "email"),
		plan(Professional, "Professional", 2, Unlimited, 3, Unlimited, "email", RemoteSearch, Portfolio),
		plan(Business, "Business", 3, Unlimited, 10, Unlimited, "priority",
			RemoteSearch, Portfolio, Customers, Jobs, Invoices, Analytics, TaxExport, PrioritySupport),
	}
}

func orUnlimited(m map[string]int64, id string) int64 {
	if n, ok := m[id]; ok {
		return n
	}
	return Unlimited
}

// Plan returns the plan with id, or nil.
func (s *Service) Plan(id string) *Plan {
	for _, p := range s.plans {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// Plans returns the plan table, cheapest first.
func (s *Service) Plans() []*Plan { return s.plans }

// next returns the cheapest plan above p whose limit of l is above n
// (or unlimited), or nil.
func (s *Service) next(p *Plan, l Limit, n int64) *Plan {
	for _, q := range s.plans {
		if q.Rank > p.Rank && (q.Limit(l) == Unlimited || q.Limit(l) > n) {
			return q
		}
	}
	return nil
}

// withFeature returns the cheapest plan that has f.
func (s *Service) withFeature(f Feature) *Plan {
	for _, q := range s.plans {
		if q.Has(f) {
			return q
		}
	}
	return nil
}

// Price says a price in dollars: "$299", "$29.50".
func Price(cents int64) string {
	if cents%100 == 0 {
		return "$" + count(cents/100)
	}
	return fmt.Sprintf("$%s.%02d", count(cents/100), cents%100)
}
