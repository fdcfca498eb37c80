package mail_test

import (
	"html"
	"os"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

const link = "https://patterns.example.com/t/pam/x?token=Zm9vYmFy&next=%2Fhome"

// sample returns data for every kind, each with link.
func sample() map[string]mail.Data {
	return map[string]mail.Data{
		mail.KindVerify:           mail.VerifyData{Name: "Pam", Link: link},
		mail.KindReset:            mail.ResetData{Name: "Pam", Link: link},
		mail.KindMagic:            &mail.MagicData{Link: link},
		mail.KindInvitation:       mail.InviteData{Inviter: "Pam Smith", Workspace: "Pam's Quilting", Role: "editor", Link: link},
		mail.KindWelcome:          mail.WelcomeData{Name: "Veronica", Workspace: "Stitch & Co", Link: link},
		mail.KindShare:            mail.ShareData{Quilter: "Pam", Customer: "Emma", Title: "Baby quilt", Designs: 6, Note: "Pick two!\nThanks", Link: link},
		mail.KindVoteNotification: mail.VoteData{Name: "Pam", Guest: "Emma", Share: "Baby quilt", Votes: 1, Link: link},
		mail.KindQuote: mail.QuoteData{Quilter: "Pam", Customer: "Jane", Title: "Wedding quilt", Size: "90 × 108 in", Total: "$276.24",
			Lines: []string{"Quilting $194.40", "Tax $15.64"}, Link: link},
		mail.KindInvoice: mail.InvoiceData{Quilter: "Pam", Customer: "Jane", Number: "INV-0001", Total: "$276.24", Balance: "$276.24",
			Due: "19 March 2026", Link: link, PDF: []byte("%PDF-1.3")},
		mail.KindExportReady:   mail.ExportReadyData{Name: "Pam", Workspace: "Pam's Quilting", Designs: 3214, Size: "1.2 GB", Expires: "Monday 3 March", Link: link},
		mail.KindDeletion:      mail.DeletionData{Name: "Pam", Workspace: "Pam's Quilting", When: "Monday 3 March 2026", Link: link},
		mail.KindBackupAlert:   mail.BackupAlertData{Workspace: "Pam's Quilting", Slug: "pam", Snapshot: 12, Report: "The table patterns restored 3 rows of 4.", Link: link},
		mail.KindTrialEnding:   mail.TrialEndingData{Workspace: "Pam's Quilting", Ends: "5 June 2026", DaysLeft: 3, Link: link},
		mail.KindPaymentFailed: mail.PaymentFailedData{Workspace: "Pam's Quilting", Amount: "$599", GraceEnds: "19 June 2026", Link: link},
		mail.KindPlanChanged:   mail.PlanChangedData{Workspace: "Pam's Quilting", From: "Starter", To: "Professional", Link: link},
		mail.KindReceipt:       mail.ReceiptData{Workspace: "Pam's Quilting", Amount: "$599", Date: "5 June 2026", Link: link},
		mail.KindAccountExists: mail.AccountExistsData{Name: "Pam", Link: link},
	}
}

func TestComposeEveryKind(t *testing.T) {
	t.Parallel()
	data := sample()
	if len(data) != len(mail.Kinds()) {
		t.Fatalf("sample covers %d kinds; Compose knows %d", len(data), len(mail.Kinds()))
	}
	for _, kind := range mail.Kinds() {
		t.Run(kind, func(t *testing.T) {
			msg, err := mail.Compose(data[kind])
			if err != nil {
				t.Fatal(err)
			}
			if msg.Kind != kind || msg.To != "" {
				t.Errorf("kind %q, to %q", msg.Kind, msg.To)
			}
			if msg.Subject == "" || strings.ContainsAny(msg.Subject, "\r\n") || strings.Contains(msg.Subject, "<no value>") {
				t.Errorf("subject %q", msg.Subject)
			}
			if !strings.Contains(msg.Text, "\n"+link+"\n") {
				t.Errorf("text lacks the link on a line of its own:\n%s", msg.Text)
			}
			for _, part := range []string{msg.Text, msg.HTML} {
				if strings.Contains(part, "<no value>") || strings.Contains(part, "ZgotmplZ") {
					t.Errorf("unfilled or refused value in:\n%s", part)
				}
			}
			body := html.UnescapeString(msg.HTML)
			if strings.Count(body, `href="`+link+`"`) != 2 || strings.Count(body, ">"+link+"<") != 1 {
				t.Errorf("html wants the link in the button, in the fallback href and as text:\n%s", msg.HTML)
			}
		})
	}
}

func TestComposeEscapesHTML(t *testing.T) {
	t.Parallel()
	msg, err := mail.Compose(mail.InviteData{
		Inviter: "<script>alert(1)</script>", Workspace: "A\r\nBcc: x@evil.example", Role: "viewer", Link: link})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(msg.HTML, "<script>") {
		t.Error("html carries the inviter's markup unescaped")
	}
	if strings.ContainsAny(msg.Subject, "\r\n") {
		t.Errorf("subject %q spans lines", msg.Subject)
	}
	bad, err := mail.Compose(mail.VerifyData{Link: "javascript:alert(1)"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(bad.HTML, `href="javascript:`) {
		t.Error("html links to a javascript: URL")
	}
}

// newsletter is data of a kind PatternVault has no templates for.
type newsletter struct{}

func (newsletter) Kind() string { return "newsletter" }

func TestComposeRefusesUnknownData(t *testing.T) {
	t.Parallel()
	if _, err := mail.Compose(nil); err == nil {
		t.Error("nil data composed")
	}
	if _, err := mail.Compose(newsletter{}); err == nil {
		t.Error("unknown kind composed")
	}
	for kind, d := range sample() {
		if d.Kind() != kind {
			t.Errorf("%T is kind %q, want %q", d, d.Kind(), kind)
		}
	}
}
