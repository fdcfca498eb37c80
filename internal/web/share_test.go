package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
)

// seedDesigns imports n small synthetic designs into the tenant through
// the real pipeline and returns their ids in name order.
func (r *rig) seedDesigns(t testing.TB, tn *store.Tenant, prefix string, n int) []int64 {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		d := &geom.Design{Paths: []geom.Path{{Stitch: true, Start: geom.Point{}, Segments: []geom.Segment{
			{Kind: geom.Line, End: geom.Point{X: float64(2 + i), Y: 1}},
			{Kind: geom.Arc, Center: geom.Point{X: float64(2 + i), Y: 2}, Sweep: 3.14159, End: geom.Point{X: float64(2 + i), Y: 3}},
			{Kind: geom.Line, End: geom.Point{X: 0, Y: float64(1 + i%3)}},
		}}}}
		w, _ := zw.Create(fmt.Sprintf("%s %02d/%s %02d.qli", prefix, i, prefix, i))
		if err := formats.Write(w, "qli", d); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	ctx := context.Background()
	b, err := r.Library.StartImport(ctx, tn.ID, 0, []library.Upload{{Name: "seed.zip", Body: &buf, Size: -1}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Library.Process(ctx, tn.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	page, err := r.Store.Patterns(ctx, tn.ID, store.PatternQuery{Limit: 200})
	if err != nil || len(page.Patterns) != n {
		t.Fatalf("seeded %d designs, %v", len(page.Patterns), err)
	}
	var ids []int64
	for _, p := range page.Patterns {
		ids = append(ids, p.ID)
	}
	return ids
}

func TestShareLinkJourney(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	_, beta := r.owner(t, "bob@example.com", "beta")
	ids := r.seedDesigns(t, acme, "Feather", 6)
	betaIDs := r.seedDesigns(t, beta, "Secret", 3)
	shared := ids[1:4]

	want(t, pam.get(fmt.Sprintf("/t/acme/shares/new?ids=%d,%d,%d", shared[0], shared[1], shared[2])), 200, "Feather 01", "Feather 03")
	form := url.Values{"name": {"Jane's quilt"}, "recipient_name": {"Jane"}, "recipient_email": {"jane@example.com"}, "send": {"on"},
		"days": {"30"}, "show_designer": {"on"}, "notify": {"on"}}
	for _, id := range shared {
		form.Add("ids", fmt.Sprint(id))
	}
	p := pam.post("/t/acme/shares", form)
	want(t, p, 200, "Your link is ready", "<svg", "We emailed the link to jane@example.com")
	link := regexp.MustCompile(`value="(http[^"]+/s/[A-Za-z0-9_-]+)"`).FindStringSubmatch(p.Body)
	if link == nil {
		t.Fatalf("no link on the page\n%s", p.Body)
	}
	if e := r.Mail.Last(t, mail.KindShare, "jane@example.com"); e.Link != link[1] || e.Data.(mail.ShareData).Designs != 3 {
		t.Errorf("share email %+v", e)
	}
	token := link[1][strings.LastIndex(link[1], "/")+1:]

	jane := r.browser(t)
	p = jane.get("/s/" + token)
	want(t, p, 200, "Jane&#39;s quilt", "Feather 01", "Feather 02", "Feather 03", "Workspace acme")
	for _, absent := range []string{"Feather 00", "Feather 04", "Secret", "Sign in", "Members"} {
		if strings.Contains(p.Body, absent) {
			t.Errorf("share page shows %q", absent)
		}
	}
	// No JavaScript: name, then a form vote.
	wantRedirect(t, jane.post("/s/"+token+"/name", url.Values{"voter_name": {"Jane"}}), "/s/"+token)
	wantRedirect(t, jane.post("/s/"+token+"/votes", url.Values{"pattern_id": {fmt.Sprint(shared[2])}, "vote": {"favorite"}}), "/s/"+token)
	p = jane.get("/s/" + token)
	if !strings.Contains(p.Body, `data-choice="favorite" class="vote-btn chosen"`) {
		t.Error("Jane's favourite not shown as chosen after reload")
	}
	// With JavaScript: JSON.
	mary := r.browser(t)
	mary.get("/s/" + token)
	body, _ := json.Marshal(map[string]any{"voter_name": "Mary", "pattern_id": shared[0], "vote": "like"})
	req, _ := http.NewRequest("POST", r.srv.URL+"/s/"+token+"/votes", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", r.srv.URL)
	if p := mary.do(req); p.Status != 200 || !strings.Contains(p.Body, `"ok":true`) {
		t.Fatalf("JSON vote = %d %s", p.Status, p.Body)
	}
	// Mary never sees Jane's choices.
	if p := mary.get("/s/" + token); strings.Contains(p.Body, `value="Jane"`) || strings.Contains(p.Body, `data-choice="favorite" class="vote-btn chosen"`) {
		t.Error("Mary's page shows Jane's vote")
	}
	// The link reaches only its own designs: every other id of both tenants is 404.
	for _, id := range append(append([]int64{}, ids...), betaIDs...) {
		in := id == shared[0] || id == shared[1] || id == shared[2]
		got := jane.get(fmt.Sprintf("/s/%s/thumb/%d.png", token, id)).Status
		if in && got != 200 || !in && got != 404 {
			t.Errorf("thumbnail %d through the link = %d (in link: %v)", id, got, in)
		}
		if code := jane.get(fmt.Sprintf("/s/%s/download/%d", token, id)).Status; code != 404 {
			t.Errorf("download %d with downloads off = %d", id, code)
		}
		if in {
			continue
		}
		b2, _ := json.Marshal(map[string]any{"voter_name": "Jane", "pattern_id": id, "vote": "like"})
		req, _ := http.NewRequest("POST", r.srv.URL+"/s/"+token+"/votes", bytes.NewReader(b2))
		req.Header.Set("Content-Type", "application/json")
		if code := jane.do(req).Status; code != 404 {
			t.Errorf("vote on %d outside the link = %d", id, code)
		}
	}
	// Guests' HTML is shown as text.
	evil := r.browser(t)
	evil.post("/s/"+token+"/votes", url.Values{"voter_name": {"<script>alert(1)</script>"}, "pattern_id": {fmt.Sprint(shared[1])}, "vote": {"maybe"}})

	// Jane is done: Pam is told.
	want(t, jane.post("/s/"+token+"/done", nil), 200, "Thank you")
	if e := r.Mail.Last(t, mail.KindVoteNotification, "pam@example.com"); e.Data.(mail.VoteData).Guest != "Jane" || !strings.Contains(e.Link, "/t/acme/shares/") {
		t.Errorf("notification %+v", e)
	}
	// Results, sorted by preference.
	shares, _ := r.Store.Shares(context.Background(), acme.ID)
	res := pam.get(fmt.Sprintf("/t/acme/shares/%d", shares[0].ID))
	want(t, res, 200, "Jane", "Mary", "&lt;script&gt;")
	if strings.Contains(res.Body, "<script>alert") {
		t.Error("a guest's name was not escaped")
	}
	if i, j := strings.Index(res.Body, "#3 Feather 03"), strings.Index(res.Body, "#1 Feather 01"); i < 0 || j < 0 || i > j {
		t.Errorf("results not sorted by preference (favourite #3 first)")
	}
	// Another workspace cannot see it.
	bob := r.browser(t)
	wantRedirect(t, bob.post("/signin", url.Values{"email": {"bob@example.com"}, "password": {goodPassword}}), "/")
	want(t, bob.get(fmt.Sprintf("/t/acme/shares/%d", shares[0].ID)), 404)

	// Revoke: the friendly ended page with the quilter's name, 410; unknown: 404.
	wantRedirect(t, pam.post(fmt.Sprintf("/t/acme/shares/%d/revoke", shares[0].ID), nil), "/t/acme/shares/")
	want(t, jane.get("/s/"+token), http.StatusGone, "This link has ended", "Workspace acme")
	if p := jane.get("/s/" + token); strings.Contains(p.Body, "Feather") {
		t.Error("ended link still shows designs")
	}
	want(t, jane.get("/s/"+strings.Repeat("A", 43)), http.StatusNotFound, "find that link")
	want(t, jane.get(fmt.Sprintf("/s/%s/thumb/%d.png", token, shared[0])), http.StatusGone)
}

// guestJSON sends a vote change as the page's script does and returns the
// answer's fields.
func guestJSON(t testing.TB, r *rig, b *browser, token string, body map[string]any) map[string]any {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", r.srv.URL+"/s/"+token+"/votes", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", r.srv.URL)
	p := b.do(req)
	var out map[string]any
	if err := json.Unmarshal([]byte(p.Body), &out); err != nil {
		t.Fatalf("vote %s = %d %s", raw, p.Status, p.Body)
	}
	out["status"] = float64(p.Status)
	return out
}

// newGuestLink makes a link of the given mode on three of n seeded designs
// and returns its token.
func newGuestLink(t testing.TB, r *rig, tn *store.Tenant, ids []int64, mode string) (string, *share.Created) {
	t.Helper()
	c, err := r.Shares.Create(context.Background(), tn.ID, 0, share.Input{PatternIDs: ids, Name: "Jane's quilt", VotingMode: mode})
	if err != nil {
		t.Fatal(err)
	}
	return c.URL[strings.LastIndex(c.URL, "/")+1:], c
}

// TestGuestVotePartsJSON (issue 15, must show): through the guest JSON
// endpoint, a favourite, then a comment alone, then a rank alone leave
// the vote a favourite with the comment and the rank stored.
func TestGuestVotePartsJSON(t *testing.T) {
	r := newRig(t, "")
	_, acme := r.owner(t, "pam@example.com", "acme")
	ids := r.seedDesigns(t, acme, "Swirl", 3)
	token, c := newGuestLink(t, r, acme, ids, "rank")
	jane := r.browser(t)
	jane.get("/s/" + token)
	steps := []struct {
		send map[string]any
		want string
	}{
		{map[string]any{"vote": "favorite"}, "favorite|0|"},
		{map[string]any{"comment": "Perfect for the border"}, "favorite|0|Perfect for the border"},
		{map[string]any{"rank": 1}, "favorite|1|Perfect for the border"},
	}
	for _, s := range steps {
		s.send["voter_name"], s.send["pattern_id"] = "Jane", ids[1]
		out := guestJSON(t, r, jane, token, s.send)
		got := fmt.Sprintf("%v|%v|%v", out["vote"], out["rank"], out["comment"])
		if out["ok"] != true || got != s.want {
			t.Errorf("after %v: answer %v, want %s", s.send, out, s.want)
		}
	}
	res, err := r.Shares.Results(context.Background(), acme.ID, c.Link.ID)
	if err != nil || len(res.Votes) != 1 {
		t.Fatalf("results %+v %v", res, err)
	}
	if v := res.Votes[0]; v.Vote != share.Favorite || v.Comment != "Perfect for the border" || v.Rank == nil || *v.Rank != 1 {
		t.Errorf("stored vote %+v, want favourite, the comment and rank 1", v)
	}
	// Nothing to change, or a bad part, is refused and changes nothing.
	for _, bad := range []map[string]any{{}, {"vote": "love"}, {"rank": 9}} {
		bad["voter_name"], bad["pattern_id"] = "Jane", ids[1]
		if out := guestJSON(t, r, jane, token, bad); out["ok"] != false || out["status"] != float64(422) || out["message"] == "" {
			t.Errorf("vote %v = %v, want a 422 with a message", bad, out)
		}
	}
	if res, _ := r.Shares.Results(context.Background(), acme.ID, c.Link.ID); fmt.Sprintf("%s %d %s", res.Votes[0].Vote, *res.Votes[0].Rank, res.Votes[0].Comment) != "favorite 1 Perfect for the border" {
		t.Errorf("refused votes changed the vote: %+v", res.Votes[0])
	}
}

// TestGuestVotePartsWithoutJavaScript: each control under a design is a
// form of its own; sending one changes only its part, and the page then
// says what was saved on that design's card.
func TestGuestVotePartsWithoutJavaScript(t *testing.T) {
	r := newRig(t, "")
	_, acme := r.owner(t, "pam@example.com", "acme")
	ids := r.seedDesigns(t, acme, "Swirl", 3)
	token, c := newGuestLink(t, r, acme, ids, "rank")
	jane := r.browser(t)
	want(t, jane.get("/s/"+token), 200, "Save rank", "Save comment")
	wantRedirect(t, jane.post("/s/"+token+"/name", url.Values{"voter_name": {"Jane"}}), "/s/"+token)
	id := fmt.Sprint(ids[2])
	posts := []struct {
		form url.Values
		said string
	}{
		{url.Values{"pattern_id": {id}, "vote": {"favorite"}}, "This is one of your favourites."},
		{url.Values{"pattern_id": {id}, "comment": {"Lovely"}}, "Comment saved."},
		{url.Values{"pattern_id": {id}, "rank": {"2"}}, "Rank 2 saved."},
	}
	for _, p := range posts {
		res := jane.post("/s/"+token+"/votes", p.form)
		wantRedirect(t, res, "/s/"+token+"?")
		pg := jane.get(res.Location)
		card := pg.Body[strings.Index(pg.Body, `id="design-`+id+`"`):]
		card = card[:strings.Index(card, "</li>")]
		if !strings.Contains(card, p.said) {
			t.Errorf("after %v the card does not say %q:\n%s", p.form, p.said, card)
		}
	}
	res, _ := r.Shares.Results(context.Background(), acme.ID, c.Link.ID)
	if len(res.Votes) != 1 || res.Votes[0].Vote != share.Favorite || res.Votes[0].Comment != "Lovely" || res.Votes[0].Rank == nil || *res.Votes[0].Rank != 2 {
		t.Errorf("stored %+v, want favourite, Lovely, rank 2", res.Votes)
	}
	// The page shows all three, and the chosen button takes the choice back.
	pg := jane.get("/s/" + token)
	if !strings.Contains(pg.Body, `value="" data-choice="favorite" class="vote-btn chosen" aria-pressed="true"`) ||
		!strings.Contains(pg.Body, `<option value="2" selected>`) || !strings.Contains(pg.Body, ">Lovely</textarea>") {
		t.Errorf("page after the votes does not show them")
	}
	wantRedirect(t, jane.post("/s/"+token+"/votes", url.Values{"pattern_id": {id}, "vote": {""}}), "/s/"+token+"?")
	if res, _ := r.Shares.Results(context.Background(), acme.ID, c.Link.ID); len(res.Votes) != 1 || res.Votes[0].Vote != "" || res.Votes[0].Comment != "Lovely" {
		t.Errorf("taking the choice back: %+v", res.Votes)
	}
	// The quilter sees a guest who only ranked and commented.
	pam := r.browser(t)
	wantRedirect(t, pam.post("/signin", url.Values{"email": {"pam@example.com"}, "password": {goodPassword}}), "/")
	want(t, pam.get(fmt.Sprintf("/t/acme/shares/%d", c.Link.ID)), 200, "1 guest chose", "Jane: rank 2", "Jane: Lovely")
}

// TestTurnedOffLinkOffersTurnBackOn: the results page of a turned-off
// link offers "Turn back on", not "Extend", and it works.
func TestTurnedOffLinkOffersTurnBackOn(t *testing.T) {
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	ids := r.seedDesigns(t, acme, "Swirl", 2)
	token, c := newGuestLink(t, r, acme, ids, "like")
	path := fmt.Sprintf("/t/acme/shares/%d", c.Link.ID)
	wantRedirect(t, pam.post(path+"/revoke", nil), path)
	p := pam.get(path)
	want(t, p, 200, "Turn back on")
	if strings.Contains(p.Body, ">Extend<") {
		t.Error("a turned-off link still offers Extend")
	}
	want(t, pam.post(path+"/extend", url.Values{"days": {"30"}}), http.StatusSeeOther)
	if p := pam.get(path); !strings.Contains(p.Body, "Turn back on") || !strings.Contains(p.Body, "turned off") {
		t.Errorf("extend of a turned-off link did not say so:\n%s", p.Body)
	}
	want(t, r.browser(t).get("/s/"+token), http.StatusGone)
	wantRedirect(t, pam.post(path+"/reopen", url.Values{"days": {"7"}}), path)
	want(t, pam.get(path), 200, "The link is on again until", "Extend")
	want(t, r.browser(t).get("/s/"+token), 200, "Swirl 00")
}
