package library

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/limits"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// bulkyZIP is a ZIP of n designs whose files unpack to about size bytes
// each, many times what the ZIP weighs (like the 22 MB ZIP that stored
// 1 GB), though each stays under the ZIP-bomb ratio.
func bulkyZIP(t testing.TB, n, size int) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		w, err := zw.Create(fmt.Sprintf("Bulky %02d/Bulky %02d.qli", i, i))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString("QCT 1\n")
		for b.Len() < size {
			fmt.Fprintf(&b, "VP%d.5,%d.25\n", rng.IntN(8), rng.IntN(8))
		}
		w.Write([]byte(b.String()))
	}
	zw.Close()
	return buf.Bytes()
}

// TestByteQuotaHoldsWhatAZIPWouldStore: the byte limit counts what an
// upload unpacks to, before any design is stored, so a small ZIP that
// would store a lot is held as a staged batch with the limit in words:
// no design goes in, the upload is kept (nothing a quilter uploaded is
// dropped), and it goes in once the workspace has room.
func TestByteQuotaHoldsWhatAZIPWouldStore(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.svc.Quotas = limits.New(r.store)
	ctx := context.Background()
	acme := r.tenant(t, "acme")
	if err := r.store.SetTenantLimit(ctx, acme.ID, string(limits.Bytes), 8<<20); err != nil {
		t.Fatal(err)
	}
	data := bulkyZIP(t, 20, 1<<20) // about 20 MB unpacked
	if len(data) > 8<<20 {
		t.Fatalf("the ZIP weighs %d bytes: it should fit the limit itself", len(data))
	}
	b := r.importZIP(t, acme.ID, "bulky.zip", data)
	if b.Status != store.BatchStaged || !b.Stage || !strings.Contains(b.Error, "can store 8 MB of files") ||
		!strings.Contains(b.Error, "kept safe") || b.Created != 0 || b.DesignsTotal != 20 {
		t.Fatalf("import over the byte limit: status %s, %d of %d created, error %q", b.Status, b.Created, b.DesignsTotal, b.Error)
	}
	if n, _ := r.store.CountPatterns(ctx, acme.ID); n != 0 {
		t.Errorf("%d designs stored over the limit", n)
	}
	var used int64
	r.store.ReadTenant(ctx, acme.ID, func(tx *store.TenantTx) error {
		var err error
		used, err = tx.Usage(ctx, store.UsageBytes)
		return err
	})
	if used != int64(len(data)) {
		t.Errorf("%d bytes counted while held; want the kept upload's %d", used, len(data))
	}
	// The same ZIP fits a workspace with the default limits.
	beta := r.tenant(t, "beta")
	if b := r.importZIP(t, beta.ID, "bulky.zip", data); b.Status != store.BatchDone || b.Created != 20 {
		t.Errorf("within the default limits: %s, %d created, %q", b.Status, b.Created, b.Error)
	}
	// An upload bigger than what is left is held at once.
	if err := r.store.SetTenantLimit(ctx, acme.ID, string(limits.Bytes), int64(len(data))/2); err != nil {
		t.Fatal(err)
	}
	again, err := r.svc.StartImport(ctx, acme.ID, 0, []Upload{{Name: "bulky.zip", Body: bytes.NewReader(data), Size: -1}}, false)
	if err != nil || !again.Stage || !strings.Contains(again.Error, "this would add") {
		t.Fatalf("an upload over the byte limit: %+v, %v", again, err)
	}
	// With room, the held imports go in.
	if err := r.store.SetTenantLimit(ctx, acme.ID, string(limits.Bytes), -1); err != nil {
		t.Fatal(err)
	}
	if n, err := r.svc.ReleaseStaged(ctx, acme.ID); err != nil || n != 1 {
		t.Fatalf("released %d staged imports: %v", n, err)
	}
	for _, id := range []int64{b.ID, again.ID} {
		if err := r.svc.Process(ctx, acme.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := r.store.CountPatterns(ctx, acme.ID); n != 20 {
		t.Errorf("%d designs after the limit was lifted; want the 20 held (the second upload repeats them)", n)
	}
}

// TestDesignAndUploadQuotas: the designs an import would add count against
// the design limit (over it, the import is held); imports an hour are
// limited, and say so.
func TestDesignAndUploadQuotas(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.svc.Quotas = limits.New(r.store)
	ctx := context.Background()
	acme := r.tenant(t, "acme")
	r.store.SetTenantLimit(ctx, acme.ID, string(limits.Designs), 5)
	b := r.importZIP(t, acme.ID, "six.zip", bulkyZIP(t, 6, 100))
	if b.Status != store.BatchStaged || !strings.Contains(b.Error, "can hold 5 designs; it has 0, and this would add 6") {
		t.Errorf("6 designs over a limit of 5: %s %q", b.Status, b.Error)
	}
	if b := r.importZIP(t, acme.ID, "five.zip", bulkyZIP(t, 5, 100)); b.Status != store.BatchDone || b.Created != 5 {
		t.Errorf("5 designs within a limit of 5: %s %d %q", b.Status, b.Created, b.Error)
	}

	r.store.SetTenantLimit(ctx, acme.ID, string(limits.UploadsPerHour), 2)
	_, err := r.svc.StartImport(ctx, acme.ID, 0, []Upload{{Name: "x.zip", Body: bytes.NewReader(bulkyZIP(t, 1, 100)), Size: -1}}, false)
	if p, ok := problem.As(err); !ok || p.Status != http.StatusTooManyRequests || !strings.Contains(p.Message, "2 imports an hour") {
		t.Errorf("third import in an hour with a limit of 2: %v", err)
	}
}

// TestKeywordAndSavedSearchQuotas: keywords per change, per design and per
// workspace, and saved searches per workspace, each refused with its
// reason and nothing changed.
func TestKeywordAndSavedSearchQuotas(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.svc.Quotas = limits.New(r.store)
	ctx := context.Background()
	acme := r.tenant(t, "acme")
	p, err := r.store.CreatePattern(ctx, acme.ID, &store.Pattern{Name: "Feather", Keywords: []string{"feather"}})
	if err != nil {
		t.Fatal(err)
	}
	words := func(prefix string, n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("%s%d", prefix, i))
		}
		return out
	}
	if err := r.svc.AddKeywords(ctx, acme.ID, []int64{p.ID}, words("w", limits.KeywordsPerRequest+1)); !errors.Is(err, ErrTooManyKeywords) {
		t.Errorf("%d keywords in one change: %v", limits.KeywordsPerRequest+1, err)
	}
	for i := range 2 {
		if err := r.svc.AddKeywords(ctx, acme.ID, []int64{p.ID}, words(fmt.Sprint("k", i, "-"), limits.KeywordsPerRequest)); err != nil {
			t.Fatal(err)
		}
	}
	err = r.svc.AddKeywords(ctx, acme.ID, []int64{p.ID}, words("z", limits.KeywordsPerRequest))
	if !errors.Is(err, ErrTooManyKeywords) || !strings.Contains(err.Error(), fmt.Sprint("at most ", limits.KeywordsPerDesign)) {
		t.Errorf("a design over %d keywords: %v", limits.KeywordsPerDesign, err)
	}
	kw := words("e", limits.KeywordsPerDesign+1)
	if _, err := r.svc.EditPattern(ctx, acme.ID, p.ID, Edit{Keywords: &kw}); !errors.Is(err, ErrTooManyKeywords) {
		t.Errorf("setting %d keywords: %v", len(kw), err)
	}
	got, _ := r.svc.Pattern(ctx, acme.ID, p.ID, 0)
	if len(got.Keywords) != 1+2*limits.KeywordsPerRequest {
		t.Errorf("refused changes changed the keywords: %d", len(got.Keywords))
	}

	r.store.SetTenantLimit(ctx, acme.ID, string(limits.Keywords), int64(len(got.Keywords))+2)
	q, _ := r.store.CreatePattern(ctx, acme.ID, &store.Pattern{Name: "Swirl"})
	err = r.svc.AddKeywords(ctx, acme.ID, []int64{q.ID}, []string{"swirl", "spiral", "curl"})
	if !errors.Is(err, limits.ErrOverLimit) || !strings.Contains(err.Error(), "keywords") {
		t.Errorf("3 new keywords with room for 2: %v", err)
	}
	if err := r.svc.AddKeywords(ctx, acme.ID, []int64{q.ID}, []string{"feather", "swirl", "spiral"}); err != nil {
		t.Errorf("2 new keywords (and one known) with room for 2: %v", err)
	}

	r.store.SetTenantLimit(ctx, acme.ID, string(limits.SavedSearches), 1)
	if err := r.svc.SaveSearch(ctx, acme.ID, 1, &store.SavedSearch{Name: "Feathers", Query: "feather"}); err != nil {
		t.Fatal(err)
	}
	err = r.svc.SaveSearch(ctx, acme.ID, 2, &store.SavedSearch{Name: "Swirls", Query: "swirl"})
	if !errors.Is(err, limits.ErrOverLimit) || !strings.Contains(err.Error(), "1 saved search;") {
		t.Errorf("a second saved search with a limit of 1: %v", err)
	}
}
