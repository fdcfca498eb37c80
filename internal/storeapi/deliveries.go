package storeapi

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// ImportRequest is the body of POST /api/v1/patterns/import.
type ImportRequest struct {
	UserEmail    string   `json:"user_email,omitempty"`
	PatternName  string   `json:"pattern_name"`
	FileURL      string   `json:"file_url,omitempty"`
	ThumbnailURL string   `json:"thumbnail_url,omitempty"`
	Source       string   `json:"source,omitempty"`
	PurchaseDate string   `json:"purchase_date,omitempty"`
	Keywords     []string `json:"keywords,omitempty"`
	Files        []string `json:"files,omitempty"`
	OrderID      string   `json:"order_id,omitempty"`
	SKU          string   `json:"sku,omitempty"`
	LicenceText  string   `json:"licence_text,omitempty"`
	CallbackURL  string   `json:"callback_url,omitempty"`
}

// Limits of an import request.
const (
	MaxFiles        = 20
	MaxKeywords     = 30
	MaxLicenceText  = 20000
	MaxIdempotency  = 255
	maxShortField   = 200
	maxPatternName  = 300
	maxKeywordChars = 60
)

// Problems of an import request; nothing is recorded or fetched.
var (
	ErrBadImport      = problem.Invalid("invalid_request", "The import request is not valid.")
	ErrNeedIdempotent = problem.BadRequest("idempotency_required", "Send an Idempotency-Key header (or an order_id) so that a retry never delivers twice.")
	ErrKeyReused      = problem.Conflict("idempotency_key_reused", "This Idempotency-Key was already used for a different request.")
	ErrURLRefused     = problem.Invalid("url_refused", "A URL was refused; nothing was fetched.")
)

func invalid(format string, args ...any) error {
	return ErrBadImport.Reword(fmt.Sprintf(format, args...))
}

// check validates the request and returns every URL to fetch, the file
// URLs first.
func (r *ImportRequest) check(ps *store.PatternStore, allow Allowlist) error {
	r.PatternName = strings.TrimSpace(r.PatternName)
	fields := append([]string{r.UserEmail, r.PatternName, r.FileURL, r.ThumbnailURL, r.Source, r.PurchaseDate, r.OrderID, r.SKU,
		r.LicenceText, r.CallbackURL}, append(r.Keywords, r.Files...)...)
	for _, f := range fields {
		if !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
			return invalid("Text fields must be UTF-8 without NUL characters.")
		}
	}
	switch {
	case r.PatternName == "" || utf8.RuneCountInString(r.PatternName) > maxPatternName:
		return invalid("pattern_name is required (up to %d characters).", maxPatternName)
	case r.FileURL == "" && len(r.Files) == 0:
		return invalid("Send file_url or files (the URLs of the design's files or ZIP).")
	case len(r.urls()) > MaxFiles:
		return invalid("At most %d files per delivery.", MaxFiles)
	case len(r.Keywords) > MaxKeywords:
		return invalid("At most %d keywords.", MaxKeywords)
	case len(r.LicenceText) > MaxLicenceText:
		return invalid("licence_text is longer than %d characters.", MaxLicenceText)
	case len(r.OrderID) > maxShortField || len(r.SKU) > maxShortField || len(r.Source) > maxShortField || len(r.UserEmail) > 254:
		return invalid("order_id, sku and source are at most %d characters, user_email 254.", maxShortField)
	}
	for _, k := range r.Keywords {
		if utf8.RuneCountInString(k) > maxKeywordChars {
			return invalid("A keyword is at most %d characters.", maxKeywordChars)
		}
	}
	if r.PurchaseDate != "" {
		if _, err := parseDate(r.PurchaseDate); err != nil {
			return invalid("purchase_date %q is not a date: use 2026-03-14 (or an RFC 3339 time).", clip(r.PurchaseDate))
		}
	}
	check := func(field, u string) error {
		if _, err := CheckURL(u, ps.AllowedHosts, allow); err != nil {
			fe := err.(*FetchError)
			return ErrURLRefused.Reword(fmt.Sprintf("%s refused (%s): %s. Nothing was fetched.", field, fe.Code, fe.Reason)).Wrap(fe)
		}
		return nil
	}
	if r.FileURL != "" {
		if err := check("file_url", r.FileURL); err != nil {
			return err
		}
	}
	for i, f := range r.Files {
		if err := check(fmt.Sprintf("files[%d]", i), f); err != nil {
			return err
		}
	}
	if r.ThumbnailURL != "" {
		if err := check("thumbnail_url", r.ThumbnailURL); err != nil {
			return err
		}
	}
	if r.CallbackURL != "" {
		if err := check("callback_url", r.CallbackURL); err != nil {
			return err
		}
	}
	return nil
}

// urls are the files to fetch, in order.
func (r *ImportRequest) urls() []string {
	var out []string
	if r.FileURL != "" {
		out = append(out, r.FileURL)
	}
	return append(out, r.Files...)
}

func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
}

// Accepted is the answer to an import call.
type Accepted struct {
	Delivery *store.Delivery
	// ClaimURL, when set, is a one-time link that lands the delivery in
	// the account of whoever opens it.
	ClaimURL string
	// Replayed is a retry of an earlier request (same idempotency key).
	Replayed bool
}

// Import records a delivery and queues the fetching of its files; the
// same idempotency key (the Idempotency-Key header, else order_id and
// sku) returns the same delivery.
func (s *Service) Import(ctx context.Context, c *Caller, req ImportRequest, idempotencyKey string) (*Accepted, error) {
	idem := strings.TrimSpace(idempotencyKey)
	if idem == "" && req.OrderID != "" {
		idem = fmt.Sprintf("order:%d:%s:sku:%s", len(req.OrderID), req.OrderID, req.SKU)
	}
	if idem == "" {
		return nil, ErrNeedIdempotent
	}
	if h := strings.TrimSpace(idempotencyKey); h != "" && (len(h) > MaxIdempotency || !printable(h)) {
		return nil, invalid("The Idempotency-Key is at most %d printable ASCII characters.", MaxIdempotency)
	}
	if err := req.check(c.Store, s.Fetcher.Allowlist()); err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("storeapi: encode request: %w", err)
	}
	sum := sha256.Sum256(body)
	d := &store.Delivery{StoreID: c.Store.ID, IdempotencyKey: idem, RequestHash: sum[:], Request: body, CallbackURL: req.CallbackURL}
	needClaim := false
	switch {
	case c.Grant != nil:
		d.Link, d.GrantID, d.UserID, d.TenantID, d.AutoLand = "grant", &c.Grant.ID, &c.Grant.UserID, &c.Grant.TenantID, !c.Grant.Review
	case req.UserEmail != "":
		d.Link, needClaim = "email", true
		if u, err := s.Store.UserByEmail(ctx, req.UserEmail); err == nil && u.Verified() {
			if ok, err := s.mayReceive(ctx, u.ID); err != nil {
				return nil, err
			} else if ok {
				d.UserID = &u.ID
			}
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	default:
		d.Link, needClaim = "claim", true
	}
	var claim string
	var claimHash []byte
	if needClaim {
		claim = auth.NewToken(claimPrefix)
		claimHash = auth.HashToken(claim)
		exp := time.Now().Add(ClaimTTL)
		d.ClaimExpiresAt = &exp
	}
	var out *store.Delivery
	var created bool
	err = s.Store.PlatformTx(ctx, func(st *store.Store, tx pgx.Tx) error {
		var err error
		if out, created, err = st.InsertDelivery(ctx, d, claimHash); err != nil {
			return err
		}
		if !created {
			if string(out.RequestHash) != string(d.RequestHash) {
				return ErrKeyReused
			}
			if out.ClaimExpiresAt == nil {
				claim = "" // no claim link for a delivery that never had one
				return st.ForgetClaims(ctx, out.ID)
			}
			return nil
		}
		_, err = s.Queue.InsertTx(ctx, tx, FetchArgs{DeliveryID: out.ID}, nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storeapi: import for store %d: %w", c.Store.ID, err)
	}
	a := &Accepted{Delivery: out, Replayed: !created}
	if claim != "" && out.Status != store.DeliveryDelivered && out.Status != store.DeliveryFailed && out.Status != store.DeliveryDeclined {
		a.ClaimURL = strings.TrimRight(s.BaseURL, "/") + "/claim/" + claim
	}
	return a, nil
}

// mayReceive reports whether a person may add designs to a workspace.
func (s *Service) mayReceive(ctx context.Context, userID int64) (bool, error) {
	ms, err := s.Store.UserTenants(ctx, userID)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if store.RoleAtLeast(m.Role, store.RoleEditor) && m.Tenant.Status == store.TenantActive {
			return true, nil
		}
	}
	return false, nil
}

// PublicStatus is the status a store sees: the Inbox and a claim link
// are both "waiting" (for the quilter), so a store cannot learn from it
// whether an address has an account.
func PublicStatus(status string) string {
	switch status {
	case store.DeliveryInbox, store.DeliveryClaim:
		return "waiting"
	}
	return status
}

// ErrNoSuchDelivery is a delivery that is not the caller's.
var ErrNoSuchDelivery = problem.NotFound("no_such_delivery", "There is no delivery with that id for this store.")

// Delivery returns one of the calling store's deliveries.
func (s *Service) Delivery(ctx context.Context, c *Caller, id int64) (*store.Delivery, error) {
	d, err := s.Store.Delivery(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.StoreID != c.Store.ID) {
		return nil, ErrNoSuchDelivery
	}
	return d, err
}

// Owned answers "you already own this": whether the grant's workspace
// holds a design bought from the calling store under sku. Only a grant
// may ask (never a key with an email address).
func (s *Service) Owned(ctx context.Context, c *Caller, sku string) (bool, error) {
	if c.Grant == nil {
		return false, ErrGrantRequired
	}
	sku = strings.TrimSpace(sku)
	if sku == "" || len(sku) > maxShortField {
		return false, invalid("Send the sku to look up (up to %d characters).", maxShortField)
	}
	var owned bool
	err := s.Store.ReadTenant(ctx, c.Grant.TenantID, func(tx *store.TenantTx) error {
		var err error
		owned, err = tx.OwnsSKU(ctx, c.Store.ID, sku)
		return err
	})
	return owned, err
}

// The quilter's side: the Inbox and claim links.

// Inbox lists what waits for the person's acceptance.
func (s *Service) Inbox(ctx context.Context, userID int64) ([]*store.Delivery, error) {
	return s.Store.InboxDeliveries(ctx, userID)
}

// Problems of accepting.
var (
	ErrNotInInbox   = problem.NotFound("not_in_inbox", "That delivery is not in your Inbox (it may have been accepted or declined already).")
	ErrCannotAdd    = problem.Forbidden("cannot_add_designs", "You cannot add designs to that workspace: choose one where you are an owner or editor.")
	ErrClaimUsed    = problem.Gone("claim_used", "This link was already used, or it has expired. Ask the store to send the design again.")
	ErrClaimPending = problem.Conflict("claim_pending", "The store's files are still being fetched: please try again in a minute.")
)

// Accept lands an Inbox delivery of userID in workspace tenantID (a grant
// delivery always lands in its grant's workspace).
func (s *Service) Accept(ctx context.Context, userID, deliveryID, tenantID int64) (*store.Delivery, error) {
	d, err := s.Store.Delivery(ctx, deliveryID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (d.UserID == nil || *d.UserID != userID || d.Status != store.DeliveryInbox)) {
		return nil, ErrNotInInbox
	}
	if err != nil {
		return nil, err
	}
	if d.Link == "grant" && d.TenantID != nil {
		tenantID = *d.TenantID
	}
	return s.startLanding(ctx, d, store.DeliveryInbox, userID, tenantID)
}

// Decline removes a delivery from the person's Inbox; the store is told.
func (s *Service) Decline(ctx context.Context, userID, deliveryID int64) error {
	err := s.Store.PlatformTx(ctx, func(st *store.Store, tx pgx.Tx) error {
		if err := st.DeclineDelivery(ctx, deliveryID, userID); err != nil {
			return err
		}
		return s.queueCallback(ctx, st, tx, deliveryID)
	})
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotInInbox.Wrap(err)
	}
	return err
}

// Claimable is a claim link's delivery, for its page.
type Claimable struct {
	Delivery *store.Delivery
	Request  ImportRequest
}

// Claim returns the delivery of a claim link, or ErrClaimUsed.
func (s *Service) Claim(ctx context.Context, token string) (*Claimable, error) {
	if !strings.HasPrefix(token, claimPrefix) || len(token) > 100 {
		return nil, ErrClaimUsed
	}
	d, err := s.Store.DeliveryByClaim(ctx, auth.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrClaimUsed.Wrap(err)
	}
	if err != nil {
		return nil, err
	}
	if d.ClaimExpiresAt != nil && time.Now().After(*d.ClaimExpiresAt) {
		return nil, ErrClaimUsed
	}
	c := &Claimable{Delivery: d}
	json.Unmarshal(d.Request, &c.Request)
	return c, nil
}

// ClaimInto lands a claim link's delivery in workspace tenantID as userID.
func (s *Service) ClaimInto(ctx context.Context, token string, userID, tenantID int64) (*store.Delivery, error) {
	c, err := s.Claim(ctx, token)
	if err != nil {
		return nil, err
	}
	switch c.Delivery.Status {
	case store.DeliveryFetching:
		return nil, ErrClaimPending
	case store.DeliveryClaim, store.DeliveryInbox:
	default:
		return nil, ErrClaimUsed
	}
	return s.startLanding(ctx, c.Delivery, c.Delivery.Status, userID, tenantID)
}

// startLanding moves a waiting delivery to importing into tenantID and
// queues its landing, once.
func (s *Service) startLanding(ctx context.Context, d *store.Delivery, from string, userID, tenantID int64) (*store.Delivery, error) {
	role, err := s.Store.Role(ctx, tenantID, userID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !store.RoleAtLeast(role, store.RoleEditor)) {
		return nil, ErrCannotAdd
	}
	if err != nil {
		return nil, err
	}
	t, err := s.Store.TenantByID(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if t.Status != store.TenantActive {
		return nil, ErrWorkspaceOff
	}
	if err := s.entitled(ctx, tenantID, max(1, len(d.DesignNames))); err != nil {
		return nil, err
	}
	err = s.Store.PlatformTx(ctx, func(st *store.Store, tx pgx.Tx) error {
		if err := st.StartLanding(ctx, d.ID, from, tenantID, userID); err != nil {
			return err
		}
		if err := st.ForgetClaims(ctx, d.ID); err != nil {
			return err
		}
		_, err := s.Queue.InsertTx(ctx, tx, LandArgs{DeliveryID: d.ID}, nil)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotInInbox.Wrap(err)
	}
	if err != nil {
		return nil, fmt.Errorf("storeapi: land delivery %d: %w", d.ID, err)
	}
	return s.Store.Delivery(ctx, d.ID)
}

func (s *Service) entitled(ctx context.Context, tenantID int64, designs int) error {
	if s.Entitlements == nil {
		return nil
	}
	return s.Entitlements(ctx, tenantID, designs)
}

// printable reports whether s is printable ASCII.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
