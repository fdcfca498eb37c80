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
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/metrics"
	"github.com/patternvault/patternvault/internal/store"
)

// Limits of a link.
const (
	MinPatterns     = 1
	MaxPatterns     = 50
	DefaultDays     = 30
	MaxDays         = 365
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

// Errors a person can act on.
var (
	ErrNotFound = errors.New("share link not found")
	ErrExpired  = errors.New("share link expired")
	ErrLimited  = errors.New("too many requests: please wait a moment")
)

// Problem is a rule broken, with a message for the person.
type Problem string

func (p Problem) Error() string { return string(p) }

// Service creates links and takes votes.
type Service struct {
	Store   *store.Store
	BaseURL string
	// Now is the clock; tests set it.
	Now func() time.Time
	// Metrics, when set, counts share views and votes.
	Metrics *metrics.Metrics

	perIP   *auth.Limiter
	perLink *auth.Limiter
	views   *auth.Limiter
}

// New returns the service with its rate limits.
func New(st *store.Store, baseURL string) *Service {
	return &Service{Store: st, BaseURL: strings.TrimRight(baseURL, "/"), Now: time.Now,
		perIP:   auth.NewLimiter(120, time.Minute),
		perLink: auth.NewLimiter(1200, time.Minute),
		views:   auth.NewLimiter(300, time.Minute),
	}
}

// SetLimits changes the per-minute rate limits: votes per IP, votes per
// link, and page views per IP. Load tests, whose guests all share one
// address, raise the per-IP ones.
func (s *Service) SetLimits(votesPerIP, votesPerLink, viewsPerIP int) {
	s.perIP = auth.NewLimiter(votesPerIP, time.Minute)
	s.perLink = auth.NewLimiter(votesPerLink, time.Minute)
	s.views = auth.NewLimiter(viewsPerIP, time.Minute)
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
}

// Created is a new link with its URL (the only place the token appears).
type Created struct {
	Link *store.ShareLink
	URL  string
}

// Create checks the input against the tenant's live designs and stores
// the link.
func (s *Service) Create(ctx context.Context, tenantID, userID int64, in Input) (*Created, error) {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "" || utf8.RuneCountInString(in.Name) > 120:
		return nil, Problem("give the link a name of up to 120 characters, such as “Jane's quilt choices”")
	case len(in.PatternIDs) < MinPatterns || len(in.PatternIDs) > MaxPatterns:
		return nil, Problem(fmt.Sprintf("choose %d to %d designs to share", MinPatterns, MaxPatterns))
	case len(in.Message) > 2000:
		return nil, Problem("the message can be up to 2,000 characters")
	}
	if in.ExpiresInDays == 0 {
		in.ExpiresInDays = DefaultDays
	}
	if in.ExpiresInDays < 1 || in.ExpiresInDays > MaxDays {
		return nil, Problem(fmt.Sprintf("a link can last 1 to %d days", MaxDays))
	}
	if in.VotingMode == "" {
		in.VotingMode = "like"
	}
	if in.VotingMode != "like" && in.VotingMode != "rank" {
		return nil, Problem("voting is “like” or “rank”")
	}
	ids, err := s.livePatterns(ctx, tenantID, in.PatternIDs)
	if err != nil {
		return nil, err
	}
	if len(ids) != len(uniq(in.PatternIDs)) {
		return nil, Problem("some of those designs are not in your library")
	}
	token := auth.NewToken("")
	var by *int64
	if userID != 0 {
		by = &userID
	}
	l, err := s.Store.CreateShare(ctx, &store.ShareLink{TenantID: tenantID, Name: in.Name, RecipientName: strings.TrimSpace(in.RecipientName),
		RecipientEmail: strings.TrimSpace(in.RecipientEmail), Message: strings.TrimSpace(in.Message), CreatedBy: by,
		ExpiresAt: s.Now().Add(time.Duration(in.ExpiresInDays) * 24 * time.Hour), AllowDownload: in.AllowDownload,
		ShowDesigner: in.ShowDesigner, VotingMode: in.VotingMode, NotifyOwner: in.NotifyOwner, Patterns: ids}, auth.HashToken(token))
	if err != nil {
		return nil, err
	}
	return &Created{Link: l, URL: s.BaseURL + "/s/" + token}, nil
}

// livePatterns returns the given ids that are live patterns of the tenant,
// in the given order, without repeats.
func (s *Service) livePatterns(ctx context.Context, tenantID int64, ids []int64) ([]int64, error) {
	live := map[int64]bool{}
	err := s.Store.DB().WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM patterns WHERE id = ANY($1) AND deleted_at IS NULL`, ids)
		if err != nil {
			return err
		}
		var id int64
		_, err = pgx.ForEachRow(rows, []any{&id}, func() error { live[id] = true; return nil })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("share: check designs: %w", err)
	}
	var out []int64
	for _, id := range uniq(ids) {
		if live[id] {
			out = append(out, id)
		}
	}
	return out, nil
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

// VoteInput is one guest's vote.
type VoteInput struct {
	VoterID, VoterName string
	PatternID          int64
	Vote               string // like, favorite, maybe, or "" to take the vote back
	Rank               int    // 1..n in rank mode, 0 for none
	Comment            string
}

// Vote records a guest's vote, rate-limited per IP and per link; names
// and comments are plain text of bounded length (HTML is shown as text).
func (s *Service) Vote(ctx context.Context, o *Opened, in VoteInput, ip string) error {
	if ok, _ := s.perIP.Allow(ip); !ok {
		return ErrLimited
	}
	if ok, _ := s.perLink.Allow(fmt.Sprint(o.Link.ID)); !ok {
		return ErrLimited
	}
	name := strings.Join(strings.Fields(in.VoterName), " ")
	switch {
	case name == "":
		return Problem("please type your name first")
	case utf8.RuneCountInString(name) > MaxVoterName:
		return Problem(fmt.Sprintf("your name can be up to %d characters", MaxVoterName))
	case utf8.RuneCountInString(in.Comment) > MaxComment:
		return Problem(fmt.Sprintf("a comment can be up to %d characters", MaxComment))
	case in.Vote != "" && in.Vote != Like && in.Vote != Favorite && in.Vote != Maybe:
		return Problem("choose like, favourite or maybe")
	case in.Rank < 0 || in.Rank > len(o.Link.Patterns):
		return Problem("that ranking is not possible")
	case len(in.VoterID) != 32:
		return Problem("please allow this site to remember you (cookies), then try again")
	}
	if !o.Holds(in.PatternID) {
		return ErrNotFound
	}
	v := store.Vote{VoterID: in.VoterID, VoterName: name, PatternID: in.PatternID, Vote: in.Vote, Comment: strings.TrimSpace(in.Comment)}
	if in.Rank > 0 {
		v.Rank = &in.Rank
	}
	err := s.Store.SaveVote(ctx, o.Link.ID, v, MaxVoters)
	if err == nil {
		s.Metrics.Count("vote")
	}
	switch {
	case errors.Is(err, store.ErrTooManyVoters):
		return Problem("this link has had as many guests as it allows; ask the quilter for a new one")
	case errors.Is(err, store.ErrNotFound):
		return ErrNotFound
	}
	return err
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

// Results is the owner's view of a link.
type Results struct {
	Link    *store.ShareLink `json:"link"`
	Voters  []string         `json:"voters"`
	Designs []*DesignResult  `json:"designs"`
	Votes   []store.Vote     `json:"votes"`
}

// Results sums a link's votes per design, best first.
func (s *Service) Results(ctx context.Context, tenantID, shareID int64) (*Results, error) {
	l, err := s.Store.Share(ctx, tenantID, shareID)
	if err != nil {
		return nil, err
	}
	votes, err := s.Store.Votes(ctx, l.ID, "")
	if err != nil {
		return nil, err
	}
	r := &Results{Link: l, Votes: votes}
	byID := map[int64]*DesignResult{}
	for i, id := range l.Patterns {
		d := &DesignResult{PatternID: id, Position: i + 1, Voters: []string{}, Comments: []string{}}
		byID[id] = d
		r.Designs = append(r.Designs, d)
	}
	seen := map[string]bool{}
	for _, v := range votes {
		if !seen[v.VoterID] {
			seen[v.VoterID] = true
			r.Voters = append(r.Voters, v.VoterName)
		}
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
		d.Voters = append(d.Voters, v.VoterName+": "+v.Vote)
		if v.Comment != "" {
			d.Comments = append(d.Comments, v.VoterName+": "+v.Comment)
		}
	}
	sortResults(r.Designs)
	return r, nil
}

// sortResults puts the most preferred designs first, ties in link order.
func sortResults(ds []*DesignResult) {
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Score > ds[j].Score })
}
