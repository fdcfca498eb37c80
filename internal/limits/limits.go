// Package limits holds the platform's per-workspace caps: what is counted
// (What), the hard caps every workspace has (Defaults), a workspace's own
// overrides (platform.tenant_limits, set by an operator with `patternvault
// tenant limits`), and the judge of one limit (Checker).
//
// The write points do not call this package directly: they call the one
// check point, internal/billing.Service.Check, which applies the plan's
// limits (designs, bytes, members, share links, remote searches) with
// their 10 % margin, an operator's override over them, and for the rest
// (imports an hour, keywords, saved searches, and the ceiling of designs
// and bytes on plans without one) this package's caps through a Checker
// whose For and Margin it sets. A Checker alone stands in for it in tests.
// After Plausible's quota.ex: one check per limit, one message style.
//
// Limits never block reading, downloading or exporting; they refuse only
// what would add to the workspace. Per-request caps (keywords per design,
// per request) are constants here too.
package limits

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// What is one counted limit of a workspace.
type What string

// The limits of a workspace.
const (
	// Bytes is the stored files (each content once) and waiting uploads.
	Bytes What = store.UsageBytes
	// Designs is the designs in the library (not in the bin).
	Designs What = store.UsageDesigns
	// UploadsPerHour is the imports started in the last hour.
	UploadsPerHour What = store.UsageUploadsPerHour
	// Keywords is the distinct keywords of the workspace.
	Keywords What = store.UsageKeywords
	// SavedSearches is the searches saved by all its members.
	SavedSearches What = store.UsageSavedSearches
)

// All lists every limit, in the order pages show them.
var All = []What{Designs, Bytes, UploadsPerHour, Keywords, SavedSearches}

// Caps of one request, whatever the workspace.
const (
	// KeywordsPerDesign is the most keywords one design carries.
	KeywordsPerDesign = 50
	// KeywordsPerRequest is the most keywords one change adds or removes.
	KeywordsPerRequest = 20
)

// Set is a value for each limit.
type Set map[What]int64

// Defaults are the hard caps of every workspace until plans set their own:
// well above the largest library we know (25,000 designs, a few GB), far
// below what would hurt the other workspaces of a server.
func Defaults() Set {
	return Set{
		Designs:        100_000,
		Bytes:          50 << 30,
		UploadsPerHour: 60,
		Keywords:       20_000,
		SavedSearches:  500,
	}
}

// Parse reads a limit's name as `tenant limit` takes it ("designs",
// "bytes", ...).
func Parse(name string) (What, bool) {
	for _, w := range All {
		if string(w) == strings.ToLower(strings.TrimSpace(name)) {
			return w, true
		}
	}
	return "", false
}

// ParseValue reads a limit's value: a whole number, for Bytes with an
// optional unit (500MB, 20GB).
func ParseValue(what What, v string) (int64, error) {
	v = strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	if what == Bytes {
		for _, u := range []struct {
			suffix string
			mult   int64
		}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
			if n, ok := strings.CutSuffix(v, u.suffix); ok {
				v, mult = strings.TrimSpace(n), u.mult
				break
			}
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("limits: %q is not a number of %s", v, what)
	}
	return n * mult, nil
}

// Checker checks the limits of workspaces against their use.
type Checker struct {
	Store *store.Store
	// For returns the limits of a workspace; nil means Defaults with the
	// workspace's overrides (platform.tenant_limits). The plans replace it.
	For func(ctx context.Context, tenantID int64) (Set, error)
	// Margin lets counted use go this fraction over a limit before a
	// change is refused (the plans allow 0.10); 0 refuses at the limit.
	Margin float64
}

// New returns a Checker with the default limits and overrides.
func New(st *store.Store) *Checker { return &Checker{Store: st} }

// Limits returns the limits of workspace tenantID.
func (c *Checker) Limits(ctx context.Context, tenantID int64) (Set, error) {
	if c.For != nil {
		return c.For(ctx, tenantID)
	}
	set := Defaults()
	own, err := c.Store.TenantLimits(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("limits: tenant %d: %w", tenantID, err)
	}
	for name, v := range own {
		if w, ok := Parse(name); ok {
			set[w] = v
		}
	}
	return set, nil
}

// Check refuses adding more of what to workspace tenantID when that would
// take it over its limit: nil when it fits, else a *problem.Error that
// says the limit and where the workspace stands. A nil Checker allows
// everything.
func (c *Checker) Check(ctx context.Context, tenantID int64, what What, adding int64) error {
	return c.CheckEach(ctx, tenantID, Need{what, adding})
}

// Need is how much of one limit a change would add.
type Need struct {
	What   What
	Adding int64
}

// CheckEach is Check of several limits of one change, with the
// workspace's limits read once and its uses in one transaction: the
// first refusal, in the order of needs, or nil.
func (c *Checker) CheckEach(ctx context.Context, tenantID int64, needs ...Need) error {
	if c == nil || len(needs) == 0 {
		return nil
	}
	set, err := c.Limits(ctx, tenantID)
	if err != nil {
		return err
	}
	used := make([]int64, len(needs))
	err = c.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		for i, n := range needs {
			if used[i], err = tx.Usage(ctx, string(n.What)); err != nil {
				return fmt.Errorf("limits: %s of tenant %d: %w", n.What, tenantID, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, n := range needs {
		if err := c.judge(n.What, set[n.What], used[i], n.Adding); err != nil {
			return err
		}
	}
	return nil
}

// CheckTx is Check inside the transaction tx that will write, so the count
// and the write agree; the workspace's limits are read before it.
func (c *Checker) CheckTx(ctx context.Context, tx *store.TenantTx, set Set, what What, adding int64) error {
	if c == nil {
		return nil
	}
	used, err := tx.Usage(ctx, string(what))
	if err != nil {
		return fmt.Errorf("limits: %s of tenant %d: %w", what, tx.TenantID(), err)
	}
	return c.judge(what, set[what], used, adding)
}

// judge compares use plus what is added with limit (and its margin).
func (c *Checker) judge(what What, limit, used, adding int64) error {
	if adding <= 0 && used <= limit {
		return nil
	}
	allowed := limit + int64(float64(limit)*c.Margin)
	if used+adding <= allowed {
		return nil
	}
	return Exceeded(what, limit, used, adding)
}

// ErrOverLimit is every refusal of a limit (errors.Is finds it); each
// says which limit in its message.
var ErrOverLimit = problem.New(http.StatusForbidden, "over_limit", "This workspace is at one of its limits: nothing was added.")

// ErrTooManyUploads is the hourly upload limit, which passes with time.
var ErrTooManyUploads = problem.TooMany("too_many_uploads", "Too many imports in the last hour: please wait a while.", 10*time.Minute)

// Exceeded is the problem of adding adding of what to a workspace that
// uses used of limit.
func Exceeded(what What, limit, used, adding int64) *problem.Error {
	const ask = " Nothing was added. Ask PatternVault support if you need more."
	switch what {
	case Bytes:
		return ErrOverLimit.Reword(fmt.Sprintf("This workspace can store %s of files; it holds %s, and this would add %s.",
			HumanBytes(limit), HumanBytes(used), HumanBytes(adding)) + " Delete designs you do not need (and empty the bin), or upload less at a time." + ask)
	case Designs:
		return ErrOverLimit.Reword(fmt.Sprintf("This workspace can hold %s designs; it has %s, and this would add %s.",
			count(limit), count(used), count(adding)) + ask)
	case UploadsPerHour:
		return ErrTooManyUploads.Reword(fmt.Sprintf("This workspace can start %s imports an hour and has started %s: please wait a while, or put more files in one upload.",
			count(limit), count(used)))
	case Keywords:
		return ErrOverLimit.Reword(fmt.Sprintf("This workspace can have %s keywords; it has %s, and this would add up to %s. Merge or delete keywords you do not use on the Keywords page.",
			count(limit), count(used), count(adding)) + ask)
	case SavedSearches:
		return ErrOverLimit.Reword(fmt.Sprintf("This workspace can keep %s; it has %s. Delete one you no longer use first.",
			plural(limit, "saved search", "saved searches"), count(used)))
	}
	return ErrOverLimit.Reword(fmt.Sprintf("This workspace is at its limit of %s %s.", count(limit), what))
}

// plural writes n and the word that goes with it.
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}

// count writes n with thousands separators: 100,000.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// HumanBytes writes a size as people read it: 1.5 GB, 300 MB, 12 KB.
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 0, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 0, 64) + " KB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
