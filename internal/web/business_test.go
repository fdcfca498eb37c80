package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/share"
	"github.com/patternvault/patternvault/internal/store"
)

// bizSeed is a workspace with a little of everything the business pages
// show: a share link Jane voted on, her paid job with its photo, an open
// quote, an expense, and the gallery turned on.
type bizSeed struct {
	Share, Job, Quote, Invoice, Customer, Photo int64
	Design                                      int64
	QuoteURL, StatusURL                         string
}

// photoJPEG is a small JPEG photo.
func photoJPEG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := 0; y < 240; y++ {
		for x := 0; x < 320; x++ {
			img.Set(x, y, color.RGBA{uint8(x / 2), 90, uint8(y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (r *rig) seedBusiness(t testing.TB, tn *store.Tenant) bizSeed {
	t.Helper()
	ctx := context.Background()
	r.Plan(t, tn.ID, "business")
	biz := r.Business
	ids := r.seedDesigns(t, tn, "Swirl", 3)
	link, err := r.Shares.Create(ctx, tn.ID, 0, share.Input{PatternIDs: ids, Name: "Jane's quilt", RecipientName: "Jane",
		RecipientEmail: "jane@example.com", ShowDesigner: true})
	if err != nil {
		t.Fatal(err)
	}
	voter := share.NewVoterID()
	if _, err := r.Store.SaveVote(ctx, link.Link.ID, store.VoteChange{VoterID: voter, VoterName: "Jane", PatternID: ids[1], Vote: "favorite", SetVote: true}, 10); err != nil {
		t.Fatal(err)
	}
	tax := business.PPM(60000)
	q := business.QuoteInput{Width: 9000, Length: 10800, Level: "Light edge-to-edge", Binding: "Machine finished", Thread: "Standard", TaxRate: &tax}
	job, err := biz.CreateJob(ctx, tn.ID, business.JobInput{NewCustomer: &store.Customer{Name: "Jane Doe", Email: "jane@example.com", PhotoConsent: true},
		Title: "Jane's wedding quilt", PatternIDs: []int64{ids[1]}, Quote: q})
	if err != nil {
		t.Fatal(err)
	}
	sent, err := biz.SendQuote(ctx, tn.ID, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{business.StatusAccepted, business.StatusInQueue, business.StatusQuilting, business.StatusFinished} {
		if _, err := biz.SetStatus(ctx, tn.ID, job.ID, business.StatusChange{Status: s}); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := biz.CreateInvoice(ctx, tn.ID, job.ID)
	if err == nil {
		inv, err = biz.IssueInvoice(ctx, tn.ID, inv.ID)
	}
	if err == nil {
		_, err = biz.RecordPayment(ctx, tn.ID, inv.ID, business.PaymentInput{Amount: 27624, Method: "card"})
	}
	if err != nil {
		t.Fatal(err)
	}
	open, err := biz.CreateJob(ctx, tn.ID, business.JobInput{CustomerID: job.CustomerID, Title: "Baby quilt", Quote: business.QuoteInput{Width: 3600, Length: 4800, Level: "Custom"}})
	if err != nil {
		t.Fatal(err)
	}
	status, err := biz.NewStatusLink(ctx, tn.ID, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := biz.AddExpense(ctx, tn.ID, business.ExpenseInput{Category: "batting", Description: "Queen roll", Amount: 8000, JobID: job.ID}); err != nil {
		t.Fatal(err)
	}
	ph, err := biz.AddPhoto(ctx, tn.ID, business.PhotoInput{Kind: business.PhotoFinished, JobID: job.ID, Caption: "Swirls on white", Public: true,
		Data: bytes.NewReader(photoJPEG(t))})
	if err != nil {
		t.Fatal(err)
	}
	_, set, _ := biz.PriceList(ctx, tn.ID)
	set.GalleryPublic = true
	if err := biz.SaveSettings(ctx, tn.ID, set); err != nil {
		t.Fatal(err)
	}
	return bizSeed{Share: link.Link.ID, Job: job.ID, Quote: open.ID, Invoice: inv.ID, Customer: job.CustomerID, Photo: ph.ID, Design: ids[1],
		QuoteURL: sent.URL, StatusURL: status}
}

// bizPages are the business pages of workspace slug, with a word each
// must show.
func bizPages(slug string, s bizSeed) map[string]string {
	p := func(parts ...any) string { return "/t/" + slug + "/" + strings.TrimPrefix(fmt.Sprint(parts...), "/") }
	year := fmt.Sprint(2026)
	return map[string]string{
		p("business"):               "Your quilting business",
		p("business/prices"):        "Light edge-to-edge",
		p("customers"):              "Jane Doe",
		p("customers/", s.Customer): "Her quilts",
		p("jobs"):                   "Jane&#39;s wedding quilt",
		p("jobs/new"):               "New job",
		p("jobs/", s.Job):           "$276.24",
		p("jobs/", s.Quote):         "Email the quote",
		p("queue"):                  "Queue",
		p("queue/calendar"):         "Each day shows",
		p("invoices"):               "INV-0001",
		p("invoices/", s.Invoice):   "Balance due",
		p("costs"):                  "Queen roll",
		p("analytics?year=", year):  "By month",
		p("tax?year=", year):        "Tax summary",
		p("portfolio"):              "Swirls on white",
		p("patterns/", s.Design):    "Quilts made with this design",
		p("jobs/new?share=", s.Share, "&voter=Jane"): "favourite",
	}
}

// TestBusinessPages: every business page renders for the owner; a
// viewer gets none of them but sees the finished quilt on the design;
// the customer's links and the gallery work without an account.
func TestBusinessPages(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, tn := r.owner(t, "pam@example.com", "pam")
	s := r.seedBusiness(t, tn)
	for path, word := range bizPages("pam", s) {
		p := pam.get(path)
		if p.Status != 200 || !strings.Contains(p.Body, word) || strings.Contains(p.Body, "<no value>") {
			t.Errorf("GET %s = %d, want 200 with %q\n%.3000s", path, p.Status, word, p.Body)
		}
	}
	p := pam.get(fmt.Sprintf("/t/pam/shares/%d", s.Share))
	want(t, p, 200, "Make a job of Jane's favourite")
	for _, csv := range []string{"/t/pam/analytics/months.csv?year=2026", "/t/pam/tax/income.csv?year=2026", "/t/pam/tax/expenses.csv?year=2026"} {
		if p := pam.get(csv); p.Status != 200 || !strings.Contains(p.Body, ",") {
			t.Errorf("GET %s = %d\n%s", csv, p.Status, p.Body)
		}
	}
	if p := pam.get(fmt.Sprintf("/t/pam/invoices/%d/pdf", s.Invoice)); p.Status != 200 || !strings.HasPrefix(p.Body, "%PDF-") {
		t.Errorf("invoice PDF = %d", p.Status)
	}

	viewer := r.member(t, pam, "pam", "vic@example.com", "viewer")
	for path := range bizPages("pam", s) {
		if strings.Contains(path, "/patterns/") {
			continue
		}
		if p := viewer.get(path); p.Status != 403 {
			t.Errorf("viewer GET %s = %d, want 403", path, p.Status)
		}
	}
	p = viewer.get(fmt.Sprintf("/t/pam/patterns/%d", s.Design))
	want(t, p, 200, "Quilts made with this design", "Swirls on white")
	if strings.Contains(p.Body, "Jane Doe") || strings.Contains(p.Body, ">Business<") {
		t.Errorf("the viewer sees the customer's name or the Business tab:\n%s", p.Body)
	}
	if p := viewer.post("/t/pam/customers", url.Values{"name": {"Mallory"}}); p.Status != 403 {
		t.Errorf("viewer adds a customer: %d", p.Status)
	}

	// The customer's side, no account.
	guest := r.browser(t)
	want(t, guest.follow(s.StatusURL), 200, "Your quilt: Paid", "all done")
	if p := guest.get(strings.Replace(s.StatusURL, "/status/", "/status/x", 1)); p.Status != 404 {
		t.Errorf("a wrong status token = %d", p.Status)
	}
	// A wrong token tells a real workspace from none no more than its
	// home page does.
	wrong, none := guest.get("/t/pam/quote/not-a-token"), guest.get("/t/nobody/quote/not-a-token")
	if wrong.Status != 404 || strings.ReplaceAll(stripRef(wrong.Body), "pam", "nobody") != stripRef(none.Body) {
		t.Errorf("a wrong quote token on a real workspace (%d) differs from one on none:\n%s\n---\n%s", wrong.Status, wrong.Body, none.Body)
	}
	want(t, guest.get("/t/pam/gallery"), 200, "Quilts by", "Swirls on white", "for Jane")
	if p := guest.get(fmt.Sprintf("/t/pam/gallery/%d/480", s.Photo)); p.Status != 200 {
		t.Errorf("gallery photo = %d", p.Status)
	}
	if p := guest.get(fmt.Sprintf("/t/pam/gallery/%d/original", s.Photo)); p.Status != 404 {
		t.Errorf("the original through the gallery = %d, want 404", p.Status)
	}
	if p := guest.get(fmt.Sprintf("/t/pam/photos/%d/480", s.Photo)); p.Status == 200 {
		t.Errorf("a member's photo address answers a guest")
	}
}

// TestBusinessForms drives the pages' forms: a customer, a job from the
// share link's favourite, adjusted lines, an accepted quote, an invoice
// and its payment.
func TestBusinessForms(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, tn := r.owner(t, "pam@example.com", "pam")
	s := r.seedBusiness(t, tn)
	wantRedirect(t, pam.post("/t/pam/customers", url.Values{"name": {"Mary Smith"}, "email": {"mary@example.com"}}), "/t/pam/customers/")
	p := pam.post("/t/pam/customers", url.Values{"name": {"Bad"}, "email": {"nope"}})
	wantRedirect(t, p, "/t/pam/customers")
	form := url.Values{"share": {fmt.Sprint(s.Share)}, "customer_name": {"Jane Two"}, "customer_email": {"jane2@example.com"}, "title": {"Lap quilt"},
		"width": {"60"}, "length": {"70"}, "level": {"Light edge-to-edge"}, "thread": {"Standard"}, "ids": {fmt.Sprint(s.Design)}}
	p = pam.post("/t/pam/jobs", form)
	wantRedirect(t, p, "/t/pam/jobs/")
	job := strings.TrimPrefix(p.Location, "/t/pam/jobs/")
	want(t, pam.get(p.Location), 200, "Lap quilt", "4,200 sq in", "$84.00", "From the design")
	form.Set("width", "sixty")
	want(t, pam.post("/t/pam/jobs", form), 400, "width must be a number")
	p = pam.post("/t/pam/jobs/"+job+"/lines", url.Values{"description": {"Quilting, agreed price", "Friends' discount"}, "kind": {"quilting", "other"},
		"amount": {"80.00", "-10"}})
	wantRedirect(t, p, "/t/pam/jobs/"+job)
	want(t, pam.get("/t/pam/jobs/"+job), 200, "Friends&#39; discount", "$70.00")
	wantRedirect(t, pam.post("/t/pam/jobs/"+job+"/send-quote", nil), "/t/pam/jobs/"+job)
	link := r.Mail.Last(t, "quote", "jane2@example.com").Link
	guest := r.browser(t)
	want(t, guest.follow(link), 200, "Accept this quote", "$70.00")
	u, _ := url.Parse(link)
	want(t, guest.post(u.Path+"/accept", url.Values{"name": {""}}), 422, "type your name")
	p = guest.post(u.Path+"/accept", url.Values{"name": {"Jane Two"}})
	want(t, p, 200, "Thank you, your quote is accepted", "/t/pam/status/", "in the queue")
	status := regexp.MustCompile(`value="(http[^"]+/status/[^"]+)"`).FindStringSubmatch(p.Body)
	if status == nil {
		t.Fatalf("no status link on the accepted page:\n%s", p.Body)
	}
	want(t, guest.follow(status[1]), 200, "next in line")
	wantRedirect(t, pam.post("/t/pam/jobs/"+job+"/invoice", nil), "/t/pam/invoices/")
	invs, _ := r.Business.Invoices(context.Background(), tn.ID, store.InvoiceQuery{})
	inv := fmt.Sprint(invs[0].ID)
	wantRedirect(t, pam.post("/t/pam/invoices/"+inv+"/issue", nil), "/t/pam/invoices/"+inv)
	want(t, pam.get("/t/pam/invoices/"+inv), 200, "Invoice INV-0002", "Record a payment")
	wantRedirect(t, pam.post("/t/pam/invoices/"+inv+"/payments", url.Values{"amount": {"70.00"}, "method": {"cash"}}), "/t/pam/invoices/"+inv)
	want(t, pam.get("/t/pam/invoices/"+inv), 200, "Paid")
	wantRedirect(t, pam.post("/t/pam/invoices/"+inv+"/send", nil), "/t/pam/invoices/"+inv)
	if m := r.Mail.Last(t, "invoice", "jane2@example.com"); len(m.Message.Attachments) != 1 {
		t.Errorf("invoice mail without its PDF")
	}
}

// TestBusinessPlanNote: on the Professional trial the business pages say
// which plan has customers, jobs and invoices, with the way to upgrade;
// on Business the note is gone.
func TestBusinessPlanNote(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, tn := r.owner(t, "pam@example.com", "pam")
	want(t, pam.get("/t/pam/business"), 200, "come with the Business plan", "/t/pam/settings/billing")
	r.Plan(t, tn.ID, "business")
	if body := pam.get("/t/pam/business").Body; strings.Contains(body, "come with the Business plan") {
		t.Error("the plan note shows on the Business plan")
	}
}
