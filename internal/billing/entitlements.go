package billing

import (
	"context"
	"fmt"
	"net/http"

	"github.com/patternvault/patternvault/internal/limits"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// The problems of entitlements. Each use rewords the message with the
// limit, where the workspace stands and how to upgrade.
var (
	// ErrLimit is a write over a counted limit of the plan: 402.
	ErrLimit = problem.New(http.StatusPaymentRequired, "plan_limit", "That is over your plan's limit: upgrade under Settings → Billing.")
	// ErrFeature is a feature the plan does not include: 402.
	ErrFeature = problem.New(http.StatusPaymentRequired, "plan_feature", "Your plan does not include that: upgrade under Settings → Billing.")
	// ErrReadOnly is a change to a read-only workspace: 402.
	ErrReadOnly = problem.New(http.StatusPaymentRequired, "read_only", "This workspace is read-only: your designs are safe to view, download and export. Subscribe under Settings → Billing to add and change again.")
)

// Margin is the share by which a counted limit may be passed by a write
// that starts under it (Plausible's margin): 10 %.
const Margin = 10 // percent

// allows reports whether a workspace using used of a limit may add
// adding more: yes when it stays within the limit, or when it starts
// under the limit and ends within the margin.
func allows(limit, used, adding int64) bool {
	if limit == Unlimited || used+adding <= limit {
		return true
	}
	return used < limit && used+adding <= limit+limit*Margin/100
}

// Check is the one check of a workspace's counted limits, which every
// write point calls: whether workspace tenantID may add adding of what
// now. It answers nil, or a problem that says the limit, where the
// workspace stands and how to get more: ErrLimit (a plan's limit, with
// the plan that has room), ErrReadOnly, or limits.ErrOverLimit (an
// operator's limit for this workspace, or the platform's cap). The
// platform's caps (imports an hour, keywords, saved searches) are the
// same on every plan.
func (s *Service) Check(ctx context.Context, tenantID int64, what Limit, adding int64) error {
	return s.CheckEach(ctx, tenantID, limits.Need{What: what, Adding: adding})
}

// CheckEach is Check of several limits of one change (an import adds
// designs and bytes), with the workspace's account, usage and own limits
// read once: the first refusal, in the order of needs, or nil.
func (s *Service) CheckEach(ctx context.Context, tenantID int64, needs ...limits.Need) error {
	var a *Account
	var u *store.Usage
	var own map[string]int64
	for _, n := range needs {
		if !planCounted(n.What) {
			if err := s.caps.Check(ctx, tenantID, n.What, n.Adding); err != nil {
				return err
			}
			continue
		}
		if a == nil {
			var err error
			if a, u, err = s.AccountUsage(ctx, tenantID); err != nil {
				return err
			}
			if own, err = s.Store.TenantLimits(ctx, tenantID); err != nil {
				return fmt.Errorf("billing: limits of tenant %d: %w", tenantID, err)
			}
		}
		if err := s.check(a, u, own, n.What, n.Adding); err != nil {
			return err
		}
	}
	return nil
}

// CheckTx is Check of a platform cap (keywords, saved searches) inside
// the transaction tx that will write, so that the count and the write
// agree; set is Limits' answer, read before tx.
func (s *Service) CheckTx(ctx context.Context, tx *store.TenantTx, set limits.Set, what Limit, adding int64) error {
	return s.caps.CheckTx(ctx, tx, set, what, adding)
}

// Limits returns every limit of workspace tenantID as it applies now: the
// platform's caps (internal/limits.Defaults), its plan's designs and
// storage in their place, and an operator's limits for this workspace
// (`patternvault tenant limits`) over both.
func (s *Service) Limits(ctx context.Context, tenantID int64) (limits.Set, error) {
	a, err := s.Account(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	own, err := s.Store.TenantLimits(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("billing: limits of tenant %d: %w", tenantID, err)
	}
	set := limits.Defaults()
	for _, w := range limits.All {
		if l, _ := limitOf(a.Plan, own, w); l != Unlimited {
			set[w] = l
		}
	}
	return set, nil
}

// planCounted reports whether the plans set limit what.
func planCounted(what Limit) bool {
	for _, l := range Limits {
		if l == what {
			return true
		}
	}
	return false
}

// limitOf returns the limit of what for a workspace on plan p with an
// operator's limits own, and whether it is the plan's (so a bigger plan
// raises it): an operator's limit first, then the plan's, then the
// platform's cap.
func limitOf(p *Plan, own map[string]int64, what Limit) (int64, bool) {
	if v, ok := own[string(what)]; ok {
		return v, false
	}
	if l := p.Limit(what); l != Unlimited {
		return l, true
	}
	if c, ok := limits.Defaults()[what]; ok {
		return c, false
	}
	return Unlimited, true
}

// AccountUsage returns the workspace's billing state and usage, read on
// the primary.
func (s *Service) AccountUsage(ctx context.Context, tenantID int64) (*Account, *store.Usage, error) {
	a, err := s.Account(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	var u *store.Usage
	err = s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		u, err = tx.PlanUsage(ctx, s.Now())
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("billing: usage of tenant %d: %w", tenantID, err)
	}
	return a, u, nil
}

func (s *Service) check(a *Account, u *store.Usage, own map[string]int64, what Limit, adding int64) error {
	if a.ReadOnly {
		return readOnly(a)
	}
	limit, plan := limitOf(a.Plan, own, what)
	used := Used(u, what)
	if allows(limit, used, adding) {
		return nil
	}
	if !plan {
		return limits.Exceeded(what, limit, used, adding)
	}
	return ErrLimit.Reword(s.overMessage(a.Plan, what, limit, used, adding))
}

// readOnly is ErrReadOnly with the reason the workspace is read-only.
func readOnly(a *Account) error {
	return ErrReadOnly.Reword(a.Reason + " " + ErrReadOnly.Message)
}

// Used returns the part of u that limit l counts.
func Used(u *store.Usage, l Limit) int64 {
	switch l {
	case Designs:
		return u.Designs
	case Storage:
		return u.StorageBytes
	case Members:
		return u.Members + u.Invitations
	case ShareLinks:
		return u.ShareLinks
	case RemoteSearches:
		return u.RemoteSearches
	}
	return 0
}

// Amount writes n of limit l for people: "2,000 designs", "20 GB".
func Amount(l Limit, n int64) string {
	if n == Unlimited {
		return "no limit"
	}
	switch l {
	case Designs:
		return plural(n, "design")
	case Storage:
		return Bytes(n)
	case Members:
		return plural(n, "person", "people")
	case ShareLinks:
		return plural(n, "active share link")
	case RemoteSearches:
		return plural(n, "image search", "image searches")
	}
	return count(n)
}

// UsageText says how much of limit l is used: "1,234 of 2,000 designs",
// "2 of 3 people", "1.2 GB of 20 GB", "312 designs (no limit)".
func UsageText(l Limit, used, max int64) string {
	switch {
	case max == Unlimited:
		return Amount(l, used) + " (no limit)"
	case l == Storage:
		return Bytes(used) + " of " + Bytes(max)
	}
	return count(used) + " of " + Amount(l, max)
}

// Bytes writes a size for people: "19.8 GB", "350 MB".
func Bytes(n int64) string {
	switch {
	case n >= 100<<30:
		return count(n>>30) + " GB"
	case n >= 1<<30:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<30))) + " GB"
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)>>10)
}

func trimZero(s string) string {
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		return s[:len(s)-2]
	}
	return s
}

func plural(n int64, one string, many ...string) string {
	if n == 1 {
		return "1 " + one
	}
	if len(many) > 0 {
		return count(n) + " " + many[0]
	}
	return count(n) + " " + one + "s"
}

// overMessage is the one style of a limit's message: the limit, where
// the workspace stands, how to upgrade.
func (s *Service) overMessage(p *Plan, what Limit, limit, used, adding int64) string {
	stand := ""
	switch what {
	case Designs:
		stand = fmt.Sprintf("Your %s plan holds %s and your library has %s.", p.Name, Amount(what, limit), count(used))
	case Storage:
		stand = fmt.Sprintf("Your %s plan holds %s of files and your library uses %s.", p.Name, Bytes(limit), Bytes(used))
	case Members:
		stand = fmt.Sprintf("Your %s plan has room for %s and this workspace has %s (counting open invitations).", p.Name, Amount(what, limit), count(used))
	case ShareLinks:
		stand = fmt.Sprintf("Your %s plan includes %s and you have %s. Revoke one, or upgrade.", p.Name, Amount(what, limit), count(used))
	case RemoteSearches:
		stand = fmt.Sprintf("Your %s plan includes %s a month and this month's are used; searches go on by words until the 1st.", p.Name, Amount(what, limit))
	}
	return stand + " " + s.upgradeHint(p, what, used+adding)
}

// upgradeHint says which plan has room for n of l and where to upgrade.
func (s *Service) upgradeHint(p *Plan, l Limit, n int64) string {
	q := s.next(p, l, n)
	if q == nil {
		return "Please write to us if you need more."
	}
	return fmt.Sprintf("Upgrade to %s (%s) under Settings → Billing.", q.Name, Amount(l, q.Limit(l)))
}

// Feature says whether workspace tenantID's plan includes f: nil, or a
// problem (ErrFeature, or ErrReadOnly for a read-only workspace) naming
// the plan that has it.
func (s *Service) Feature(ctx context.Context, tenantID int64, f Feature) error {
	a, err := s.Account(ctx, tenantID)
	if err != nil {
		return err
	}
	if a.ReadOnly {
		return readOnly(a)
	}
	if a.Plan.Has(f) {
		return nil
	}
	msg := featureWords[f] + " is not part of your " + a.Plan.Name + " plan."
	if q := s.withFeature(f); q != nil {
		msg = featureWords[f] + " comes with the " + q.Name + " plan; you have " + a.Plan.Name + ". Upgrade under Settings → Billing."
	}
	return ErrFeature.Reword(msg)
}

// Writable says whether workspace tenantID may change anything now: nil,
// or ErrReadOnly with the reason.
func (s *Service) Writable(ctx context.Context, tenantID int64) error {
	a, err := s.Account(ctx, tenantID)
	if err != nil {
		return err
	}
	if a.ReadOnly {
		return readOnly(a)
	}
	return nil
}

// RemoteSearch says whether a search of workspace tenantID may use the
// remote model, and counts it when it may. A search is reading: when
// the answer is no, the search still runs by words, and the problem's
// message is the note to show beside the results.
func (s *Service) RemoteSearch(ctx context.Context, tenantID int64) error {
	a, u, err := s.AccountUsage(ctx, tenantID)
	if err != nil {
		return err
	}
	if !a.Plan.Has(RemoteSearch) {
		q := s.withFeature(RemoteSearch)
		return ErrFeature.Reword("Searching by picture likeness comes with the " + q.Name + " plan; these results match your words. Upgrade under Settings → Billing.")
	}
	if err := s.check(a, u, nil, RemoteSearches, 1); err != nil {
		return err
	}
	if _, err := s.Store.AddRemoteSearch(ctx, tenantID, s.Now()); err != nil {
		return err
	}
	return nil
}

// Overage is one limit a workspace is over, for a refused downgrade.
type Overage struct {
	Limit Limit
	Used  int64
	Max   int64
}

// Over lists the limits of p that usage u is above (no margin): what a
// move to p would be refused for.
func Over(p *Plan, u *store.Usage) []Overage {
	var out []Overage
	for _, l := range Limits {
		if l == RemoteSearches {
			continue // a month's count starts again; it never blocks a change
		}
		if max := p.Limit(l); max != Unlimited && Used(u, l) > max {
			out = append(out, Overage{Limit: l, Used: Used(u, l), Max: max})
		}
	}
	return out
}
