// Package share runs share links: a quilter picks a few designs and sends
// a customer a link; the customer, with no account, types her name and
// likes, favourites or ranks designs; the quilter sees the results. A link
// holds a token of 256 random bits, stored only as its SHA-256, and reaches
// only its own designs.
package share

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	netmail "net/mail"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/metrics"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// Limits of a link.
const (
	MinPatterns = 1
	MaxPatterns = 50
	DefaultDays = 30
	MaxDays     = 365
	// DefaultVoters is how many guests a new link takes; its owner may
	// raise it up to MaxVoters (and remove guests).
	DefaultVoters   = 50
	MaxVoters       = 500
	MaxVoterName    = 60
	MaxComment      = 1000
	VoterCookieName = "pv_guest"
)

// Votes a guest can give.
const (
	Like     = "like"
	Favorite = "favorite"
	Maybe    = "maybe"
)

// Problems a guest or a quilter can act on.
var (
	ErrNotFound = problem.NotFound("share_not_found", "This link does not exist. Please check that you have all of it.")
	ErrExpired  = problem.Gone("share_ended", "This link has ended. Ask the quilter for a new one if you still need it.")
	ErrLimited  = problem.TooMany("rate_limited", "Too many requests from your connection: please wait a minute and try again.", time.Minute)
	// ErrNotInLink is a vote on a design the link does not hold.
	ErrNotInLink = ErrNotFound.Reword("That design is not part of this link.")
	// ErrFull refuses a new guest on a link that has had as many as it allows.
	ErrFull = problem.Conflict("share_full", "This link has had as many guests as it allows; ask the quilter to let more in.")
	// ErrNewGuests slows down new guests: from one connection, or on one
	// link, only so many an hour.
	ErrNewGuests = problem.TooMany("new_guests", "Too many new guests on this link from your connection or at once: please try again later, or ask the quilter.", 10*time.Minute)
	// ErrBadVoterCap is a voter cap out of range.
	ErrBadVoterCap = problem.Invalid("bad_voter_cap", fmt.Sprintf("A link can take 1 to %d guests.", MaxVoters))
)

// invalid is a rule of a link or a vote broken; its message says which.
func invalid(message string) error { return problem.Invalid("invalid", message) }

// Service creates links and takes votes.
type Service struct {
	Store   *store.Store
	BaseURL string
	// Mailer sends links to customers and vote notices to quilters.
	Mailer mail.Sender
	// Now is the clock; tests set it.
	Now func() time.Time
	// Metrics, when set, counts share views and votes.
	Metrics *metrics.Metrics
	// Quota, when set, limits the active links to the plan's (quota.go).
	Quota Quota

	limits Limits
	// Each guest has budgets of her own (her voter id, her connection),
	// so a noisy one never spends another's.
	perVoter   *auth.Limiter
	perIP      *auth.Limiter
	views      *auth.Limiter
	newPerIP   *auth.Limiter
	newPerLink *auth.Limiter
	notices    *auth.Limiter
}

// Limits are the rate limits of guests.
type Limits struct {
	// VotesPerVoter and VotesPerIP bound votes a minute of one guest and
	// of one connection (a quilt show's shared connection holds many).
	VotesPerVoter, VotesPerIP int
	// ViewsPerIP bounds page views a minute of one connection.
	ViewsPerIP int
	// NewPerIPHour bounds the new guests one connection brings to one
	// link in an hour; NewPerLink10Min the new guests of one link in ten
	// minutes, from everywhere.
	NewPerIPHour, NewPerLink10Min int
	// NoticesPerLinkHour bounds the "I'm done" mails of one link an hour.
	NoticesPerLinkHour int
}

// DefaultLimits are the production rate limits.
func DefaultLimits() Limits {
	return Limits{VotesPerVoter: 60, VotesPerIP: 600, ViewsPerIP: 300, NewPerIPHour: 5, NewPerLink10Min: 20, NoticesPerLinkHour: 10}
}

// New returns the service with its rate limits.
func New(st *store.Store, m mail.Sender, baseURL string) *Service {
	s := &Service{Store: st, Mailer: m, BaseURL: strings.TrimRight(baseURL, "/"), Now: time.Now}
	s.SetLimits(DefaultLimits())
	return s
}

// SetLimits changes the rate limits. Load tests, whose guests all share
// one address, raise the per-address ones.
func (s *Service) SetLimits(l Limits) {
	s.limits = l
	s.perVoter = auth.NewLimiter(l.VotesPerVoter, time.Minute)
	s.perIP = auth.NewLimiter(l.VotesPerIP, time.Minute)
	s.views = auth.NewLimiter(l.ViewsPerIP, time.Minute)
	s.newPerIP = auth.NewLimiter(l.NewPerIPHour, time.Hour)
	s.newPerLink = auth.NewLimiter(l.NewPerLink10Min, 10*time.Minute)
	s.notices = auth.NewLimiter(l.NoticesPerLinkHour, time.Hour)
}

// Input describes a link to create.
type Input struct {
	PatternIDs     []int64
	Name           string
	RecipientName  string
	RecipientEmail string
	Message        string
	ExpiresInDays  int
	AllowDownload  bool
	ShowDesigner   bool
	VotingMode     string
	NotifyOwner    bool
	// Send emails the link to RecipientEmail (when there is one).
	Send bool
	// MaxVoters is how many guests the link takes (0: DefaultVoters).
	MaxVoters int
	// SupportSession is the hash of the support view the link is made
	// in, if it is: it then works only while that view lasts.
	SupportSession []byte
}

// Created is a new link with its URL (the only place the token appears).
type Created struct {
	Link *store.ShareLink
	URL  string
	// Sent is the address the link was emailed to, if it was.
	Sent string
}

// Create checks the input against the tenant's live designs and stores
// the link.
func (s *Service) Create(ctx context.Context, tenantID, userID int64, in Input) (*Created, error) {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "" || utf8.RuneCountInString(in.Name) > 120:
		return nil, invalid("Give the link a name of up to 120 characters, such as “Jane's quilt choices”.")
	case len(in.PatternIDs) < MinPatterns || len(in.PatternIDs) > MaxPatterns:
		return nil, invalid(fmt.Sprintf("Choose %d to %d designs to share.", MinPatterns, MaxPatterns))
	case len(in.Message) > 2000:
		return nil, invalid("The message can be up to 2,000 characters.")
	}
	if in.ExpiresInDays == 0 {
		in.ExpiresInDays = DefaultDays
	}
	if in.MaxVoters == 0 {
		in.MaxVoters = DefaultVoters
	}
	if in.MaxVoters < 1 || in.MaxVoters > MaxVoters {
		return nil, ErrBadVoterCap
	}
	if in.ExpiresInDays < 1 || in.ExpiresInDays > MaxDays {
		return nil, invalid(fmt.Sprintf("A link can last 1 to %d days.", MaxDays))
	}
	if in.VotingMode == "" {
		in.VotingMode = "like"
	}
	if in.VotingMode != "like" && in.VotingMode != "rank" {
		return nil, invalid("Voting is “like” or “rank”.")
	}
	in.RecipientEmail = strings.TrimSpace(in.RecipientEmail)
	if in.RecipientEmail != "" {
		if a, err := netmail.ParseAddress(in.RecipientEmail); err != nil || a.Address != in.RecipientEmail {
			return nil, invalid("The customer's email address does not look right.")
		}
	}
	if err := s.roomForLink(ctx, tenantID); err != nil {
		return nil, err
	}
	token := auth.NewToken("")
	var by *int64
	if userID != 0 {
		by = &userID
	}
	var l *store.ShareLink
	var workspace, replyTo string
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		t, err := tx.Platform().TenantByID(ctx, tenantID)
		if err != nil {
			return err
		}
		workspace = t.Name
		if userID != 0 {
			// The customer's answer goes to the quilter who sent the link.
			u, err := tx.Platform().UserByID(ctx, userID)
			if err != nil {
				return err
			}
			replyTo = (&netmail.Address{Name: u.DisplayName, Address: u.Email}).String()
		}
		live, err := tx.LivePatterns(ctx, in.PatternIDs)
		if err != nil {
			return err
		}
		ids := inOrder(in.PatternIDs, live)
		if len(ids) != len(uniq(in.PatternIDs)) {
			return invalid("Some of those designs are not in your library.")
		}
		l, err = tx.CreateShare(ctx, &store.ShareLink{TenantID: tenantID, Name: in.Name, RecipientName: strings.TrimSpace(in.RecipientName),
			RecipientEmail: strings.TrimSpace(in.RecipientEmail), Message: strings.TrimSpace(in.Message), CreatedBy: by,
			ExpiresAt: s.Now().Add(time.Duration(in.ExpiresInDays) * 24 * time.Hour), AllowDownload: in.AllowDownload,
			ShowDesigner: in.ShowDesigner, VotingMode: in.VotingMode, NotifyOwner: in.NotifyOwner, Patterns: ids,
			SupportSession: in.SupportSession, MaxVoters: in.MaxVoters}, auth.HashToken(token))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("share: create %q: %w", in.Name, err)
	}
	c := &Created{Link: l, URL: s.BaseURL + "/s/" + token}
	if in.Send && l.RecipientEmail != "" {
		err := s.Mailer.Send(ctx, l.RecipientEmail, mail.ShareData{Quilter: workspace, Customer: l.RecipientName,
			Title: l.Name, Designs: len(l.Patterns), Note: l.Message, Link: c.URL, ReplyTo: replyTo})
		if err != nil {
			return nil, fmt.Errorf("share: email link %d: %w", l.ID, err)
		}
		c.Sent = l.RecipientEmail
	}
	return c, nil
}

// inOrder returns the ids found in live, in the order of ids, without
// repeats.
func inOrder(ids, live []int64) []int64 {
	ok := map[int64]bool{}
	for _, id := range live {
		ok[id] = true
	}
	var out []int64
	for _, id := range uniq(ids) {
		if ok[id] {
			out = append(out, id)
		}
	}
	return out
}

func uniq(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Opened is a link a guest may use, with its workspace.
type Opened struct {
	Link   *store.ShareLink
	Tenant *store.Tenant
}

// Open finds a link by token. An unknown token is ErrNotFound; a revoked
// or expired link, or one of a paused workspace, is ErrExpired (with the
// workspace, for a friendly page). Every path does one indexed lookup by
// the token's hash, so timing does not tell which tokens exist.
func (s *Service) Open(ctx context.Context, token, ip string) (*Opened, error) {
	if ok, _ := s.views.Allow(ip); !ok {
		return nil, ErrLimited
	}
	if len(token) < 20 || len(token) > 100 {
		token = "invalid-token-" + strings.Repeat("x", 30) // same work as a real lookup
	}
	l, err := s.Store.ShareByHash(ctx, auth.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	t, err := s.Store.TenantByID(ctx, l.TenantID)
	if err != nil {
		return nil, err
	}
	o := &Opened{Link: l, Tenant: t}
	s.Metrics.Count("share_view")
	if l.RevokedAt != nil || !s.Now().Before(l.ExpiresAt) || t.Status != store.TenantActive {
		return o, ErrExpired
	}
	return o, nil
}

// GuestDesign is one design of a link as a guest sees it, with her vote.
type GuestDesign struct {
	// Number is the design's place in the link, from 1.
	Number  int
	Pattern *store.Pattern
	// Vote is her vote on it, if she gave one (Vote.Vote is "" if not).
	Vote store.Vote
}

// GuestView is what a guest sees of a link.
type GuestView struct {
	// Designs are the link's designs still in the library, in order.
	Designs []*GuestDesign
	// Name is the name she voted under, "" before her first vote.
	Name string
}

// View counts a visit of the link and returns what guest voterID sees:
// the designs with her votes.
func (s *Service) View(ctx context.Context, o *Opened, voterID string) (*GuestView, error) {
	if err := s.Store.CountShareView(ctx, o.Link.ID); err != nil {
		return nil, fmt.Errorf("share: count view of link %d: %w", o.Link.ID, err)
	}
	var votes []store.Vote
	var patterns map[int64]*store.Pattern
	err := s.Store.Tenant(ctx, o.Tenant.ID, func(tx *store.TenantTx) error {
		var err error
		if votes, err = tx.Platform().Votes(ctx, o.Link.ID, voterID); err != nil {
			return err
		}
		patterns, err = tx.PatternsByIDs(ctx, o.Link.Patterns)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("share: view link %d: %w", o.Link.ID, err)
	}
	v := &GuestView{}
	mine := map[int64]store.Vote{}
	for _, vote := range votes {
		mine[vote.PatternID] = vote
		if v.Name == "" {
			v.Name = vote.VoterName
		}
	}
	for i, id := range o.Link.Patterns {
		if p, ok := patterns[id]; ok { // else deleted since the link was made
			v.Designs = append(v.Designs, &GuestDesign{Number: i + 1, Pattern: p, Vote: mine[id]})
		}
	}
	return v, nil
}

// Pattern returns design id of the link for a guest (ErrNotInLink when the
// link does not hold it, or it was deleted).
func (s *Service) Pattern(ctx context.Context, o *Opened, id int64) (*store.Pattern, error) {
	if !o.Holds(id) {
		return nil, ErrNotInLink
	}
	p, err := s.Store.Pattern(ctx, o.Tenant.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotInLink.Wrap(err)
	}
	return p, err
}

// Holds reports whether the link reaches pattern id.
func (o *Opened) Holds(id int64) bool {
	for _, p := range o.Link.Patterns {
		if p == id {
			return true
		}
	}
	return false
}

// NewVoterID makes the random id kept in a guest's cookie.
func NewVoterID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// VoteInput is one guest's change to her vote on one design. Each part
// is saved on its own: a part left nil keeps what is stored, so saving a
// comment or a rank never touches her like, favourite or maybe.
type VoteInput struct {
	VoterID, VoterName string
	PatternID          int64
	// Vote is like, favorite, maybe, or "" to take the choice back.
	Vote *string
	// Rank is 1..n in rank mode, 0 for none.
	Rank *int
	// Comment is her note on the design, "" for none.
	Comment *string
}

// errNothing refuses a vote that changes nothing.
var errNothing = problem.Invalid("nothing_to_save", "Choose like, favourite or maybe, a rank or a comment, then save.")

// Vote records a change of a guest's vote, rate-limited per guest and
// per connection; a guest new to the link also counts against the new
// guests of her connection and of the link (so nobody fills a link with
// made-up guests) and its guest cap. Names and comments are plain text of
// bounded length (HTML is shown as text). Only the parts in gives change;
// it returns her vote on the design as it now stands.
func (s *Service) Vote(ctx context.Context, o *Opened, in VoteInput, ip string) (store.Vote, error) {
	if ok, _ := s.perIP.Allow(ip); !ok {
		return store.Vote{}, ErrLimited
	}
	if ok, _ := s.perVoter.Allow(in.VoterID); !ok {
		return store.Vote{}, ErrLimited
	}
	name := strings.Join(strings.Fields(in.VoterName), " ")
	switch {
	case name == "":
		return store.Vote{}, invalid("Please type your name first.")
	case utf8.RuneCountInString(name) > MaxVoterName:
		return store.Vote{}, invalid(fmt.Sprintf("Your name can be up to %d characters.", MaxVoterName))
	case in.Vote == nil && in.Rank == nil && in.Comment == nil:
		return store.Vote{}, errNothing
	case in.Comment != nil && utf8.RuneCountInString(*in.Comment) > MaxComment:
		return store.Vote{}, invalid(fmt.Sprintf("A comment can be up to %d characters.", MaxComment))
	case in.Vote != nil && *in.Vote != "" && *in.Vote != Like && *in.Vote != Favorite && *in.Vote != Maybe:
		return store.Vote{}, invalid("Choose like, favourite or maybe.")
	case in.Rank != nil && (*in.Rank < 0 || *in.Rank > len(o.Link.Patterns)):
		return store.Vote{}, invalid("That ranking is not possible.")
	case len(in.VoterID) != 32:
		return store.Vote{}, invalid("Please allow this site to remember you (cookies), then try again.")
	}
	if !o.Holds(in.PatternID) {
		return store.Vote{}, ErrNotInLink
	}
	known, err := s.Store.VoterKnown(ctx, o.Link.ID, in.VoterID)
	if err != nil {
		return store.Vote{}, err
	}
	if !known {
		link := strconv.FormatInt(o.Link.ID, 10)
		if ok, _ := s.newPerIP.Allow(link + " " + ip); !ok {
			return store.Vote{}, ErrNewGuests
		}
		if ok, _ := s.newPerLink.Allow(link); !ok {
			return store.Vote{}, ErrNewGuests
		}
	}
	v := store.VoteChange{VoterID: in.VoterID, VoterName: name, PatternID: in.PatternID}
	if in.Vote != nil {
		v.SetVote, v.Vote = true, *in.Vote
	}
	if in.Rank != nil {
		v.SetRank = true
		if *in.Rank > 0 {
			rank := *in.Rank
			v.Rank = &rank
		}
	}
	if in.Comment != nil {
		v.SetComment, v.Comment = true, strings.TrimSpace(*in.Comment)
	}
	now, err := s.Store.SaveVote(ctx, o.Link.ID, v, o.Link.MaxVoters)
	switch {
	case err == nil:
		s.Metrics.Count("vote")
		return now, nil
	case errors.Is(err, store.ErrTooManyVoters):
		return now, ErrFull.Wrap(err)
	case errors.Is(err, store.ErrNotFound):
		return now, ErrNotInLink.Wrap(err)
	}
	return now, err
}

// Finish tells the quilter that the guest with voterID has finished
// voting on the link (when the link asks for it and she voted at all):
// once per guest and link, and at most NoticesPerLinkHour an hour per
// link, however often "I'm done" is pressed.
func (s *Service) Finish(ctx context.Context, o *Opened, voterID string) error {
	if !o.Link.NotifyOwner || o.Link.CreatedBy == nil {
		return nil
	}
	votes, err := s.Store.Votes(ctx, o.Link.ID, voterID)
	if err != nil || len(votes) == 0 {
		return err
	}
	first, err := s.Store.MarkNotified(ctx, o.Link.ID, voterID)
	if err != nil || !first {
		return err
	}
	if ok, _ := s.notices.Allow(strconv.FormatInt(o.Link.ID, 10)); !ok {
		return nil // the results page shows her votes; the owner has had her share of mail
	}
	owner, err := s.Store.UserByID(ctx, *o.Link.CreatedBy)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the quilter's account is gone: nobody to tell
	}
	if err != nil {
		return fmt.Errorf("share: owner of link %d: %w", o.Link.ID, err)
	}
	liked := 0
	for _, v := range votes {
		if v.Vote == Like || v.Vote == Favorite {
			liked++
		}
	}
	err = s.Mailer.Send(ctx, owner.Email, mail.VoteData{Name: owner.DisplayName, Guest: votes[0].VoterName, Share: o.Link.Name,
		Votes: liked, Link: s.BaseURL + tenant.Path(o.Tenant.Slug, "shares", o.Link.ID)})
	if err != nil {
		s.Store.ForgetNotified(context.WithoutCancel(ctx), o.Link.ID, voterID)
		return fmt.Errorf("share: tell the owner of link %d: %w", o.Link.ID, err)
	}
	return nil
}

// DesignResult is how guests voted on one design.
type DesignResult struct {
	PatternID  int64    `json:"pattern_id"`
	Position   int      `json:"position"`
	Likes      int      `json:"likes"`
	Favorites  int      `json:"favorites"`
	Maybes     int      `json:"maybes"`
	RankPoints int      `json:"rank_points"`
	Voters     []string `json:"voters"`
	Comments   []string `json:"comments"`
	// Score orders designs by preference: favourite 3, like 2, maybe 1,
	// plus rank points (n+1-rank).
	Score int `json:"score"`
}

// Guest is one guest of a link as its owner sees her.
type Guest struct {
	Name string `json:"name"`
	// Key names her in the owner's changes (store.VoterKey).
	Key   string `json:"key"`
	Votes int    `json:"votes"`
}

// Results is the owner's view of a link.
type Results struct {
	Link    *store.ShareLink `json:"link"`
	Voters  []string         `json:"voters"`
	Guests  []*Guest         `json:"guests"`
	Designs []*DesignResult  `json:"designs"`
	Votes   []store.Vote     `json:"votes"`
	// Patterns are the link's designs still in the library.
	Patterns map[int64]*store.Pattern `json:"-"`
}

// Results sums a link's votes per design, best first, and loads the
// link's designs that are still in the library, in one transaction.
func (s *Service) Results(ctx context.Context, tenantID, shareID int64) (*Results, error) {
	var l *store.ShareLink
	var votes []store.Vote
	var patterns map[int64]*store.Pattern
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if l, err = tx.Share(ctx, shareID); err != nil {
			return err
		}
		if votes, err = tx.Platform().Votes(ctx, l.ID, ""); err != nil {
			return err
		}
		patterns, err = tx.PatternsByIDs(ctx, l.Patterns)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("share: results of link %d: %w", shareID, err)
	}
	r := &Results{Link: l, Votes: votes, Patterns: patterns}
	byID := map[int64]*DesignResult{}
	for i, id := range l.Patterns {
		d := &DesignResult{PatternID: id, Position: i + 1, Voters: []string{}, Comments: []string{}}
		byID[id] = d
		r.Designs = append(r.Designs, d)
	}
	seen := map[string]*Guest{}
	for _, v := range votes {
		g := seen[v.VoterID]
		if g == nil {
			g = &Guest{Name: v.VoterName, Key: store.VoterKey(v.VoterID)}
			seen[v.VoterID] = g
			r.Voters = append(r.Voters, v.VoterName)
			r.Guests = append(r.Guests, g)
		}
		g.Votes++
		d := byID[v.PatternID]
		if d == nil {
			continue
		}
		switch v.Vote {
		case Favorite:
			d.Favorites++
			d.Score += 3
		case Like:
			d.Likes++
			d.Score += 2
		case Maybe:
			d.Maybes++
			d.Score++
		}
		if v.Rank != nil {
			pts := len(l.Patterns) + 1 - *v.Rank
			d.RankPoints += pts
			d.Score += pts
		}
		d.Voters = append(d.Voters, v.VoterName+": "+choice(v))
		if v.Comment != "" {
			d.Comments = append(d.Comments, v.VoterName+": "+v.Comment)
		}
	}
	sortResults(r.Designs)
	return r, nil
}

// choice says in words what one guest chose on one design: "favourite",
// "like, rank 2", "rank 1", "comment only".
func choice(v store.Vote) string {
	var parts []string
	switch v.Vote {
	case Favorite:
		parts = append(parts, "favourite")
	case Like, Maybe:
		parts = append(parts, v.Vote)
	}
	if v.Rank != nil {
		parts = append(parts, fmt.Sprintf("rank %d", *v.Rank))
	}
	if len(parts) == 0 {
		return "comment only"
	}
	return strings.Join(parts, ", ")
}

// sortResults puts the most preferred designs first, ties in link order.
func sortResults(ds []*DesignResult) {
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Score > ds[j].Score })
}
