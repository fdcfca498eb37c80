package billing_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/accounts"
	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testrig"
)

func TestMain(m *testing.M) { os.Exit(testrig.Main(m)) }

// designsZIP is a ZIP of n small readable designs (one QLI each) named
// prefix 00, prefix 01, ...
func designsZIP(t testing.TB, prefix string, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		d := &geom.Design{Paths: []geom.Path{{Stitch: true, Segments: []geom.Segment{
			{Kind: geom.Line, End: geom.Point{X: float64(2 + i), Y: 1}},
			{Kind: geom.Line, End: geom.Point{X: 0, Y: float64(1 + i%3)}},
		}}}}
		w, err := zw.Create(fmt.Sprintf("%s %02d/%s %02d.qli", prefix, i, prefix, i))
		if err != nil {
			t.Fatal(err)
		}
		if err := formats.Write(w, "qli", d); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// seedPatterns puts n bare designs (no files) into the tenant's library in
// one statement: the limit counts designs, not how they came.
func seedPatterns(t testing.TB, r *testrig.Rig, tn *store.Tenant, n int) {
	t.Helper()
	_, err := r.DB.Pool.Exec(context.Background(),
		`INSERT INTO `+db.TenantSchema(tn.ID)+`.patterns (name) SELECT 'Seed ' || g FROM generate_series(1, $1) g`, n)
	if err != nil {
		t.Fatal(err)
	}
}

func countPatterns(t testing.TB, r *testrig.Rig, tn *store.Tenant) int64 {
	t.Helper()
	n, err := r.Store.CountPatterns(context.Background(), tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStarterOverLimitImportIsStagedThenAdded: a Starter workspace at
// 2,000 designs imports a ZIP of 50 more. The import is accepted and held
// as a staged batch with a reason that says the limit, where she stands
// and how to upgrade; nothing is added and nothing is lost (its upload is
// kept). A downgrade back is refused while over. After an upgrade to
// Professional the staged designs are added.
func TestStarterOverLimitImportIsStagedThenAdded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := testrig.New(t, testrig.Options{})
	acme := r.Tenant(t, "acme")
	if _, err := r.Billing.AdminChangePlan(ctx, acme.ID, billing.AdminChange{Plan: billing.Starter}, nil, ""); err != nil {
		t.Fatal(err)
	}
	seedPatterns(t, r, acme, 2000)

	data := designsZIP(t, "Feather", 50)
	b, err := r.Library.StartImport(ctx, acme.ID, 0, []library.Upload{{Name: "feathers.zip", Body: bytes.NewReader(data), Size: int64(len(data))}}, false)
	if err != nil {
		t.Fatalf("an import over the limit must be accepted: %v", err)
	}
	if !b.Stage || !strings.Contains(b.Error, "Over your plan") || !strings.Contains(b.Error, "2,000") {
		t.Fatalf("new batch: stage %v, reason %q; want it held with the limit in the reason", b.Stage, b.Error)
	}
	if err := r.Library.Process(ctx, acme.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	b, err = r.Store.Batch(ctx, acme.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"upgrade to add these 50 designs", "Your Starter plan holds 2,000 designs and your library has 2,000",
		"Upgrade to Professional (no limit) under Settings → Billing"} {
		if !strings.Contains(b.Error, want) {
			t.Errorf("staged reason %q lacks %q", b.Error, want)
		}
	}
	if b.Status != store.BatchStaged || b.DesignsTotal != 50 || b.Created != 0 {
		t.Fatalf("batch %s, %d designs counted, %d created; want staged with 50 counted, none added", b.Status, b.DesignsTotal, b.Created)
	}
	if len(b.Uploads) != 1 {
		t.Fatalf("the staged batch keeps %d uploads, want its 1", len(b.Uploads))
	}
	if rc, _, err := r.Blobs.Get(ctx, b.Uploads[0].BlobKey); err != nil {
		t.Fatalf("the staged upload is gone: %v", err)
	} else {
		rc.Close()
	}
	if n := countPatterns(t, r, acme); n != 2000 {
		t.Fatalf("%d designs after the held import, want 2000", n)
	}
	a, u, err := r.Billing.AccountUsage(ctx, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Plan.ID != billing.Starter || u.StagedDesigns != 50 || u.StagedImports != 1 {
		t.Errorf("account %s, staged %d designs in %d imports; want starter, 50 in 1", a.Plan.ID, u.StagedDesigns, u.StagedImports)
	}

	// Upgrade: the staged import is queued again and goes in.
	if _, err := r.Billing.AdminChangePlan(ctx, acme.ID, billing.AdminChange{Plan: billing.Professional}, nil, ""); err != nil {
		t.Fatal(err)
	}
	b, err = r.Store.Batch(ctx, acme.ID, b.ID)
	if err != nil || b.Status != store.BatchQueued || b.Stage {
		t.Fatalf("after the upgrade the batch is %+v (%v), want queued again", b, err)
	}
	if err := r.Library.Process(ctx, acme.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	b, _ = r.Store.Batch(ctx, acme.ID, b.ID)
	if b.Status != store.BatchDone || b.Created != 50 || b.Error != "" {
		t.Fatalf("released batch: %s, %d created, error %q; want done with 50", b.Status, b.Created, b.Error)
	}
	if n := countPatterns(t, r, acme); n != 2050 {
		t.Fatalf("%d designs after the upgrade, want 2050", n)
	}

	// Back to Starter: refused while over, saying what is over.
	_, err = r.Billing.AdminChangePlan(ctx, acme.ID, billing.AdminChange{Plan: billing.Starter}, nil, "")
	p, ok := problem.As(err)
	if !errors.Is(err, billing.ErrOverTarget) || !ok || !strings.Contains(p.Message, "2,050 designs (the Starter plan allows 2,000 designs)") {
		t.Fatalf("downgrade while over = %v, want ErrOverTarget listing the designs", err)
	}
	if a, _ := r.Billing.Account(ctx, acme.ID); a.Plan.ID != billing.Professional {
		t.Fatalf("refused downgrade left plan %s", a.Plan.ID)
	}
}

// TestMarginAndMessages: a counted limit lets a write that starts under
// it end up to 10 % over; one that starts at the limit, or would end past
// the margin, gets one message style (limit, standing, upgrade).
func TestMarginAndMessages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := testrig.New(t, testrig.Options{})
	acme := r.Tenant(t, "acme")
	if _, err := r.Billing.AdminChangePlan(ctx, acme.ID, billing.AdminChange{Plan: billing.Starter}, nil, ""); err != nil {
		t.Fatal(err)
	}
	seedPatterns(t, r, acme, 1990)
	if err := r.Billing.Check(ctx, acme.ID, billing.Designs, 200); err != nil {
		t.Errorf("1,990 + 200 (within the 10 %% margin) = %v, want allowed", err)
	}
	err := r.Billing.Check(ctx, acme.ID, billing.Designs, 300)
	if !errors.Is(err, billing.ErrLimit) || problem.Status(err) != 402 {
		t.Errorf("1,990 + 300 (past the margin) = %v, want ErrLimit 402", err)
	}
	seedPatterns(t, r, acme, 10)
	if err := r.Billing.Check(ctx, acme.ID, billing.Designs, 1); !errors.Is(err, billing.ErrLimit) {
		t.Errorf("2,000 + 1 = %v, want ErrLimit", err)
	}

	// Members: the owner is the one person of Starter; an invitation is
	// refused with the same style of message.
	owner, err := r.Accounts.SignUp(ctx, "pam@example.com", "Pam", "a quilt of many colours", "192.0.2.1", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Store.AddMember(ctx, acme.ID, owner.ID, store.RoleOwner); err != nil {
		t.Fatal(err)
	}
	err = r.Accounts.Invite(ctx, acme, &accounts.Visitor{User: owner}, "vera@example.com", store.RoleEditor)
	p, _ := problem.As(err)
	if !errors.Is(err, billing.ErrLimit) || !strings.Contains(p.Message, "room for 1 person and this workspace has 1") ||
		!strings.Contains(p.Message, "Upgrade to Professional (3 people)") {
		t.Errorf("invite on Starter = %v", err)
	}

	// Share links: 5 active on Starter.
	ids := make([]int64, 3)
	for i := range ids {
		ids[i] = r.Pattern(t, acme, fmt.Sprintf("Shared %d", i)).ID
	}
	for i := range 5 {
		if _, err := r.Shares.Create(ctx, acme.ID, owner.ID, share.Input{PatternIDs: ids, Name: fmt.Sprintf("Link %d", i)}); err != nil {
			t.Fatalf("link %d: %v", i, err)
		}
	}
	_, err = r.Shares.Create(ctx, acme.ID, owner.ID, share.Input{PatternIDs: ids, Name: "One too many"})
	p, _ = problem.As(err)
	if !errors.Is(err, billing.ErrLimit) || !strings.Contains(p.Message, "5 active share links and you have 5") {
		t.Errorf("sixth link on Starter = %v", err)
	}
}

// TestTrialEndsReadOnlyNeverLocked: a new workspace is a 14-day
// Professional trial; after it, the workspace is read-only (writes are
// refused or held, with the reason), its library still readable; the
// admin extends the trial and everything works again.
func TestTrialEndsReadOnlyNeverLocked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := testrig.New(t, testrig.Options{})
	acme := r.Tenant(t, "acme")
	a, err := r.Billing.Account(ctx, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Plan.ID != billing.Professional || a.Status != store.SubTrialing || a.TrialDaysLeft() != 14 || a.ReadOnly {
		t.Fatalf("new workspace: %s %s, %d days left, read-only %v; want a 14-day Professional trial", a.Plan.ID, a.Status, a.TrialDaysLeft(), a.ReadOnly)
	}
	later := time.Now().Add(15 * 24 * time.Hour)
	r.Billing.Now = func() time.Time { return later }
	if err := r.Billing.Writable(ctx, acme.ID); !errors.Is(err, billing.ErrReadOnly) {
		t.Fatalf("after the trial: %v, want read-only", err)
	}
	data := designsZIP(t, "Late", 2)
	b, err := r.Library.StartImport(ctx, acme.ID, 0, []library.Upload{{Name: "late.zip", Body: bytes.NewReader(data), Size: int64(len(data))}}, false)
	if err != nil || !b.Stage || !strings.Contains(b.Error, "trial ended") {
		t.Fatalf("import into an ended trial: %+v, %v; want held with the reason", b, err)
	}
	n, err := r.Billing.Remind(ctx)
	if err != nil || n != 1 {
		t.Fatalf("reminders after the trial: %d, %v; want the trial marked expired", n, err)
	}
	if a, _ := r.Billing.Account(ctx, acme.ID); a.Status != store.SubExpired || !a.ReadOnly {
		t.Fatalf("after the reminders job: %s read-only %v", a.Status, a.ReadOnly)
	}
	if _, err := r.Billing.AdminChangePlan(ctx, acme.ID, billing.AdminChange{TrialDays: 7}, nil, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.Billing.Writable(ctx, acme.ID); err != nil {
		t.Fatalf("after extending the trial: %v", err)
	}
}
