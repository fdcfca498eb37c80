package business_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testfixtures"
	"github.com/patternvault/patternvault/internal/testrig"
)

func TestMain(m *testing.M) { os.Exit(testrig.Main(m)) }

// importDesign imports one real design file and returns its id.
func importDesign(t *testing.T, r *testrig.Rig, tn *store.Tenant, path string) *store.Pattern {
	t.Helper()
	ctx := context.Background()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("fixture absent: %v", err)
	}
	b, err := r.Library.StartImport(ctx, tn.ID, 0, []library.Upload{{Name: filepath.Base(path), Body: bytes.NewReader(data), Size: int64(len(data))}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Library.Process(ctx, tn.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	page, err := r.Store.Patterns(ctx, tn.ID, store.PatternQuery{Limit: 10})
	if err != nil || len(page.Patterns) != 1 {
		t.Fatalf("patterns after import: %+v %v", page, err)
	}
	return page.Patterns[0]
}

// TestQuoteWithRealDesign: the worked example on a new workspace's
// default price list, planned with Stitchables' atom electrons as the
// import measured it.
func TestQuoteWithRealDesign(t *testing.T) {
	t.Parallel()
	dir := testfixtures.Dir(t)
	r := testrig.New(t, testrig.Options{})
	tn := r.Tenant(t, "pam")
	r.Plan(t, tn.ID, "business")
	p := importDesign(t, r, tn, filepath.Join(dir, "stitchables", "e2e", "atom-electrons", "e2e - atom electrons v3.qli"))
	tax := business.PPM(60000)
	q, err := r.Business.Quote(context.Background(), tn.ID, business.QuoteRequest{PatternID: p.ID, QuoteInput: business.QuoteInput{
		Width: 9000, Length: 10800, Level: "Light edge-to-edge", Binding: "Machine finished", Thread: "Standard", TaxRate: &tax}})
	if err != nil {
		t.Fatal(err)
	}
	if q.Total != 27624 {
		t.Errorf("total %d, want 27624", q.Total)
	}
	if q.Plan == nil || q.Plan.Rows != 10 || q.Plan.Repeats != 7 || q.Plan.Bobbins != 5 ||
		q.Plan.StitchedLength < 15648 || q.Plan.StitchedLength > 15651 {
		t.Errorf("plan %+v, want 10 rows × 7 repeats, ~15,649 in, 5 bobbins", q.Plan)
	}
	_, err = r.Business.Quote(context.Background(), tn.ID, business.QuoteRequest{PatternID: p.ID + 1000, QuoteInput: business.QuoteInput{Width: 9000, Length: 10800}})
	if pr, ok := problem.As(err); !ok || pr.Status != 422 {
		t.Errorf("a design not in the library: %v", err)
	}
}

// jpegPhoto is a small phone-like photo (orientation 6 in its Exif).
func jpegPhoto(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 300; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	tiff := []byte("II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00\x00")
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	b := buf.Bytes()
	return append(append(append(append([]byte{}, b[:2]...), app1...), seg...), b[2:]...)
}

// TestBusinessFlow walks a customer's quilt through the service: her
// favourite on a share link becomes a job, the quote is emailed and
// accepted through its link, the job goes through the queue, is
// invoiced, paid, shows in the analytics and tax export, and its photo in
// the portfolio, on the design and in the opted-in gallery.
func TestBusinessFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := testrig.New(t, testrig.Options{})
	biz := r.Business
	day := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	biz.Now = func() time.Time { return day }
	tn := r.Tenant(t, "pam")
	r.Plan(t, tn.ID, "business")
	a, b := r.Pattern(t, tn, "Feathers"), r.Pattern(t, tn, "Swirls")
	link, err := r.Shares.Create(ctx, tn.ID, 0, share.Input{PatternIDs: []int64{a.ID, b.ID}, Name: "Jane's quilt", RecipientName: "Jane",
		RecipientEmail: "jane@example.com", ShowDesigner: true})
	if err != nil {
		t.Fatal(err)
	}
	voter := share.NewVoterID()
	for id, vote := range map[int64]string{b.ID: "favorite", a.ID: "like"} {
		if _, err := r.Store.SaveVote(ctx, link.Link.ID, store.VoteChange{VoterID: voter, VoterName: "Jane", PatternID: id, Vote: vote, SetVote: true}, 10); err != nil {
			t.Fatal(err)
		}
	}

	// Jane's favourite becomes a job, for a new customer Jane.
	d, err := biz.DraftFromShare(ctx, tn.ID, link.Link.ID, "Jane")
	if err != nil {
		t.Fatal(err)
	}
	if d.CustomerID != 0 || d.Email != "jane@example.com" || len(d.PatternIDs) != 1 || d.PatternIDs[0] != b.ID {
		t.Fatalf("draft %+v, want a new Jane with her favourite %d", d, b.ID)
	}
	tax := business.PPM(60000)
	job, err := biz.CreateJob(ctx, tn.ID, business.JobInput{NewCustomer: &store.Customer{Name: d.CustomerName, Email: d.Email, PhotoConsent: true},
		Title: d.Title, PatternIDs: d.PatternIDs, ShareID: &d.ShareID, Quote: business.QuoteInput{Width: 9000, Length: 10800,
			Level: "Light edge-to-edge", Binding: "Machine finished", Thread: "Standard", TaxRate: &tax}})
	if err != nil {
		t.Fatal(err)
	}
	if job.TotalCents != 27624 || job.Status != business.StatusQuote || len(job.Lines) != 3 {
		t.Fatalf("job %+v", job)
	}

	// The quote, emailed; Jane accepts it through the link.
	sent, err := biz.SendQuote(ctx, tn.ID, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	m := r.Mail.Last(t, mail.KindQuote, "jane@example.com")
	if m.Link != sent.URL || !strings.Contains(m.Message.Text, "$276.24") {
		t.Fatalf("quote mail %q links %s:\n%s", m.Message.Subject, m.Link, m.Message.Text)
	}
	token := sent.URL[strings.LastIndex(sent.URL, "/")+1:]
	if _, err := biz.AcceptQuote(ctx, tn, token+"x", "Jane"); !isStatus(err, 404) {
		t.Errorf("a wrong token: %v", err)
	}
	other := r.Tenant(t, "other")
	if _, err := biz.AcceptQuote(ctx, other, token, "Jane"); !isStatus(err, 404) {
		t.Errorf("the token in another workspace: %v", err)
	}
	pj, err := biz.AcceptQuote(ctx, tn, token, "Jane Doe")
	if err != nil {
		t.Fatal(err)
	}
	if pj.Job.Status != business.StatusAccepted || !pj.Queued || pj.Ahead != 0 || pj.StatusURL == "" {
		t.Fatalf("accepted: %+v", pj)
	}
	again, err := biz.AcceptQuote(ctx, tn, token, "Jane Doe")
	if err != nil || again.StatusURL != "" || again.Job.Status != business.StatusAccepted {
		t.Errorf("accepting twice: %+v %v", again, err)
	}
	st, err := biz.OpenJobLink(ctx, tn, pj.StatusURL[strings.LastIndex(pj.StatusURL, "/")+1:], true)
	if err != nil || st.Job.ID != job.ID || !st.Queued {
		t.Fatalf("status link: %+v %v", st, err)
	}

	// A second job after it: it has one ahead, and a later estimate.
	second, err := biz.CreateJob(ctx, tn.ID, business.JobInput{CustomerID: job.CustomerID, Title: "Table runner",
		Quote: business.QuoteInput{Width: 1600, Length: 7200, Level: "Custom"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := biz.SetStatus(ctx, tn.ID, second.ID, business.StatusChange{Status: business.StatusInQueue}); err != nil {
		t.Fatal(err)
	}
	q, err := biz.Queue(ctx, tn.ID, 0)
	if err != nil || len(q.Jobs) != 2 || q.Jobs[0].Job.ID != job.ID || q.Jobs[1].Ahead != 1 || !q.Jobs[1].ReadyBy.After(q.Jobs[0].ReadyBy.AddDate(0, 0, -1)) {
		t.Fatalf("queue %+v %v", q, err)
	}
	if err := biz.MoveInQueue(ctx, tn.ID, second.ID, -1); err != nil {
		t.Fatal(err)
	}
	q, _ = biz.Queue(ctx, tn.ID, 0)
	if q.Jobs[0].Job.ID != second.ID {
		t.Errorf("after moving up, the queue starts with %d", q.Jobs[0].Job.ID)
	}
	for _, s := range []string{business.StatusInQueue, business.StatusQuilting, business.StatusFinished} {
		if _, err := biz.SetStatus(ctx, tn.ID, job.ID, business.StatusChange{Status: s}); err != nil {
			t.Fatal(err)
		}
	}

	// Invoiced, issued (numbered), paid in two parts.
	inv, err := biz.CreateInvoice(ctx, tn.ID, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	inv, err = biz.IssueInvoice(ctx, tn.ID, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Number == nil || *inv.Number != "INV-0001" || inv.TotalCents != 27624 || business.InvoiceStatus(inv, day) != business.InvoiceIssued {
		t.Fatalf("issued %+v", inv)
	}
	if _, err := biz.SendInvoice(ctx, tn.ID, inv.ID); err != nil {
		t.Fatal(err)
	}
	im := r.Mail.Last(t, mail.KindInvoice, "jane@example.com")
	if len(im.Message.Attachments) != 1 || !bytes.HasPrefix(im.Message.Attachments[0].Data, []byte("%PDF-")) ||
		im.Message.Attachments[0].Name != "INV-0001.pdf" {
		t.Errorf("invoice mail attachments %+v", im.Message.Attachments)
	}
	if _, err := biz.RecordPayment(ctx, tn.ID, inv.ID, business.PaymentInput{Amount: 30000, Method: "cash"}); !isStatus(err, 422) {
		t.Errorf("overpaying: %v", err)
	}
	inv, err = biz.RecordPayment(ctx, tn.ID, inv.ID, business.PaymentInput{Amount: 10000, Method: "cheque", Reference: "#101"})
	if err != nil || business.InvoiceStatus(inv, day) != business.InvoicePartial {
		t.Fatalf("part paid: %+v %v", inv, err)
	}
	inv, err = biz.RecordPayment(ctx, tn.ID, inv.ID, business.PaymentInput{Amount: 17624, Method: "card"})
	if err != nil || business.InvoiceStatus(inv, day) != business.InvoicePaid {
		t.Fatalf("paid: %+v %v", inv, err)
	}
	f, _ := biz.Job(ctx, tn.ID, job.ID)
	if f.Job.Status != business.StatusPaid || f.Job.PaidOn == nil {
		t.Errorf("the job after payment: %s", f.Job.Status)
	}
	second2, _ := biz.CreateInvoice(ctx, tn.ID, second.ID)
	second2, _ = biz.IssueInvoice(ctx, tn.ID, second2.ID)
	if *second2.Number != "INV-0002" {
		t.Errorf("second invoice number %s", *second2.Number)
	}
	if _, err := biz.AddExpense(ctx, tn.ID, business.ExpenseInput{Category: "batting", Description: "Queen roll", Amount: 8000, JobID: job.ID}); err != nil {
		t.Fatal(err)
	}

	// The money shows in analytics and the tax export.
	an, err := biz.Analytics(ctx, tn.ID, 2026)
	if err != nil {
		t.Fatal(err)
	}
	mar := an.Months[2]
	if mar.Received != 27624 || an.Total.Tax < 1564 || an.Total.Costs != 8000 || an.Quarters[0].Received != 27624 {
		t.Errorf("March %+v, year %+v", mar, an.Total)
	}
	if len(an.ByRevenue) != 1 || an.ByRevenue[0].PatternID != b.ID || an.ByRevenue[0].Revenue != 26060 {
		t.Errorf("top designs %+v, want Swirls with 26060", an.ByRevenue)
	}
	ty, err := biz.TaxYear(ctx, tn.ID, 2026)
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := ty.CSV(business.TaxIncome)
	if !strings.Contains(string(csv), "INV-0001,2026-03-02,Q1,Jane,260.60,6,15.64,276.24,276.24,USD") {
		t.Errorf("tax CSV:\n%s", csv)
	}
	money, _ := biz.Job(ctx, tn.ID, job.ID)
	if m := business.Margin(money.Money); m.Margin != 26060-8000 {
		t.Errorf("margin %+v", m)
	}

	// The finished quilt's photo: upright, on the design, and in the
	// gallery only once the gallery is on.
	ph, err := biz.AddPhoto(ctx, tn.ID, business.PhotoInput{Kind: business.PhotoFinished, JobID: job.ID, Caption: "Jane's swirls", Public: true,
		Data: bytes.NewReader(jpegPhoto(t))})
	if err != nil {
		t.Fatal(err)
	}
	if ph.Width != 200 || ph.Height != 300 || len(ph.PatternIDs) != 1 || ph.PatternIDs[0] != b.ID || ph.CustomerID == nil {
		t.Errorf("photo %+v", ph)
	}
	onDesign, _ := biz.Photos(ctx, tn.ID, store.PhotoQuery{PatternID: b.ID})
	if len(onDesign) != 1 {
		t.Errorf("%d photos on the design", len(onDesign))
	}
	if _, err := biz.Gallery(ctx, tn); !isStatus(err, 404) {
		t.Errorf("gallery before opting in: %v", err)
	}
	if _, _, err := biz.PhotoFile(ctx, tn.ID, ph.ID, "480", true); !isStatus(err, 404) {
		t.Errorf("public photo before opting in: %v", err)
	}
	_, set, _ := biz.PriceList(ctx, tn.ID)
	set.GalleryPublic = true
	if err := biz.SaveSettings(ctx, tn.ID, set); err != nil {
		t.Fatal(err)
	}
	g, err := biz.Gallery(ctx, tn)
	if err != nil || len(g.Photos) != 1 || g.Photos[0].CustomerName != "Jane" {
		t.Fatalf("gallery %+v %v", g, err)
	}
	rc, _, err := biz.PhotoFile(ctx, tn.ID, ph.ID, "480", true)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
}

func isStatus(err error, status int) bool {
	p, ok := problem.As(err)
	return ok && p.Status == status
}

// TestCustomersImportAndSoftDelete: a CSV import adds the new and keeps
// the known; a deleted customer leaves the list and her job stays.
func TestCustomersImportAndSoftDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := testrig.New(t, testrig.Options{})
	tn := r.Tenant(t, "pam")
	r.Plan(t, tn.ID, "business")
	if _, err := r.Business.CreateCustomer(ctx, tn.ID, store.Customer{Name: "Jane Doe", Email: "jane@example.com"}); err != nil {
		t.Fatal(err)
	}
	res, err := r.Business.ImportCustomers(ctx, tn.ID, strings.NewReader("Name,Email,Phone\nJane D.,JANE@example.com,\nMary Smith,mary@example.com,555\nBad,nope,\n"))
	if err != nil || res.Added != 1 || res.Existing != 1 || len(res.Problems) != 1 {
		t.Fatalf("import %+v %v", res, err)
	}
	cs, _ := r.Business.Customers(ctx, tn.ID, store.CustomerQuery{Search: "555"})
	if len(cs) != 1 || cs[0].Name != "Mary Smith" {
		t.Fatalf("search by phone: %+v", cs)
	}
	if err := r.Business.DeleteCustomer(ctx, tn.ID, cs[0].ID, true); err != nil {
		t.Fatal(err)
	}
	cs, _ = r.Business.Customers(ctx, tn.ID, store.CustomerQuery{})
	gone, _ := r.Business.Customers(ctx, tn.ID, store.CustomerQuery{Deleted: true})
	if len(cs) != 1 || len(gone) != 1 {
		t.Errorf("live %d, deleted %d", len(cs), len(gone))
	}
	if _, err := r.Business.CreateJob(ctx, tn.ID, business.JobInput{CustomerID: gone[0].ID, Quote: business.QuoteInput{Width: 5000, Length: 6000}}); !isStatus(err, 404) {
		t.Errorf("a job for a deleted customer: %v", err)
	}
}

// TestPhotosSurviveOrphanSweep: the library's sweep of files no row
// points at leaves every file of a photo alone (the original and its
// resized copies); deleting a photo removes its files with it.
func TestPhotosSurviveOrphanSweep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := testrig.New(t, testrig.Options{})
	tn := r.Tenant(t, "pam")
	r.Plan(t, tn.ID, "business")
	kept, err := r.Business.AddPhoto(ctx, tn.ID, business.PhotoInput{Kind: business.PhotoFinished, Caption: "Kept", Data: bytes.NewReader(jpegPhoto(t))})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := r.Business.AddPhoto(ctx, tn.ID, business.PhotoInput{Kind: business.PhotoFinished, Caption: "Deleted", Data: bytes.NewReader(jpegPhoto(t))})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Business.DeletePhoto(ctx, tn.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	var left []string
	if err := r.Blobs.List(ctx, fmt.Sprintf("%d/photos/%d/", tn.ID, gone.ID), func(i blob.Info) error {
		left = append(left, i.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("the deleted photo's files %q are still stored", left)
	}
	removed, err := r.Library.SweepOrphans(ctx, tn.ID, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 0 {
		t.Errorf("the sweep removed %q, want nothing", removed)
	}
	// A photo a kept snapshot holds keeps its files when deleted: a
	// restore brings it back whole.
	held, err := r.Business.AddPhoto(ctx, tn.ID, business.PhotoInput{Kind: business.PhotoFinished, Caption: "Held", Data: bytes.NewReader(jpegPhoto(t))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Backup.Snapshot(ctx, tn.ID, store.SnapshotScheduled); err != nil {
		t.Fatal(err)
	}
	if err := r.Business.DeletePhoto(ctx, tn.ID, held.ID); err != nil {
		t.Fatal(err)
	}
	left = nil
	if err := r.Blobs.List(ctx, fmt.Sprintf("%d/photos/%d/", tn.ID, held.ID), func(i blob.Info) error {
		left = append(left, i.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(left) != 3 {
		t.Errorf("a snapshotted photo's files after its deletion: %q, want its three", left)
	}
	for _, size := range []string{"original", "1600", "480"} {
		rc, _, err := r.Business.PhotoFile(ctx, tn.ID, kept.ID, size, false)
		if err != nil {
			t.Errorf("photo %d's %s after the sweep: %v", kept.ID, size, err)
			continue
		}
		rc.Close()
	}
}

// TestBusinessInSnapshots: the business's rows are in a workspace's
// snapshots: its restore check passes, and restoring it brings back a
// customer, her job and its issued invoice deleted since, with the
// settings and price list as they were.
func TestBusinessInSnapshots(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := testrig.New(t, testrig.Options{})
	tn := r.Tenant(t, "pam")
	r.Plan(t, tn.ID, "business")
	c, err := r.Business.CreateCustomer(ctx, tn.ID, store.Customer{Name: "Jane Doe", Email: "jane@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	j, err := r.Business.CreateJob(ctx, tn.ID, business.JobInput{CustomerID: c.ID, Title: "Wedding quilt", Quote: workedExample()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Business.SetStatus(ctx, tn.ID, j.ID, business.StatusChange{Status: business.StatusAccepted}); err != nil {
		t.Fatal(err)
	}
	v, err := r.Business.CreateInvoice(ctx, tn.ID, j.ID)
	if err == nil {
		v, err = r.Business.IssueInvoice(ctx, tn.ID, v.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	snap, err := r.Backup.Snapshot(ctx, tn.ID, store.SnapshotScheduled)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Backup.Check(ctx, tn.ID)
	if err != nil || !res.OK {
		t.Fatalf("restore check: %+v %v", res, err)
	}
	if err := r.Business.VoidInvoice(ctx, tn.ID, v.ID); err != nil {
		t.Fatal(err)
	}
	if err := r.Business.DeleteCustomer(ctx, tn.ID, c.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Backup.RestoreSnapshot(ctx, tn.ID, snap.ID, backup.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	f, err := r.Business.Customer(ctx, tn.ID, c.ID)
	if err != nil || f.Customer.DeletedAt != nil || len(f.Jobs) != 1 || len(f.Invoices) != 1 {
		t.Fatalf("after the restore: %+v %v", f, err)
	}
	if got := business.InvoiceStatus(f.Invoices[0], time.Now()); got != business.InvoiceIssued || f.Invoices[0].TotalCents != 27624 {
		t.Errorf("the restored invoice is %s, %d cents; want Issued, 27624", got, f.Invoices[0].TotalCents)
	}
	q, err := r.Business.Quote(ctx, tn.ID, business.QuoteRequest{QuoteInput: workedExample()})
	if err != nil || q.Total != 27624 {
		t.Errorf("the worked example after the restore: %+v %v", q, err)
	}
}

// workedExample is the issue's worked example: queen 90 × 108 in, light
// edge-to-edge, machine-finished binding, standard thread, 6 % tax.
func workedExample() business.QuoteInput {
	tax := business.PPM(60000)
	return business.QuoteInput{Width: 9000, Length: 10800, Level: "Light edge-to-edge", Binding: "Machine finished", Thread: "Standard", TaxRate: &tax}
}

// TestPlans: the business follows the workspace's plan (internal/billing):
// on the Professional trial a new workspace keeps a portfolio and opens
// its gallery but adds no customers, jobs or invoices (402 plan_feature
// naming the Business plan), and still reads and quotes; Starter has no
// portfolio; Business has everything.
func TestPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := testrig.New(t, testrig.Options{})
	tn := r.Tenant(t, "pro")
	_, err := r.Business.CreateCustomer(ctx, tn.ID, store.Customer{Name: "Jane Doe"})
	if p, ok := problem.As(err); !ok || p.Status != 402 || p.Code != "plan_feature" || !strings.Contains(p.Message, "Business") {
		t.Fatalf("a customer on the Professional trial: %v", err)
	}
	if _, err := r.Business.CreateJob(ctx, tn.ID, business.JobInput{NewCustomer: &store.Customer{Name: "Jane"}, Quote: workedExample()}); !isStatus(err, 402) {
		t.Errorf("a job on the Professional trial: %v", err)
	}
	if q, err := r.Business.Quote(ctx, tn.ID, business.QuoteRequest{QuoteInput: workedExample()}); err != nil || q.Total != 27624 {
		t.Errorf("a quote on the Professional trial: %v", err)
	}
	if _, err := r.Business.AddPhoto(ctx, tn.ID, business.PhotoInput{Kind: business.PhotoFinished, Data: bytes.NewReader(jpegPhoto(t))}); err != nil {
		t.Errorf("a finished quilt on the Professional trial: %v", err)
	}
	_, set, err := r.Business.PriceList(ctx, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	set.GalleryPublic = true
	if err := r.Business.SaveSettings(ctx, tn.ID, set); err != nil {
		t.Errorf("opening the gallery on the Professional trial: %v", err)
	}
	set.TaxRatePPM = 60000
	if err := r.Business.SaveSettings(ctx, tn.ID, set); !isStatus(err, 402) {
		t.Errorf("a tax rate on the Professional trial: %v", err)
	}

	r.Plan(t, tn.ID, "starter")
	if _, err := r.Business.AddPhoto(ctx, tn.ID, business.PhotoInput{Kind: business.PhotoFinished, Data: bytes.NewReader(jpegPhoto(t))}); !isStatus(err, 402) {
		t.Errorf("a finished quilt on Starter: %v", err)
	}
	r.Plan(t, tn.ID, "business")
	if _, err := r.Business.CreateCustomer(ctx, tn.ID, store.Customer{Name: "Jane Doe"}); err != nil {
		t.Errorf("a customer on Business: %v", err)
	}
	if err := r.Business.SaveSettings(ctx, tn.ID, set); err != nil {
		t.Errorf("a tax rate on Business: %v", err)
	}
}

// TestBusinessInExports: an export holds the business's rows and each
// photo's original (portfolio/{id}.jpg), and restores into a new
// workspace with its customers, jobs and invoices.
func TestBusinessInExports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := testrig.New(t, testrig.Options{})
	tn := r.Tenant(t, "pam")
	r.Plan(t, tn.ID, "business")
	c, err := r.Business.CreateCustomer(ctx, tn.ID, store.Customer{Name: "Jane Doe", Email: "jane@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Business.CreateJob(ctx, tn.ID, business.JobInput{CustomerID: c.ID, Title: "Wedding quilt", Quote: workedExample()}); err != nil {
		t.Fatal(err)
	}
	ph, err := r.Business.AddPhoto(ctx, tn.ID, business.PhotoInput{Kind: business.PhotoFinished, Caption: "Done", Data: bytes.NewReader(jpegPhoto(t))})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	res, err := r.Backup.WriteExport(ctx, tn.ID, &buf, backup.ExportOptions{})
	if err != nil || res.Photos != 1 {
		t.Fatalf("export: %+v %v", res, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range zr.File {
		found = found || f.Name == fmt.Sprintf("portfolio/%d.jpg", ph.ID)
	}
	if !found {
		t.Errorf("the export lacks portfolio/%d.jpg", ph.ID)
	}
	other := r.Tenant(t, "copy")
	if _, err := r.Backup.RestoreExport(ctx, other.ID, bytes.NewReader(buf.Bytes()), int64(buf.Len()), backup.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	cs, err := r.Business.Customers(ctx, other.ID, store.CustomerQuery{})
	if err != nil || len(cs) != 1 || cs[0].Name != "Jane Doe" || cs[0].Jobs != 1 {
		t.Errorf("customers restored from the export: %+v %v", cs, err)
	}
	if _, _, err := r.Business.PhotoFile(ctx, other.ID, ph.ID, "original", false); err == nil {
		t.Error("the restored photo's row reaches the first workspace's file")
	}
}
