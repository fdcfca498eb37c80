package share_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testrig"
)

func TestMain(m *testing.M) { os.Exit(testrig.Main(m)) }

type rig struct {
	svc     *share.Service
	st      *store.Store
	acme    *store.Tenant
	beta    *store.Tenant
	acmeIDs []int64
	betaIDs []int64
	now     time.Time
	mail    *testrig.Outbox
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	tr := testrig.New(t, testrig.Options{BaseURL: "https://pv.test"})
	st := tr.Store
	r := &rig{st: st, now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), mail: tr.Mail}
	r.svc = tr.Shares
	r.svc.Now = func() time.Time { return r.now }
	r.acme, r.beta = tr.Tenant(t, "acme"), tr.Tenant(t, "beta")
	if err := st.RenameTenant(ctx, r.acme.ID, "Acme Quilting"); err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		r.acmeIDs = append(r.acmeIDs, tr.Pattern(t, r.acme, fmt.Sprintf("Acme %d", i)).ID)
		r.betaIDs = append(r.betaIDs, tr.Pattern(t, r.beta, fmt.Sprintf("Beta %d", i)).ID)
	}
	return r
}

func token(url string) string { return url[strings.LastIndex(url, "/")+1:] }

func TestShareVotesAndResults(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	shared := r.acmeIDs[2:5] // three designs, positions 1..3
	c, err := r.svc.Create(ctx, r.acme.ID, 0, share.Input{PatternIDs: shared, Name: "Jane's quilt choices", ExpiresInDays: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.URL, "https://pv.test/s/") || len(token(c.URL)) < 40 {
		t.Fatalf("url %q", c.URL)
	}
	o, err := r.svc.Open(ctx, token(c.URL), "1.1.1.1")
	if err != nil {
		t.Fatal(err)
	}
	jane, mary := share.NewVoterID(), share.NewVoterID()
	vote := func(voter, name string, id int64, v string) error {
		_, err := r.svc.Vote(ctx, o, share.VoteInput{VoterID: voter, VoterName: name, PatternID: id, Vote: &v}, "1.1.1.1")
		return err
	}
	for _, err := range []error{
		vote(jane, "Jane", shared[0], share.Like), vote(jane, "Jane", shared[2], share.Favorite), vote(jane, "Jane", shared[1], share.Maybe),
		vote(mary, "Mary <b>", shared[2], share.Like), vote(mary, "Mary <b>", shared[0], share.Maybe),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Jane changes her mind; the change replaces her vote.
	if err := vote(jane, "Jane", shared[1], ""); err != nil {
		t.Fatal(err)
	}
	res, err := r.svc.Results(ctx, r.acme.ID, c.Link.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, d := range res.Designs {
		got += fmt.Sprintf("#%d L%d F%d M%d S%d; ", d.Position, d.Likes, d.Favorites, d.Maybes, d.Score)
	}
	if want := "#3 L1 F1 M0 S5; #1 L1 F0 M1 S3; #2 L0 F0 M0 S0; "; got != want {
		t.Errorf("results %s, want %s", got, want)
	}
	if len(res.Voters) != 2 {
		t.Errorf("voters %v", res.Voters)
	}
	// A guest sees only her own votes.
	own, _ := r.st.Votes(ctx, c.Link.ID, jane)
	for _, v := range own {
		if v.VoterName != "Jane" {
			t.Errorf("Jane sees %+v", v)
		}
	}
	if len(own) != 2 {
		t.Errorf("Jane has %d votes, want 2", len(own))
	}
	// Designs outside the link, of this tenant or another, are unreachable.
	for _, id := range append(append([]int64{}, r.acmeIDs...), r.betaIDs...) {
		inLink := o.Holds(id)
		err := vote(jane, "Jane", id, share.Like)
		if !inLink && !errors.Is(err, share.ErrNotFound) {
			t.Errorf("vote on design %d outside the link: %v", id, err)
		}
	}
	// Bad input changes nothing.
	like, love, rank99, long := share.Like, "love", 99, strings.Repeat("x", share.MaxComment+1)
	before, _ := r.st.Votes(ctx, c.Link.ID, jane)
	for _, in := range []share.VoteInput{
		{VoterID: jane, VoterName: "", PatternID: shared[0], Vote: &like},
		{VoterID: jane, VoterName: strings.Repeat("x", 61), PatternID: shared[0], Vote: &like},
		{VoterID: jane, VoterName: "Jane", PatternID: shared[0], Vote: &love},
		{VoterID: "short", VoterName: "Jane", PatternID: shared[0], Vote: &like},
		{VoterID: jane, VoterName: "Jane", PatternID: shared[0], Vote: &like, Rank: &rank99},
		{VoterID: jane, VoterName: "Jane", PatternID: shared[0], Comment: &long},
		{VoterID: jane, VoterName: "Jane", PatternID: shared[0]},
	} {
		if _, err := r.svc.Vote(ctx, o, in, "1.1.1.1"); problem.Status(err) != http.StatusUnprocessableEntity {
			t.Errorf("vote %+v: %v, want an invalid-input problem", in, err)
		}
	}
	if after, _ := r.st.Votes(ctx, c.Link.ID, jane); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("refused votes changed Jane's votes: %v → %v", before, after)
	}
}

// TestVotePartsAreSavedAlone: a guest's choice, rank and comment are saved
// each on its own; saving one never changes the others (issue 15: "Save
// comment" turned a favourite into a maybe, and a rank alone was lost).
func TestVotePartsAreSavedAlone(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	shared := r.acmeIDs[:4]
	c, err := r.svc.Create(ctx, r.acme.ID, 0, share.Input{PatternIDs: shared, Name: "Ranked", VotingMode: "rank"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := r.svc.Open(ctx, token(c.URL), "1.1.1.1")
	if err != nil {
		t.Fatal(err)
	}
	jane := share.NewVoterID()
	fav, comment, rank2, rank3, none, noRank := share.Favorite, "Lovely for the border", 2, 3, "", 0
	steps := []struct {
		in   share.VoteInput
		want string // vote|rank|comment after the step
	}{
		{share.VoteInput{Vote: &fav}, "favorite|0|"},
		{share.VoteInput{Comment: &comment}, "favorite|0|Lovely for the border"},
		{share.VoteInput{Rank: &rank2}, "favorite|2|Lovely for the border"},
		{share.VoteInput{Vote: &none}, "|2|Lovely for the border"},
		{share.VoteInput{Rank: &noRank}, "|0|Lovely for the border"},
		{share.VoteInput{Comment: &none}, "none"},
	}
	for i, s := range steps {
		s.in.VoterID, s.in.VoterName, s.in.PatternID = jane, "Jane", shared[1]
		now, err := r.svc.Vote(ctx, o, s.in, "1.1.1.1")
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		votes, err := r.st.Votes(ctx, c.Link.ID, jane)
		if err != nil {
			t.Fatal(err)
		}
		got := "none"
		if len(votes) == 1 {
			v := votes[0]
			rank := 0
			if v.Rank != nil {
				rank = *v.Rank
			}
			got = fmt.Sprintf("%s|%d|%s", v.Vote, rank, v.Comment)
			if now.Vote != v.Vote || fmt.Sprint(now.Rank) != fmt.Sprint(v.Rank) && (now.Rank == nil || v.Rank == nil || *now.Rank != *v.Rank) || now.Comment != v.Comment {
				t.Errorf("step %d returned %+v, stored %+v", i, now, v)
			}
		}
		if got != s.want {
			t.Errorf("step %d: stored %s, want %s", i, got, s.want)
		}
	}
	// A rank alone counts: the quilter sees it in the results.
	if _, err := r.svc.Vote(ctx, o, share.VoteInput{VoterID: jane, VoterName: "Jane", PatternID: shared[3], Rank: &rank3}, "1.1.1.1"); err != nil {
		t.Fatal(err)
	}
	res, err := r.svc.Results(ctx, r.acme.ID, c.Link.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Voters) != 1 || res.Designs[0].PatternID != shared[3] || res.Designs[0].RankPoints != 2 ||
		fmt.Sprint(res.Designs[0].Voters) != "[Jane: rank 3]" {
		t.Errorf("results after a rank alone: voters %v, first %+v", res.Voters, res.Designs[0])
	}
}

func TestShareExpiryRevokeSuspend(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	c, err := r.svc.Create(ctx, r.acme.ID, 0, share.Input{PatternIDs: r.acmeIDs[:2], Name: "Soon gone", ExpiresInDays: 7})
	if err != nil {
		t.Fatal(err)
	}
	tok := token(c.URL)
	if _, err := r.svc.Open(ctx, tok, "ip"); err != nil {
		t.Fatal(err)
	}
	r.now = r.now.Add(7*24*time.Hour + time.Second)
	if o, err := r.svc.Open(ctx, tok, "ip"); !errors.Is(err, share.ErrExpired) || o.Tenant.Name != "Acme Quilting" {
		t.Errorf("after expiry: %v", err)
	}
	exp := r.now.Add(30 * 24 * time.Hour)
	if err := r.st.UpdateShare(ctx, r.acme.ID, c.Link.ID, &exp, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Open(ctx, tok, "ip"); err != nil {
		t.Errorf("after extending: %v", err)
	}
	if err := r.st.SetTenantStatus(ctx, r.acme.ID, store.TenantSuspended); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Open(ctx, tok, "ip"); !errors.Is(err, share.ErrExpired) {
		t.Errorf("suspended tenant: %v", err)
	}
	r.st.SetTenantStatus(ctx, r.acme.ID, store.TenantActive)
	if err := r.st.UpdateShare(ctx, r.beta.ID, c.Link.ID, nil, true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("beta revoked acme's link: %v", err)
	}
	if err := r.st.UpdateShare(ctx, r.acme.ID, c.Link.ID, nil, true); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Open(ctx, tok, "ip"); !errors.Is(err, share.ErrExpired) {
		t.Errorf("revoked: %v", err)
	}
	// Another token: its first character changed (to one it is not).
	other := "x" + tok[1:]
	if tok[0] == 'x' {
		other = "y" + tok[1:]
	}
	if _, err := r.svc.Open(ctx, other, "ip"); !errors.Is(err, share.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
}

// TestExtendTurnedOffLink: extending a turned-off link is refused with
// the way out (it said "extended" and stayed off); Reopen turns it back on
// with its votes.
func TestExtendTurnedOffLink(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	c, err := r.svc.Create(ctx, r.acme.ID, 0, share.Input{PatternIDs: r.acmeIDs[:2], Name: "Paused", ExpiresInDays: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.svc.Revoke(ctx, r.acme.ID, c.Link.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Extend(ctx, r.acme.ID, c.Link.ID, 30); !errors.Is(err, share.ErrTurnedOff) || !strings.Contains(err.Error(), "Turn back on") {
		t.Errorf("extend a turned-off link: %v", err)
	}
	if _, err := r.svc.Open(ctx, token(c.URL), "ip"); !errors.Is(err, share.ErrExpired) {
		t.Errorf("turned-off link opens after a refused extend: %v", err)
	}
	if _, err := r.svc.Reopen(ctx, r.beta.ID, c.Link.ID, 30); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another workspace turned the link on: %v", err)
	}
	exp, err := r.svc.Reopen(ctx, r.acme.ID, c.Link.ID, 30)
	if err != nil || !exp.Equal(r.now.Add(30*24*time.Hour)) {
		t.Fatalf("reopen = %v, %v", exp, err)
	}
	if _, err := r.svc.Open(ctx, token(c.URL), "ip"); err != nil {
		t.Errorf("reopened link: %v", err)
	}
}

// TestShareEmailRepliesToTheQuilter: the customer's answer to the share
// email reaches the quilter who sent it.
func TestShareEmailRepliesToTheQuilter(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	u, err := r.st.CreateUser(ctx, "pam@example.com", "Pam Quilts", nil, true)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.svc.Create(ctx, r.acme.ID, u.ID, share.Input{PatternIDs: r.acmeIDs[:2], Name: "For Jane",
		RecipientEmail: "jane@example.com", Send: true})
	if err != nil {
		t.Fatal(err)
	}
	msg := r.mail.Last(t, mail.KindShare, "jane@example.com").Message
	if msg.ReplyTo != `"Pam Quilts" <pam@example.com>` {
		t.Errorf("share email Reply-To = %q, want the quilter", msg.ReplyTo)
	}
}

func TestShareCreateRefusesOtherTenantsDesigns(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	_, err := r.svc.Create(ctx, r.acme.ID, 0, share.Input{PatternIDs: []int64{r.acmeIDs[0], r.betaIDs[7] + 1000}, Name: "Mixed"})
	if problem.Status(err) != http.StatusUnprocessableEntity {
		t.Errorf("sharing a design not in the library: %v", err)
	}
	if _, err := r.svc.Create(ctx, r.acme.ID, 0, share.Input{Name: "Empty"}); problem.Status(err) != http.StatusUnprocessableEntity {
		t.Errorf("empty share: %v", err)
	}
	if _, err := r.svc.Create(ctx, r.acme.ID, 0, share.Input{PatternIDs: r.acmeIDs[:1], Name: "x", ExpiresInDays: 400}); problem.Status(err) != http.StatusUnprocessableEntity {
		t.Errorf("400 days: %v", err)
	}
}

func TestVoterCap(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	l := share.DefaultLimits()
	l.NewPerLink10Min = 1 << 20 // this test is about the cap alone
	r.svc.SetLimits(l)
	c, _ := r.svc.Create(ctx, r.acme.ID, 0, share.Input{PatternIDs: r.acmeIDs[:1], Name: "Popular"})
	o, _ := r.svc.Open(ctx, token(c.URL), "ip")
	vote := func(name, ip string) error {
		like := share.Like
		_, err := r.svc.Vote(ctx, o, share.VoteInput{VoterID: share.NewVoterID(), VoterName: name, PatternID: r.acmeIDs[0], Vote: &like}, ip)
		return err
	}
	for i := range share.DefaultVoters {
		if err := vote(fmt.Sprint("G", i), fmt.Sprint("ip", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := vote("One too many", "ipx"); !errors.Is(err, share.ErrFull) {
		t.Errorf("voter %d: %v", share.DefaultVoters+1, err)
	}
	// The owner lets more in, or removes a guest.
	if err := r.svc.SetMaxVoters(ctx, r.acme.ID, c.Link.ID, share.MaxVoters+1); !errors.Is(err, share.ErrBadVoterCap) {
		t.Errorf("a cap over %d: %v", share.MaxVoters, err)
	}
	if err := r.svc.SetMaxVoters(ctx, r.beta.ID, c.Link.ID, 60); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another workspace changed the cap: %v", err)
	}
	if err := r.svc.SetMaxVoters(ctx, r.acme.ID, c.Link.ID, share.DefaultVoters+1); err != nil {
		t.Fatal(err)
	}
	o, _ = r.svc.Open(ctx, token(c.URL), "ip")
	if err := vote("Let in", "ipy"); err != nil {
		t.Errorf("after raising the cap: %v", err)
	}
	if err := vote("Still too many", "ipz"); !errors.Is(err, share.ErrFull) {
		t.Errorf("past the raised cap: %v", err)
	}
	res, err := r.svc.Results(ctx, r.acme.ID, c.Link.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.svc.RemoveVoter(ctx, r.beta.ID, c.Link.ID, res.Guests[0].Key); err == nil {
		t.Error("another workspace removed a guest")
	}
	if err := r.svc.RemoveVoter(ctx, r.acme.ID, c.Link.ID, res.Guests[0].Key); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.RemoveVoter(ctx, r.acme.ID, c.Link.ID, res.Guests[0].Key); !errors.Is(err, share.ErrNoSuchGuest) {
		t.Errorf("removing a guest twice: %v", err)
	}
	if err := vote("In her place", "ipw"); err != nil {
		t.Errorf("after removing a guest: %v", err)
	}
}

// TestNoisyGuests: a guest who makes up new guests (a fresh cookie per
// request) is stopped at a few from her connection, without touching the
// real customer's budget; the link's new guests are limited over time
// too; and one guest's many votes spend only her own budget.
func TestNoisyGuests(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	c, _ := r.svc.Create(ctx, r.acme.ID, 0, share.Input{PatternIDs: r.acmeIDs[:2], Name: "Jane's quilt"})
	o, _ := r.svc.Open(ctx, token(c.URL), "ip")
	vote := func(voter, ip string) error {
		like := share.Like
		_, err := r.svc.Vote(ctx, o, share.VoteInput{VoterID: voter, VoterName: "Guest", PatternID: r.acmeIDs[0], Vote: &like}, ip)
		return err
	}
	limited := 0
	for range 500 {
		if err := vote(share.NewVoterID(), "203.0.113.9"); errors.Is(err, share.ErrNewGuests) {
			limited++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if made := 500 - limited; made != share.DefaultLimits().NewPerIPHour {
		t.Errorf("one connection made %d guests, want %d", made, share.DefaultLimits().NewPerIPHour)
	}
	jane := share.NewVoterID()
	if err := vote(jane, "198.51.100.7"); err != nil {
		t.Fatalf("the real customer after the noise: %v", err)
	}
	// A guest who votes too fast is slowed down; the customer is not.
	noisy := share.NewVoterID()
	var err error
	for range share.DefaultLimits().VotesPerVoter + 1 {
		if err = vote(noisy, "192.0.2.1"); err != nil {
			break
		}
	}
	if !errors.Is(err, share.ErrLimited) {
		t.Errorf("a guest voting non-stop: %v", err)
	}
	if err := vote(jane, "198.51.100.7"); err != nil {
		t.Errorf("the customer, while another guest is limited: %v", err)
	}
	// New guests of the link from many connections: limited over time.
	n := 0
	for i := range 100 {
		if err := vote(share.NewVoterID(), fmt.Sprintf("10.0.%d.%d", i/250, i%250)); err == nil {
			n++
		} else if !errors.Is(err, share.ErrNewGuests) {
			t.Fatal(err)
		}
	}
	if total := n + share.DefaultLimits().NewPerIPHour + 2; total > share.DefaultLimits().NewPerLink10Min {
		t.Errorf("%d new guests in ten minutes, want at most %d", total, share.DefaultLimits().NewPerLink10Min)
	}
}

// TestDoneNotifiesOncePerGuest: "I'm done" pressed forty times tells the
// owner once, and the guest's words never reach the subject line.
func TestDoneNotifiesOncePerGuest(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	owner, err := r.st.CreateUser(ctx, "pam@example.com", "Pam", nil, true)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := r.svc.Create(ctx, r.acme.ID, owner.ID, share.Input{PatternIDs: r.acmeIDs[:2], Name: "Jane's quilt", NotifyOwner: true})
	o, _ := r.svc.Open(ctx, token(c.URL), "ip")
	guest := share.NewVoterID()
	name := "Mallory <b>URGENT</b> wire $500 now"
	like := share.Like
	if _, err := r.svc.Vote(ctx, o, share.VoteInput{VoterID: guest, VoterName: name, PatternID: r.acmeIDs[0], Vote: &like}, "1.1.1.1"); err != nil {
		t.Fatal(err)
	}
	for range 40 {
		if err := r.svc.Finish(ctx, o, guest); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.mail.Count("vote_notification", "pam@example.com"); n != 1 {
		t.Errorf("%d notices for one guest, want 1", n)
	}
	m := r.mail.Last(t, "vote_notification", "pam@example.com").Message
	if strings.Contains(m.Subject, "Mallory") || strings.Contains(m.Subject, "URGENT") || !strings.Contains(m.Text, "URGENT") {
		t.Errorf("subject %q (the guest's name belongs in the text only)", m.Subject)
	}
}
