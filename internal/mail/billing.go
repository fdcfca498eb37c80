package mail

// The mail of billing (internal/billing): a trial about to end, a failed
// payment (dunning), a plan changed, a receipt.
const (
	KindTrialEnding   = "trial_ending"   // TrialEndingData
	KindPaymentFailed = "payment_failed" // PaymentFailedData
	KindPlanChanged   = "plan_changed"   // PlanChangedData
	KindReceipt       = "receipt"        // ReceiptData
)

// TrialEndingData fills the notice that a workspace's trial ends soon.
type TrialEndingData struct {
	Workspace string // the workspace's name
	Ends      string // the day the trial ends, written out ("5 June 2026")
	DaysLeft  int    // whole days left
	HasCard   bool   // whether a card is on file (the subscription goes on by itself)
	Link      string // the workspace's billing page
}

// PaymentFailedData fills the dunning mail: a payment failed, or the bank
// asks the owner to confirm it.
type PaymentFailedData struct {
	Workspace string // the workspace's name
	Amount    string // what was due ("$599"); may be empty
	// GraceEnds is the day the workspace becomes read-only unless paid;
	// empty when the payment only needs confirming.
	GraceEnds string
	// ActionNeeded is set when the bank asks the owner to confirm the
	// payment (3-D Secure) rather than the card being declined.
	ActionNeeded bool
	Link         string // the workspace's billing page (the portal is one click away)
	InvoiceLink  string // Stripe's page of the invoice; may be empty
}

// PlanChangedData fills the notice that a workspace's plan changed.
type PlanChangedData struct {
	Workspace string // the workspace's name
	From, To  string // the plans' names
	Link      string // the workspace's billing page
}

// ReceiptData fills the receipt of a paid invoice.
type ReceiptData struct {
	Workspace   string // the workspace's name
	Amount      string // what was paid ("$599")
	Date        string // the day it was paid, written out
	InvoiceLink string // Stripe's receipt page; may be empty
	Link        string // the workspace's billing page (all receipts, in the portal)
}

// Kind is KindTrialEnding.
func (TrialEndingData) Kind() string { return KindTrialEnding }

// Kind is KindPaymentFailed.
func (PaymentFailedData) Kind() string { return KindPaymentFailed }

// Kind is KindPlanChanged.
func (PlanChangedData) Kind() string { return KindPlanChanged }

// Kind is KindReceipt.
func (ReceiptData) Kind() string { return KindReceipt }
