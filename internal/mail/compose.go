package mail

import (
	"bytes"
	"embed"
	"fmt"
	htemplate "html/template"
	"strings"
	"sync"
	ttemplate "text/template"
)

// The kinds of mail PatternVault sends. Each has a text and an HTML
// template under templates/ and one data type (its Data) that fills them.
const (
	KindVerify           = "verify"            // VerifyData
	KindReset            = "reset"             // ResetData
	KindInvitation       = "invitation"        // InviteData
	KindWelcome          = "welcome"           // WelcomeData
	KindMagic            = "magic"             // MagicData
	KindShare            = "share"             // ShareData
	KindVoteNotification = "vote_notification" // VoteData
	KindQuote            = "quote"             // QuoteData
	KindInvoice          = "invoice"           // InvoiceData
	KindExportReady      = "export_ready"      // ExportReadyData
	KindDeletion         = "deletion"          // DeletionData
	KindBackupAlert      = "backup_alert"      // BackupAlertData
	KindAccountExists    = "account_exists"    // AccountExistsData
)

// VerifyData fills the mail that confirms a new account's address.
type VerifyData struct {
	Name string // the person's display name; may be empty
	Link string // the one-time verification URL
}

// ResetData fills the password reset mail.
type ResetData struct {
	Name string // may be empty
	Link string // the one-time reset URL
}

// MagicData fills the sign-in link mail.
type MagicData struct {
	Name string // may be empty
	Link string // the one-time sign-in URL
}

// InviteData fills the invitation to join a workspace.
type InviteData struct {
	Inviter   string // who invites: a display name or address
	Workspace string // the workspace's name
	Role      string // owner, editor or viewer
	Link      string // the one-time acceptance URL
}

// WelcomeData fills the welcome mail sent once an account is ready.
type WelcomeData struct {
	Name      string // may be empty
	Workspace string // the new workspace's name; may be empty
	Link      string // where to start, usually the workspace's URL
}

// ShareData fills the mail in which a quilter sends a customer a share
// link to vote on designs.
type ShareData struct {
	Quilter  string // the sender: a person's or business's name
	Customer string // the customer's name; may be empty
	Title    string // the share's title, such as "Baby quilt for Emma"; may be empty
	Designs  int    // how many designs the share holds; 0 leaves it out
	Note     string // the quilter's own words; may be empty
	Link     string // the share URL
	// ReplyTo is the quilter's own address, so the customer's answer
	// reaches her; may be empty.
	ReplyTo string
}

// ReplyAddress is where the customer's answer goes: the quilter.
func (d ShareData) ReplyAddress() string { return d.ReplyTo }

// replier is data whose mail is answered to another address than From.
type replier interface{ ReplyAddress() string }

// VoteData fills the notice to a quilter that a guest has voted.
type VoteData struct {
	Name  string // the quilter's name; may be empty
	Guest string // the name the guest typed (in the text only, never the subject)
	Share string // the share's title
	Votes int    // how many designs the guest liked; 0 leaves it out
	Link  string // the page that shows the votes
}

// QuoteData fills the quote a quilter sends a customer, with the link
// where she reads and accepts it (no account).
type QuoteData struct {
	Quilter  string   // the business's or workspace's name
	Customer string   // may be empty
	Title    string   // the quilt, such as "Jane's wedding quilt"
	Size     string   // "90 × 108 in"
	Total    string   // "$276.24"
	Lines    []string // "Light edge-to-edge quilting ... $194.40", one a line
	Link     string   // the accept link
}

// InvoiceData fills the mail that carries an invoice as a PDF.
type InvoiceData struct {
	Quilter  string // the business's or workspace's name
	Customer string // may be empty
	Number   string // "INV-0001"
	Total    string // "$276.24"
	Balance  string // what is still to pay: "$276.24"
	Due      string // "19 March 2026"; may be empty
	// Link is the customer's status page of the quilt; may be empty.
	Link string
	// PDF is the invoice, attached as Number.pdf.
	PDF []byte
}

// Attachments is the invoice's PDF.
func (d InvoiceData) Attachments() []Attachment {
	return []Attachment{{Name: d.Number + ".pdf", ContentType: "application/pdf", Data: d.PDF}}
}

// ExportReadyData fills the mail that says a workspace's export can be
// downloaded.
type ExportReadyData struct {
	Name      string // the person's name; may be empty
	Workspace string // the workspace's name
	Designs   int    // how many designs it holds
	Size      string // its size, such as "1.2 GB"
	Expires   string // until when it can be downloaded, such as "Monday 3 March"
	Link      string // the download page
}

// DeletionData fills the mail to an owner whose workspace will be deleted
// (they asked for it, or for their account's deletion).
type DeletionData struct {
	Name      string // the owner's name; may be empty
	Workspace string // the workspace's name
	When      string // the day it is deleted, such as "Monday 3 March 2026"
	Link      string // the page that holds the export's download and the cancel button
}

// BackupAlertData fills the alert to platform admins that a workspace's
// restore check failed.
type BackupAlertData struct {
	Workspace string // the workspace's name
	Slug      string // its address
	Snapshot  int64  // the snapshot checked
	Report    string // what the check found
	Link      string // the admin's backups page
}

// AccountExistsData fills the mail sent when someone signs up with the
// address of an account that exists: the sign-up page says the same
// either way, and the owner of the address learns what happened.
type AccountExistsData struct {
	Name string // the account's display name; may be empty
	Link string // the sign-in page
}

// Data fills the templates of one kind of mail: each kind has exactly
// one data type, whose Kind names it (VerifyData is KindVerify, ...).
type Data interface {
	// Kind is the kind of mail the data is for (a Kind* constant).
	Kind() string
}

// Kind is KindVerify.
func (VerifyData) Kind() string { return KindVerify }

// Kind is KindReset.
func (ResetData) Kind() string { return KindReset }

// Kind is KindMagic.
func (MagicData) Kind() string { return KindMagic }

// Kind is KindInvitation.
func (InviteData) Kind() string { return KindInvitation }

// Kind is KindWelcome.
func (WelcomeData) Kind() string { return KindWelcome }

// Kind is KindShare.
func (ShareData) Kind() string { return KindShare }

// Kind is KindVoteNotification.
func (VoteData) Kind() string { return KindVoteNotification }

// Kind is KindQuote.
func (QuoteData) Kind() string { return KindQuote }

// Kind is KindInvoice.
func (InvoiceData) Kind() string { return KindInvoice }

// Kind is KindExportReady.
func (ExportReadyData) Kind() string { return KindExportReady }

// Kind is KindDeletion.
func (DeletionData) Kind() string { return KindDeletion }

// Kind is KindBackupAlert.
func (BackupAlertData) Kind() string { return KindBackupAlert }

// Kind is KindAccountExists.
func (AccountExistsData) Kind() string { return KindAccountExists }

// kinds is one value of every kind's data type.
var kinds = []Data{VerifyData{}, ResetData{}, MagicData{}, InviteData{}, WelcomeData{}, ShareData{}, VoteData{}, AccountExistsData{},
	ExportReadyData{}, DeletionData{}, BackupAlertData{},
	TrialEndingData{}, PaymentFailedData{}, PlanChangedData{}, ReceiptData{}, QuoteData{}, InvoiceData{}}

//go:embed templates/*.txt templates/*.html
var templateFiles embed.FS

// kindTemplates are one kind's parsed templates: "subject" and "text" in
// text, "layout" (with the kind's "body", "button", "footer") in html.
type kindTemplates struct {
	text *ttemplate.Template
	html *htemplate.Template
}

// templates is parsed once, the first time a mail is composed (not when
// the program starts: a CLI command that sends no mail does not pay for
// it); a broken template panics there, and in every test of this package.
var templates = sync.OnceValue(mustParse)

func mustParse() map[string]kindTemplates {
	ts := make(map[string]kindTemplates, len(kinds))
	for _, d := range kinds {
		kind := d.Kind()
		text, err := ttemplate.ParseFS(templateFiles, "templates/layout.txt", "templates/"+kind+".txt")
		if err != nil {
			panic(fmt.Sprintf("mail: parse %s.txt: %v", kind, err))
		}
		html, err := htemplate.ParseFS(templateFiles, "templates/layout.html", "templates/"+kind+".html")
		if err != nil {
			panic(fmt.Sprintf("mail: parse %s.html: %v", kind, err))
		}
		ts[kind] = kindTemplates{text: text.Option("missingkey=error"), html: html.Option("missingkey=error")}
	}
	return ts
}

// attacher is mail data that carries files (InvoiceData).
type attacher interface {
	Attachments() []Attachment
}

// Kinds returns every kind Compose knows.
func Kinds() []string {
	out := make([]string, len(kinds))
	for i, d := range kinds {
		out[i] = d.Kind()
	}
	return out
}

// Compose renders the mail that data fills. The result has Kind, Subject,
// Text and HTML set; the caller sets To.
func Compose(data Data) (Message, error) {
	if data == nil {
		return Message{}, fmt.Errorf("mail: compose: no data")
	}
	kind := data.Kind()
	t, ok := templates()[kind]
	if !ok {
		return Message{}, fmt.Errorf("mail: compose: unknown kind %q (%T)", kind, data)
	}
	msg := Message{Kind: kind}
	var buf bytes.Buffer
	if err := t.text.ExecuteTemplate(&buf, "subject", data); err != nil {
		return Message{}, fmt.Errorf("mail: compose %q subject: %w", kind, err)
	}
	msg.Subject = oneLine(buf.String())
	buf.Reset()
	if err := t.text.ExecuteTemplate(&buf, "text", data); err != nil {
		return Message{}, fmt.Errorf("mail: compose %q text: %w", kind, err)
	}
	msg.Text = strings.TrimSpace(buf.String()) + "\n"
	buf.Reset()
	if err := t.html.ExecuteTemplate(&buf, "layout", data); err != nil {
		return Message{}, fmt.Errorf("mail: compose %q html: %w", kind, err)
	}
	msg.HTML = buf.String()
	if a, ok := data.(attacher); ok {
		msg.Attachments = a.Attachments()
	}
	if r, ok := data.(replier); ok {
		msg.ReplyTo = r.ReplyAddress()
	}
	return msg, nil
}

// oneLine collapses whitespace, including line breaks a name might carry,
// so that a subject is one header line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
