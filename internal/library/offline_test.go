package library

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/limits"
	"github.com/patternvault/patternvault/internal/store"
)

// TestApplyOfflineLastWriterWins: a favourite or keywords changed offline
// and sent later are applied when they are the latest change, and not
// when a later change was made meanwhile (reported as a conflict); a
// viewer's keywords and a deleted design are refused, each on its own.
func TestApplyOfflineLastWriterWins(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	acme := r.tenant(t, "acme")
	p, err := r.store.CreatePattern(ctx, acme.ID, &store.Pattern{Name: "Feather border", Keywords: []string{"feather"}})
	if err != nil {
		t.Fatal(err)
	}
	const user = 7
	before := time.Now().Add(-time.Hour).UnixMilli()
	// Online, a minute ago on another device: favourite.
	if err := r.svc.SetFavorite(ctx, acme.ID, user, p.ID, true); err != nil {
		t.Fatal(err)
	}
	res, err := r.svc.ApplyOffline(ctx, acme.ID, user, "", []OfflineChange{
		{Kind: OfflineFavorite, PatternID: p.ID, Favorite: false, At: before},              // older: loses
		{Kind: OfflineKeywords, PatternID: p.ID, Keywords: []string{"Swirls"}, At: before}, // older than the import's keywords? none recorded: wins
		{Kind: OfflineKeywords, PatternID: 999999, Keywords: []string{"x"}, At: before},    // gone
		{Kind: "rename", PatternID: p.ID, At: before},                                      // not kept offline
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 || res[0].Applied || !res[0].Conflict || !res[1].Applied || res[2].Applied || res[3].Applied {
		t.Fatalf("results %+v", res)
	}
	got, err := r.svc.Pattern(ctx, acme.ID, p.ID, user)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Favorite || len(got.Keywords) != 1 || got.Keywords[0] != "swirls" {
		t.Errorf("after replay: favourite %v, keywords %v; want the later favourite kept and keywords [swirls]", got.Favorite, got.Keywords)
	}
	// A change made after the last one wins; a viewer cannot send keywords.
	res, err = r.svc.ApplyOffline(ctx, acme.ID, user, "your role cannot change keywords.", []OfflineChange{
		{Kind: OfflineFavorite, PatternID: p.ID, Favorite: false, At: time.Now().UnixMilli()},
		{Kind: OfflineKeywords, PatternID: p.ID, Keywords: []string{"rose"}, At: time.Now().UnixMilli()},
	})
	if err != nil || !res[0].Applied || res[1].Applied {
		t.Fatalf("second replay %+v, %v", res, err)
	}
	if got, _ = r.svc.Pattern(ctx, acme.ID, p.ID, user); got.Favorite || got.Keywords[0] != "swirls" {
		t.Errorf("after the second replay: favourite %v, keywords %v", got.Favorite, got.Keywords)
	}
	// An online keyword change later than an offline one wins over it.
	if err := r.store.Tenant(ctx, acme.ID, func(tx *store.TenantTx) error { return tx.AddKeywords(ctx, []int64{p.ID}, []string{"leaf"}) }); err != nil {
		t.Fatal(err)
	}
	res, _ = r.svc.ApplyOffline(ctx, acme.ID, user, "", []OfflineChange{{Kind: OfflineKeywords, PatternID: p.ID, Keywords: []string{"rose"}, At: before}})
	if len(res) != 1 || !res[0].Conflict {
		t.Errorf("an older offline keyword edit after an online one: %+v", res)
	}
	// The workspace's keyword rules hold offline too: too many is refused
	// with the reason, and nothing changes.
	many := make([]string, limits.KeywordsPerDesign+1)
	for i := range many {
		many[i] = fmt.Sprintf("word%d", i)
	}
	res, err = r.svc.ApplyOffline(ctx, acme.ID, user, "", []OfflineChange{{Kind: OfflineKeywords, PatternID: p.ID, Keywords: many, At: time.Now().UnixMilli()}})
	if err != nil || len(res) != 1 || res[0].Applied || !strings.Contains(res[0].Message, "at most") {
		t.Errorf("too many keywords offline: %+v, %v", res, err)
	}
	if got, _ = r.svc.Pattern(ctx, acme.ID, p.ID, user); len(got.Keywords) != 2 {
		t.Errorf("keywords after a refused change: %v", got.Keywords)
	}
}
