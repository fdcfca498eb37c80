package backup_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testfixtures"
	"github.com/patternvault/patternvault/internal/testrig"
)

func TestMain(m *testing.M) { os.Exit(testrig.Main(m)) }

// world is a workspace filled the way a quilter fills hers: the real
// fixture designs imported through the pipeline, keywords and a group,
// favourites, a saved search, a pinned keyword, a share link with votes,
// a design in the trash.
type world struct {
	r       *testrig.Rig
	tenant  *store.Tenant
	owner   *store.User
	helper  *store.User
	uploads map[string][]byte // file name → bytes as uploaded
	designs []*store.Pattern  // live designs
	trashed int64
}

func newWorld(t *testing.T, slug string) *world {
	t.Helper()
	r := testrig.New(t, testrig.Options{})
	return fill(t, r, slug)
}

func fill(t *testing.T, r *testrig.Rig, slug string) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{r: r, tenant: r.Tenant(t, slug), uploads: map[string][]byte{}}
	var err error
	if w.owner, err = r.Accounts.CreateVerifiedUser(ctx, slug+"-owner@example.com", "Pam", "a long password"); err != nil {
		t.Fatal(err)
	}
	if w.helper, err = r.Accounts.CreateVerifiedUser(ctx, slug+"-helper@example.com", "Ed", "a long password"); err != nil {
		t.Fatal(err)
	}
	must(t, r.Store.AddMember(ctx, w.tenant.ID, w.owner.ID, store.RoleOwner))
	must(t, r.Store.AddMember(ctx, w.tenant.ID, w.helper.ID, store.RoleEditor))

	data := w.fixtureZIP(t)
	b, err := r.Library.StartImport(ctx, w.tenant.ID, w.owner.ID, []library.Upload{{Name: "stitchables.zip", Body: bytes.NewReader(data), Size: int64(len(data))}}, false)
	if err != nil {
		t.Fatal(err)
	}
	must(t, r.Library.Process(ctx, w.tenant.ID, b.ID))
	page, err := r.Store.Patterns(ctx, w.tenant.ID, store.PatternQuery{Limit: 100, Sort: "name"})
	if err != nil {
		t.Fatal(err)
	}
	w.designs = page.Patterns
	if len(w.designs) < 4 {
		t.Fatalf("imported %d designs, want at least 4", len(w.designs))
	}
	ids := []int64{w.designs[0].ID, w.designs[1].ID}
	must(t, r.Library.AddKeywords(ctx, w.tenant.ID, ids, []string{"favourite swirl", "wedding"}))
	g, err := r.Library.CreateGroup(ctx, w.tenant.ID, "Occasions")
	must(t, err)
	kws, err := r.Store.Keywords(ctx, w.tenant.ID)
	must(t, err)
	for _, k := range kws {
		if k.Name == "wedding" {
			must(t, r.Library.GroupKeyword(ctx, w.tenant.ID, k.ID, true, g.ID))
			must(t, r.Library.PinKeyword(ctx, w.tenant.ID, w.owner.ID, k.ID, true))
		}
	}
	must(t, r.Library.SetFavorite(ctx, w.tenant.ID, w.owner.ID, w.designs[0].ID, true))
	must(t, r.Library.SetFavorite(ctx, w.tenant.ID, w.helper.ID, w.designs[1].ID, true))
	must(t, r.Library.SaveSearch(ctx, w.tenant.ID, w.owner.ID, &store.SavedSearch{Name: "Weddings", Query: "wedding", Pinned: true}))
	c, err := r.Shares.Create(ctx, w.tenant.ID, w.owner.ID, share.Input{PatternIDs: []int64{w.designs[0].ID, w.designs[1].ID, w.designs[2].ID},
		Name: "Emma's quilt", RecipientName: "Emma", VotingMode: "like"})
	must(t, err)
	token := c.URL[strings.LastIndex(c.URL, "/")+1:]
	o, err := r.Shares.Open(ctx, token, "192.0.2.1")
	must(t, err)
	fav := "favorite"
	if _, err := r.Shares.Vote(ctx, o, share.VoteInput{VoterID: share.NewVoterID(), VoterName: "Emma", PatternID: w.designs[1].ID, Vote: &fav}, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	w.trashed = w.designs[len(w.designs)-1].ID
	if _, _, err := r.Library.Delete(ctx, w.tenant.ID, w.owner.ID, []int64{w.trashed}); err != nil {
		t.Fatal(err)
	}
	w.designs = w.designs[:len(w.designs)-1]
	return w
}

// fixtureZIP zips the fixture designs, a folder each, and remembers every
// file's bytes.
func (w *world) fixtureZIP(t *testing.T) []byte {
	t.Helper()
	root := filepath.Join(testfixtures.Dir(t), "stitchables")
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "*"))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		rel, _ := filepath.Rel(root, dir)
		files, _ := os.ReadDir(dir)
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(dir, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			fw, _ := zw.Create(filepath.ToSlash(filepath.Join(rel, f.Name())))
			fw.Write(data)
			w.uploads[f.Name()] = data
		}
	}
	zw.Close()
	return buf.Bytes()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
