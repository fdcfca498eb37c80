package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Pattern stores (internal/storeapi): the stores, their keys, the
// quilters' grants and the deliveries, in schema platform.

// PatternStore is a shop that delivers purchased designs.
type PatternStore struct {
	ID            int64      `json:"id"`
	Name          string     `json:"name"`
	Website       string     `json:"website"`
	Contact       string     `json:"contact"`
	AllowedHosts  []string   `json:"allowed_hosts"`
	RedirectURIs  []string   `json:"redirect_uris"`
	SigningSecret string     `json:"-"`
	DisabledAt    *time.Time `json:"disabled_at"`
	CreatedAt     time.Time  `json:"created_at"`
}

const patternStoreColumns = "id, name, website, contact, allowed_hosts, redirect_uris, signing_secret, disabled_at, created_at"

func scanPatternStore(row pgx.Row) (*PatternStore, error) {
	p := &PatternStore{}
	err := row.Scan(&p.ID, &p.Name, &p.Website, &p.Contact, &p.AllowedHosts, &p.RedirectURIs, &p.SigningSecret, &p.DisabledAt, &p.CreatedAt)
	return p, err
}

// CreatePatternStore adds a store.
func (s *Store) CreatePatternStore(ctx context.Context, p *PatternStore) (*PatternStore, error) {
	out, err := scanPatternStore(s.q.QueryRow(ctx, `
		INSERT INTO platform.stores (name, website, contact, allowed_hosts, redirect_uris, signing_secret)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+patternStoreColumns,
		p.Name, p.Website, p.Contact, nonNil(p.AllowedHosts), nonNil(p.RedirectURIs), p.SigningSecret))
	if err != nil {
		return nil, fmt.Errorf("store: create pattern store %q: %w", p.Name, err)
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PatternStoreByID returns a store (disabled ones too).
func (s *Store) PatternStoreByID(ctx context.Context, id int64) (*PatternStore, error) {
	p, err := scanPatternStore(s.q.QueryRow(ctx, `SELECT `+patternStoreColumns+` FROM platform.stores WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: pattern store %d: %w", id, err)
	}
	return p, nil
}

// PatternStores lists every store by name.
func (s *Store) PatternStores(ctx context.Context) ([]*PatternStore, error) {
	rows, err := s.q.Query(ctx, `SELECT `+patternStoreColumns+` FROM platform.stores ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("store: list pattern stores: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*PatternStore, error) { return scanPatternStore(r) })
	if err != nil {
		return nil, fmt.Errorf("store: list pattern stores: %w", err)
	}
	return out, nil
}

// SetPatternStoreDisabled turns a store off (its keys and grants stop
// working) or on again.
func (s *Store) SetPatternStoreDisabled(ctx context.Context, id int64, disabled bool) error {
	return s.execOne(ctx, "disable pattern store", `
		UPDATE platform.stores SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END WHERE id = $1`, id, disabled)
}

// StoreKey is one API key of a store (only its hash is kept).
type StoreKey struct {
	ID            int64      `json:"id"`
	StoreID       int64      `json:"store_id"`
	Prefix        string     `json:"prefix"`
	RatePerMinute int        `json:"rate_per_minute"`
	CreatedAt     time.Time  `json:"created_at"`
	ExpiresAt     *time.Time `json:"expires_at"`
	RevokedAt     *time.Time `json:"revoked_at"`
	LastUsedAt    *time.Time `json:"last_used_at"`
}

// Live reports whether the key still works at now.
func (k *StoreKey) Live(now time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt))
}

const storeKeyColumns = "id, store_id, prefix, rate_per_minute, created_at, expires_at, revoked_at, last_used_at"

func scanStoreKey(row pgx.Row) (*StoreKey, error) {
	k := &StoreKey{}
	err := row.Scan(&k.ID, &k.StoreID, &k.Prefix, &k.RatePerMinute, &k.CreatedAt, &k.ExpiresAt, &k.RevokedAt, &k.LastUsedAt)
	return k, err
}

// CreateStoreKey stores a new key's hash.
func (s *Store) CreateStoreKey(ctx context.Context, storeID int64, prefix string, hash []byte, ratePerMinute int) (*StoreKey, error) {
	k, err := scanStoreKey(s.q.QueryRow(ctx, `
		INSERT INTO platform.store_keys (store_id, prefix, key_hash, rate_per_minute) VALUES ($1, $2, $3, $4)
		RETURNING `+storeKeyColumns, storeID, prefix, hash, ratePerMinute))
	if err != nil {
		return nil, fmt.Errorf("store: create key of pattern store %d: %w", storeID, err)
	}
	return k, nil
}

// StoreKeyByHash returns the key with that hash, live or not (the caller
// says why a dead one fails), and records its use at most once a minute.
func (s *Store) StoreKeyByHash(ctx context.Context, hash []byte) (*StoreKey, error) {
	k, err := scanStoreKey(s.q.QueryRow(ctx, `SELECT `+storeKeyColumns+` FROM platform.store_keys WHERE key_hash = $1`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: store key: %w", err)
	}
	if k.Live(time.Now()) && (k.LastUsedAt == nil || time.Since(*k.LastUsedAt) > time.Minute) {
		if _, err := s.q.Exec(ctx, `UPDATE platform.store_keys SET last_used_at = now() WHERE id = $1`, k.ID); err != nil {
			return nil, fmt.Errorf("store: store key %d: record use: %w", k.ID, err)
		}
	}
	return k, nil
}

// StoreKeys lists a store's keys, newest first.
func (s *Store) StoreKeys(ctx context.Context, storeID int64) ([]*StoreKey, error) {
	rows, err := s.q.Query(ctx, `SELECT `+storeKeyColumns+` FROM platform.store_keys WHERE store_id = $1 ORDER BY created_at DESC, id DESC`, storeID)
	if err != nil {
		return nil, fmt.Errorf("store: keys of pattern store %d: %w", storeID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*StoreKey, error) { return scanStoreKey(r) })
	if err != nil {
		return nil, fmt.Errorf("store: keys of pattern store %d: %w", storeID, err)
	}
	return out, nil
}

// ExpireStoreKeys makes every live key of the store except keep stop
// working at at (a rotation's overlap), unless it ends sooner already.
func (s *Store) ExpireStoreKeys(ctx context.Context, storeID, keep int64, at time.Time) error {
	_, err := s.q.Exec(ctx, `UPDATE platform.store_keys SET expires_at = $3
		WHERE store_id = $1 AND id <> $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)`, storeID, keep, at)
	if err != nil {
		return fmt.Errorf("store: expire keys of pattern store %d: %w", storeID, err)
	}
	return nil
}

// RevokeStoreKey stops a key of the store at once.
func (s *Store) RevokeStoreKey(ctx context.Context, storeID, keyID int64) error {
	return s.execOne(ctx, "revoke store key", `UPDATE platform.store_keys SET revoked_at = now()
		WHERE id = $1 AND store_id = $2 AND revoked_at IS NULL`, keyID, storeID)
}

// StoreAuthCode is a one-time authorization code of the consent flow.
type StoreAuthCode struct {
	StoreID       int64
	UserID        int64
	TenantID      int64
	Review        bool
	RedirectURI   string
	CodeChallenge string
	ExpiresAt     time.Time
}

// CreateStoreAuthCode stores a code's hash.
func (s *Store) CreateStoreAuthCode(ctx context.Context, c *StoreAuthCode, hash []byte) error {
	_, err := s.q.Exec(ctx, `INSERT INTO platform.store_auth_codes
		(code_hash, store_id, user_id, tenant_id, review, redirect_uri, code_challenge, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		hash, c.StoreID, c.UserID, c.TenantID, c.Review, c.RedirectURI, c.CodeChallenge, c.ExpiresAt)
	if err != nil {
		return fmt.Errorf("store: create authorization code for store %d: %w", c.StoreID, err)
	}
	return nil
}

// UseStoreAuthCode marks an unused, unexpired code used and returns it;
// anything else is ErrTokenUsed.
func (s *Store) UseStoreAuthCode(ctx context.Context, hash []byte) (*StoreAuthCode, error) {
	c := &StoreAuthCode{}
	err := s.q.QueryRow(ctx, `UPDATE platform.store_auth_codes SET used_at = now()
		WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now()
		RETURNING store_id, user_id, tenant_id, review, redirect_uri, code_challenge, expires_at`, hash).
		Scan(&c.StoreID, &c.UserID, &c.TenantID, &c.Review, &c.RedirectURI, &c.CodeChallenge, &c.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrTokenUsed
	}
	if err != nil {
		return nil, fmt.Errorf("store: authorization code: %w", err)
	}
	return c, nil
}

// StoreGrant is a quilter's consent that a store may deliver into one
// workspace as her.
type StoreGrant struct {
	ID              int64      `json:"id"`
	StoreID         int64      `json:"store_id"`
	StoreName       string     `json:"store_name"`
	UserID          int64      `json:"user_id"`
	TenantID        int64      `json:"tenant_id"`
	Review          bool       `json:"review"`
	AccessExpiresAt time.Time  `json:"access_expires_at"`
	CreatedAt       time.Time  `json:"created_at"`
	LastUsedAt      *time.Time `json:"last_used_at"`
	RevokedAt       *time.Time `json:"revoked_at"`
}

const grantColumns = "g.id, g.store_id, s.name, g.user_id, g.tenant_id, g.review, g.access_expires_at, g.created_at, g.last_used_at, g.revoked_at"

func scanGrant(row pgx.Row) (*StoreGrant, error) {
	g := &StoreGrant{}
	err := row.Scan(&g.ID, &g.StoreID, &g.StoreName, &g.UserID, &g.TenantID, &g.Review, &g.AccessExpiresAt, &g.CreatedAt, &g.LastUsedAt, &g.RevokedAt)
	return g, err
}

// CreateStoreGrant records a grant with the hashes of its tokens.
func (s *Store) CreateStoreGrant(ctx context.Context, g *StoreGrant, accessHash, refreshHash []byte) (*StoreGrant, error) {
	var id int64
	err := s.q.QueryRow(ctx, `INSERT INTO platform.store_grants
		(store_id, user_id, tenant_id, review, access_hash, access_expires_at, refresh_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		g.StoreID, g.UserID, g.TenantID, g.Review, accessHash, g.AccessExpiresAt, refreshHash).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("store: create grant of store %d: %w", g.StoreID, err)
	}
	return s.StoreGrant(ctx, id)
}

// StoreGrant returns a grant (revoked ones too).
func (s *Store) StoreGrant(ctx context.Context, id int64) (*StoreGrant, error) {
	return s.oneGrant(ctx, `g.id = $1`, id)
}

// StoreGrantByAccess returns the grant whose access token has hash (live
// or not: the caller says why a dead one fails) and records its use.
func (s *Store) StoreGrantByAccess(ctx context.Context, hash []byte) (*StoreGrant, error) {
	g, err := s.oneGrant(ctx, `g.access_hash = $1`, hash)
	if err == nil && g.RevokedAt == nil && (g.LastUsedAt == nil || time.Since(*g.LastUsedAt) > time.Minute) {
		_, err = s.q.Exec(ctx, `UPDATE platform.store_grants SET last_used_at = now() WHERE id = $1`, g.ID)
	}
	return g, err
}

// StoreGrantByRefresh returns the grant whose refresh token has hash.
func (s *Store) StoreGrantByRefresh(ctx context.Context, hash []byte) (*StoreGrant, error) {
	return s.oneGrant(ctx, `g.refresh_hash = $1`, hash)
}

func (s *Store) oneGrant(ctx context.Context, where string, arg any) (*StoreGrant, error) {
	g, err := scanGrant(s.q.QueryRow(ctx, `SELECT `+grantColumns+` FROM platform.store_grants g
		JOIN platform.stores s ON s.id = g.store_id WHERE `+where, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: store grant: %w", err)
	}
	return g, nil
}

// RotateStoreGrant gives a live grant a new access token (and refresh
// token), both by hash; the old ones stop working.
func (s *Store) RotateStoreGrant(ctx context.Context, id int64, accessHash, refreshHash []byte, expires time.Time) error {
	return s.execOne(ctx, "refresh store grant", `UPDATE platform.store_grants
		SET access_hash = $2, refresh_hash = $3, access_expires_at = $4 WHERE id = $1 AND revoked_at IS NULL`,
		id, accessHash, refreshHash, expires)
}

// UserStoreGrants lists a person's live grants, newest first.
func (s *Store) UserStoreGrants(ctx context.Context, userID int64) ([]*StoreGrant, error) {
	rows, err := s.q.Query(ctx, `SELECT `+grantColumns+` FROM platform.store_grants g
		JOIN platform.stores s ON s.id = g.store_id
		WHERE g.user_id = $1 AND g.revoked_at IS NULL ORDER BY g.created_at DESC, g.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: grants of user %d: %w", userID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*StoreGrant, error) { return scanGrant(r) })
	if err != nil {
		return nil, fmt.Errorf("store: grants of user %d: %w", userID, err)
	}
	return out, nil
}

// RevokeStoreGrant ends one of the person's grants.
func (s *Store) RevokeStoreGrant(ctx context.Context, userID, id int64) error {
	return s.execOne(ctx, "revoke store grant", `UPDATE platform.store_grants SET revoked_at = now()
		WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`, id, userID)
}

// Delivery statuses.
const (
	DeliveryFetching  = "fetching"  // the files are being downloaded and checked
	DeliveryInbox     = "inbox"     // waiting in the quilter's Inbox
	DeliveryClaim     = "claim"     // waiting for its claim link to be opened
	DeliveryImporting = "importing" // going through the import pipeline
	DeliveryDelivered = "delivered" // in the library
	DeliveryFailed    = "failed"    // not delivered; Reason says why
	DeliveryDeclined  = "declined"  // the quilter said no
)

// Delivery is one import call of a store.
type Delivery struct {
	ID             int64           `json:"id"`
	StoreID        int64           `json:"store_id"`
	StoreName      string          `json:"store_name"`
	IdempotencyKey string          `json:"idempotency_key"`
	RequestHash    []byte          `json:"-"`
	Link           string          `json:"link"`
	GrantID        *int64          `json:"grant_id"`
	UserID         *int64          `json:"user_id"`
	TenantID       *int64          `json:"tenant_id"`
	AutoLand       bool            `json:"auto_land"`
	Request        json.RawMessage `json:"request"`
	Status         string          `json:"status"`
	ReasonCode     string          `json:"reason_code"`
	Reason         string          `json:"reason"`
	ClaimExpiresAt *time.Time      `json:"claim_expires_at"`
	BundleKey      string          `json:"-"`
	BundleSize     int64           `json:"bundle_size"`
	DesignNames    []string        `json:"design_names"`
	DesignSHA256   [][]byte        `json:"-"`
	BatchID        *int64          `json:"batch_id"`
	PatternIDs     []int64         `json:"pattern_ids"`
	Designs        int             `json:"designs"`
	CallbackURL    string          `json:"callback_url"`
	CallbackStatus string          `json:"callback_status"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	LandedAt       *time.Time      `json:"landed_at"`
}

const deliveryColumns = `d.id, d.store_id, s.name, d.idempotency_key, d.request_hash, d.link, d.grant_id, d.user_id, d.tenant_id,
	d.auto_land, d.request, d.status, d.reason_code, d.reason, d.claim_expires_at, d.bundle_key, d.bundle_size, d.design_names,
	d.design_sha256, d.batch_id, d.pattern_ids, d.designs, d.callback_url, d.callback_status, d.created_at, d.updated_at, d.landed_at`

func scanDelivery(row pgx.Row) (*Delivery, error) {
	d := &Delivery{}
	err := row.Scan(&d.ID, &d.StoreID, &d.StoreName, &d.IdempotencyKey, &d.RequestHash, &d.Link, &d.GrantID, &d.UserID, &d.TenantID,
		&d.AutoLand, &d.Request, &d.Status, &d.ReasonCode, &d.Reason, &d.ClaimExpiresAt, &d.BundleKey, &d.BundleSize, &d.DesignNames,
		&d.DesignSHA256, &d.BatchID, &d.PatternIDs, &d.Designs, &d.CallbackURL, &d.CallbackStatus, &d.CreatedAt, &d.UpdatedAt, &d.LandedAt)
	return d, err
}

// InsertDelivery records a new delivery, unless the store already made
// one with the same idempotency key: then it returns that one and false.
// claimHash, when set, adds a claim link to the delivery (a replay too
// gets one, so every answer carries a working link).
func (s *Store) InsertDelivery(ctx context.Context, d *Delivery, claimHash []byte) (*Delivery, bool, error) {
	var id int64
	err := s.q.QueryRow(ctx, `INSERT INTO platform.store_deliveries
		(store_id, idempotency_key, request_hash, link, grant_id, user_id, tenant_id, auto_land, request, status,
		 claim_expires_at, callback_url)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'fetching', $10, $11)
		ON CONFLICT (store_id, idempotency_key) DO NOTHING RETURNING id`,
		d.StoreID, d.IdempotencyKey, d.RequestHash, d.Link, d.GrantID, d.UserID, d.TenantID, d.AutoLand, d.Request,
		d.ClaimExpiresAt, d.CallbackURL).Scan(&id)
	created := true
	if errors.Is(err, pgx.ErrNoRows) {
		created = false
		err = s.q.QueryRow(ctx, `SELECT id FROM platform.store_deliveries WHERE store_id = $1 AND idempotency_key = $2`,
			d.StoreID, d.IdempotencyKey).Scan(&id)
	}
	if err == nil && claimHash != nil {
		_, err = s.q.Exec(ctx, `INSERT INTO platform.store_claims (token_hash, delivery_id) VALUES ($1, $2)`, claimHash, id)
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: record delivery %q of store %d: %w", d.IdempotencyKey, d.StoreID, err)
	}
	out, err := s.Delivery(ctx, id)
	return out, created, err
}

// PlatformTx runs fn in one platform transaction, handing it the Store of
// the transaction and the transaction itself (to queue a job in it).
func (s *Store) PlatformTx(ctx context.Context, fn func(*Store, pgx.Tx) error) error {
	return s.tx(ctx, func(tx pgx.Tx) error { return fn(&Store{db: s.db, q: tx}, tx) })
}

// ForgetClaims removes a delivery's claim links (it was claimed, or
// landed another way).
func (s *Store) ForgetClaims(ctx context.Context, deliveryID int64) error {
	if _, err := s.q.Exec(ctx, `DELETE FROM platform.store_claims WHERE delivery_id = $1`, deliveryID); err != nil {
		return fmt.Errorf("store: forget claim links of delivery %d: %w", deliveryID, err)
	}
	return nil
}

// Delivery returns a delivery.
func (s *Store) Delivery(ctx context.Context, id int64) (*Delivery, error) {
	return s.oneDelivery(ctx, `d.id = $1`, id)
}

// DeliveryByClaim returns the delivery of a claim link (any status).
func (s *Store) DeliveryByClaim(ctx context.Context, hash []byte) (*Delivery, error) {
	return s.oneDelivery(ctx, `d.id = (SELECT delivery_id FROM platform.store_claims WHERE token_hash = $1)`, hash)
}

// CountFetchAttempt adds one to a delivery's fetch attempts and returns
// the new count.
func (s *Store) CountFetchAttempt(ctx context.Context, id int64) (int, error) {
	var n int
	err := s.q.QueryRow(ctx, `UPDATE platform.store_deliveries SET fetch_attempts = fetch_attempts + 1 WHERE id = $1
		RETURNING fetch_attempts`, id).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("store: count fetch of delivery %d: %w", id, err)
	}
	return n, nil
}

func (s *Store) oneDelivery(ctx context.Context, where string, arg any) (*Delivery, error) {
	d, err := scanDelivery(s.q.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM platform.store_deliveries d
		JOIN platform.stores s ON s.id = d.store_id WHERE `+where, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: delivery %v: %w", arg, err)
	}
	return d, nil
}

// InboxDeliveries lists what waits in a person's Inbox, newest first.
func (s *Store) InboxDeliveries(ctx context.Context, userID int64) ([]*Delivery, error) {
	rows, err := s.q.Query(ctx, `SELECT `+deliveryColumns+` FROM platform.store_deliveries d
		JOIN platform.stores s ON s.id = d.store_id
		WHERE d.user_id = $1 AND d.status = 'inbox' ORDER BY d.created_at DESC, d.id DESC LIMIT 200`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: inbox of user %d: %w", userID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Delivery, error) { return scanDelivery(r) })
	if err != nil {
		return nil, fmt.Errorf("store: inbox of user %d: %w", userID, err)
	}
	return out, nil
}

// DeliveryChecked records what the fetch found and moves a fetching
// delivery to status (inbox, claim or importing).
func (s *Store) DeliveryChecked(ctx context.Context, id int64, status, bundleKey string, size int64, names []string, sums [][]byte) error {
	return s.execOne(ctx, "record fetched delivery", `UPDATE platform.store_deliveries
		SET status = $2, bundle_key = $3, bundle_size = $4, design_names = $5, design_sha256 = $6, updated_at = now()
		WHERE id = $1 AND status = 'fetching'`, id, status, bundleKey, size, names, sums)
}

// FailDelivery marks a delivery that has not landed as failed, with why.
// It returns ErrNotFound when the delivery had already finished.
func (s *Store) FailDelivery(ctx context.Context, id int64, code, reason string) error {
	return s.execOne(ctx, "fail delivery", `UPDATE platform.store_deliveries
		SET status = 'failed', reason_code = $2, reason = $3, updated_at = now()
		WHERE id = $1 AND status NOT IN ('delivered', 'failed', 'declined')`, id, code, reason)
}

// DeclineDelivery marks an Inbox delivery of userID declined.
func (s *Store) DeclineDelivery(ctx context.Context, id, userID int64) error {
	return s.execOne(ctx, "decline delivery", `UPDATE platform.store_deliveries
		SET status = 'declined', reason_code = 'declined', reason = 'The quilter declined the delivery.', updated_at = now()
		WHERE id = $1 AND user_id = $2 AND status = 'inbox'`, id, userID)
}

// StartLanding moves a delivery waiting in status from (inbox or claim,
// or importing for an automatic one being started) to importing into
// tenantID as userID, once: a second caller gets ErrNotFound.
func (s *Store) StartLanding(ctx context.Context, id int64, from string, tenantID, userID int64) error {
	return s.execOne(ctx, "start landing delivery", `UPDATE platform.store_deliveries
		SET status = 'importing', tenant_id = $3, user_id = $4, updated_at = now()
		WHERE id = $1 AND status = $2`, id, from, tenantID, userID)
}

// SetDeliveryBatch records the import batch of a landing delivery.
func (s *Store) SetDeliveryBatch(ctx context.Context, id, batchID int64) error {
	return s.execOne(ctx, "set delivery batch", `UPDATE platform.store_deliveries SET batch_id = $2, updated_at = now()
		WHERE id = $1 AND status = 'importing'`, id, batchID)
}

// DeliveryLanded marks an importing delivery delivered with its designs.
func (s *Store) DeliveryLanded(ctx context.Context, id int64, patternIDs []int64) error {
	return s.execOne(ctx, "land delivery", `UPDATE platform.store_deliveries
		SET status = 'delivered', pattern_ids = $2, designs = cardinality($2::bigint[]), landed_at = now(), updated_at = now()
		WHERE id = $1 AND status = 'importing'`, id, patternIDs)
}

// SetDeliveryCallback records how telling the store went.
func (s *Store) SetDeliveryCallback(ctx context.Context, id int64, status string) error {
	return s.execOne(ctx, "record delivery callback", `UPDATE platform.store_deliveries SET callback_status = $2 WHERE id = $1`, id, status)
}

// DeliveryMeterRow is what one store delivered in one month.
type DeliveryMeterRow struct {
	StoreID    int64     `json:"store_id"`
	StoreName  string    `json:"store_name"`
	Month      time.Time `json:"month"`
	Deliveries int       `json:"deliveries"`
	Designs    int       `json:"designs"`
}

// DeliveryMeter counts delivered designs per store per month (UTC), of
// the months from since on, newest month first.
func (s *Store) DeliveryMeter(ctx context.Context, since time.Time) ([]*DeliveryMeterRow, error) {
	rows, err := s.q.Query(ctx, `
		SELECT d.store_id, s.name, date_trunc('month', d.landed_at AT TIME ZONE 'UTC') AS month, count(*), sum(d.designs)
		FROM platform.store_deliveries d JOIN platform.stores s ON s.id = d.store_id
		WHERE d.status = 'delivered' AND d.landed_at >= $1
		GROUP BY d.store_id, s.name, month ORDER BY month DESC, lower(s.name), d.store_id`, since)
	if err != nil {
		return nil, fmt.Errorf("store: delivery meter: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*DeliveryMeterRow, error) {
		m := &DeliveryMeterRow{}
		err := r.Scan(&m.StoreID, &m.StoreName, &m.Month, &m.Deliveries, &m.Designs)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: delivery meter: %w", err)
	}
	return out, nil
}

// Purchase is one delivered design's record of sale.
type Purchase struct {
	ID           int64      `json:"id"`
	PatternID    int64      `json:"pattern_id"`
	StoreID      int64      `json:"store_id"`
	StoreName    string     `json:"store_name"`
	OrderID      string     `json:"order_id"`
	SKU          string     `json:"sku"`
	PurchaseDate *time.Time `json:"purchase_date"`
	LicenceText  string     `json:"licence_text"`
	DeliveryID   int64      `json:"delivery_id"`
	CreatedAt    time.Time  `json:"created_at"`
}

const purchaseColumns = "id, pattern_id, store_id, store_name, order_id, sku, purchase_date, licence_text, delivery_id, created_at"

// RecordPurchase records that p.PatternID was bought (once per delivery
// and design), and fills the design's source and purchase date when they
// are empty.
func (t *TenantTx) RecordPurchase(ctx context.Context, p *Purchase, source string) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO purchases (pattern_id, store_id, store_name, order_id, sku, purchase_date, licence_text, delivery_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (delivery_id, pattern_id) DO NOTHING`,
		p.PatternID, p.StoreID, p.StoreName, p.OrderID, p.SKU, p.PurchaseDate, p.LicenceText, p.DeliveryID)
	if err == nil {
		_, err = t.tx.Exec(ctx, `UPDATE patterns SET source = CASE WHEN source = '' THEN $2 ELSE source END,
			purchased_on = coalesce(purchased_on, $3) WHERE id = $1`, p.PatternID, source, p.PurchaseDate)
	}
	if err != nil {
		return fmt.Errorf("store: record purchase of pattern %d: %w", p.PatternID, err)
	}
	return nil
}

// Purchases lists a design's purchases, oldest first.
func (t *TenantTx) Purchases(ctx context.Context, patternID int64) ([]*Purchase, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+purchaseColumns+` FROM purchases WHERE pattern_id = $1 ORDER BY created_at, id`, patternID)
	if err != nil {
		return nil, fmt.Errorf("store: purchases of pattern %d: %w", patternID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Purchase, error) {
		p := &Purchase{}
		err := r.Scan(&p.ID, &p.PatternID, &p.StoreID, &p.StoreName, &p.OrderID, &p.SKU, &p.PurchaseDate, &p.LicenceText, &p.DeliveryID, &p.CreatedAt)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: purchases of pattern %d: %w", patternID, err)
	}
	return out, nil
}

// OwnsSKU reports whether a live design of the workspace was bought from
// store storeID under sku.
func (t *TenantTx) OwnsSKU(ctx context.Context, storeID int64, sku string) (bool, error) {
	var owned bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM purchases pu JOIN patterns p ON p.id = pu.pattern_id AND p.deleted_at IS NULL
		WHERE pu.store_id = $1 AND pu.sku = $2)`, storeID, sku).Scan(&owned)
	if err != nil {
		return false, fmt.Errorf("store: owns sku %q of store %d: %w", sku, storeID, err)
	}
	return owned, nil
}

// PatternsOfBatch lists the live designs an import batch created.
func (t *TenantTx) PatternsOfBatch(ctx context.Context, batchID int64) ([]int64, error) {
	rows, err := t.tx.Query(ctx, `SELECT id FROM patterns WHERE batch_id = $1 AND deleted_at IS NULL ORDER BY id`, batchID)
	if err != nil {
		return nil, fmt.Errorf("store: patterns of batch %d: %w", batchID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: patterns of batch %d: %w", batchID, err)
	}
	return out, nil
}
