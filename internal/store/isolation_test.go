package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// model is what a tenant's library must hold: pattern id → name.
type model map[int64]string

func newTenants(t *testing.T, st *store.Store, n int) []*store.Tenant {
	t.Helper()
	ts := make([]*store.Tenant, n)
	for i := range ts {
		var err error
		if ts[i], err = st.CreateTenant(context.Background(), fmt.Sprintf("iso-%d", i), fmt.Sprintf("Iso %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	return ts
}

func allPatterns(t *testing.T, st *store.Store, tenantID int64) model {
	t.Helper()
	got := model{}
	q := store.PatternQuery{Limit: 7}
	for {
		page, err := st.Patterns(context.Background(), tenantID, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Patterns {
			got[p.ID] = p.Name
		}
		if page.NextCursor == "" {
			return got
		}
		q.Cursor = page.NextCursor
	}
}

func checkModel(t *testing.T, st *store.Store, tn *store.Tenant, want model) {
	t.Helper()
	got := allPatterns(t, st, tn.ID)
	if len(got) != len(want) {
		t.Fatalf("tenant %s: %d patterns, want %d", tn.Slug, len(got), len(want))
	}
	for id, name := range want {
		if got[id] != name {
			t.Fatalf("tenant %s pattern %d = %q, want %q", tn.Slug, id, got[id], name)
		}
	}
	n, err := st.CountPatterns(context.Background(), tn.ID)
	if err != nil || n != int64(len(want)) {
		t.Fatalf("tenant %s: CountPatterns = %d, %v; want %d", tn.Slug, n, err, len(want))
	}
}

// TestTenantIsolation gives tenants libraries of different sizes, so that
// ids present in one tenant are missing in another, and shows that every
// pattern function called for tenant A never reads, changes or deletes
// tenant B's rows.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(testdb.New(t))
	ts := newTenants(t, st, 3)
	models := make([]model, len(ts))
	for i, tn := range ts {
		models[i] = model{}
		for j := range 3 + 4*i {
			p, err := st.CreatePattern(ctx, tn.ID, &store.Pattern{Name: fmt.Sprintf("%s design %d", tn.Slug, j)})
			if err != nil {
				t.Fatal(err)
			}
			models[i][p.ID] = p.Name
		}
	}
	small := ts[0]
	// Ids 4.. exist only in the big tenant.
	for id := int64(1); id <= 20; id++ {
		p, err := st.Pattern(ctx, small.ID, id)
		if err == nil && !strings.HasPrefix(p.Name, small.Slug+" ") {
			t.Fatalf("Pattern(%s, %d) returned %q from another tenant", small.Slug, id, p.Name)
		}
		if _, inSmall := models[0][id]; !inSmall {
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("Pattern(%s, %d) = %v, want ErrNotFound", small.Slug, id, err)
			}
			if _, err := st.UpdatePattern(ctx, small.ID, id, store.PatternEdit{Name: ptr("hijacked")}); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("UpdatePattern(%s, %d) = %v, want ErrNotFound", small.Slug, id, err)
			}
			if err := st.DeletePattern(ctx, small.ID, id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("DeletePattern(%s, %d) = %v, want ErrNotFound", small.Slug, id, err)
			}
		}
	}
	// Changing tenant A's pattern 1 leaves tenant B's pattern 1 alone.
	if _, err := st.UpdatePattern(ctx, small.ID, 1, store.PatternEdit{Name: ptr(small.Slug + " renamed")}); err != nil {
		t.Fatal(err)
	}
	models[0][1] = small.Slug + " renamed"
	if err := st.DeletePattern(ctx, small.ID, 2); err != nil {
		t.Fatal(err)
	}
	delete(models[0], 2)
	for i, tn := range ts {
		checkModel(t, st, tn, models[i])
	}
}

// TestTenantIsolationRandomized runs many random operations over many
// tenants against an in-memory model and checks every tenant's whole
// library after each round.
func TestTenantIsolationRandomized(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(testdb.New(t))
	ts := newTenants(t, st, 12)
	models := make([]model, len(ts))
	for i := range models {
		models[i] = model{}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 6 {
		for op := range 80 {
			i := rng.IntN(len(ts))
			tn, m := ts[i], models[i]
			id := int64(rng.IntN(12) + 1)
			_, exists := m[id]
			switch rng.IntN(4) {
			case 0:
				p, err := st.CreatePattern(ctx, tn.ID, &store.Pattern{Name: fmt.Sprintf("%s r%d o%d", tn.Slug, round, op)})
				if err != nil {
					t.Fatal(err)
				}
				m[p.ID] = p.Name
			case 1:
				name := fmt.Sprintf("%s upd r%d o%d", tn.Slug, round, op)
				_, err := st.UpdatePattern(ctx, tn.ID, id, store.PatternEdit{Name: &name})
				if exists != (err == nil) {
					t.Fatalf("UpdatePattern(%s, %d): exists=%v err=%v", tn.Slug, id, exists, err)
				}
				if exists {
					m[id] = name
				}
			case 2:
				err := st.DeletePattern(ctx, tn.ID, id)
				if exists != (err == nil) {
					t.Fatalf("DeletePattern(%s, %d): exists=%v err=%v", tn.Slug, id, exists, err)
				}
				delete(m, id)
			case 3:
				p, err := st.Pattern(ctx, tn.ID, id)
				if exists != (err == nil) || (exists && p.Name != m[id]) {
					t.Fatalf("Pattern(%s, %d) = %v, %v; model has %q", tn.Slug, id, p, err, m[id])
				}
			}
		}
		for i, tn := range ts {
			checkModel(t, st, tn, models[i])
		}
	}
}

func TestTenantSlugRenameAndConflicts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(testdb.New(t))
	ts := newTenants(t, st, 2)
	if _, err := st.CreateTenant(ctx, ts[0].Slug, "Again"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate slug: %v, want ErrConflict", err)
	}
	if err := st.RenameTenantSlug(ctx, ts[0].ID, "renamed"); err != nil {
		t.Fatal(err)
	}
	got, err := st.TenantBySlug(ctx, ts[0].Slug) // the old slug still finds it
	if err != nil || got.ID != ts[0].ID || got.Slug != "renamed" {
		t.Fatalf("old slug → %+v, %v", got, err)
	}
	if _, err := st.CreateTenant(ctx, ts[0].Slug, "Squatter"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("taking a former slug: %v, want ErrConflict", err)
	}
	if err := st.RenameTenantSlug(ctx, ts[1].ID, ts[0].Slug); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("renaming to another tenant's former slug: %v, want ErrConflict", err)
	}
	list, err := st.Tenants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slugs := []string{}
	for _, tn := range list {
		slugs = append(slugs, tn.Slug)
	}
	sort.Strings(slugs)
	if strings.Join(slugs, ",") != "iso-1,renamed" {
		t.Errorf("tenants = %v", slugs)
	}
}

func ptr[T any](v T) *T { return &v }

// TestVisibleIDsAreOpaque: the ids of people, share links, API tokens and
// invitations (in page addresses and the API) are random, not a count
// across the platform.
func TestVisibleIDsAreOpaque(t *testing.T) {
	t.Parallel()
	st := store.New(testdb.New(t))
	ctx := context.Background()
	tn, err := st.CreateTenant(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.CreatePattern(ctx, tn.ID, &store.Pattern{Name: "Feather"})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string][]int64{}
	for i := range 8 {
		u, err := st.CreateUser(ctx, fmt.Sprintf("u%d@example.com", i), "U", nil, true)
		if err != nil {
			t.Fatal(err)
		}
		ids["users"] = append(ids["users"], u.ID)
		at, err := st.CreateAPIToken(ctx, u.ID, tn.ID, "t", []byte(fmt.Sprint("token", i)))
		if err != nil {
			t.Fatal(err)
		}
		ids["api tokens"] = append(ids["api tokens"], at.ID)
		inv, err := st.CreateInvitation(ctx, &store.Invitation{TenantID: tn.ID, Email: "x@example.com", Role: "viewer", ExpiresAt: time.Now().Add(time.Hour)}, []byte(fmt.Sprint("inv", i)))
		if err != nil {
			t.Fatal(err)
		}
		ids["invitations"] = append(ids["invitations"], inv.ID)
		err = st.Tenant(ctx, tn.ID, func(tx *store.TenantTx) error {
			l, err := tx.CreateShare(ctx, &store.ShareLink{Name: "s", ExpiresAt: time.Now().Add(time.Hour), VotingMode: "like", MaxVoters: 50, Patterns: []int64{p.ID}}, []byte(fmt.Sprint("share", i)))
			if err == nil {
				ids["share links"] = append(ids["share links"], l.ID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for what, got := range ids {
		counting, big := 0, 0
		for i, id := range got {
			if i > 0 && id == got[i-1]+1 {
				counting++
			}
			if id > 1<<32 && id <= 1<<53 {
				big++
			}
		}
		if counting > 1 || big < len(got)-1 {
			t.Errorf("%s ids %v look like a count, not random", what, got)
		}
	}
}
